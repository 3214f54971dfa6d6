import { describe, expect, it } from 'vitest';
import { LambdaFunctionError } from '../../../src/datasources/lambda/invoker.js';
import type { NormalizedConfig } from '../../../src/config/types.js';
import { StatesError } from '../../../src/stepfunctions/engine/types.js';
import { locateTable } from '../../../src/stepfunctions/tasks/dynamodb.js';
import { buildHttpRequest, urlEncode } from '../../../src/stepfunctions/tasks/http.js';
import { findFunction, invokeResult, toStatesError } from '../../../src/stepfunctions/tasks/lambda.js';
import { lambdaFunctionName, parseResource } from '../../../src/stepfunctions/tasks/resource.js';
import { runSdkStart, runStartExecution } from '../../../src/stepfunctions/tasks/startExecution.js';

const config = (extra: Partial<NormalizedConfig>): NormalizedConfig => ({ dataSources: {}, configDir: '/tmp', ...extra }) as NormalizedConfig;

describe('parseResource', () => {
  it('reads optimized integrations with their pattern', () => {
    expect(parseResource('arn:aws:states:::lambda:invoke')).toEqual({ kind: 'integration', service: 'lambda', action: 'invoke', pattern: 'requestResponse' });
    expect(parseResource('arn:aws:states:::lambda:invoke.waitForTaskToken')).toMatchObject({ pattern: 'waitForTaskToken' });
    expect(parseResource('arn:aws:states:::states:startExecution.sync:2')).toMatchObject({ service: 'states', action: 'startExecution', pattern: 'sync:2' });
    expect(parseResource('arn:aws:states:::states:startExecution.sync')).toMatchObject({ pattern: 'sync' });
    expect(parseResource('arn:aws:states:::dynamodb:putItem')).toMatchObject({ service: 'dynamodb', action: 'putItem' });
    expect(parseResource('arn:aws:states:::aws-sdk:dynamodb:query')).toEqual({ kind: 'sdk', service: 'dynamodb', action: 'query', pattern: 'requestResponse' });
  });
  it('reads Lambda function ARNs with and without a qualifier, and activity ARNs', () => {
    expect(parseResource('arn:aws:lambda:us-east-1:123456789012:function:echo')).toEqual({
      kind: 'lambdaFunction',
      functionName: 'echo',
      qualifier: undefined,
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
    });
    expect(parseResource('arn:aws:lambda:eu-west-1:123456789012:function:echo:prod')).toMatchObject({ functionName: 'echo', qualifier: 'prod' });
    expect(parseResource('arn:aws:states:us-east-1:123456789012:activity:review')).toMatchObject({ kind: 'activity' });
    expect(parseResource('arn:aws:states:::sqs:sendMessage.fancy')).toEqual({ kind: 'unknown' });
    expect(parseResource('not an arn')).toEqual({ kind: 'unknown' });
  });
  it('reduces every FunctionName form to the bare name', () => {
    expect(lambdaFunctionName('echo')).toEqual({ name: 'echo' });
    expect(lambdaFunctionName('echo:live')).toEqual({ name: 'echo', qualifier: 'live' });
    expect(lambdaFunctionName('123456789012:function:echo')).toEqual({ name: 'echo', qualifier: undefined });
    expect(lambdaFunctionName('arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST')).toEqual({ name: 'echo', qualifier: '$LATEST' });
  });
});

