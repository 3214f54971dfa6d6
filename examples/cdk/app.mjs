// A CDK app with an AppSync API, as a CDK user writes it. `node examples/cdk/app.mjs` does what
// `cdk synth` does (writes examples/cdk/cdk.out); then `npm start -- --config examples/cdk/cdk.out`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

const here = dirname(fileURLToPath(import.meta.url));
const app = new App({ outdir: join(here, 'cdk.out') });
const stack = new Stack(app, 'NotesStack');

const api = new appsync.GraphqlApi(stack, 'Api', {
  name: 'notes',
  definition: appsync.Definition.fromFile(join(here, 'schema.graphql')),
});

const table = new dynamodb.Table(stack, 'Notes', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
const notes = api.addDynamoDbDataSource('notes', table);
for (const [id, typeName, fieldName] of [
  ['GetNote', 'Query', 'getNote'],
  ['AddNote', 'Mutation', 'addNote'],
]) {
  notes.createResolver(id, { typeName, fieldName, runtime: appsync.FunctionRuntime.JS_1_0_0, code: appsync.Code.fromAsset(join(here, `resolvers/${fieldName}.js`)) });
}
notes.createResolver('ListNotes', {
  typeName: 'Query',
  fieldName: 'listNotes',
  requestMappingTemplate: appsync.MappingTemplate.dynamoDbScanTable(),
  responseMappingTemplate: appsync.MappingTemplate.dynamoDbResultList(),
});

const greet = new nodejs.NodejsFunction(stack, 'Greet', {
  entry: join(here, 'functions/greet.ts'),
  runtime: lambda.Runtime.NODEJS_22_X,
  environment: { GREETING: 'hello' },
});
api.addLambdaDataSource('greet', greet).createResolver('Greet', { typeName: 'Query', fieldName: 'greet' });

new sfn.StateMachine(stack, 'Greeter', {
  stateMachineName: 'greeter',
  definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: greet, payloadResponseOnly: true })),
  timeout: Duration.minutes(1),
});

// An AppSync Event API beside the GraphQL API, served at /event and /event/realtime with its own
// generated key (printed at start). Its onPublish handler stamps each note event with the time.
const events = new appsync.EventApi(stack, 'Events', { apiName: 'notes-events' });
events.addChannelNamespace('notes', {
  code: appsync.Code.fromInline(`
    import { util } from '@aws-appsync/utils';
    export function onPublish(ctx) { return ctx.events.map(({ id, payload }) => ({ id, payload: { ...payload, at: util.time.nowISO8601() } })); }
  `),
});

app.synth();
