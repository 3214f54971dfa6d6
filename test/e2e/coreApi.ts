/**
 * The core fixture API (test/e2e/fixtures/core): unit and pipeline resolvers on NONE covering ctx,
 * util errors, scalars and the sandbox. core.test.ts and compiled-parity.test.ts serve it.
 */
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/core/${name}`, import.meta.url));
export const API_KEY = 'da2-coretestkey0000000000000';

export const coreConfig: GatewayConfig = {
  name: 'core-test',
  schema: fixture('schema.graphql'),
  authentication: { type: 'API_KEY' },
  apiKeys: [
    { name: 'main', value: API_KEY },
    { name: 'old', value: 'da2-expired000000000000000', expiresAt: '2020-01-01T00:00:00Z' },
  ],
  environment: { STAGE: 'test' },
  dataSources: { local: { type: 'NONE' } },
  resolvers: {
    'Query.getPost': { kind: 'UNIT', dataSource: 'local', code: fixture('getPost.js') },
    'Author.shout': { kind: 'UNIT', dataSource: 'local', code: fixture('author.js') },
    'Query.pipe': { kind: 'PIPELINE', code: fixture('before.js'), functions: ['fn1', 'fn2', 'fn3'] },
    'Query.boom': { kind: 'UNIT', dataSource: 'local', code: fixture('boom.js') },
    'Query.loop': { kind: 'UNIT', dataSource: 'local', code: fixture('loop.js') },
    'Query.loopTry': { kind: 'UNIT', dataSource: 'local', code: fixture('loopTry.js') },
    'Query.loopGrow': { kind: 'UNIT', dataSource: 'local', code: fixture('loopGrow.js') },
    'Query.escape': { kind: 'UNIT', dataSource: 'local', code: fixture('escape.js') },
    'Query.ctxInfo': { kind: 'UNIT', dataSource: 'local', code: fixture('ctxInfo.js') },
    'Query.badDate': { kind: 'UNIT', dataSource: 'local', code: fixture('badDate.js') },
    'Query.email': { kind: 'UNIT', dataSource: 'local', code: fixture('echoArg.js') },
    'Query.headers': { kind: 'UNIT', dataSource: 'local', code: fixture('headers.js') },
    'Query.denied': { kind: 'UNIT', dataSource: 'local', code: fixture('denied.js') },
    'Query.wrongShape': { kind: 'UNIT', dataSource: 'local', code: fixture('wrongShape.js') },
    'Query.nonNull': { kind: 'UNIT', dataSource: 'local', code: fixture('nonNull.js') },
    'Query.utilCheck': { kind: 'UNIT', dataSource: 'local', code: fixture('utilCheck.js') },
    'Mutation.addPost': { kind: 'UNIT', dataSource: 'local', code: fixture('add.js') },
  },
  pipelineFunctions: {
    fn1: { dataSource: 'local', code: fixture('fn1.js') },
    fn2: { dataSource: 'local', code: fixture('fn2.js') },
    fn3: { dataSource: 'local', code: fixture('fn3.js') },
  },
};
