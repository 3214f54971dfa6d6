/**
 * A CDK app of two stacks, each with its own GraphqlApi (both constructs named `Api`, so both
 * stacks hold the same logical ids), synthesised with aws-cdk-lib and served at once: the first
 * stack's API at /graphql, the second's at /apis/<id>/graphql with its own keys, table and
 * subscriptions (docs/cloudformation.md#several-apis); the management API (the real client-appsync)
 * lists and answers for both, with the uris each is served at, and refuses changes to them.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@aws-sdk/client-appsync';
import { App, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import { clientOf, serve } from './serve.js';

const SCHEMA = `
type Todo { id: ID! title: String }
type Query { hello: String getTodo(id: ID!): Todo }
type Mutation { addTodo(id: ID!, title: String): Todo }
type Subscription { onAddTodo: Todo @aws_subscribe(mutations: ["addTodo"]) }
`;

async function synthesize(): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'appsync-cdk-several-'));
  await writeFile(join(project, 'schema.graphql'), SCHEMA);
  const app = new App({ outdir: join(project, 'cdk.out') });
  for (const name of ['Notes', 'Todos']) {
    const stack = new Stack(app, `${name}Stack`);
    const api = new appsync.GraphqlApi(stack, 'Api', { name: name.toLowerCase(), definition: appsync.Definition.fromFile(join(project, 'schema.graphql')) });
    api.addNoneDataSource('none').createResolver('Hello', {
      typeName: 'Query',
      fieldName: 'hello',
      runtime: appsync.FunctionRuntime.JS_1_0_0,
      code: appsync.Code.fromInline(
        `export function request() { return { payload: 'hello from ${name}' }; }\nexport function response(ctx) { return ctx.result; }`,
      ),
    });
    const table = new dynamodb.Table(stack, 'Todos', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    const todos = api.addDynamoDbDataSource('todos', table);
    todos.createResolver('AddTodo', {
      typeName: 'Mutation',
      fieldName: 'addTodo',
      requestMappingTemplate: appsync.MappingTemplate.dynamoDbPutItem(appsync.PrimaryKey.partition('id').is('id'), appsync.Values.projecting()),
      responseMappingTemplate: appsync.MappingTemplate.dynamoDbResultItem(),
    });
    todos.createResolver('GetTodo', {
      typeName: 'Query',
      fieldName: 'getTodo',
      requestMappingTemplate: appsync.MappingTemplate.dynamoDbGetItem('id', 'id'),
      responseMappingTemplate: appsync.MappingTemplate.dynamoDbResultItem(),
    });
  }
  app.synth();
  return join(project, 'cdk.out');
}

describe('a CDK assembly whose two stacks each hold a GraphQL API', async () => {
  const assembly = await synthesize();
  const loaded = await loadConfigFile(assembly);
  const notes = await serve(loaded);
  const origin = new URL(notes.url).origin;
  const [todosApi] = notes.gateway.additionalApis;
  const todos = clientOf(`${origin}/apis/${todosApi!.apiId}/graphql`, todosApi!.config.apiKeys[0]!.value);

  it('serves the first stack’s API at /graphql and the second at /apis/<its name>/graphql', () => {
    expect(notes.gateway.config.name).toBe('notes');
    expect(notes.gateway.additionalApis.map((a) => [a.apiId, a.config.name])).toEqual([['todos', 'todos']]);
  });

  it('each API answers with its own resolvers, though both stacks use the same logical ids', async () => {
    expect(await notes.query('{ hello }')).toEqual({ data: { hello: 'hello from Notes' } });
    expect(await todos.query('{ hello }')).toEqual({ data: { hello: 'hello from Todos' } });
  });

  it('each API has its own generated key: one API’s key does not open the other', async () => {
    expect(todosApi!.config.apiKeys[0]!.value).not.toBe(notes.apiKey);
    const wrong = await fetch(`${origin}/apis/todos/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': notes.apiKey },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(wrong.status).toBe(401);
  });

  it('each API writes to its own stack’s table', async () => {
    expect(await todos.query('mutation { addTodo(id: "1", title: "todo") { id title } }')).toEqual({ data: { addTodo: { id: '1', title: 'todo' } } });
    expect(await todos.query('{ getTodo(id: "1") { title } }')).toEqual({ data: { getTodo: { title: 'todo' } } });
    expect(await notes.query('{ getTodo(id: "1") { title } }')).toEqual({ data: { getTodo: null } });
  });

  it('a subscription to the second API receives its mutation, not the first API’s', async () => {
    let n = 0;
    const event = await todos.firstEvent('subscription { onAddTodo { id title } }', async () => {
      await notes.query(`mutation { addTodo(id: "n${n}", title: "notes") { id title } }`);
      return todos.query(`mutation { addTodo(id: "t${n++}", title: "todos") { id title } }`);
    });
    expect(event).toMatchObject({ data: { onAddTodo: { id: expect.stringMatching(/^t/), title: 'todos' } } });
  });

  it('--stack and --api still serve one API', async () => {
    const one = await loadConfigFile(assembly, { stack: 'TodosStack' });
    expect([one.config.name, one.config.additionalApis]).toEqual(['todos', undefined]);
    const picked = await loadConfigFile(assembly, { api: 'todos' });
    expect([picked.config.name, picked.config.additionalApis]).toEqual(['todos', undefined]);
  });
});

describe('the management API on a CDK assembly with two GraphQL APIs', async () => {
  const loaded = await loadConfigFile(await synthesize());
  const notes = await serve(loaded);
  const origin = new URL(notes.url).origin;
  const ws = origin.replace('http', 'ws');
  const appsync = new A.AppSyncClient({
    endpoint: origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  afterAll(() => appsync.destroy());

  it('ListGraphqlApis lists both APIs, each with the uris it is served at; GetGraphqlApi answers the same', async () => {
    const { graphqlApis } = await appsync.send(new A.ListGraphqlApisCommand({}));
    expect(graphqlApis!.map((a) => [a.apiId, a.name, a.uris])).toEqual([
      ['notes', 'notes', { GRAPHQL: `${origin}/graphql`, REALTIME: `${ws}/graphql/realtime` }],
      ['todos', 'todos', { GRAPHQL: `${origin}/apis/todos/graphql`, REALTIME: `${ws}/apis/todos/graphql/realtime` }],
    ]);
    expect((await appsync.send(new A.GetGraphqlApiCommand({ apiId: 'todos' }))).graphqlApi).toEqual(graphqlApis![1]);
    expect(graphqlApis![1]).toMatchObject({ arn: 'arn:aws:appsync:us-east-1:123456789012:apis/todos', authenticationType: 'API_KEY' });
  });

  it('the second API’s resolvers, data sources, schema and keys are answered, and its key and uris serve it', async () => {
    const { resolvers } = await appsync.send(new A.ListResolversCommand({ apiId: 'todos', typeName: 'Query' }));
    expect(resolvers!.map((r) => [r.fieldName, r.dataSourceName, r.kind])).toEqual([
      ['hello', 'none', 'UNIT'],
      ['getTodo', 'todos', 'UNIT'],
    ]);
    expect((await appsync.send(new A.GetResolverCommand({ apiId: 'todos', typeName: 'Query', fieldName: 'hello' }))).resolver!.code).toContain(
      'hello from Todos',
    );
    const { dataSources } = await appsync.send(new A.ListDataSourcesCommand({ apiId: 'todos' }));
    expect(dataSources!.map((d) => [d.name, d.type])).toEqual([
      ['none', 'NONE'],
      ['todos', 'AMAZON_DYNAMODB'],
    ]);
    // Each stack's table is its own (the names CloudFormation would generate differ by stack).
    const notesTable = (await appsync.send(new A.GetDataSourceCommand({ apiId: 'notes', name: 'todos' }))).dataSource!.dynamodbConfig!.tableName;
    expect(dataSources![1]!.dynamodbConfig!.tableName).not.toBe(notesTable);
    const schema = await appsync.send(new A.GetIntrospectionSchemaCommand({ apiId: 'todos', format: 'SDL' }));
    expect(new TextDecoder().decode(schema.schema)).toContain('addTodo(id: ID!, title: String): Todo');
    const { apiKeys } = await appsync.send(new A.ListApiKeysCommand({ apiId: 'todos' }));
    expect(apiKeys!.map((k) => k.id)).toEqual([notes.gateway.additionalApis[0]!.config.apiKeys[0]!.value]);
    const { graphqlApi } = await appsync.send(new A.GetGraphqlApiCommand({ apiId: 'todos' }));
    expect(await clientOf(graphqlApi!.uris!.GRAPHQL!, apiKeys![0]!.id!).query('{ hello }')).toEqual({ data: { hello: 'hello from Todos' } });
  });

  it('changes to either API are refused as the config file’s are, naming the input; nothing changes', async () => {
    const readOnly = (error: unknown) => {
      expect(error).toBeInstanceOf(A.BadRequestException);
      expect((error as Error).message).toMatch(
        /^The GraphQL API todos is defined by the gateway's config file .*cdk\.out.* and is read-only through the management API/,
      );
    };
    readOnly(await appsync.send(new A.CreateApiKeyCommand({ apiId: 'todos' })).catch((e: unknown) => e));
    readOnly(
      await appsync
        .send(
          new A.CreateResolverCommand({
            apiId: 'todos',
            typeName: 'Mutation',
            fieldName: 'addTodo',
            dataSourceName: 'none',
            runtime: { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' },
            code: 'export const request = () => ({}); export const response = (ctx) => ctx.result;',
          }),
        )
        .catch((e: unknown) => e),
    );
    readOnly(await appsync.send(new A.DeleteGraphqlApiCommand({ apiId: 'todos' })).catch((e: unknown) => e));
    await expect(appsync.send(new A.CreateGraphqlApiCommand({ name: 'todos', authenticationType: 'API_KEY' }))).rejects.toThrow(
      'A GraphQL API named todos already exists (todos)',
    );
    expect((await appsync.send(new A.ListApiKeysCommand({ apiId: 'todos' }))).apiKeys).toHaveLength(1);
    expect((await appsync.send(new A.ListGraphqlApisCommand({}))).graphqlApis!.map((a) => a.apiId)).toEqual(['notes', 'todos']);
  });
});
