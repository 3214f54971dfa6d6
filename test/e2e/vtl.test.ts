/**
 * VTL resolvers end to end (docs/resolvers.md#vtl-mapping-templates): `request:` / `response:`
 * template files in the config, loaded by createGateway, rendered in the sandbox, on the embedded
 * DynamoDB and on NONE; runaway templates fail their field and the gateway keeps serving; a
 * template that does not parse is refused at start with file:line:column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/index.js';
import { startEchoServer, type EchoServer } from '../utils/echo-server.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { silentLogger } from '../utils/logger.js';

const SCHEMA = `
type Post { id: ID! title: String views: Int note: String }
type Query {
  getPost(id: ID!): Post
  echo(msg: String!): String
  half(n: Int!): Int
  tags(csv: String!): [String]
  spin: String
  huge: String
  bad: String
  denied: String
  httpPath(q: String!): String
  greet(name: String!): String
  posts: [Post]
  mixed(n: Int!): String
  subst(x: String!): String
  nothing2017: String
  nothing2018: String
  missing2017(id: ID!): String
  missing2018(id: ID!): String
}
type Mutation {
  addPost(id: ID!, title: String!): Post
  createOnce2017(id: ID!): Post
  createOnce2018(id: ID!): Post
  createOnce2018Raise(id: ID!): Post
  createOncePipeline(id: ID!): Post
}
`;

const FILES: Record<string, string> = {
  'vtl/addPost.request.vtl': [
    '#set($attrs = {"title": $ctx.args.title, "views": 0})',
    '{',
    '  "version": "2018-05-29",',
    '  "operation": "PutItem",',
    '  "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) },',
    '  "attributeValues": $util.dynamodb.toMapValuesJson($attrs)',
    '}',
  ].join('\n'),
  'vtl/result.response.vtl': '$util.toJson($ctx.result)',
  // PutItem that fails when the item exists; the response templates ignore $ctx.error.
  'vtl/createOnce2017.request.vtl':
    '{ "version": "2017-02-28", "operation": "PutItem", "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) }, "condition": { "expression": "attribute_not_exists(id)" } }',
  'vtl/createOnce2018.request.vtl':
    '{ "version": "2018-05-29", "operation": "PutItem", "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) }, "condition": { "expression": "attribute_not_exists(id)" } }',
  // The response template raises $ctx.error itself, as AWS's 2018-05-29 examples do.
  'vtl/raiseError.response.vtl': '#if($ctx.error)$util.error($ctx.error.message, $ctx.error.type)#end\n$util.toJson($ctx.result)',
  // A null data-source result: NONE with a null payload, and GetItem of a missing key.
  'vtl/nothing2017.request.vtl': '{ "version": "2017-02-28", "payload": null }',
  'vtl/nothing2018.request.vtl': '{ "version": "2018-05-29", "payload": null }',
  'vtl/missing2017.request.vtl': '{ "version": "2017-02-28", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) } }',
  'vtl/missing2018.request.vtl': '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) } }',
  'vtl/ranAnyway.response.vtl': '$util.toJson("response ran: $util.isNull($ctx.result)")',
  'vtl/getPost.request.vtl': '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) } }',
  'vtl/echo.request.vtl': '{ "version": "2018-05-29", "payload": { "msg": $util.toJson($ctx.args.msg.toUpperCase()) } }',
  'vtl/echo.response.vtl': '$util.toJson($ctx.result.msg)',
  'vtl/half.request.vtl': '#set($h = $ctx.args.n / 2)\n{ "version": "2018-05-29", "payload": $h }',
  'vtl/tags.request.vtl': [
    '#set($out = [])',
    '#foreach($t in $ctx.args.csv.split(","))',
    '  #if(!$t.trim().isEmpty())$util.qr($out.add($t.trim()))#end',
    '#end',
    '{ "version": "2018-05-29", "payload": $util.toJson($out) }',
  ].join('\n'),
  'vtl/spin.request.vtl': '#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#set($x = 1)#end#end#end{}',
  'vtl/huge.request.vtl':
    '#set($s = "0123456789012345678901234567890123456789012345678901234567890123456789")\n#foreach($i in [1..10])#set($s = "$s$s")#end\n"#foreach($a in [1..1000])#foreach($b in [1..1000])$s#end#end"',
  'vtl/bad.request.vtl': '{ "version": "2018-05-29", payload: 1 }',
  'vtl/http.request.vtl':
    '{ "version": "2018-05-29", "method": "GET", "resourcePath": "/echo/vtl", "params": { "query": { "q": $util.toJson($ctx.args.q) } } }',
  'vtl/http.response.vtl': [
    '#if($ctx.result.statusCode != 200)$util.error("HTTP $ctx.result.statusCode", "HttpError")#end',
    '#set($echo = $util.parseJson($ctx.result.body))',
    '$util.toJson("$echo.path?q=$echo.query.q")',
  ].join('\n'),
  'vtl/greet.request.vtl': '{ "version": "2018-05-29", "operation": "Invoke", "payload": { "name": $util.toJson($ctx.args.name) } }',
  'handlers.mjs': [
    'export const greet = async (event) => `hello ${event.name}`;',
    // BatchInvoke: one call gets every field's payload, answers one result per payload, in order.
    'let batches = 0;',
    'export const notes = async (payloads) => { batches += 1; return payloads.map((p) => `note ${p.id} (batch ${batches} of ${payloads.length})`); };',
  ].join('\n'),
  'vtl/posts.request.vtl': '{ "version": "2018-05-29", "payload": [{ "id": "a" }, { "id": "b" }, { "id": "c" }] }',
  'vtl/note.request.vtl': '{ "version": "2018-05-29", "operation": "BatchInvoke", "payload": { "id": $util.toJson($ctx.source.id) } }',
  // A pipeline mixing VTL and APPSYNC_JS: VTL before/after, a VTL function and a JS function.
  'vtl/mixed.before.vtl': '$util.qr($ctx.stash.put("steps", ["before"]))\n{}',
  'vtl/mixed.after.vtl': '$util.qr($ctx.stash.steps.add("after"))\n$util.toJson("$ctx.prev.result:$util.toJson($ctx.stash.steps)")',
  'vtl/double.request.vtl': '$util.qr($ctx.stash.steps.add("vtl"))\n{ "version": "2018-05-29", "payload": #set($d = $ctx.args.n * 2)$d }',
  'js/plusOne.js':
    'export function request(ctx) { ctx.stash.steps.push("js"); return { payload: ctx.prev.result + 1 }; }\nexport function response(ctx) { return ctx.result; }',
  'vtl/subst.request.vtl': '{ "version": "2018-05-29", "payload": "${greeting}, ${who} ${ctx.args.x} (${stage})" }',
  'vtl/denied.request.vtl': '#if($util.authType() == "API Key Authorization")$util.unauthorized()#end\n{}',
};

const NONE = 'none';
const resolver = (name: string, dataSource: string, response = true) => ({
  kind: 'UNIT' as const,
  dataSource,
  request: `vtl/${name}.request.vtl`,
  ...(response ? { response: name === 'echo' ? 'vtl/echo.response.vtl' : 'vtl/result.response.vtl' } : {}),
});

let gw: TestGateway;
let echo: EchoServer;
beforeAll(async () => {
  echo = await startEchoServer();
  gw = await startTestGateway({
    files: FILES,
    config: {
      schemaSdl: SCHEMA,
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k', value: 'da2-vtlvtlvtlvtlvtlvtlvtlvtlvtl' }],
      sandbox: { timeoutMs: 500 },
      substitutions: { greeting: 'Hello', stage: 'dev' },
      dataSources: {
        posts: {
          type: 'AMAZON_DYNAMODB',
          config: {
            tableName: 'vtl-posts',
            table: {
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
              BillingMode: 'PAY_PER_REQUEST',
            },
          },
        },
        [NONE]: { type: 'NONE' },
        api: { type: 'HTTP', config: { endpoint: echo.url } },
        lambda: { type: 'AWS_LAMBDA', config: { handler: 'handlers.mjs#greet' } },
        notes: { type: 'AWS_LAMBDA', config: { handler: 'handlers.mjs#notes' } },
      },
      pipelineFunctions: {
        // A function whose template says 2017-02-28 runs as 2018-05-29 (AppSync's functions have only that version).
        createOnce2017Fn: { dataSource: 'posts', request: 'vtl/createOnce2017.request.vtl', response: 'vtl/result.response.vtl' },
        double: { dataSource: NONE, request: 'vtl/double.request.vtl' },
        plusOne: { dataSource: NONE, code: 'js/plusOne.js' },
      },
      resolvers: {
        'Mutation.addPost': resolver('addPost', 'posts'),
        'Mutation.createOnce2017': resolver('createOnce2017', 'posts'),
        'Mutation.createOnce2018': resolver('createOnce2018', 'posts'),
        'Mutation.createOnce2018Raise': {
          kind: 'UNIT',
          dataSource: 'posts',
          request: 'vtl/createOnce2018.request.vtl',
          response: 'vtl/raiseError.response.vtl',
        },
        'Mutation.createOncePipeline': {
          kind: 'PIPELINE',
          functions: ['createOnce2017Fn'],
          request: 'vtl/mixed.before.vtl',
          response: 'vtl/result.response.vtl',
        },
        'Query.nothing2017': { kind: 'UNIT', dataSource: NONE, request: 'vtl/nothing2017.request.vtl', response: 'vtl/ranAnyway.response.vtl' },
        'Query.nothing2018': { kind: 'UNIT', dataSource: NONE, request: 'vtl/nothing2018.request.vtl', response: 'vtl/ranAnyway.response.vtl' },
        'Query.missing2017': { kind: 'UNIT', dataSource: 'posts', request: 'vtl/missing2017.request.vtl', response: 'vtl/ranAnyway.response.vtl' },
        'Query.missing2018': { kind: 'UNIT', dataSource: 'posts', request: 'vtl/missing2018.request.vtl', response: 'vtl/ranAnyway.response.vtl' },
        // No response template: $util.toJson($ctx.result) (Gateway choice).
        'Query.getPost': resolver('getPost', 'posts', false),
        'Query.echo': resolver('echo', NONE),
        'Query.half': resolver('half', NONE),
        'Query.tags': resolver('tags', NONE),
        'Query.spin': resolver('spin', NONE),
        'Query.huge': resolver('huge', NONE),
        'Query.bad': resolver('bad', NONE),
        'Query.denied': resolver('denied', NONE),
        'Query.httpPath': { kind: 'UNIT', dataSource: 'api', request: 'vtl/http.request.vtl', response: 'vtl/http.response.vtl' },
        'Query.greet': { kind: 'UNIT', dataSource: 'lambda', request: 'vtl/greet.request.vtl', response: 'vtl/result.response.vtl' },
        'Query.posts': resolver('posts', NONE),
        'Post.note': { kind: 'UNIT', dataSource: 'notes', request: 'vtl/note.request.vtl', response: 'vtl/result.response.vtl', maxBatchSize: 10 },
        // Serverless AppSync plugin substitutions: the resolver's own win over the top level's.
        'Query.subst': { ...resolver('subst', NONE), substitutions: { greeting: 'Hi', who: 'world' } },
        'Query.mixed': { kind: 'PIPELINE', functions: ['double', 'plusOne'], request: 'vtl/mixed.before.vtl', response: 'vtl/mixed.after.vtl' },
      },
    },
  });
}, 60_000);
afterAll(async () => {
  await gw?.close();
  await echo?.close();
});

describe('VTL resolvers through createGateway', () => {
  it('PutItem and GetItem on the embedded DynamoDB', async () => {
    const put = await gw.query('mutation { addPost(id: "p1", title: "Hello") { id title views } }');
    expect(put.body).toEqual({ data: { addPost: { id: 'p1', title: 'Hello', views: 0 } } });
    const get = await gw.query('{ getPost(id: "p1") { id title views } }');
    expect(get.body).toEqual({ data: { getPost: { id: 'p1', title: 'Hello', views: 0 } } });
  });

  it('template versions: a data-source error fails the field by itself with 2017-02-28, and is left to the response template with 2018-05-29', async () => {
    const old = await gw.query('mutation { createOnce2017(id: "p1") { id } }');
    expect(old.body.data).toEqual({ createOnce2017: null });
    expect(old.body.errors).toMatchObject([{ path: ['createOnce2017'], errorType: 'DynamoDB:ConditionalCheckFailedException' }]);
    const current = await gw.query('mutation { createOnce2018(id: "p1") { id } }');
    // No error raised; the data source's answer (the item in the way) is what the response template renders.
    expect(current.body).toEqual({ data: { createOnce2018: { id: 'p1' } } });
    // 2018-05-29: raising is the response template's choice ($util.error with $ctx.error's message and type).
    const raised = await gw.query('mutation { createOnce2018Raise(id: "p1") { id } }');
    expect(raised.body.data).toEqual({ createOnce2018Raise: null });
    expect(raised.body.errors).toMatchObject([{ path: ['createOnce2018Raise'], errorType: 'DynamoDB:ConditionalCheckFailedException' }]);
  });

  it('template versions: a pipeline function rendering 2017-02-28 runs as 2018-05-29 (its data-source error is left to its response template)', async () => {
    await gw.query('mutation { addPost(id: "pf1", title: "Hello") { id } }');
    const { body } = await gw.query('mutation { createOncePipeline(id: "pf1") { id } }');
    expect(body).toEqual({ data: { createOncePipeline: { id: 'pf1' } } });
  });

  it('template versions: a null data-source result skips the response template with 2017-02-28 (the field is null), and reaches it with 2018-05-29', async () => {
    // NONE (the one-call path in the sandbox) and DynamoDB GetItem of a missing key (the step path).
    const { body } = await gw.query('{ nothing2017 nothing2018 missing2017(id: "none") missing2018(id: "none") }');
    expect(body).toEqual({ data: { nothing2017: null, nothing2018: 'response ran: true', missing2017: null, missing2018: 'response ran: true' } });
  });

  it('NONE: payload to $ctx.result, Java string methods, integer division, #foreach', async () => {
    const { body } = await gw.query('{ echo(msg: "hi there") half(n: 7) tags(csv: "a, b,,c ,") }');
    expect(body).toEqual({ data: { echo: 'HI THERE', half: 3, tags: ['a', 'b', 'c'] } });
  });

  it('HTTP and Lambda data sources take the VTL request shapes', async () => {
    const { body } = await gw.query('{ httpPath(q: "a b") greet(name: "vtl") }');
    expect(body).toEqual({ data: { httpPath: '/echo/vtl?q=a b', greet: 'hello vtl' } });
  });

  it("Lambda BatchInvoke from a VTL template: the list's fields go to the function in one call, results by position", async () => {
    const { body } = await gw.query('{ posts { id note } }');
    const notes = body.data.posts.map((p: { note: string }) => p.note);
    const batch = /batch (\d+) of 3/.exec(notes[0])![1];
    expect(notes).toEqual([`note a (batch ${batch} of 3)`, `note b (batch ${batch} of 3)`, `note c (batch ${batch} of 3)`]);
  });

  it('substitutions replace ${name} before parsing; other ${…} stay Velocity references', async () => {
    const { body } = await gw.query('{ subst(x: "again") }');
    expect(body).toEqual({ data: { subst: 'Hi, world again (dev)' } });
  });

  it('a pipeline mixes VTL and APPSYNC_JS: before, VTL function, JS function, after share the stash', async () => {
    const { body } = await gw.query('{ mixed(n: 5) }');
    expect(body).toEqual({ data: { mixed: '11:["before","vtl","js","after"]' } });
  });

  it("a template that renders invalid JSON fails its field with AppSync's MappingTemplate error", async () => {
    const { body } = await gw.query('{ bad echo(msg: "ok") }');
    expect(body.data).toEqual({ bad: null, echo: 'OK' });
    expect(body.errors).toEqual([
      {
        path: ['bad'],
        data: null,
        errorType: 'MappingTemplate',
        errorInfo: null,
        locations: [{ line: 1, column: 3, sourceName: null }],
        message: `Unable to parse the JSON document: 'Unexpected character ('p' (code 112)): was expecting double-quote to start field name\n at [Source: (String)"${FILES['vtl/bad.request.vtl']}"; line: 1, column: 29]'`,
      },
    ]);
  });

  it("$util.unauthorized gives AppSync's Unauthorized error", async () => {
    const { body } = await gw.query('{ denied }');
    expect(body.errors).toMatchObject([{ path: ['denied'], errorType: 'Unauthorized', message: 'Not Authorized to access denied on type Query' }]);
  });

  it('a runaway loop and a huge output fail their fields; the gateway keeps serving', async () => {
    // The huge output first: the runaway loop's sandbox process is stopped and replaced, and a call
    // landing on it meanwhile would fail for that reason instead.
    const huge = await gw.query('{ huge }');
    expect(huge.body.data).toEqual({ huge: null });
    expect(huge.body.errors[0]).toMatchObject({ path: ['huge'], errorType: 'MappingTemplate', message: expect.stringContaining("AppSync's limit is 5 MB") });
    const spin = await gw.query('{ spin }');
    expect(spin.body.data).toEqual({ spin: null });
    expect(spin.body.errors[0]).toMatchObject({ path: ['spin'], message: expect.stringContaining('timed out after 500 ms') });
    const after = await gw.query('{ echo(msg: "still here") }');
    expect(after.body).toEqual({ data: { echo: 'STILL HERE' } });
  }, 30_000);
});

describe('VTL load errors', () => {
  it('a template that does not parse is refused at start, naming file:line:column, every problem at once', async () => {
    const gwFiles = { 'a.vtl': '{\n  "a": #if($x\n}', 'b.vtl': '#foreach($x in)\n#end' };
    const dir = await import('node:fs/promises').then(async ({ mkdtemp, writeFile }) => {
      const d = await mkdtemp((await import('node:os')).tmpdir() + '/vtl-bad-');
      for (const [n, t] of Object.entries(gwFiles)) await writeFile(`${d}/${n}`, t);
      return d;
    });
    const started = createGateway(
      {
        schemaSdl: 'type Query { a: String b: String }',
        authentication: { type: 'API_KEY' },
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', request: 'a.vtl' }, 'Query.b': { kind: 'UNIT', dataSource: 'none', request: 'b.vtl' } },
      },
      { configDir: dir, logger: silentLogger, inMemory: true },
    );
    const error = await started.then(
      async (g) => {
        await g.close();
        return undefined;
      },
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/resolvers\.Query\.a\.request: .*a\.vtl:\d+:\d+: /);
    expect(error?.message).toMatch(/resolvers\.Query\.b\.request: .*b\.vtl:\d+:\d+: /);
  });

  it('code and templates together are a config error', async () => {
    const error = await createGateway(
      {
        schemaSdl: 'type Query { a: String }',
        authentication: { type: 'API_KEY' },
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', request: 'x.vtl', code: 'x.js' } },
      },
      { configDir: '/tmp', logger: silentLogger, inMemory: true },
    ).then(
      async (g) => void (await g.close()),
      (e: Error) => e,
    );
    expect(error?.message).toContain('give either code (APPSYNC_JS) or request/response mapping templates (VTL), not both');
  });

  it('a substitution without a local value (an unresolved intrinsic) names its key', async () => {
    const error = await createGateway(
      {
        schemaSdl: 'type Query { a: String }',
        authentication: { type: 'API_KEY' },
        substitutions: { table: { Ref: 'PostsTable' } as never },
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', request: 'x.vtl' } },
      },
      { configDir: '/tmp', logger: silentLogger, inMemory: true },
    ).then(
      async (g) => void (await g.close()),
      (e: Error) => e,
    );
    expect(error?.message).toContain('substitutions.table: expected a string, number or boolean, got an object');
  });
});
