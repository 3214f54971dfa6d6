/**
 * A CDK app (aws-cdk-lib) synthesised in the test into a cloud assembly, then served from `cdk.out`:
 * a GraphqlApi with its schema from a file, a DynamoDB table data source, JS resolvers from inline
 * code and from a file asset, a VTL resolver, a pipeline, a NodejsFunction data source (bundled by
 * esbuild at synth) and a state machine invoking that function.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { App, CfnOutput, Duration, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { findConfigFile, loadConfigFile } from '../../../src/config/index.js';
import { ConfigErrors } from '../../../src/errors.js';
import { serve } from './serve.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/cdk');

/** The app a CDK user writes; `app.synth()` is what `cdk synth` runs. */
async function synthesize(): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'appsync-cdk-'));
  const app = new App({ outdir: join(project, 'cdk.out') });

  // A second stack exports the table name, to be read with Fn::ImportValue across the assembly.
  const data = new Stack(app, 'DataStack');
  const table = new dynamodb.Table(data, 'Posts', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  new CfnOutput(data, 'PostsTableName', { value: table.tableName, exportName: 'PostsTableName' });

  const stack = new Stack(app, 'ApiStack');
  const api = new appsync.GraphqlApi(stack, 'Api', {
    name: 'cdk-demo',
    definition: appsync.Definition.fromFile(join(FIXTURE, 'schema.graphql')),
    environmentVariables: { TABLE_FROM_IMPORT: Fn.importValue('PostsTableName') },
  });
  const posts = api.addDynamoDbDataSource('posts', dynamodb.Table.fromTableName(stack, 'Imported', Fn.importValue('PostsTableName')));
  posts.createResolver('GetPost', {
    typeName: 'Query',
    fieldName: 'getPost',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromAsset(join(FIXTURE, 'getPost.js')),
  });
  posts.createResolver('AddPost', {
    typeName: 'Mutation',
    fieldName: 'addPost',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromInline(`
      import * as ddb from '@aws-appsync/utils/dynamodb';
      export function request(ctx) { return ddb.put({ key: { id: ctx.args.id }, item: { title: ctx.args.title } }); }
      export function response(ctx) { return ctx.result; }
    `),
  });
  posts.createResolver('ListPosts', {
    typeName: 'Query',
    fieldName: 'listPosts',
    requestMappingTemplate: appsync.MappingTemplate.dynamoDbScanTable(),
    responseMappingTemplate: appsync.MappingTemplate.dynamoDbResultList(),
  });
  const none = api.addNoneDataSource('none');
  const stage = none.createFunction('Stage', {
    name: 'stage',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromInline(
      'export function request(ctx) { return { payload: "table " + ctx.env.TABLE_FROM_IMPORT }; }\nexport function response(ctx) { return ctx.result; }',
    ),
  });
  new appsync.Resolver(stack, 'Hello', {
    api,
    typeName: 'Query',
    fieldName: 'hello',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    pipelineConfig: [stage],
    code: appsync.Code.fromInline('export function request() { return {}; }\nexport function response(ctx) { return ctx.prev.result; }'),
  });
  // A NestedStack: its template is an asset of the assembly, the API and data source reach it as parameters.
  const nested = new NestedStack(stack, 'Extras');
  new appsync.Resolver(nested, 'Echo', {
    api,
    dataSource: none,
    typeName: 'Query',
    fieldName: 'echo',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromInline(
      'export function request(ctx) { return { payload: "nested " + ctx.args.text }; }\nexport function response(ctx) { return ctx.result; }',
    ),
  });
  const greet = new nodejs.NodejsFunction(stack, 'Greet', {
    entry: join(FIXTURE, 'greet.ts'),
    runtime: lambda.Runtime.NODEJS_22_X,
    environment: { GREETING_SUFFIX: 'from the function environment' },
  });
  api.addLambdaDataSource('greet', greet).createResolver('Greet', { typeName: 'Query', fieldName: 'greet' });
  new sfn.StateMachine(stack, 'Greeter', {
    stateMachineName: 'greeter',
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: greet, payloadResponseOnly: true })),
    timeout: Duration.minutes(1),
  });
  app.synth();
  return project;
}

