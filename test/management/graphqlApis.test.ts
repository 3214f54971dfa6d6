/**
 * AppSync's management API on the gateway (docs/management-api.md), called by the real
 * `@aws-sdk/client-appsync`: each operation's answer in the shape the SDK reads, and the bad input
 * of issue 22 — invalid SDL, an unknown data source, a missing field, duplicate names, an oversize
 * schema, malformed JSON, an unknown API id, bad signatures — each answered with AWS's error and
 * nothing half-applied.
 */
import * as A from '@aws-sdk/client-appsync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } as const;
const CREDENTIALS = { accessKeyId: 'AKIDMGMTTEST', secretAccessKey: 'management-test-secret' };
const SDL = `type Note { id: ID! text: String }
type Query { getNote(id: ID!): Note hello: String }
type Mutation { putNote(id: ID!, text: String): Note }`;
const HELLO = "export function request(ctx) { return { payload: 'hello ' + ctx.env.GREETING }; }\nexport function response(ctx) { return ctx.result; }";

const clients: A.AppSyncClient[] = [];
function client(origin: string, credentials = CREDENTIALS): A.AppSyncClient {
  const c = new A.AppSyncClient({ endpoint: origin, region: 'us-east-1', credentials: { ...credentials }, maxAttempts: 1 });
  clients.push(c);
  return c;
}

let gw: TestGateway;
let appsync: A.AppSyncClient;
beforeAll(async () => {
  gw = await startTestGateway({ config: { name: 'from-file', schemaSdl: 'type Query { ping: String }', authentication: { type: 'API_KEY' } } });
  appsync = client(gw.origin);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await gw?.close();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: { name: string; message: string; $metadata: { httpStatusCode?: number } } & Record<string, unknown>) => error,
  );

async function schemaStatus(apiId: string): Promise<A.GetSchemaCreationStatusCommandOutput> {
  for (;;) {
    const status = await appsync.send(new A.GetSchemaCreationStatusCommand({ apiId }));
    if (status.status !== 'PROCESSING') return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createApi(name: string, sdl = SDL): Promise<string> {
  const { graphqlApi } = await appsync.send(new A.CreateGraphqlApiCommand({ name, authenticationType: 'API_KEY' }));
  const apiId = graphqlApi!.apiId!;
  expect((await appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode(sdl) }))).status).toBe('PROCESSING');
  expect(await schemaStatus(apiId)).toMatchObject({ status: 'SUCCESS' });
  return apiId;
}

