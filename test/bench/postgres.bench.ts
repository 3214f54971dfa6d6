/**
 * Postgres bench: the gateway's overhead on a one-row SELECT over the same query sent with `pg`
 * directly, in the same run against the same server (a real PostgreSQL started for the bench,
 * or the embedded PGlite when the binaries are missing).
 *
 * Rows: direct `pg` (baseline), the data source's `invoke` (bind `:P0` → `$1`, Data API result,
 * JSON string), and a full GraphQL request over HTTP (auth, parse, APPSYNC_JS request/response with
 * `@aws-appsync/utils/rds`, `toJsonObject`). Each is timed sequentially (latency) and with 16
 * requests in flight (throughput). Prints nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresKind } from '../../src/datasources/postgres.js';
import { startPgServer, type PgServer } from '../datasources/postgres/pgServer.js';

export interface PostgresBenchRow {
  name: string;
  value: number;
  unit: string;
  baseline?: string;
  ratio?: number;
}

const SEQUENTIAL = Number(process.env.BENCH_PG_ITERATIONS ?? 2000);
const CONCURRENT_TOTAL = SEQUENTIAL * 2;
const IN_FLIGHT = 16;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function timeSequential(fn: () => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1000 / n; // µs per op
}

async function timeConcurrent(fn: () => Promise<unknown>, total: number, inFlight: number): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < total) await fn();
    }),
  );
  return total / (Number(process.hrtime.bigint() - start) / 1e9); // ops/s
}

export async function runPostgresBench(): Promise<PostgresBenchRow[]> {
  let server: PgServer | undefined;
  let backend = 'PostgreSQL server';
  try {
    server = await startPgServer();
  } catch {
    backend = 'embedded PGlite';
  }
  const dsConfig = server ? { connectionString: server.url, maxConnections: IN_FLIGHT } : {};
  const ds = await postgresKind.create({ name: 'bench', config: dsConfig, configPath: 'dataSources.bench.config', configDir: process.cwd(), gatewayConfig: {} as never, logger: silent });
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const setup = await ds.invoke(
      {
        statements: [`CREATE TABLE IF NOT EXISTS bench_people (id int PRIMARY KEY, name text NOT NULL, age int)`, `INSERT INTO bench_people VALUES (1, 'Ann', 31) ON CONFLICT DO NOTHING`],
        variableMap: {},
      },
      { resolverName: 'bench', fieldName: 'bench', parentTypeName: 'Query', requestScope: new Map(), resolverContext: {} },
    );
    if (setup.error) throw new Error(setup.error.message);

    // Baseline: the same query with pg, same pool size (the embedded case shares its one connection).
    const pool = server ? new pg.Pool({ connectionString: server.url, max: IN_FLIGHT }) : undefined;
    if (pool) cleanups.push(() => pool.end());
    const direct = pool
      ? () => pool.query('SELECT "id", "name", "age" FROM "bench_people" WHERE "id" = $1', [1])
      : undefined;

    const request = {
      statements: ['SELECT "id", "name", "age" FROM "bench_people" WHERE "id" = :P0'],
      variableMap: { ':P0': 1 },
      variableTypeHintMap: {},
    };
    const context = { resolverName: 'Query.person', fieldName: 'person', parentTypeName: 'Query', requestScope: new Map(), resolverContext: {} };
    const invoke = () => ds.invoke(request, context);

    const rows: PostgresBenchRow[] = [];
    const baseLatency = direct ? await timeSequential(direct, SEQUENTIAL) : undefined;
    const baseRate = direct ? await timeConcurrent(direct, CONCURRENT_TOTAL, IN_FLIGHT) : undefined;
    const baseline = `direct pg (${backend})`;
    if (baseLatency !== undefined) rows.push({ name: `${baseline}: one-row select, sequential`, value: round(baseLatency), unit: 'µs/op' });
    if (baseRate !== undefined) rows.push({ name: `${baseline}: one-row select, ${IN_FLIGHT} in flight`, value: Math.round(baseRate), unit: 'ops/s' });

    const addRow = (name: string, latency: number, rate: number) => {
      rows.push({ name: `${name}, sequential`, value: round(latency), unit: 'µs/op', ...(baseLatency ? { baseline, ratio: round(latency / baseLatency) } : {}) });
      rows.push({ name: `${name}, ${IN_FLIGHT} in flight`, value: Math.round(rate), unit: 'ops/s', ...(baseRate ? { baseline, ratio: round(rate / baseRate) } : {}) });
    };
    addRow(`data source invoke (${backend})`, await timeSequential(invoke, SEQUENTIAL), await timeConcurrent(invoke, CONCURRENT_TOTAL, IN_FLIGHT));

    const http = await startBenchGateway(dsConfig).catch(() => undefined);
    if (http) {
      cleanups.push(http.close);
      addRow(`gateway GraphQL over HTTP (${backend})`, await timeSequential(http.query, SEQUENTIAL), await timeConcurrent(http.query, CONCURRENT_TOTAL, IN_FLIGHT));
    }
    return rows;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await ds.close?.();
    await server?.destroy();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A gateway with one RDS resolver doing the same select through `@aws-appsync/utils/rds`. */
async function startBenchGateway(dsConfig: Record<string, unknown>): Promise<{ query: () => Promise<unknown>; close: () => Promise<void> }> {
  const { createGateway } = await import('../../src/index.js');
  const dir = await mkdtemp(join(tmpdir(), 'pg-bench-'));
  await writeFile(join(dir, 'schema.graphql'), 'type Person { id: ID! name: String! age: Int }\ntype Query { person(id: ID!): Person }\n');
  await writeFile(
    join(dir, 'person.js'),
    `import { util } from '@aws-appsync/utils';
import { createPgStatement, select, toJsonObject } from '@aws-appsync/utils/rds';
export function request(ctx) {
  return createPgStatement(select({ table: 'bench_people', columns: ['id', 'name', 'age'], where: { id: { eq: ctx.args.id } } }));
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return toJsonObject(ctx.result)[0][0];
}
`,
  );
  const apiKey = 'da2-postgresbench00000000000000';
  const gateway = await createGateway(
    {
      name: 'pg-bench',
      schema: join(dir, 'schema.graphql'),
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'bench', value: apiKey }],
      dataSources: { db: { type: 'RELATIONAL_DATABASE', config: dsConfig } },
      resolvers: { 'Query.person': { kind: 'UNIT', dataSource: 'db', code: join(dir, 'person.js') } },
    },
    { configDir: dir, logger: silent },
  );
  const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  const body = JSON.stringify({ query: '{ person(id: "1") { id name age } }' });
  const query = async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body });
    const json = (await res.json()) as { data?: { person?: unknown } };
    if (!json.data?.person) throw new Error(`bench query failed: ${JSON.stringify(json)}`);
  };
  await query();
  return {
    query,
    close: async () => {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