describe('a CDK cloud assembly', async () => {
  const project = await synthesize();
  const assembly = join(project, 'cdk.out');
  const loaded = await loadConfigFile(assembly);
  const api = await serve(loaded);

  it('is found as cdk.out and read with the other stack of the assembly', async () => {
    expect(await findConfigFile(project)).toBe(assembly);
    expect(loaded.config.name).toBe('cdk-demo');
    expect(loaded.configDir).toBe(project);
  });

  it('a mutation with inline JS code and a query with a JS file asset, on the table of the other stack', async () => {
    expect(await api.query('mutation { addPost(id: "a", title: "Alpha") { id title } }')).toEqual({ data: { addPost: { id: 'a', title: 'Alpha' } } });
    expect(await api.query('{ getPost(id: "a") { id title } }')).toEqual({ data: { getPost: { id: 'a', title: 'Alpha' } } });
  });

  it('a VTL resolver from MappingTemplate', async () => {
    expect(await api.query('{ listPosts { id title } }')).toEqual({ data: { listPosts: expect.arrayContaining([{ id: 'a', title: 'Alpha' }]) } });
  });

  it('a pipeline whose function reads an environment variable set by Fn::ImportValue', async () => {
    expect(await api.query('{ hello }')).toEqual({ data: { hello: 'table DataStack-Posts868B3EAD' } });
  });

  it('a resolver of a NestedStack, read from its template asset', async () => {
    expect(await api.query('{ echo(text: "hi") }')).toEqual({ data: { echo: 'nested hi' } });
  });

  it('a NodejsFunction data source, run in-process from its bundled asset with its environment', async () => {
    expect(await api.query('{ greet(name: "ann") }')).toEqual({ data: { greet: 'hello ann (from the function environment)' } });
  });

  it('the state machine runs on the gateway’s Step Functions, its Task invoking the same function', async () => {
    const client = new SFNClient({ endpoint: new URL(api.url).origin, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:greeter', input: JSON.stringify({ name: 'sfn' }) }),
    );
    await expect.poll(async () => (await client.send(new DescribeExecutionCommand({ executionArn }))).status, { timeout: 10_000 }).toBe('SUCCEEDED');
    const { output } = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(JSON.parse(output!)).toBe('hello sfn (from the function environment)');
    client.destroy();
  });

  it('a subscription receives the mutation', async () => {
    const event = await api.firstEvent('subscription { onAddPost { id title } }', () => api.query('mutation { addPost(id: "b", title: "Beta") { id title } }'));
    expect(event).toEqual({ data: { onAddPost: { id: 'b', title: 'Beta' } } });
  });

  it('--stack names a stack of the assembly, and an unknown one is refused with the stacks it holds', async () => {
    expect((await loadConfigFile(assembly, { stack: 'ApiStack' })).config.name).toBe('cdk-demo');
    await expect(loadConfigFile(assembly, { stack: 'Nope' })).rejects.toThrow(`${assembly}: --stack Nope: the assembly holds DataStack, ApiStack`);
    await expect(loadConfigFile(assembly, { stack: 'DataStack' })).rejects.toThrow('no AWS::AppSync::GraphQLApi resource: nothing to serve');
  });

  it('a missing asset names the template, the resolver and the property', async () => {
    const { rm } = await import('node:fs/promises');
    const { readdirSync } = await import('node:fs');
    const asset = readdirSync(assembly).find((f) => f.startsWith('asset.') && f.endsWith('.js'))!;
    await rm(join(assembly, asset));
    const error = await loadConfigFile(assembly).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigErrors);
    expect((error as ConfigErrors).errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${join(assembly, 'ApiStack.template.json')}: Resources\\.ApiGetPost\\w+\\.Properties\\.CodeS3Location: s3://.+: the asset ${join(assembly, asset)} is missing \\(run cdk synth again\\)$`,
        ),
      ),
    ]);
  });
});