describe('GraphQL APIs', () => {
  it('CreateGraphqlApi answers the API with its ARN and uris; Get and List find it; Update renames it; Delete frees the name', async () => {
    const { graphqlApi } = await appsync.send(new A.CreateGraphqlApiCommand({ name: 'lifecycle', authenticationType: 'API_KEY', tags: { team: 'a' } }));
    const apiId = graphqlApi!.apiId!;
    expect(apiId).toMatch(/^[a-z0-9]{26}$/);
    expect(graphqlApi).toEqual({
      name: 'lifecycle',
      apiId,
      authenticationType: 'API_KEY',
      arn: `arn:aws:appsync:us-east-1:123456789012:apis/${apiId}`,
      uris: { GRAPHQL: `${gw.origin}/apis/${apiId}/graphql`, REALTIME: `${gw.origin.replace('http', 'ws')}/apis/${apiId}/graphql/realtime` },
      dns: { GRAPHQL: new URL(gw.origin).host, REALTIME: new URL(gw.origin).host },
      tags: { team: 'a' },
      visibility: 'GLOBAL',
      apiType: 'GRAPHQL',
      owner: '123456789012',
      introspectionConfig: 'ENABLED',
      xrayEnabled: false,
    });
    expect((await appsync.send(new A.GetGraphqlApiCommand({ apiId }))).graphqlApi).toEqual(graphqlApi);
    const listed = (await appsync.send(new A.ListGraphqlApisCommand({}))).graphqlApis!.map((a) => a.name);
    expect(listed).toEqual(expect.arrayContaining(['from-file', 'lifecycle']));
    const renamed = await appsync.send(new A.UpdateGraphqlApiCommand({ apiId, name: 'lifecycle2', authenticationType: 'API_KEY' }));
    expect(renamed.graphqlApi).toMatchObject({ name: 'lifecycle2', apiId, tags: { team: 'a' } });
    await appsync.send(new A.DeleteGraphqlApiCommand({ apiId }));
    expect(await failure(appsync.send(new A.GetGraphqlApiCommand({ apiId })))).toMatchObject({
      name: 'NotFoundException',
      message: `GraphQL API ${apiId} not found.`,
      $metadata: { httpStatusCode: 404 },
    });
    const again = await appsync.send(new A.CreateGraphqlApiCommand({ name: 'lifecycle2', authenticationType: 'API_KEY' }));
    await appsync.send(new A.DeleteGraphqlApiCommand({ apiId: again.graphqlApi!.apiId! }));
  });

  it("the config file's API is listed with its stable id and /graphql, and is read-only", async () => {
    const { graphqlApi } = await appsync.send(new A.GetGraphqlApiCommand({ apiId: 'from-file' }));
    expect(graphqlApi).toMatchObject({
      name: 'from-file',
      apiId: 'from-file',
      uris: { GRAPHQL: `${gw.origin}/graphql`, REALTIME: `${gw.origin.replace('http', 'ws')}/graphql/realtime` },
    });
    const error = await failure(appsync.send(new A.CreateDataSourceCommand({ apiId: 'from-file', name: 'x', type: 'NONE' })));
    expect(error).toMatchObject({ name: 'BadRequestException', $metadata: { httpStatusCode: 400 } });
    expect(error.message).toMatch(/is defined by the gateway's config file and is read-only through the management API: edit the file/);
    expect((await appsync.send(new A.ListDataSourcesCommand({ apiId: 'from-file' }))).dataSources).toEqual([]);
  });

  it('a second API with a name in use is refused (gateway choice); an unknown id is a NotFoundException', async () => {
    const apiId = await createApi('dupe');
    expect(await failure(appsync.send(new A.CreateGraphqlApiCommand({ name: 'dupe', authenticationType: 'API_KEY' })))).toMatchObject({
      name: 'BadRequestException',
      message: `A GraphQL API named dupe already exists (${apiId}); appsync-gateway keeps API names unique.`,
    });
    expect(await failure(appsync.send(new A.ListResolversCommand({ apiId: 'nosuchapi', typeName: 'Query' })))).toMatchObject({
      name: 'NotFoundException',
      message: 'GraphQL API nosuchapi not found.',
    });
    expect(await failure(appsync.send(new A.CreateGraphqlApiCommand({ name: 'no-auth' } as A.CreateGraphqlApiCommandInput)))).toMatchObject({
      name: 'BadRequestException',
      message: 'authenticationType is required: one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA.',
    });
    await appsync.send(new A.DeleteGraphqlApiCommand({ apiId }));
  });
});

describe('schema', () => {
  it('GetIntrospectionSchema answers SDL with and without directives, and JSON; ListTypes pages; GetType', async () => {
    const apiId = await createApi('introspect', `${SDL}\ntype Secret @aws_api_key { v: String }`);
    const sdl = async (includeDirectives: boolean) =>
      new TextDecoder().decode((await appsync.send(new A.GetIntrospectionSchemaCommand({ apiId, format: 'SDL', includeDirectives }))).schema);
    expect(await sdl(true)).toContain('type Secret @aws_api_key {');
    expect(await sdl(false)).toContain('type Secret {');
    const json = JSON.parse(new TextDecoder().decode((await appsync.send(new A.GetIntrospectionSchemaCommand({ apiId, format: 'JSON' }))).schema));
    expect(json.data.__schema.queryType).toEqual({ name: 'Query', kind: 'OBJECT' });
    const first = await appsync.send(new A.ListTypesCommand({ apiId, format: 'SDL', maxResults: 3 }));
    expect(first.types!.map((t) => t.name)).toEqual(['Note', 'Query', 'Mutation']);
    const second = await appsync.send(new A.ListTypesCommand({ apiId, format: 'SDL', maxResults: 3, nextToken: first.nextToken }));
    expect(second.types!.map((t) => t.name)).toEqual(['Secret']);
    expect(second.nextToken).toBeUndefined();
    expect((await appsync.send(new A.GetTypeCommand({ apiId, typeName: 'Note', format: 'SDL' }))).type).toEqual({
      name: 'Note',
      arn: `arn:aws:appsync:us-east-1:123456789012:apis/${apiId}/types/Note`,
      definition: 'type Note {\n  id: ID!\n  text: String\n}',
      format: 'SDL',
    });
    const jsonType = (await appsync.send(new A.GetTypeCommand({ apiId, typeName: 'Note', format: 'JSON' }))).type!;
    expect(JSON.parse(jsonType.definition!)).toMatchObject({ kind: 'OBJECT', name: 'Note', fields: [{ name: 'id' }, { name: 'text' }] });
    expect(await failure(appsync.send(new A.GetTypeCommand({ apiId, typeName: 'Nope', format: 'SDL' })))).toMatchObject({ name: 'NotFoundException' });
    await appsync.send(new A.DeleteGraphqlApiCommand({ apiId }));
  });

  it('invalid SDL: StartSchemaCreation answers PROCESSING, the status is FAILED with the error and its line and column, the schema in force stays', async () => {
    const apiId = await createApi('bad-sdl');
    await appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode('type Query {\n  broken(: String\n}') }));
    expect(await schemaStatus(apiId)).toMatchObject({ status: 'FAILED', details: 'schema.graphql:2:10: Syntax Error: Expected Name, found ":".' });
    const sdl = new TextDecoder().decode((await appsync.send(new A.GetIntrospectionSchemaCommand({ apiId, format: 'SDL' }))).schema);
    expect(sdl).toContain('getNote(id: ID!): Note');
    await appsync.send(new A.DeleteGraphqlApiCommand({ apiId }));
  });

  it('a schema over 1,000,000 bytes is a BadRequestException and changes nothing', async () => {
    const apiId = await createApi('big-sdl');
    const big = `type Query { a: String }\n# ${'x'.repeat(1_000_001)}`;
    expect(await failure(appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode(big) })))).toMatchObject({
      name: 'BadRequestException',
      message: `The schema definition is ${big.length} bytes; AppSync takes at most 1000000 bytes.`,
    });
    expect(await schemaStatus(apiId)).toMatchObject({ status: 'SUCCESS' });
    await appsync.send(new A.DeleteGraphqlApiCommand({ apiId }));
  });
});