describe('findFunction', () => {
  const c = config({
    dataSources: {
      remote: { name: 'remote', type: 'AWS_LAMBDA', config: { functionName: 'billing', endpoint: 'http://127.0.0.1:1' } },
      byArn: { name: 'byArn', type: 'AWS_LAMBDA', config: { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:audit' } },
      local: { name: 'local', type: 'AWS_LAMBDA', config: { handler: 'fixtures/functions.ts#echo' } },
      table: { name: 'table', type: 'AMAZON_DYNAMODB', config: { tableName: 'echo' } },
    },
    serverlessFunctions: { hello: { handler: 'handler.hello' } },
  });
  it('matches functionName, functionArn, serverless functions, data source names and handler exports', () => {
    expect(findFunction(c, 'billing')?.path).toBe('dataSources.remote.config');
    expect(findFunction(c, 'arn:aws:lambda:us-east-1:123456789012:function:audit')?.path).toBe('dataSources.byArn.config');
    expect(findFunction(c, 'hello')).toEqual({ target: { handler: 'handler.hello' }, path: 'functions.hello' });
    expect(findFunction(c, 'arn:aws:lambda:us-east-1:123456789012:function:shop-dev-hello')?.path).toBe('functions.hello');
    expect(findFunction(c, 'local')?.path).toBe('dataSources.local.config');
    expect(findFunction(c, 'echo')?.path).toBe('dataSources.local.config');
    expect(findFunction(c, 'missing')).toBeUndefined();
  });
});

describe('Lambda results and errors', () => {
  it('wraps a payload in the Invoke response Step Functions returns', () => {
    const result = invokeResult({ ok: true });
    expect(Object.keys(result)).toEqual(['ExecutedVersion', 'Payload', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StatusCode']);
    expect(result).toMatchObject({ ExecutedVersion: '$LATEST', Payload: { ok: true }, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 } });
    const meta = result as {
      SdkHttpMetadata: { HttpHeaders: Record<string, string>; AllHttpHeaders: Record<string, string[]> };
      SdkResponseMetadata: { RequestId: string };
    };
    expect(meta.SdkHttpMetadata.HttpHeaders['x-amzn-RequestId']).toBe(meta.SdkResponseMetadata.RequestId);
    expect(meta.SdkHttpMetadata.AllHttpHeaders['Content-Type']).toEqual(['application/json']);
  });
  it('names a function error after the thrown type with the runtime error JSON as cause', () => {
    const e = toStatesError(new LambdaFunctionError('nope', 'Lambda:Unhandled', 'CustomError'));
    expect(e).toBeInstanceOf(StatesError);
    expect(e.error).toBe('CustomError');
    expect(JSON.parse(e.cause)).toEqual({ errorType: 'CustomError', errorMessage: 'nope', trace: ['CustomError: nope'] });
    expect(Object.keys(JSON.parse(e.cause))).toEqual(['errorType', 'errorMessage', 'trace']);
  });
  it('reports a timeout as Sandbox.Timedout and an Invoke API failure under the Lambda prefix', () => {
    expect(toStatesError(new LambdaFunctionError('Task timed out after 1.00 seconds', 'Lambda:ExecutionTimeoutException')).error).toBe('Sandbox.Timedout');
    const api = Object.assign(new Error('Function not found: x'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404, requestId: 'r-1' } });
    const e = toStatesError(api);
    expect(e.error).toBe('Lambda.ResourceNotFoundException');
    expect(e.cause).toBe('Function not found: x (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: r-1; Proxy: null)');
  });
});

describe('http:invoke requests', () => {
  it('encodes query parameters and URL-encoded bodies in each array format', () => {
    expect(urlEncode({ a: [1, 2], b: 'x y' }, 'REPEAT')).toBe('a=1&a=2&b=x%20y');
    expect(urlEncode({ a: [1, 2] }, 'BRACKETS')).toBe('a%5B%5D=1&a%5B%5D=2');
    expect(urlEncode({ a: [1, 2] }, 'INDICES')).toBe('a%5B0%5D=1&a%5B1%5D=2');
    expect(urlEncode({ a: [1, 2] }, 'COMMAS')).toBe('a=1%2C2');
    expect(urlEncode({ o: { k: 'v' } })).toBe('o%5Bk%5D=v');
  });
  it('builds the request from ApiEndpoint, Method, Headers, QueryParameters, RequestBody and Transform', () => {
    const r = buildHttpRequest({
      ApiEndpoint: 'http://example.test/items?x=1',
      Method: 'post',
      Headers: { 'X-Trace': 7 },
      QueryParameters: { q: 'a' },
      RequestBody: { tags: ['a', 'b'] },
      Transform: { RequestBodyEncoding: 'URL_ENCODED', RequestEncodingOptions: { ArrayFormat: 'BRACKETS' } },
    });
    expect(r.url.href).toBe('http://example.test/items?x=1&q=a');
    expect(r.method).toBe('POST');
    expect(r.headers).toEqual({ 'X-Trace': '7', 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(r.body).toBe('tags%5B%5D=a&tags%5B%5D=b');
    expect(buildHttpRequest({ ApiEndpoint: 'http://e.test', Method: 'PUT', RequestBody: { a: 1 } })).toMatchObject({
      body: '{"a":1}',
      headers: { 'Content-Type': 'application/json' },
    });
  });
  it('refuses a missing endpoint, a bad method and forbidden headers with States.Runtime', () => {
    expect(() => buildHttpRequest({ Method: 'GET' })).toThrow(StatesError);
    expect(() => buildHttpRequest({ ApiEndpoint: 'http://e.test', Method: 'FETCH' })).toThrow(/Method/);
    expect(() => buildHttpRequest({ ApiEndpoint: 'http://e.test', Method: 'GET', Headers: { Host: 'x' } })).toThrow(/Host/);
  });
});

describe('states:startExecution', () => {
  const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:child';
  it('returns StartExecution’s response without .sync', async () => {
    const calls: unknown[] = [];
    const result = await runStartExecution({ StateMachineArn: arn, Input: '{"a":1}', Name: 'n1' }, 'requestResponse', async (...args) => {
      calls.push(args);
      return { executionArn: `${arn.replace('stateMachine', 'execution')}:n1`, startDate: 1700000000.5 };
    });
    expect(calls).toEqual([[arn, { a: 1 }, 'n1', false]]);
    expect(result).toMatchObject({ ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:child:n1', StartDate: 1700000000500 });
  });
  it('returns DescribeExecution with Output as text (.sync) or JSON (.sync:2)', async () => {
    const done = async () => ({ executionArn: 'e', status: 'SUCCEEDED', output: '{"r":2}', startDate: new Date(1000), stopDate: new Date(2000) });
    expect(await runStartExecution({ StateMachineArn: arn, Input: { a: 1 } }, 'sync', done)).toMatchObject({
      Output: '{"r":2}',
      Status: 'SUCCEEDED',
      Input: '{"a":1}',
      StartDate: 1000,
      StopDate: 2000,
    });
    expect(await runStartExecution({ StateMachineArn: arn }, 'sync:2', done)).toMatchObject({ Output: { r: 2 } });
  });
  it('fails the task when the nested execution fails or is aborted', async () => {
    const failed = runStartExecution({ StateMachineArn: arn }, 'sync', async () => ({ executionArn: 'e', status: 'FAILED', error: 'Boom', cause: 'because' }));
    await expect(failed).rejects.toMatchObject({ error: 'States.TaskFailed' });
    await expect(failed.catch((e: StatesError) => JSON.parse(e.cause))).resolves.toMatchObject({ Status: 'FAILED', Error: 'Boom', Cause: 'because' });
    await expect(runStartExecution({ StateMachineArn: arn }, 'sync:2', async () => ({ status: 'ABORTED' }))).rejects.toMatchObject({ error: 'States.Aborted' });
  });
  it('aws-sdk:sfn returns the API response; a failed sync execution is a result, not a failure', async () => {
    const failed = await runSdkStart('startSyncExecution', { StateMachineArn: arn, Input: { a: 1 } }, async () => ({
      executionArn: 'e',
      name: 'n',
      status: 'FAILED',
      error: 'Boom',
      cause: 'c',
      startDate: 1700000000000,
      stopDate: 1700000000500,
      input: '{"a":1}',
    }));
    expect(failed).toEqual({
      ExecutionArn: 'e',
      Input: '{"a":1}',
      InputDetails: { Included: true },
      Name: 'n',
      StartDate: 1700000000000,
      StateMachineArn: arn,
      Status: 'FAILED',
      StopDate: 1700000000500,
      Error: 'Boom',
      Cause: 'c',
    });
    expect(await runSdkStart('startExecution', { StateMachineArn: arn }, async () => ({ executionArn: 'e2', startDate: 1.5 }))).toEqual({
      ExecutionArn: 'e2',
      StartDate: 1500,
    });
    const missing = Object.assign(new Error('State Machine Does Not Exist'), { name: 'StateMachineDoesNotExist' });
    await expect(runSdkStart('startExecution', { StateMachineArn: arn }, async () => Promise.reject(missing))).rejects.toMatchObject({
      error: 'Sfn.StateMachineDoesNotExistException',
    });
  });
  it('reports an API error under the StepFunctions prefix', async () => {
    const missing = Object.assign(new Error("State Machine Does Not Exist: 'x'"), { name: 'StateMachineDoesNotExist' });
    await expect(runStartExecution({ StateMachineArn: arn }, 'requestResponse', async () => Promise.reject(missing))).rejects.toMatchObject({
      error: 'StepFunctions.StateMachineDoesNotExistException',
    });
  });
});

describe('locateTable', () => {
  it('finds the data source owning the table, else the single shared store', () => {
    const c = config({
      dataSources: {
        a: { name: 'a', type: 'AMAZON_DYNAMODB', config: { tableName: 'orders', endpoint: 'http://127.0.0.1:8000' } },
        b: { name: 'b', type: 'AMAZON_DYNAMODB', config: { tableName: 'users' } },
      },
    });
    expect(locateTable(c, new Map(), 'orders')).toEqual({ endpoint: 'http://127.0.0.1:8000', region: undefined, client: undefined });
    expect(locateTable(c, new Map(), 'users')).toEqual({ endpoint: undefined, region: undefined, client: undefined });
    expect(locateTable(c, new Map(), 'other')).toBeUndefined();
    const single = config({ dataSources: { b: { name: 'b', type: 'AMAZON_DYNAMODB', config: { tableName: 'users' } } } });
    expect(locateTable(single, new Map(), 'other')).toEqual({ endpoint: undefined, region: undefined, client: undefined });
  });
});
