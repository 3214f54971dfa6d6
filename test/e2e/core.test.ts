/**
 * The gateway core over real HTTP: unit and pipeline resolvers, ctx, util errors, scalars,
 * the sandbox, API keys and request-level errors (docs/errors.md, docs/resolvers.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, coreConfig } from './coreApi.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  // The default limit: on a busy 2-core machine (the suite runs two files at once) a plain handler
  // must not meet a tighter clock; the loop tests take a second each.
  gw = await startTestGateway({ config: coreConfig, options: { handlerTimeoutMs: 1000 } });
});

const loc = (line: number, column: number) => [{ line, column, sourceName: null }];

describe('unit resolvers (resolvers.md §4)', () => {
  it('runs request → NONE → response and resolves nested fields from the parent', async () => {
    const { status, body } = await gw.query('{ getPost(id: "p1") { id title views meta author { name shout } } }');
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { getPost: { id: 'p1', title: 'T', views: 3, meta: '{"a":1}', author: { name: 'ann', shout: 'ANN!' } } },
    });
  });

  it('runtime.earlyReturn in a unit request skips the data source and response', async () => {
    const { body } = await gw.query('{ getPost(id: "early") { id title } }');
    expect(body).toEqual({ data: { getPost: { id: 'early', title: 'from earlyReturn' } } });
  });

  it('a root field without a resolver is null with no error', async () => {
    const { body } = await gw.query('{ noResolver }');
    expect(body).toEqual({ data: { noResolver: null } });
  });
});

describe('pipeline resolvers (resolvers.md §4)', () => {
  it('runs before, each function in order, then after, sharing the stash', async () => {
    const { body } = await gw.query('{ pipe(x: 1) }');
    // fn1: 1+1=2, fn2: 2*10=20, fn3: 20+1=21
    expect(body.data).toEqual({ pipe: 'before>fn1>fn2>fn3>after:21' });
    expect(body.errors).toEqual([{ path: ['pipe'], data: null, errorType: 'Warn', errorInfo: null, locations: loc(1, 3), message: 'kept going' }]);
  });

  it('earlyReturn in a function skips its data source and response, then continues', async () => {
    const { body } = await gw.query('{ pipe(x: 5) }');
    expect(body).toEqual({ data: { pipe: 'before>fn1>fn2>fn3>after:100' } });
  });

  it("earlyReturn with skipTo: 'END' goes straight to the after handler", async () => {
    const { body } = await gw.query('{ pipe(x: 7) }');
    expect(body).toEqual({ data: { pipe: 'before>fn1>fn2>after:77' } });
  });

  it('util.error stops the pipeline and yields the AppSync error entry (errors.md §1-2)', async () => {
    const { body } = await gw.query('{ pipe(x: 6) { } }'.replace(' { }', ''));
    expect(body).toEqual({
      data: { pipe: null },
      errors: [
        {
          path: ['pipe'],
          data: { title: 'z', extra: 1 },
          errorType: 'MyError',
          errorInfo: { info: 1 },
          locations: loc(1, 3),
          message: 'bad x',
        },
      ],
    });
  });
});

describe('ctx (resolvers.md §3)', () => {
  it('exposes arguments, info, headers without cookies, env and hides selection info from JSON', async () => {
    const { body } = await gw.query(
      'query Q($a: Int, $j: AWSJSON) { ctxInfo(a: $a, json: $j) }',
      { a: 5, j: '{"deep":[1,{"x":true}]}' },
      { 'x-api-key': API_KEY, cookie: 'secret=1' },
    );
    const info = JSON.parse(body.data.ctxInfo);
    expect(info).toEqual({
      args: { a: 5, json: { deep: [1, { x: true }] } },
      sameArgs: true,
      source: null,
      identity: null,
      fieldName: 'ctxInfo',
      parentTypeName: 'Query',
      variables: { a: 5, j: { deep: [1, { x: true }] } },
      selectionSetList: [],
      selectionSetGraphQL: '',
      infoJson: { fieldName: 'ctxInfo', parentTypeName: 'Query', variables: { a: 5, j: { deep: [1, { x: true }] } } },
      apiKeyHeader: API_KEY,
      cookie: null,
      env: 'test',
      authType: 'API Key Authorization',
      badJson: '',
    });
  });

  it('selectionSetList lists nested paths under their response keys', async () => {
    const sdlTitle = await gw.query('{ getPost(id: "s") { id t: title author { name } } }');
    expect(sdlTitle.body.data.getPost).toEqual({ id: 's', t: 'T', author: { name: 'ann' } });
  });
});

describe('errors from resolver code', () => {
  it('a runtime fault becomes an errorType Code entry with file, line and column', async () => {
    const { body } = await gw.query('{ boom }');
    expect(body).toEqual({
      data: { boom: null },
      errors: [
        {
          path: ['boom'],
          data: null,
          errorType: 'Code',
          errorInfo: null,
          locations: loc(1, 3),
          message: 'boom.js:3:13: ReferenceError: undefinedThing is not defined',
        },
      ],
    });
  });

  it('a resolver that loops forever is stopped and the server keeps serving', async () => {
    const { body } = await gw.query('{ loop }');
    expect(body.data).toEqual({ loop: null });
    expect(body.errors[0]).toMatchObject({ path: ['loop'], errorType: 'Code' });
    expect(body.errors[0].message).toMatch(/loop\.js: Execution of the request handler timed out after 1000 ms/);
    const after = await gw.query('{ getPost(id: "still-up") { id } }');
    expect(after.body).toEqual({ data: { getPost: { id: 'still-up' } } });
  });

  it.each(['loopTry', 'loopGrow'])('%s is stopped too (watchdog for code that catches, ticks for the rest)', async (field) => {
    const { body } = await gw.query(`{ ${field} }`);
    expect(body.data).toEqual({ [field]: null });
    expect(body.errors[0]).toMatchObject({ path: [field], errorType: 'Code' });
    // loopGrow's array reaches the 256 MB heap limit before the clock on a quiet machine, the clock first on a busy one: either limit stops it.
    expect(body.errors[0].message).toMatch(field === 'loopGrow' ? /timed out after 1000 ms|MemoryLimitExceeded/ : /timed out after 1000 ms/);
  });

  it('util.unauthorized gives the Unauthorized entry', async () => {
    const { body } = await gw.query('{ denied }');
    expect(body).toEqual({
      data: { denied: null },
      errors: [
        {
          path: ['denied'],
          data: null,
          errorType: 'Unauthorized',
          errorInfo: null,
          locations: loc(1, 3),
          message: 'Not Authorized to access denied on type Query',
        },
      ],
    });
  });

  it('a list field given an object reports the type mismatch', async () => {
    const { body } = await gw.query('{ wrongShape { id } }');
    expect(body).toEqual({
      data: { wrongShape: null },
      errors: [{ path: ['wrongShape'], locations: null, message: "Can't resolve value (/wrongShape) : type mismatch error, expected type LIST, got OBJECT" }],
    });
  });

  it('null in a non-null root field nulls data', async () => {
    const { body } = await gw.query('{ nonNull { id } }');
    expect(body).toEqual({
      data: null,
      errors: [{ path: ['nonNull'], locations: null, message: "Cannot return null for non-nullable type: 'Post' within parent 'Query' (/nonNull)" }],
    });
  });
});

describe('sandbox', () => {
  it.each([
    ['ctx-constructor', /Code generation from strings disallowed/],
    ['util-constructor', /Code generation from strings disallowed/],
    ['eval', /Code generation from strings disallowed|eval/],
    ['require', /require|not supported/i],
  ])('%s does not reach the host', async (kind, message) => {
    const { body } = await gw.query(`{ escape(kind: "${kind}") }`);
    expect(body.data).toEqual({ escape: null });
    expect(body.errors[0].errorType).toBe('Code');
    expect(body.errors[0].message).toMatch(message);
  });

  it('host globals are absent', async () => {
    const { body } = await gw.query('{ escape(kind: "globals") }');
    expect(body).toEqual({ data: { escape: 'undefined,undefined,undefined,undefined,undefined' } });
  });

  it('code with dynamic import() does not load', async () => {
    await expect(
      startTestGateway({
        files: {
          'imp.js': 'export function request() { const n = ["f", "s"].join(""); return import(n); }\nexport function response(ctx) { return ctx.result; }\n',
        },
        config: {
          schemaSdl: 'type Query { a: String }',
          authentication: { type: 'API_KEY' },
          dataSources: { none: { type: 'NONE' } },
          resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', code: 'imp.js' } },
        },
      }),
    ).rejects.toThrow(/imp\.js:1:\d+: APPSYNC_JS does not support dynamic import\(\)/);
  });

  it('util helpers exist and VTL-only ones do not (resolvers.md §5)', async () => {
    const { body } = await gw.query('{ utilCheck }');
    const out = JSON.parse(body.data.utilCheck);
    expect(out.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out.ulid).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(out.ksuid).toMatch(/^[0-9A-Za-z]{27}$/);
    expect(out.b64).toBe(Buffer.from('héllo').toString('base64'));
    expect(out.url).toBe('a+b%26c');
    expect(out.matches).toBe(true);
    expect(Math.abs(out.now - Date.now() / 1000)).toBeLessThan(60);
    expect(out.hasIsNull).toBe('undefined');
  });
});

describe('AWS scalars (scalars.md)', () => {
  it('AWSJSON input arrives parsed and objects go out as JSON text', async () => {
    const { body } = await gw.query('mutation($m: AWSJSON) { addPost(title: "x", meta: $m) { title meta } }', { m: '{"k":[1,2]}' });
    expect(body).toEqual({ data: { addPost: { title: 'x', meta: '{"k":[1,2]}' } } });
  });

  it('an invalid literal is a WrongType validation error', async () => {
    const { body } = await gw.query('{ email(e: "not-an-email") }');
    expect(body).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: loc(1, 12),
          message: "Validation error of type WrongType: argument 'e' with value 'StringValue{value='not-an-email'}' is not a valid 'AWSEmail' @ 'email'",
        },
      ],
    });
  });

  it('an invalid variable names the value', async () => {
    const { body } = await gw.query('query($e: AWSEmail) { email(e: $e) }', { e: 'a b@c.d' });
    expect(body).toEqual({
      data: null,
      errors: [{ path: null, locations: loc(1, 7), message: "Variable 'e' has an invalid value. Unable to parse `a b@c.d` as a valid email address." }],
    });
  });

  it('an invalid resolver output cannot be serialised', async () => {
    const { body } = await gw.query('{ badDate }');
    expect(body).toEqual({
      data: { badDate: null },
      errors: [
        {
          path: ['badDate'],
          locations: null,
          message: "Can't serialize value (/badDate) : Unable to serialize `2020-05-23T06:4:37.000Z` as a valid DateTime Object.",
        },
      ],
    });
  });
});

describe('API keys (auth.md)', () => {
  const post = (headers: Record<string, string>) =>
    fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ noResolver }' }) });

  it.each([
    ['missing', {}],
    ['wrong', { 'x-api-key': 'da2-nope' }],
    ['expired', { 'x-api-key': 'da2-expired000000000000000' }],
  ])('%s key → 401 UnauthorizedException', async (_name, headers) => {
    const res = await post(headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(await res.json()).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
  });
});

describe('HTTP (errors.md §3)', () => {
  const raw = (body: string, init: RequestInit = {}) =>
    fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': API_KEY }, body, ...init });

  it('empty body → 400 Request body is empty.', async () => {
    const res = await raw('');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message: 'Request body is empty.' }] });
  });

  it.each(['meow', '{}', '{}}', '[]', '{"query": 1}'])('body %s → 400 Unable to parse GraphQL query.', async (body) => {
    const res = await raw(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }] });
  });

  it('a body over 1 MB → 413', async () => {
    const res = await raw(JSON.stringify({ query: `{ noResolver } #${'x'.repeat(1024 * 1024)}` }));
    expect(res.status).toBe(413);
  });

  it('GET runs queries', async () => {
    const res = await fetch(`${gw.url}?query=${encodeURIComponent('{ getPost(id: "g") { id } }')}`, { headers: { 'x-api-key': API_KEY } });
    expect(await res.json()).toEqual({ data: { getPost: { id: 'g' } } });
  });

  it('a subscription over HTTP → 400', async () => {
    const res = await raw(JSON.stringify({ query: 'subscription { x }' }));
    // validation fails first when the schema has no Subscription type
    expect([200, 400]).toContain(res.status);
  });

  it('unknown operationName', async () => {
    const res = await raw(JSON.stringify({ query: 'query A { noResolver } query B { noResolver }', operationName: 'C' }));
    expect(await res.json()).toEqual({ data: null, errors: [{ message: "Unknown operation named 'C'." }] });
  });

  it('picks the named operation', async () => {
    const res = await raw(JSON.stringify({ query: 'query A { noResolver } query B { getPost(id: "b") { id } }', operationName: 'B' }));
    expect(await res.json()).toEqual({ data: { getPost: { id: 'b' } } });
  });

  it('resolver response headers are sent; restricted ones become ResponseHeaderError', async () => {
    const res = await raw(JSON.stringify({ query: '{ headers }' }));
    expect(res.headers.get('x-custom')).toBe('yes');
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body.data).toEqual({ headers: 'ok' });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].errorType).toBe('ResponseHeaderError');
  });

  it('unknown paths → 404 with AppSync UnknownOperationException body', async () => {
    const res = await fetch(`${gw.origin}/graphql/admin`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ Output: { __type: 'com.amazon.coral.service#UnknownOperationException' }, Version: '1.0' });
  });

  it('health and GraphiQL answer; neither shows keys', async () => {
    const health = await fetch(`${gw.origin}/health`);
    // The operations run so far (this file's) compiled without a failure.
    // The sandbox processes: the loop tests above had some replaced, and replacements are ready again.
    expect(await health.json()).toEqual({
      status: 'ok',
      name: 'core-test',
      compiledQueries: expect.objectContaining({ jit: 'loaded', failed: 0 }),
      // evaluatedInGateway: the unit resolvers whose handlers skip the sandbox; handedOver: their runs it took over part way
      // (docs/resolvers.md#handlers-the-gateway-evaluates).
      sandbox: {
        processes: 2,
        ready: expect.any(Number),
        restarts: expect.any(Number),
        deferred: expect.any(Number),
        evaluatedInGateway: expect.any(Number),
        handedOver: expect.any(Number),
      },
      // The in-process SNS's and EventBridge's failed deliveries (docs/cli.md): this file publishes nothing.
      sns: { numberOfNotificationsFailed: 0, numberOfNotificationsRedrivenToDlq: 0, numberOfNotificationsFailedToRedriveToDlq: 0 },
      events: { failedInvocations: 0, invocationsSentToDlq: 0, invocationsFailedToBeSentToDlq: 0 },
    });
    const page = await (await fetch(`${gw.origin}/`)).text();
    expect(page).toMatch(/GraphiQL/i);
    expect(page).not.toContain(API_KEY);
  });

  it('CORS preflight is answered', async () => {
    const res = await fetch(gw.url, { method: 'OPTIONS', headers: { origin: 'http://example.com', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // A wildcard alone would not let browsers send Authorization (SigV4, Cognito, OIDC tokens).
    expect(res.headers.get('access-control-allow-headers')?.split(/,\s*/)).toEqual(expect.arrayContaining(['*', 'authorization']));
  });

  it('a GraphQL answer allows any origin and carries a request id; the preflight-only CORS headers stay on OPTIONS', async () => {
    const res = await raw(JSON.stringify({ query: '{ __typename }' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Browsers read these from the preflight answer only (Fetch standard).
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
    expect(res.headers.get('access-control-max-age')).toBeNull();
  });

  it('validation errors use graphql-java wording', async () => {
    const res = await raw(JSON.stringify({ query: '{ getPost { id bad } }' }));
    const body = await res.json();
    expect(body.data).toBeNull();
    expect(body.errors.map((e: { message: string }) => e.message)).toEqual([
      "Validation error of type FieldUndefined: Field 'bad' in type 'Post' is undefined @ 'getPost/bad'",
      "Validation error of type MissingFieldArgument: Missing field argument id @ 'getPost'",
    ]);
  });

  it('a mutation against a schema without mutations is refused', async () => {
    const other = await startTestGateway({
      config: { schemaSdl: 'type Query { a: String }', authentication: { type: 'API_KEY' }, apiKeys: [{ name: 'k', value: API_KEY }] },
    });
    const { body } = await other.query('mutation { a }');
    expect(body.data).toBeNull();
    expect(body.errors[0].message).toMatch(/Schema is not configured for mutations\.|Validation error/);
  });
});

describe('request limits (errors.md §6)', () => {
  const sdl = 'type Node { id: ID, child: Node }\ntype Query { root: Node, n: Int }';
  const code =
    'export function request() { return { payload: { id: "a", child: { id: "b", child: { id: "c", child: { id: "d" } } } } }; }\nexport function response(ctx) { return ctx.result; }\n';

  it('fields past queryDepthLimit fail with QueryDepthLimitReached', async () => {
    const limited = await startTestGateway({
      files: { 'root.js': code },
      config: {
        schemaSdl: sdl,
        queryDepthLimit: 2,
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: API_KEY }],
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.root': { kind: 'UNIT', dataSource: 'none', code: 'root.js' } },
      },
    });
    const { body } = await limited.query('{ root { id child { id child { id } } } }');
    // depth 1: root; depth 2: root/id, root/child; depth 3 and below fail
    expect(body.data).toEqual({ root: { id: 'a', child: { id: null, child: null } } });
    expect(body.errors).toEqual([
      {
        path: ['root', 'child', 'id'],
        data: null,
        errorType: 'QueryDepthLimitReached',
        errorInfo: null,
        locations: loc(1, 21),
        message: 'Query depth limit of 2 reached',
      },
      {
        path: ['root', 'child', 'child'],
        data: null,
        errorType: 'QueryDepthLimitReached',
        errorInfo: null,
        locations: loc(1, 24),
        message: 'Query depth limit of 2 reached',
      },
    ]);
  });

  it('resolvers past resolverCountLimit do not run', async () => {
    const limited = await startTestGateway({
      files: { 'root.js': code, 'n.js': 'export function request() { return { payload: 1 }; }\nexport function response(ctx) { return ctx.result; }\n' },
      config: {
        schemaSdl: sdl,
        resolverCountLimit: 1,
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: API_KEY }],
        dataSources: { none: { type: 'NONE' } },
        resolvers: {
          'Query.root': { kind: 'UNIT', dataSource: 'none', code: 'root.js' },
          'Query.n': { kind: 'UNIT', dataSource: 'none', code: 'n.js' },
        },
      },
    });
    const { body } = await limited.query('{ n root { id } }');
    expect(body.data).toEqual({ n: 1, root: null });
    expect(body.errors).toEqual([
      {
        path: ['root'],
        data: null,
        errorType: 'ResolverExecutionLimitReached',
        errorInfo: null,
        locations: loc(1, 5),
        message: 'Resolver execution limit of 1 reached',
      },
    ]);
  });
});