describe('data sources, functions, resolvers', () => {
  let apiId: string;
  beforeAll(async () => {
    apiId = await createApi('resources');
  });

  it('data sources: create, get, page, update, duplicate name refused, delete of one in use refused', async () => {
    const created = await appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'none', type: 'NONE', description: 'nothing' }));
    expect(created.dataSource).toEqual({
      dataSourceArn: `arn:aws:appsync:us-east-1:123456789012:apis/${apiId}/datasources/none`,
      name: 'none',
      type: 'NONE',
      description: 'nothing',
    });
    await appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'web', type: 'HTTP', httpConfig: { endpoint: 'http://127.0.0.1:9' } }));
    await appsync.send(
      new A.CreateDataSourceCommand({ apiId, name: 'table', type: 'AMAZON_DYNAMODB', dynamodbConfig: { tableName: 'resources', awsRegion: 'us-east-1' } }),
    );
    expect(await failure(appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'none', type: 'NONE' })))).toMatchObject({
      name: 'BadRequestException',
      message: 'Data source with name none already exists',
    });
    expect(await failure(appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'search', type: 'AMAZON_OPENSEARCH_SERVICE' })))).toMatchObject({
      name: 'BadRequestException',
    });
    const page1 = await appsync.send(new A.ListDataSourcesCommand({ apiId, maxResults: 2 }));
    expect(page1.dataSources!.map((d) => d.name)).toEqual(['none', 'web']);
    const page2 = await appsync.send(new A.ListDataSourcesCommand({ apiId, maxResults: 2, nextToken: page1.nextToken }));
    expect(page2).toMatchObject({ dataSources: [{ name: 'table', dynamodbConfig: { tableName: 'resources', awsRegion: 'us-east-1' } }] });
    expect(page2.nextToken).toBeUndefined();
    const updated = await appsync.send(new A.UpdateDataSourceCommand({ apiId, name: 'web', type: 'HTTP', httpConfig: { endpoint: 'http://127.0.0.1:10' } }));
    expect(updated.dataSource!.httpConfig).toEqual({ endpoint: 'http://127.0.0.1:10' });
    expect(await failure(appsync.send(new A.GetDataSourceCommand({ apiId, name: 'gone' })))).toMatchObject({
      name: 'NotFoundException',
      message: 'No data source found named gone',
    });
  });

  it('resolvers: unknown data source, missing field, code that does not compile — each refused, none kept', async () => {
    expect(
      await failure(
        appsync.send(new A.CreateResolverCommand({ apiId, typeName: 'Query', fieldName: 'hello', dataSourceName: 'ghost', runtime: RUNTIME, code: HELLO })),
      ),
    ).toMatchObject({ name: 'NotFoundException', message: 'No data source found named ghost', $metadata: { httpStatusCode: 404 } });
    expect(
      await failure(
        appsync.send(new A.CreateResolverCommand({ apiId, typeName: 'Query', fieldName: 'nope', dataSourceName: 'none', runtime: RUNTIME, code: HELLO })),
      ),
    ).toMatchObject({ name: 'NotFoundException', message: 'No field named nope found on type Query' });
    const codeError = await failure(
      appsync.send(
        new A.CreateResolverCommand({
          apiId,
          typeName: 'Query',
          fieldName: 'hello',
          dataSourceName: 'none',
          runtime: RUNTIME,
          code: 'export function request( {',
        }),
      ),
    );
    expect(codeError).toMatchObject({ name: 'BadRequestException', message: 'The code contains one or more errors.', reason: 'CODE_ERROR' });
    expect((codeError.detail as { codeErrors: unknown[] }).codeErrors).toEqual([
      { errorType: 'PARSER_ERROR', value: expect.any(String), location: { line: 1, column: expect.any(Number), span: expect.any(Number) } },
    ]);
    expect((await appsync.send(new A.ListResolversCommand({ apiId, typeName: 'Query' }))).resolvers).toEqual([]);
  });

  it('a unit resolver with environment variables answers at the API uri; a second one on the field is refused; pipelines name functions', async () => {
    await appsync.send(new A.PutGraphqlApiEnvironmentVariablesCommand({ apiId, environmentVariables: { GREETING: 'world' } }));
    expect((await appsync.send(new A.GetGraphqlApiEnvironmentVariablesCommand({ apiId }))).environmentVariables).toEqual({ GREETING: 'world' });
    const { resolver } = await appsync.send(
      new A.CreateResolverCommand({ apiId, typeName: 'Query', fieldName: 'hello', dataSourceName: 'none', runtime: RUNTIME, code: HELLO }),
    );
    expect(resolver).toEqual({
      typeName: 'Query',
      fieldName: 'hello',
      dataSourceName: 'none',
      kind: 'UNIT',
      runtime: RUNTIME,
      code: HELLO,
      resolverArn: `arn:aws:appsync:us-east-1:123456789012:apis/${apiId}/types/Query/resolvers/hello`,
    });
    expect(
      await failure(
        appsync.send(new A.CreateResolverCommand({ apiId, typeName: 'Query', fieldName: 'hello', dataSourceName: 'none', runtime: RUNTIME, code: HELLO })),
      ),
    ).toMatchObject({ name: 'BadRequestException', message: 'Only one resolver is allowed per field.' });
    const { apiKey } = await appsync.send(new A.CreateApiKeyCommand({ apiId }));
    const { graphqlApi } = await appsync.send(new A.GetGraphqlApiCommand({ apiId }));
    const answer = await fetch(graphqlApi!.uris!.GRAPHQL!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey!.id! },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(await answer.json()).toEqual({ data: { hello: 'hello world' } });

    const { functionConfiguration } = await appsync.send(
      new A.CreateFunctionCommand({ apiId, name: 'shout', dataSourceName: 'none', runtime: RUNTIME, code: HELLO.replace("'hello '", "'HELLO '") }),
    );
    expect(
      await failure(
        appsync.send(
          new A.CreateResolverCommand({ apiId, typeName: 'Mutation', fieldName: 'putNote', kind: 'PIPELINE', pipelineConfig: { functions: ['nosuch'] } }),
        ),
      ),
    ).toMatchObject({ name: 'NotFoundException', message: 'No function found with id nosuch' });
    await appsync.send(
      new A.CreateResolverCommand({
        apiId,
        typeName: 'Mutation',
        fieldName: 'putNote',
        kind: 'PIPELINE',
        pipelineConfig: { functions: [functionConfiguration!.functionId!] },
        runtime: RUNTIME,
        code: 'export function request() { return {}; }\nexport function response(ctx) { return { id: ctx.args.id, text: ctx.prev.result }; }',
      }),
    );
    expect(await failure(appsync.send(new A.DeleteFunctionCommand({ apiId, functionId: functionConfiguration!.functionId! })))).toMatchObject({
      name: 'ConcurrentModificationException',
    });
    expect(await failure(appsync.send(new A.DeleteDataSourceCommand({ apiId, name: 'none' })))).toMatchObject({ name: 'BadRequestException' });
    const mutation = await fetch(graphqlApi!.uris!.GRAPHQL!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey!.id! },
      body: JSON.stringify({ query: 'mutation { putNote(id: "n1") { id text } }' }),
    });
    expect(await mutation.json()).toEqual({ data: { putNote: { id: 'n1', text: 'HELLO world' } } });
  });
});

