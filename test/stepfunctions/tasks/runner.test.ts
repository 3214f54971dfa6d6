/**
 * The task runner against real things: in-process Lambda handlers (the Lambda data source's
 * invoker), the embedded DynamoDB store through a real AMAZON_DYNAMODB data source, and a real
 * HTTP server on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedConfig } from '../../../src/config/types.js';
import { dynamodbKind } from '../../../src/datasources/dynamodb/index.js';
import type { DataSource } from '../../../src/datasources/types.js';
import type { StatesError, TaskRequest } from '../../../src/stepfunctions/engine/types.js';
import { createTaskRunner, type TaskRunner } from '../../../src/stepfunctions/tasks/index.js';
import { silentLogger } from '../../utils/logger.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TABLE = 'sfn_tasks_orders';

const config = {
  name: 'tasks',
  configDir: here,
  dataSources: {
    echoFn: { name: 'echoFn', type: 'AWS_LAMBDA', config: { handler: 'fixtures/functions.ts#echo' } },
    failing: { name: 'failing', type: 'AWS_LAMBDA', config: { functionName: 'failFunction', handler: 'fixtures/functions.ts#fail' } },
    orders: {
      name: 'orders',
      type: 'AMAZON_DYNAMODB',
      config: {
        tableName: TABLE,
        table: {
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        },
      },
    },
  },
  serverlessFunctions: { nothing: { handler: 'fixtures/functions.nothing' }, misnamed: { handler: 'fixtures/functions.handlr' } },
} as unknown as NormalizedConfig;

let ordersSource: DataSource;
let runner: TaskRunner;
let server: Server;
let base: string;
const started: unknown[][] = [];

const request = (resource: string, parameters: unknown): TaskRequest => ({
  resource,
  parameters,
  stateName: 'Task',
  context: {
    Execution: { Id: 'e', Input: {}, Name: 'n', RoleArn: 'r', StartTime: new Date().toISOString(), RedriveCount: 0 },
    StateMachine: { Id: 's', Name: 'm' },
    State: { Name: 'Task', EnteredTime: new Date().toISOString(), RetryCount: 0 },
  },
});
const run = (resource: string, parameters: unknown): Promise<any> => runner(request(resource, parameters), new AbortController().signal);

beforeAll(async () => {
  ordersSource = await dynamodbKind.create({
    name: 'orders',
    config: config.dataSources.orders!.config as never,
    configPath: 'dataSources.orders.config',
    configDir: here,
    gatewayConfig: config,
    logger: silentLogger,
  });
  runner = createTaskRunner({
    config: () => config,
    dataSources: () => new Map([['orders', ordersSource]]),
    logger: silentLogger,
    async startExecution(...args) {
      started.push(args);
      return { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:child:x', startDate: new Date(5000) };
    },
  });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url?.startsWith('/missing')) return void res.writeHead(404, 'Not Found', { 'content-type': 'text/plain' }).end('no');
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-seen': 'yes' })
        .end(JSON.stringify({ method: req.method, url: req.url, body, type: req.headers['content-type'] ?? null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  runner?.close();
  await ordersSource?.close?.();
  await new Promise((r) => server?.close(r));
});

describe('Lambda tasks', () => {
  it('a function ARN returns the function’s value', async () => {
    expect(await run('arn:aws:lambda:us-east-1:123456789012:function:echo', { a: 1 })).toEqual({ received: { a: 1 } });
    expect(await run('arn:aws:lambda:us-east-1:123456789012:function:nothing', {})).toBeNull();
  });
  it('lambda:invoke wraps the payload in the Invoke response', async () => {
    const result = (await run('arn:aws:states:::lambda:invoke', {
      FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:echoFn:$LATEST',
      Payload: { b: 2 },
    })) as Record<string, unknown>;
    expect(result.Payload).toEqual({ received: { b: 2 } });
    expect(result.StatusCode).toBe(200);
    expect(result.ExecutedVersion).toBe('$LATEST');
  });
  it('a function error is named after the thrown error, with the runtime’s error JSON as cause', async () => {
    const error = await run('arn:aws:states:::lambda:invoke', { FunctionName: 'failFunction', Payload: { message: 'bad input' } }).catch((e: StatesError) => e);
    expect(error.error).toBe('CustomError');
    const cause = JSON.parse(error.cause);
    expect(cause.errorType).toBe('CustomError');
    expect(cause.errorMessage).toBe('bad input');
    expect(Array.isArray(cause.trace)).toBe(true);
  });
  it('aws-sdk:lambda:invoke returns the raw Invoke response; a function error is a FunctionError, not a failure', async () => {
    expect(await run('arn:aws:states:::aws-sdk:lambda:invoke', { FunctionName: 'echo', Payload: '{"c":3}' })).toEqual({
      ExecutedVersion: '$LATEST',
      Payload: '{"received":{"c":3}}',
      StatusCode: 200,
    });
    const failed = await run('arn:aws:states:::aws-sdk:lambda:invoke', { FunctionName: 'failFunction', Payload: { message: 'm' } });
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(failed.Payload)).toMatchObject({ errorType: 'CustomError', errorMessage: 'm' });
    const missing = await run('arn:aws:states:::aws-sdk:lambda:invoke', { FunctionName: 'ghost' }).catch((e: StatesError) => e);
    expect(missing.error).toBe('Lambda.ResourceNotFoundException');
    expect(missing.cause).toMatch(
      /^Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost \(Service: Lambda, Status Code: 404, Request ID: [0-9a-f-]+\)$/,
    );
  });
  it('an unknown function is Lambda.ResourceNotFoundException', async () => {
    const error = await run('arn:aws:lambda:us-east-1:123456789012:function:ghost', {}).catch((e: StatesError) => e);
    expect(error.error).toBe('Lambda.ResourceNotFoundException');
    expect(error.cause).toMatch(
      /^Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost \(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]+; Proxy: null\)$/,
    );
  });
  it('a function whose file lacks the configured export fails the state as Lambda answers (Runtime.HandlerNotFound), and the log says why once', async () => {
    const errors: string[] = [];
    const own = createTaskRunner({
      config: () => config,
      dataSources: () => new Map(),
      logger: { ...silentLogger, error: (line: string) => void errors.push(line) },
      startExecution: () => Promise.reject(new Error('not started here')),
    });
    const notExported = 'fixtures/functions.handlr is undefined or not exported';
    const runtimeError = { errorType: 'Runtime.HandlerNotFound', errorMessage: notExported, trace: [`Runtime.HandlerNotFound: ${notExported}`] };
    const failure = (resource: string, parameters: unknown) =>
      own(request(resource, parameters), new AbortController().signal).then(
        () => 'succeeded',
        (e: StatesError) => ({ error: e.error, cause: JSON.parse(e.cause) }),
      );
    try {
      expect(await failure('arn:aws:lambda:us-east-1:123456789012:function:misnamed', {})).toEqual({ error: 'Runtime.HandlerNotFound', cause: runtimeError });
      expect(await failure('arn:aws:states:::lambda:invoke', { FunctionName: 'misnamed', Payload: {} })).toEqual({
        error: 'Runtime.HandlerNotFound',
        cause: runtimeError,
      });
      // The Invoke API answers a function error, which this integration hands back rather than failing.
      const sdk = (await own(request('arn:aws:states:::aws-sdk:lambda:invoke', { FunctionName: 'misnamed' }), new AbortController().signal)) as {
        Payload: string;
      };
      expect({ ...sdk, Payload: JSON.parse(sdk.Payload) }).toEqual({
        ExecutedVersion: '$LATEST',
        FunctionError: 'Unhandled',
        Payload: runtimeError,
        StatusCode: 200,
      });
      expect(errors).toEqual([
        'functions.misnamed.handler: fixtures/functions.ts has no export named handlr (its exports: echo, fail, nothing, price, remember); ' +
          'every call fails with Runtime.HandlerNotFound (appsync-gateway validate finds this before serving)',
      ]);
    } finally {
      own.close();
    }
  });
  it('.waitForTaskToken makes the call with the token already in the payload and resolves', async () => {
    const result = (await run('arn:aws:states:::lambda:invoke.waitForTaskToken', { FunctionName: 'echo', Payload: { token: 'T-1' } })) as { Payload: unknown };
    expect(result.Payload).toEqual({ received: { token: 'T-1' } });
  });
});

describe('DynamoDB tasks', () => {
  it('putItem, getItem, updateItem and deleteItem speak the DynamoDB API on the data source’s store', async () => {
    const put = await run('arn:aws:states:::dynamodb:putItem', { TableName: TABLE, Item: { id: { S: 'o1' }, amount: { N: '3' } } });
    expect(put).toHaveProperty('SdkHttpMetadata.HttpStatusCode', 200);
    expect(put).not.toHaveProperty('Item');
    const got = (await run('arn:aws:states:::dynamodb:getItem', { TableName: TABLE, Key: { id: { S: 'o1' } } })) as { Item: unknown };
    expect(got.Item).toEqual({ id: { S: 'o1' }, amount: { N: '3' } });
    const updated = (await run('arn:aws:states:::dynamodb:updateItem', {
      TableName: TABLE,
      Key: { id: { S: 'o1' } },
      UpdateExpression: 'SET amount = amount + :d',
      ExpressionAttributeValues: { ':d': { N: '2' } },
      ReturnValues: 'ALL_NEW',
    })) as { Attributes: unknown };
    expect(updated.Attributes).toEqual({ id: { S: 'o1' }, amount: { N: '5' } });
    await run('arn:aws:states:::dynamodb:deleteItem', { TableName: TABLE, Key: { id: { S: 'o1' } } });
    expect(await run('arn:aws:states:::dynamodb:getItem', { TableName: TABLE, Key: { id: { S: 'o1' } } })).not.toHaveProperty('Item');
  });
  it('a failed condition is DynamoDB.ConditionalCheckFailedException', async () => {
    await run('arn:aws:states:::dynamodb:putItem', { TableName: TABLE, Item: { id: { S: 'o2' } } });
    const error = await run('arn:aws:states:::dynamodb:putItem', {
      TableName: TABLE,
      Item: { id: { S: 'o2' } },
      ConditionExpression: 'attribute_not_exists(id)',
    }).catch((e: StatesError) => e);
    expect(error.error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(error.cause).toMatch(
      /^The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: .+; Proxy: null\)$/,
    );
  });
  it('invalid parameters are DynamoDB.AmazonDynamoDBException; unsupported actions fail with States.Runtime', async () => {
    const error = await run('arn:aws:states:::dynamodb:putItem', { TableName: TABLE, Item: { nope: { S: 'x' } } }).catch((e: StatesError) => e);
    expect(error.error).toBe('DynamoDB.AmazonDynamoDBException');
    expect(error.cause).toMatch(/Error Code: ValidationException/);
    const scan = await run('arn:aws:states:::dynamodb:scan', { TableName: TABLE }).catch((e: StatesError) => e);
    expect(scan.error).toBe('States.Runtime');
    expect(scan.cause).toMatch(/not supported/);
  });
});

describe('DynamoDB through the AWS SDK integration', () => {
  it('aws-sdk:dynamodb runs any action (query, batchWriteItem) and returns the bare response', async () => {
    const written = await run('arn:aws:states:::aws-sdk:dynamodb:batchWriteItem', {
      RequestItems: { [TABLE]: [{ PutRequest: { Item: { id: { S: 'q1' }, amount: { N: '1' } } } }, { PutRequest: { Item: { id: { S: 'q2' } } } }] },
    });
    expect(written).toEqual({ UnprocessedItems: {} });
    const found = await run('arn:aws:states:::aws-sdk:dynamodb:query', {
      TableName: TABLE,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'q1' } },
    });
    expect(found).toMatchObject({ Count: 1, Items: [{ id: { S: 'q1' }, amount: { N: '1' } }] });
    expect(found).not.toHaveProperty('SdkHttpMetadata');
  });
  it('names errors DynamoDb.<name> with the SDK v2 summary', async () => {
    const error = await run('arn:aws:states:::aws-sdk:dynamodb:putItem', {
      TableName: TABLE,
      Item: { id: { S: 'q1' } },
      ConditionExpression: 'attribute_not_exists(id)',
    }).catch((e: StatesError) => e);
    expect(error.error).toBe('DynamoDb.ConditionalCheckFailedException');
    expect(error.cause).toMatch(/^The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: .+\)$/);
    const invalid = await run('arn:aws:states:::aws-sdk:dynamodb:getItem', { TableName: TABLE, Key: { nope: { S: 'x' } } }).catch((e: StatesError) => e);
    expect(invalid.error).toBe('DynamoDb.DynamoDbException');
    const unknown = await run('arn:aws:states:::aws-sdk:dynamodb:frobnicate', {}).catch((e: StatesError) => e);
    expect(unknown.error).toBe('States.Runtime');
    const otherService = await run('arn:aws:states:::aws-sdk:s3:getObject', {}).catch((e: StatesError) => e);
    expect(otherService.cause).toBe("The resource 'arn:aws:states:::aws-sdk:s3:getObject' is not supported by appsync-gateway.");
  });
});

describe('HTTP tasks', () => {
  it('returns Headers, ResponseBody (parsed JSON), StatusCode and StatusText', async () => {
    const result = (await run('arn:aws:states:::http:invoke', {
      ApiEndpoint: `${base}/items`,
      Method: 'POST',
      QueryParameters: { q: 'x' },
      RequestBody: { a: 1 },
    })) as Record<string, any>;
    expect(result.StatusCode).toBe(200);
    expect(result.StatusText).toBe('OK');
    expect(result.Headers['x-seen']).toEqual(['yes']);
    expect(result.ResponseBody).toEqual({ method: 'POST', url: '/items?q=x', body: '{"a":1}', type: 'application/json' });
  });
  it('a non-2xx answer fails with States.Http.StatusCode.<code>', async () => {
    const error = await run('arn:aws:states:::http:invoke', { ApiEndpoint: `${base}/missing`, Method: 'GET' }).catch((e: StatesError) => e);
    expect(error.error).toBe('States.Http.StatusCode.404');
    expect(error.cause).toBe('Not Found');
  });
  it('an endpoint that does not answer fails with States.Http.Socket', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const error = await run('arn:aws:states:::http:invoke', { ApiEndpoint: `http://127.0.0.1:${port}/`, Method: 'GET' }).catch((e: StatesError) => e);
    expect(error.error).toBe('States.Http.Socket');
    expect(error.cause).toBe(`Could not connect to http://127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

describe('nested executions and unknown resources', () => {
  it('startExecution goes through the host', async () => {
    const result = await run('arn:aws:states:::states:startExecution', {
      StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:child',
      Input: { x: 1 },
    });
    expect(started.at(-1)).toEqual(['arn:aws:states:us-east-1:123456789012:stateMachine:child', { x: 1 }, undefined, false]);
    expect(result).toMatchObject({ ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:child:x', StartDate: 5000 });
  });
  it('an unknown resource fails with States.Runtime naming it', async () => {
    const error = await run('arn:aws:states:::glue:startJobRun', {}).catch((e: StatesError) => e);
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toBe("The resource 'arn:aws:states:::glue:startJobRun' is not supported by appsync-gateway.");
  });
});
