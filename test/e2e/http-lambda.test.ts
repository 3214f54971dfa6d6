/**
 * HTTP and Lambda data sources end to end (docs/http-lambda.md) against real servers
 * on loopback: an echo service, a SigV4-checking route, a Lambda Invoke API, and in-process
 * handlers (sync, async, callback, throwing, never returning). Also a user-defined data-source kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceKind } from '../../src/index.js';
import { SIGNING, startEchoServer, type EchoServer } from '../utils/echo-server.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const SCHEMA = `
type Item { id: ID! name: String detail: String }
type Query {
  echo(q: String): AWSJSON
  slow: AWSJSON
  status(code: Int!): AWSJSON
  signed: AWSJSON
  signedBadKey: AWSJSON
  refused: AWSJSON
  badRequest: AWSJSON
  hello(name: String): String
  asyncHello(name: String): String
  callbackHello(name: String): String
  fails: String
  hangs: String
  direct(x: Int): AWSJSON
  directFails: String
  remote(n: Int): Int
  remoteFails: String
  items: [Item]
  custom(word: String): String
}
`;
const code = (request: string, response = 'return ctx.result;') =>
  `import { util } from '@aws-appsync/utils';\nexport function request(ctx) { ${request} }\nexport function response(ctx) { if (ctx.error) util.error(ctx.error.message, ctx.error.type); ${response} }\n`;

const HANDLERS = `
export function syncHandler(event) { return 'hi ' + event.name; }
export async function asyncHandler(event) { return 'async hi ' + event.name; }
export function callbackHandler(event, context, callback) { setTimeout(() => callback(null, 'callback hi ' + event.name), 5); }
export async function failing() { const e = new Error('the function broke'); e.name = 'NotFound'; throw e; }
export function hanging() { return new Promise(() => {}); }
export async function direct(event) { return { got: event.arguments, field: event.info.fieldName, list: event.info.selectionSetList, hasStash: typeof event.stash, source: event.source }; }
let calls = 0;
export async function detailBatch(events) { calls += 1; return events.map((e) => ({ data: e.source.id === 'bad' ? null : 'detail of ' + e.source.id + ' (call ' + calls + ')', ...(e.source.id === 'bad' ? { errorMessage: 'no detail', errorType: 'Missing' } : {}) })); }
`;

let echo: EchoServer;
let gw: TestGateway;

const customKind: DataSourceKind<{ prefix: string }> = {
  validate: (config, path) =>
    typeof (config as { prefix?: unknown })?.prefix === 'string' ? [] : [new (class extends Error {})(`${path}.prefix: expected string`) as never],
  create: ({ name, config }) => ({
    name,
    type: 'SHOUT',
    async invoke(request) {
      return { result: `${config.prefix}${String((request as { word: string }).word).toUpperCase()}` };
    },
  }),
};

beforeAll(async () => {
  echo = await startEchoServer({
    double: (event: { n: number }) => event.n * 2,
    explode: () => {
      const e = new Error('remote failure');
      e.name = 'Boom';
      throw e;
    },
  });
  process.env.GATEWAY_TEST_UNUSED = '1';
  gw = await startTestGateway({
    files: {
      'handlers.mjs': HANDLERS,
      'echo.js': code(
        "return { method: 'POST', resourcePath: '/echo/things', params: { query: { q: ctx.args.q, n: '2' }, headers: { 'x-custom': 'c', host: 'evil' }, body: { hello: 'world' } } };",
      ),
      'slow.js': code("return { method: 'GET', resourcePath: '/slow' };"),
      'status.js': code("return { method: 'GET', resourcePath: '/status/' + ctx.args.code };"),
      'signed.js': code(
        "return { method: 'POST', resourcePath: '/signed', params: { headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}' } };",
      ),
      'badRequest.js': code("return { method: 'FETCH', resourcePath: 'nope' };"),
      'invoke.js': code("return { operation: 'Invoke', payload: { name: ctx.args.name ?? 'you' } };"),
      'remote.js': code("return { operation: 'Invoke', payload: { n: ctx.args.n } };"),
      'items.js': code("return { payload: [{ id: '1', name: 'a' }, { id: '2', name: 'b' }, { id: 'bad', name: 'c' }, { id: '4', name: 'd' }] };"),
      'custom.js': code('return { word: ctx.args.word };'),
    },
    config: {
      schemaSdl: SCHEMA,
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k', value: 'da2-httplambdahttplambdahttp' }],
      dataSources: {
        api: { type: 'HTTP', config: { endpoint: echo.url, timeout: 300 } },
        signedApi: {
          type: 'HTTP',
          config: {
            endpoint: echo.url,
            authorizationConfig: { authorizationType: 'AWS_IAM', awsIamConfig: { signingRegion: 'us-east-1', signingServiceName: 'states' } },
            credentials: SIGNING,
          },
        },
        wrongKeyApi: {
          type: 'HTTP',
          config: {
            endpoint: echo.url,
            authorizationConfig: { authorizationType: 'AWS_IAM', awsIamConfig: { signingRegion: 'us-east-1', signingServiceName: 'states' } },
            credentials: { accessKeyId: SIGNING.accessKeyId, secretAccessKey: 'wrong' },
          },
        },
        closed: { type: 'HTTP', config: { endpoint: 'http://127.0.0.1:9' } },
        none: { type: 'NONE' },
        sync: { type: 'AWS_LAMBDA', config: { handler: 'handlers.mjs#syncHandler' } },
        async: { type: 'AWS_LAMBDA', config: { handler: 'handlers.mjs#asyncHandler' } },
        callback: { type: 'AWS_LAMBDA', config: { function: { handler: 'handlers.callbackHandler' } } },
        failing: { type: 'AWS_LAMBDA', config: { handler: 'handlers.mjs#failing' } },
        hanging: { type: 'AWS_LAMBDA', config: { handler: 'handlers.mjs#hanging', timeout: 0.3 } },
        direct: { type: 'AWS_LAMBDA', config: { handler: 'handlers.mjs#direct' } },
        batch: { type: 'AWS_LAMBDA', config: { handler: 'handlers.mjs#detailBatch' } },
        remote: { type: 'AWS_LAMBDA', config: { functionName: 'double', endpoint: echo.url } },
        remoteFailing: { type: 'AWS_LAMBDA', config: { functionName: 'explode', endpoint: echo.url } },
        shout: { type: 'SHOUT', config: { prefix: '>> ' } },
      },
      resolvers: {
        'Query.echo': { kind: 'UNIT', dataSource: 'api', code: 'echo.js' },
        'Query.slow': { kind: 'UNIT', dataSource: 'api', code: 'slow.js' },
        'Query.status': { kind: 'UNIT', dataSource: 'api', code: 'status.js' },
        'Query.signed': { kind: 'UNIT', dataSource: 'signedApi', code: 'signed.js' },
        'Query.signedBadKey': { kind: 'UNIT', dataSource: 'wrongKeyApi', code: 'signed.js' },
        'Query.refused': { kind: 'UNIT', dataSource: 'closed', code: 'slow.js' },
        'Query.badRequest': { kind: 'UNIT', dataSource: 'api', code: 'badRequest.js' },
        'Query.hello': { kind: 'UNIT', dataSource: 'sync', code: 'invoke.js' },
        'Query.asyncHello': { kind: 'UNIT', dataSource: 'async', code: 'invoke.js' },
        'Query.callbackHello': { kind: 'UNIT', dataSource: 'callback', code: 'invoke.js' },
        'Query.fails': { kind: 'UNIT', dataSource: 'failing', code: 'invoke.js' },
        'Query.hangs': { kind: 'UNIT', dataSource: 'hanging', code: 'invoke.js' },
        'Query.direct': { kind: 'UNIT', dataSource: 'direct' },
        'Query.directFails': { kind: 'UNIT', dataSource: 'failing' },
        'Query.remote': { kind: 'UNIT', dataSource: 'remote', code: 'remote.js' },
        'Query.remoteFails': { kind: 'UNIT', dataSource: 'remoteFailing', code: 'remote.js' },
        'Query.items': { kind: 'UNIT', dataSource: 'none', code: 'items.js' },
        'Item.detail': { kind: 'UNIT', dataSource: 'batch', maxBatchSize: 10 },
        'Query.custom': { kind: 'UNIT', dataSource: 'shout', code: 'custom.js' },
      },
    },
    options: { dataSourceKinds: { SHOUT: customKind } },
  });
});
afterAll(() => echo?.close());

describe('HTTP data source (datasources.md §3)', () => {
  it('makes the call and returns { statusCode, headers, body }', async () => {
    const { body } = await gw.query('{ echo(q: "a b") }');
    const result = JSON.parse(body.data.echo);
    expect(result.statusCode).toBe(200);
    expect(result.headers['x-echo']).toBe('yes');
    const sent = JSON.parse(result.body);
    expect(sent).toMatchObject({ method: 'POST', path: '/echo/things', query: { q: 'a b', n: '2' }, body: '{"hello":"world"}' });
    expect(sent.headers['x-custom']).toBe('c');
    expect(sent.headers.host).not.toBe('evil');
    expect(sent.headers['content-type']).toBe('application/json');
  });

  it('a 4xx/5xx status is a result, not an error', async () => {
    const { body } = await gw.query('{ status(code: 503) }');
    expect(JSON.parse(body.data.status)).toMatchObject({ statusCode: 503, body: '{"status":503}' });
    expect(body.errors).toBeUndefined();
  });

  it('a timeout is Http:ExecutionTimeoutException', async () => {
    const { body } = await gw.query('{ slow }');
    expect(body.data).toEqual({ slow: null });
    expect(body.errors[0]).toMatchObject({ errorType: 'Http:ExecutionTimeoutException', message: 'execution timed out' });
  });

  it('a refused connection is an Http: error', async () => {
    const { body } = await gw.query('{ refused }');
    expect(body.errors[0].errorType).toBe('Http:ConnectionException');
    expect(body.errors[0].message).toMatch(/^Could not reach http:\/\/127\.0\.0\.1:9/);
  });

  it('a bad request object names the bad field', async () => {
    const { body } = await gw.query('{ badRequest }');
    expect(body.errors[0]).toMatchObject({
      errorType: 'Http:BadRequestException',
      message: 'method: expected one of GET, POST, PUT, PATCH, DELETE, HEAD, got "FETCH"',
    });
  });

  it('SigV4 signing is accepted by a verifying endpoint; a wrong key is refused by it', async () => {
    expect(JSON.parse((await gw.query('{ signed }')).body.data.signed)).toMatchObject({ statusCode: 200, body: '{"signed":true}' });
    expect(JSON.parse((await gw.query('{ signedBadKey }')).body.data.signedBadKey)).toMatchObject({ statusCode: 403 });
  });
});

describe('Lambda data source (datasources.md §4)', () => {
  it.each([
    ['hello', 'hi CLI'],
    ['asyncHello', 'async hi CLI'],
    ['callbackHello', 'callback hi CLI'],
  ])('in-process %s handler', async (field, expected) => {
    const { body } = await gw.query(`{ ${field}(name: "CLI") }`);
    expect(body).toEqual({ data: { [field]: expected } });
  });

  it('a thrown error reaches ctx.error as Lambda:Unhandled', async () => {
    const { body } = await gw.query('{ fails }');
    expect(body.errors[0]).toMatchObject({ errorType: 'Lambda:Unhandled', message: 'the function broke' });
  });

  it('a handler that never returns times out with a clear error', async () => {
    const { body } = await gw.query('{ hangs }');
    expect(body.errors[0]).toMatchObject({ errorType: 'Lambda:ExecutionTimeoutException', message: 'Task timed out after 0.30 seconds' });
  });

  it('a direct resolver receives the context and its errors keep the thrown name', async () => {
    const { body } = await gw.query('{ direct(x: 3) directFails }');
    expect(JSON.parse(body.data.direct)).toEqual({ got: { x: 3 }, field: 'direct', list: [], hasStash: 'object', source: null });
    expect(body.errors[0]).toMatchObject({ path: ['directFails'], errorType: 'NotFound', message: 'the function broke', data: null, errorInfo: null });
  });

  it('calls a remote function through the Lambda Invoke API', async () => {
    expect((await gw.query('{ remote(n: 21) }')).body).toEqual({ data: { remote: 42 } });
    expect(echo.invocations.get('double')).toContainEqual({ n: 21 });
    const { body } = await gw.query('{ remoteFails }');
    expect(body.errors[0]).toMatchObject({ errorType: 'Lambda:Unhandled', message: 'remote failure' });
  });

  it('BatchInvoke: N list items cost one invocation, results matched by position', async () => {
    const { body } = await gw.query('{ items { id detail } }');
    const details = body.data.items.map((i: { detail: string | null }) => i.detail);
    const call = /\(call (\d+)\)/.exec(details[0])![1];
    expect(details).toEqual([`detail of 1 (call ${call})`, `detail of 2 (call ${call})`, null, `detail of 4 (call ${call})`]);
    expect(body.errors).toEqual([expect.objectContaining({ path: ['items', 2, 'detail'], errorType: 'Missing', message: 'no detail' })]);
  });
});

describe('a user-defined data-source kind', () => {
  it('is used by resolvers like a built-in one', async () => {
    expect((await gw.query('{ custom(word: "quiet") }')).body).toEqual({ data: { custom: '>> QUIET' } });
  });
});
