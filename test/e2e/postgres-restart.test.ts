/**
 * PostgreSQL restarting under a running gateway: GraphQL requests get a clear field error while it
 * is down, then succeed again without restarting the gateway. Uses its own server.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPgServer, type PgServer } from '../datasources/postgres/pgServer.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const skipReason = inject('postgresUrl') ? '' : inject('postgresSkipReason');

const RESOLVER = `import { util } from '@aws-appsync/utils';
import { createPgStatement, sql, toJsonObject } from '@aws-appsync/utils/rds';
export function request(ctx) {
  return createPgStatement(sql\`SELECT \${ctx.args.n}::int * 2 AS doubled\`);
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return toJsonObject(ctx.result)[0][0].doubled;
}
`;

describe.skipIf(!!skipReason)(`gateway over a restarting PostgreSQL${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let server: PgServer;
  let gw: TestGateway;

  beforeAll(async () => {
    server = await startPgServer();
    gw = await startTestGateway({
      files: { 'schema.graphql': 'type Query { double(n: Int!): Int }', 'double.js': RESOLVER },
      config: {
        name: 'pg-restart',
        schema: 'schema.graphql',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-pgrestart000000000000000' }],
        dataSources: { db: { type: 'RELATIONAL_DATABASE', config: { connectionString: server.url, maxConnections: 2 } } },
        resolvers: { 'Query.double': { kind: 'UNIT', dataSource: 'db', code: 'double.js' } },
      },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await server?.destroy();
  });

  it('errors clearly while the database is down, then recovers', async () => {
    expect((await gw.query('{ double(n: 2) }')).body).toEqual({ data: { double: 4 } });

    await server.stop();
    const down = await gw.query('{ double(n: 3) }');
    expect(down.status).toBe(200);
    expect(down.body.data).toEqual({ double: null });
    expect(down.body.errors).toEqual([
      {
        path: ['double'],
        data: null,
        errorType: 'RDSHttp:DatabaseUnavailableException',
        errorInfo: null,
        locations: [{ line: 1, column: 3, sourceName: null }],
        message: expect.stringMatching(/^Database is unavailable: /),
      },
    ]);

    await server.start();
    expect((await gw.query('{ double(n: 5) }')).body).toEqual({ data: { double: 10 } });
  });
});
