/**
 * A Serverless Framework project run as it is: its serverless.yml's `resources` create the DynamoDB
 * table on the embedded store (matched by TableName through `!Ref`), and an AWS_LAMBDA data source
 * naming one of its `functions:` runs that handler in-process.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/index.js';
import { silentLogger } from '../utils/logger.js';

const SERVERLESS = `service: notes
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
functions:
  summarize:
    handler: src/summarize.handler
appSync:
  name: notes-\${self:provider.stage}
  schema: schema.graphql
  authentication:
    type: API_KEY
  apiKeys:
    - name: dev
      value: da2-serverlessserverlessserve
  dataSources:
    notes:
      type: AMAZON_DYNAMODB
      config:
        tableName: !Ref NotesTable
    summarizer:
      type: AWS_LAMBDA
      config:
        functionName: summarize
  resolvers:
    Mutation.addNote:
      kind: UNIT
      dataSource: notes
      code: resolvers/addNote.js
    Note.summary:
      kind: UNIT
      dataSource: summarizer
resources:
  Resources:
    NotesTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: notes-\${self:provider.stage}
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions:
          - AttributeName: id
            AttributeType: S
        KeySchema:
          - AttributeName: id
            KeyType: HASH
`;

let gateway: Gateway | undefined;
afterAll(() => gateway?.close());

it('runs a serverless.yml with its resources and functions', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-serverless-'));
  await mkdir(join(dir, 'src'));
  await mkdir(join(dir, 'resolvers'));
  await writeFile(join(dir, 'serverless.yml'), SERVERLESS);
  await writeFile(
    join(dir, 'schema.graphql'),
    'type Note { id: ID! text: String summary: String }\ntype Query { none: String }\ntype Mutation { addNote(id: ID!, text: String!): Note }',
  );
  await writeFile(join(dir, 'src', 'summarize.mjs'), "export const handler = async (event) => event.source.text.split(' ').slice(0, 2).join(' ') + '…';\n");
  await writeFile(
    join(dir, 'resolvers', 'addNote.js'),
    "import * as ddb from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) { return ddb.put({ key: { id: ctx.args.id }, item: { text: ctx.args.text } }); }\nexport function response(ctx) { if (ctx.error) util.error(ctx.error.message, ctx.error.type); return ctx.result; }\n",
  );
  const loaded = await loadConfigFile(join(dir, 'serverless.yml'), { stage: 'test', env: {} });
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silentLogger });
  const { url } = await gateway.listen({ port: 0 });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'da2-serverlessserverlessserve' },
    body: JSON.stringify({ query: 'mutation { addNote(id: "n1", text: "buy milk and bread") { id text summary } }' }),
  });
  expect(await res.json()).toEqual({ data: { addNote: { id: 'n1', text: 'buy milk and bread', summary: 'buy milk…' } } });
  expect(gateway.config.name).toBe('notes-test');
  expect(gateway.config.dataSources.notes!.config.tableName).toBe('notes-test');
});

it('runs the Step Functions plugin block of a serverless.yml; !GetAtt fn.Arn reaches the in-process function', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-serverless-sfn-'));
  await mkdir(join(dir, 'src'));
  await writeFile(
    join(dir, 'serverless.yml'),
    `service: orders
provider:
  name: aws
functions:
  price-item:
    handler: src/price.handler
appSync:
  name: orders
  schema: schema.graphql
  authentication:
    type: API_KEY
stepFunctions:
  stateMachines:
    checkout:
      type: EXPRESS
      definition:
        StartAt: Price
        States:
          Price:
            Type: Task
            Resource: !GetAtt PriceDashitemLambdaFunction.Arn
            Next: Tax
          Tax:
            Type: Task
            Resource:
              Fn::GetAtt: [price-item, Arn]
            End: true
`,
  );
  await writeFile(join(dir, 'schema.graphql'), 'type Query { none: String }');
  await writeFile(join(dir, 'src', 'price.mjs'), 'export const handler = async (event) => ({ total: event.total * 2 });\n');
  const loaded = await loadConfigFile(join(dir, 'serverless.yml'), { env: {} });
  const sfnGateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silentLogger });
  try {
    const { port } = await sfnGateway.listen({ port: 0 });
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartSyncExecution' },
      body: JSON.stringify({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:checkout', input: '{"total":5}' }),
    });
    const body = (await res.json()) as { status: string; output?: string; error?: string; cause?: string };
    expect(body.status, `${body.error}: ${body.cause}`).toBe('SUCCEEDED');
    expect(JSON.parse(body.output!)).toEqual({ total: 20 });
  } finally {
    await sfnGateway.close();
  }
});
