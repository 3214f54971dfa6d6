/**
 * CDK constructs whose templates use the less common properties, synthesised with aws-cdk-lib and
 * served: a state machine whose definition is a file asset (`DefinitionS3Location`) with
 * `DefinitionSubstitutions`, one whose substitution is a function ARN its Task invokes, and a
 * resolver whose `SyncConfig` names a Lambda conflict handler of the stack (AppSync's LAMBDA
 * handler: it gets `newItem`, `existingItem`, `arguments`, `resolver`, `identity` and answers
 * `{ action: RESOLVE | REJECT | REMOVE, item }`).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { App, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import { serve } from './serve.js';

const SCHEMA = `
type Note { id: ID! title: String _version: Int }
type Query { hello: String }
type Mutation { putNote(id: ID!, title: String!, version: Int): Note }
`;

// The conflict handler: keeps the stored title and appends the client's, so the test sees it ran with both items.
const CONFLICT_HANDLER = `
exports.handler = async (event) => {
  if (event.newItem.title === 'reject me') return { action: 'REJECT' };
  return { action: 'RESOLVE', item: { ...event.existingItem, title: event.existingItem.title + ' + ' + event.newItem.title + ' (' + event.resolver.field + ')' } };
};
`;

const SHOUT = `exports.handler = async (event) => ({ shouted: String(event.word).toUpperCase() });`;

async function synthesize(): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'appsync-cdk-definitions-'));
  await writeFile(join(project, 'schema.graphql'), SCHEMA);
  // The definition file: `${Greeting}` and `${Punctuation}` are DefinitionSubstitutions.
  await writeFile(
    join(project, 'greeter.asl.json'),
    JSON.stringify({
      StartAt: 'Greet',
      States: { Greet: { Type: 'Pass', Parameters: { 'text.$': "States.Format('${Greeting}, {}${Punctuation}', $.name)" }, End: true } },
    }),
  );
  const app = new App({ outdir: join(project, 'cdk.out') });
  const stack = new Stack(app, 'DefinitionsStack');
  const api = new appsync.GraphqlApi(stack, 'Api', { name: 'definitions', definition: appsync.Definition.fromFile(join(project, 'schema.graphql')) });
  api.addNoneDataSource('none').createResolver('Hello', {
    typeName: 'Query',
    fieldName: 'hello',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromInline(`export function request() { return { payload: 'hi' }; }\nexport function response(ctx) { return ctx.result; }`),
  });

  new sfn.StateMachine(stack, 'Greeter', {
    stateMachineName: 'greeter',
    definitionBody: sfn.DefinitionBody.fromFile(join(project, 'greeter.asl.json')),
    definitionSubstitutions: { Greeting: 'Hello', Punctuation: '!' },
  });
  const shout = new lambda.Function(stack, 'Shout', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(SHOUT) });
  new sfn.StateMachine(stack, 'Shouter', {
    stateMachineName: 'shouter',
    definitionBody: sfn.DefinitionBody.fromString(
      JSON.stringify({ StartAt: 'Shout', States: { Shout: { Type: 'Task', Resource: '${ShoutArn}', End: true } } }),
    ),
    definitionSubstitutions: { ShoutArn: shout.functionArn },
  });

  const table = new dynamodb.Table(stack, 'Notes', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const deltas = new dynamodb.Table(stack, 'NoteDeltas', { partitionKey: { name: 'ds_pk', type: dynamodb.AttributeType.STRING } });
  const handler = new lambda.Function(stack, 'ResolveConflicts', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(CONFLICT_HANDLER),
  });
  const versioned = new appsync.CfnDataSource(stack, 'VersionedNotes', {
    apiId: api.apiId,
    name: 'notes',
    type: 'AMAZON_DYNAMODB',
    dynamoDbConfig: {
      tableName: table.tableName,
      awsRegion: stack.region,
      versioned: true,
      deltaSyncConfig: { baseTableTtl: '43200', deltaSyncTableName: deltas.tableName, deltaSyncTableTtl: '30' },
    },
  });
  const resolver = new appsync.CfnResolver(stack, 'PutNote', {
    apiId: api.apiId,
    typeName: 'Mutation',
    fieldName: 'putNote',
    dataSourceName: 'notes',
    requestMappingTemplate: `{
      "version": "2018-05-29", "operation": "PutItem",
      "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) },
      "attributeValues": { "title": $util.dynamodb.toDynamoDBJson($ctx.args.title) }
      #if($ctx.args.version), "_version": $ctx.args.version #end
    }`,
    // AppSync's documented form: a conflict the handler rejects is raised with the server's item as data.
    responseMappingTemplate: '#if($ctx.error) $util.error($ctx.error.message, $ctx.error.type, $ctx.result) #end $util.toJson($ctx.result)',
    syncConfig: { conflictDetection: 'VERSION', conflictHandler: 'LAMBDA', lambdaConflictHandlerConfig: { lambdaConflictHandlerArn: handler.functionArn } },
  });
  resolver.addResourceDependency(versioned);
  app.synth();
  return join(project, 'cdk.out');
}

describe('CDK state machine definitions and a Lambda conflict handler', async () => {
  const assembly = await synthesize();
  const loaded = await loadConfigFile(assembly);
  // A loaded CI machine can starve a first VTL render past the 1 s default; the test is about the handler, not the clock.
  loaded.config.sandbox = { timeoutMs: 10_000 };
  const api = await serve(loaded);
  const template = JSON.parse(await readFile(join(assembly, 'DefinitionsStack.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const sfnClient = new SFNClient({ endpoint: new URL(api.url).origin, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const run = async (name: string, input: unknown) => {
    const { executionArn } = await sfnClient.send(
      new StartExecutionCommand({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`, input: JSON.stringify(input) }),
    );
    await expect.poll(async () => (await sfnClient.send(new DescribeExecutionCommand({ executionArn }))).status, { timeout: 10_000 }).not.toBe('RUNNING');
    const done = await sfnClient.send(new DescribeExecutionCommand({ executionArn }));
    expect(done.status).toBe('SUCCEEDED');
    return JSON.parse(done.output!) as unknown;
  };

  it('the synthesised templates use the properties under test', () => {
    const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(
      machines.map((m) =>
        Object.keys(m.Properties)
          .filter((k) => k.startsWith('Definition'))
          .sort(),
      ),
    ).toEqual([
      ['DefinitionS3Location', 'DefinitionSubstitutions'],
      ['DefinitionString', 'DefinitionSubstitutions'],
    ]);
  });

  it('DefinitionS3Location: the definition is read from the assembly’s asset, with DefinitionSubstitutions put in', async () => {
    expect(await run('greeter', { name: 'Ann' })).toEqual({ text: 'Hello, Ann!' });
  });

  it('DefinitionSubstitutions naming a function ARN: the Task runs that function in-process', async () => {
    expect(await run('shouter', { word: 'hey' })).toEqual({ shouted: 'HEY' });
  });

  it('SyncConfig LAMBDA: a conflicting write is resolved by the stack’s function, which sees both items; REJECT refuses it', async () => {
    expect(await api.query('mutation { putNote(id: "n", title: "first") { title _version } }')).toEqual({ data: { putNote: { title: 'first', _version: 1 } } });
    expect(await api.query('mutation { putNote(id: "n", title: "second", version: 1) { title _version } }')).toEqual({
      data: { putNote: { title: 'second', _version: 2 } },
    });
    // Written against version 1 while the item is at 2: a conflict, which the function resolves.
    expect(await api.query('mutation { putNote(id: "n", title: "late", version: 1) { title _version } }')).toEqual({
      data: { putNote: { title: 'second + late (putNote)', _version: 3 } },
    });
    const rejected = await api.query('mutation { putNote(id: "n", title: "reject me", version: 1) { title } }');
    expect(rejected.data).toEqual({ putNote: null });
    expect(rejected.errors[0]).toMatchObject({ errorType: 'ConflictUnhandled', data: { title: 'second + late (putNote)' } });
  });
});
