// This project: API_KEY auth, the same field through an APPSYNC_JS resolver on a NONE data source
// (or, with BENCH_DATA_SOURCE=dynamodb, a GetItem on the embedded DynamoDB store, whose table and
// item are created here first).
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createGateway, type GatewayConfig } from '../../../src/index.js';
import { acquireEmbeddedDynamoDB } from '../../../src/embedded/dynamodb.js';
import { API_KEY, announce } from '../shared.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const dynamodb = process.env.BENCH_DATA_SOURCE === 'dynamodb';
const config: GatewayConfig = {
  name: 'bench',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'bench', value: API_KEY }],
  dataSources: dynamodb
    ? {
        posts: {
          type: 'AMAZON_DYNAMODB',
          config: {
            tableName: 'posts',
            table: {
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
              BillingMode: 'PAY_PER_REQUEST',
            },
          },
        },
      }
    : { none: { type: 'NONE' } },
  resolvers: {
    'Query.getPost': dynamodb
      ? { kind: 'UNIT', dataSource: 'posts', code: 'getPostDynamoDB.js' }
      : { kind: 'UNIT', dataSource: 'none', code: 'getPost.js' },
  },
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const gateway = await createGateway(config, { configDir: fixtures, logger: silent, graphiql: false });
if (dynamodb) {
  // The data source created the table on the process's embedded store; the item goes in directly.
  const endpoint = await acquireEmbeddedDynamoDB();
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await client.send(new PutItemCommand({ TableName: 'posts', Item: { id: { S: '1' }, title: { S: 'Hello' }, views: { N: '42' } } }));
}
const { port } = await gateway.listen({ port: 0, host: '127.0.0.1' });
announce(port);