describe('API keys (AppSync validity rules)', () => {
  it('7 days by default, rounded down to the hour; 1 to 365 days, else ApiKeyValidityOutOfBoundsException; update and delete', async () => {
    const apiId = await createApi('keys');
    const now = Math.floor(Date.now() / 1000);
    const { apiKey } = await appsync.send(new A.CreateApiKeyCommand({ apiId, description: 'ci' }));
    expect(apiKey).toEqual({ id: expect.stringMatching(/^da2-[a-z0-9]{26}$/), description: 'ci', expires: expect.any(Number), deletes: expect.any(Number) });
    expect(apiKey!.expires! % 3600).toBe(0);
    expect(apiKey!.expires!).toBeGreaterThan(now + 7 * 86400 - 3600);
    expect(apiKey!.deletes! - apiKey!.expires!).toBe(60 * 86400);
    for (const expires of [now + 3600, now + 366 * 86400]) {
      expect(await failure(appsync.send(new A.CreateApiKeyCommand({ apiId, expires })))).toMatchObject({
        name: 'ApiKeyValidityOutOfBoundsException',
        $metadata: { httpStatusCode: 400 },
      });
    }
    const updated = await appsync.send(new A.UpdateApiKeyCommand({ apiId, id: apiKey!.id!, expires: now + 30 * 86400 }));
    expect(updated.apiKey).toMatchObject({ id: apiKey!.id, description: 'ci', expires: Math.floor((now + 30 * 86400) / 3600) * 3600 });
    expect((await appsync.send(new A.ListApiKeysCommand({ apiId }))).apiKeys).toEqual([updated.apiKey]);
    await appsync.send(new A.DeleteApiKeyCommand({ apiId, id: apiKey!.id! }));
    expect((await appsync.send(new A.ListApiKeysCommand({ apiId }))).apiKeys).toEqual([]);
    expect(await failure(appsync.send(new A.DeleteApiKeyCommand({ apiId, id: apiKey!.id! })))).toMatchObject({ name: 'NotFoundException' });
    await appsync.send(new A.DeleteGraphqlApiCommand({ apiId }));
  });
});

