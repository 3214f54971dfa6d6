// This project: API_KEY auth, the same field through an APPSYNC_JS resolver on a NONE data source
// (or, with BENCH_DATA_SOURCE=dynamodb, a GetItem on the embedded DynamoDB store).
import { fileURLToPath } from 'node:url';
import { createGateway, type GatewayConfig } from '../../../src/index.js';
import { API_KEY, announce } from '../shared.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const config: GatewayConfig = {
  name: 'bench',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'bench', value: API_KEY }],
  dataSources: { none: { type: 'NONE' } },
  resolvers: { 'Query.getPost': { kind: 'UNIT', dataSource: 'none', code: 'getPost.js' } },
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const gateway = await createGateway(config, { configDir: fixtures, logger: silent, graphiql: false });
const { port } = await gateway.listen({ port: 0, host: '127.0.0.1' });
announce(port);
