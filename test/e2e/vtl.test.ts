/**
 * VTL resolvers end to end (docs/resolvers.md#vtl-mapping-templates): `request:` / `response:`
 * template files in the config, loaded by createGateway, rendered in the sandbox, on the embedded
 * DynamoDB and on NONE; runaway templates fail their field and the gateway keeps serving; a
 * template that does not parse is refused at start with file:line:column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const SCHEMA = `
type Post { id: ID! title: String views: Int }
type Query {
  getPost(id: ID!): Post
  echo(msg: String!): String
  half(n: Int!): Int
  tags(csv: String!): [String]
  spin: String
  huge: String
  bad: String
  denied: String
}
type Mutation { addPost(id: ID!, title: String!): Post }
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
  'vtl/huge.request.vtl': '#set($s = "0123456789012345678901234567890123456789012345678901234567890123456789")\n"#foreach($a in [1..1000])#foreach($b in [1..1000])$s#end#end"',
  'vtl/bad.request.vtl': '{ "version": "2018-05-29", payload: 1 }',
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
beforeAll(async () => {
  gw = await startTestGateway({
    files: FILES,
    config: {
      schemaSdl: SCHEMA,
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k', value: 'da2-vtlvtlvtlvtlvtlvtlvtlvtlvtl' }],
      sandbox: { timeoutMs: 500 },
      dataSources: {
        posts: {
          type: 'AMAZON_DYNAMODB',
          config: { tableName: 'vtl-posts', table: { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' } },
        },
        [NONE]: { type: 'NONE' },
      },
      resolvers: {
        'Mutation.addPost': resolver('addPost', 'posts'),
        // No response template: $util.toJson($ctx.result) (Gateway choice).
        'Query.getPost': resolver('getPost', 'posts', false),
        'Query.echo': resolver('echo', NONE),
        'Query.half': resolver('half', NONE),
        'Query.tags': resolver('tags', NONE),
        'Query.spin': resolver('spin', NONE),
        'Query.huge': resolver('huge', NONE),
        'Query.bad': resolver('bad', NONE),
        'Query.denied': resolver('denied', NONE),
      },
    },
  });
}, 60_000);
afterAll(() => gw?.close());

describe('VTL resolvers through createGateway', () => {
  it('PutItem and GetItem on the embedded DynamoDB', async () => {
    const put = await gw.query('mutation { addPost(id: "p1", title: "Hello") { id title views } }');
    expect(put.body).toEqual({ data: { addPost: { id: 'p1', title: 'Hello', views: 0 } } });
    const get = await gw.query('{ getPost(id: "p1") { id title views } }');
    expect(get.body).toEqual({ data: { getPost: { id: 'p1', title: 'Hello', views: 0 } } });
  });

  it('NONE: payload to $ctx.result, Java string methods, integer division, #foreach', async () => {
    const { body } = await gw.query('{ echo(msg: "hi there") half(n: 7) tags(csv: "a, b,,c ,") }');
    expect(body).toEqual({ data: { echo: 'HI THERE', half: 3, tags: ['a', 'b', 'c'] } });
  });

  it('a template that renders invalid JSON fails its field with AppSync\'s MappingTemplate error', async () => {
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

  it('$util.unauthorized gives AppSync\'s Unauthorized error', async () => {
    const { body } = await gw.query('{ denied }');
    expect(body.errors).toMatchObject([{ path: ['denied'], errorType: 'Unauthorized', message: 'Not Authorized to access denied on type Query' }]);
  });

  it('a runaway loop and a huge output fail their fields; the gateway keeps serving', async () => {
    const spin = await gw.query('{ spin }');
    expect(spin.body.data).toEqual({ spin: null });
    expect(spin.body.errors[0]).toMatchObject({ path: ['spin'], message: expect.stringContaining('timed out after 500 ms') });
    const huge = await gw.query('{ huge }');
    expect(huge.body.data).toEqual({ huge: null });
    expect(huge.body.errors[0]).toMatchObject({ path: ['huge'], errorType: 'MappingTemplate', message: expect.stringContaining("AppSync's limit is 5 MB") });
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
      { configDir: dir, logger: { debug() {}, info() {}, warn() {}, error() {} }, inMemory: true },
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
      { configDir: '/tmp', logger: { debug() {}, info() {}, warn() {}, error() {} }, inMemory: true },
    ).then(
      async (g) => void (await g.close()),
      (e: Error) => e,
    );
    expect(error?.message).toContain('give either code (APPSYNC_JS) or request/response mapping templates (VTL), not both');
  });
});