describe('tags', () => {
  it('TagResource, ListTagsForResource, UntagResource on an API ARN', async () => {
    const { graphqlApi } = await appsync.send(new A.CreateGraphqlApiCommand({ name: 'tagged', authenticationType: 'API_KEY' }));
    const resourceArn = graphqlApi!.arn!;
    await appsync.send(new A.TagResourceCommand({ resourceArn, tags: { a: '1', b: '2' } }));
    expect((await appsync.send(new A.ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({ a: '1', b: '2' });
    await appsync.send(new A.UntagResourceCommand({ resourceArn, tagKeys: ['a'] }));
    expect((await appsync.send(new A.ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({ b: '2' });
    await appsync.send(new A.DeleteGraphqlApiCommand({ apiId: graphqlApi!.apiId! }));
  });
});

describe('malformed calls and signing', () => {
  it('a body that is not JSON is a BadRequestException, and nothing is created', async () => {
    const before = (await appsync.send(new A.ListGraphqlApisCommand({}))).graphqlApis!.length;
    const response = await fetch(`${gw.origin}/v1/apis`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "x",' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect((await response.json()).message).toMatch(/^The request body is not valid JSON: /);
    expect((await appsync.send(new A.ListGraphqlApisCommand({}))).graphqlApis!.length).toBe(before);
  });

  it('with AWS_IAM credentials configured, a call with a bad signature is refused with 403 and changes nothing', async () => {
    const iam = await startTestGateway({
      config: {
        name: 'signed',
        schemaSdl: 'type Query { ping: String }',
        authentication: { type: 'API_KEY' },
        additionalAuthentications: [{ type: 'AWS_IAM', config: { credentials: [CREDENTIALS] } }],
      },
    });
    try {
      expect(
        await failure(
          client(iam.origin, { ...CREDENTIALS, secretAccessKey: 'wrong' }).send(new A.CreateGraphqlApiCommand({ name: 'x', authenticationType: 'API_KEY' })),
        ),
      ).toMatchObject({
        name: 'InvalidSignatureException',
        $metadata: { httpStatusCode: 403 },
      });
      const listed = await client(iam.origin).send(new A.ListGraphqlApisCommand({}));
      expect(listed.graphqlApis!.map((a) => a.name)).toEqual(['signed']);
    } finally {
      await iam.close();
    }
  });
});
