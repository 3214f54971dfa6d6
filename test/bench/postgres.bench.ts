/**
 * Postgres bench: the gateway's overhead on a one-row SELECT over the same query sent with `pg`
 * directly, in the same run against the same server (a real PostgreSQL started for the bench,
 * or the embedded PGlite when the binaries are missing).
 *
 * Rows: direct `pg` (baseline), the data source's `invoke` (bind `:P0` → `$1`, Data API result,
 * JSON string), each timed sequentially (latency) and with 16 requests in flight (throughput); and
 * a full GraphQL request over HTTP to the gateway as users run it (the built CLI, auth, parse,
 * APPSYNC_JS request/response with `@aws-appsync/utils/rds`, `toJsonObject`), loaded by autocannon
 * with 1 and with 16 connections, in rounds interleaved with direct `pg` at the same concurrency so
 * each ratio is taken between loads seconds apart. Prints nothing.
 */
import pg from 'pg';
import { postgresKind } from '../../src/datasources/postgres/index.js';
import { startPgServer, type PgServer } from '../datasources/postgres/pgServer.js';
import { DURATION_S, ROUNDS, WARMUP_S, load, median, post, startCliProject, type ServerProcess } from './serverProcess.js';
import { silentLogger } from '../utils/logger.js';

export interface PostgresBenchRow {
  name: string;
  value: number;
  unit: string;
  baseline?: string;
  ratio?: number;
  note?: string;
}

const SEQUENTIAL = Number(process.env.BENCH_PG_ITERATIONS ?? 2000);
const CONCURRENT_TOTAL = SEQUENTIAL * 2;
const IN_FLIGHT = 16;

async function timeSequential(fn: () => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1000 / n; // µs per op
}

/** `inFlight` loops calling `fn` for `seconds`: calls per second. */
async function rateFor(fn: () => Promise<unknown>, seconds: number, inFlight: number): Promise<number> {
  let done = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (process.hrtime.bigint() < until) {
        await fn();
        done += 1;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
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
  const ds = await postgresKind.create({
    name: 'bench',
    config: dsConfig,
    configPath: 'dataSources.bench.config',
    configDir: process.cwd(),
    gatewayConfig: {} as never,
    logger: silentLogger,
  });
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const setup = await ds.invoke(
      {
        statements: [
          `CREATE TABLE IF NOT EXISTS bench_people (id int PRIMARY KEY, name text NOT NULL, age int)`,
          `INSERT INTO bench_people VALUES (1, 'Ann', 31) ON CONFLICT DO NOTHING`,
        ],
        variableMap: {},
      },
      { resolverName: 'bench', fieldName: 'bench', parentTypeName: 'Query', requestScope: new Map(), resolverContext: {} },
    );
    if (setup.error) throw new Error(setup.error.message);

    // Baseline: the same query with pg, same pool size (the embedded case shares its one connection).
    const pool = server ? new pg.Pool({ connectionString: server.url, max: IN_FLIGHT }) : undefined;
    if (pool) cleanups.push(() => pool.end());
    const direct = pool ? () => pool.query('SELECT "id", "name", "age" FROM "bench_people" WHERE "id" = $1', [1]) : undefined;

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
      rows.push({
        name: `${name}, sequential`,
        value: round(latency),
        unit: 'µs/op',
        ...(baseLatency ? { baseline, ratio: round(latency / baseLatency) } : {}),
      });
      rows.push({
        name: `${name}, ${IN_FLIGHT} in flight`,
        value: Math.round(rate),
        unit: 'ops/s',
        ...(baseRate ? { baseline, ratio: round(rate / baseRate) } : {}),
      });
    };
    addRow(`data source invoke (${backend})`, await timeSequential(invoke, SEQUENTIAL), await timeConcurrent(invoke, CONCURRENT_TOTAL, IN_FLIGHT));

    if (pool) {
      const gateway = await startPostgresBenchGateway(server!.url);
      cleanups.push(() => gateway.stop());
      rows.push(...(await gatewayRows(gateway, direct!, backend)));
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

/** The bench's table with its one row, written with `pg` (for tools that start the bench gateway alone). */
export async function seedBenchTable(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS bench_people (id int PRIMARY KEY, name text NOT NULL, age int)`);
    await client.query(`INSERT INTO bench_people VALUES (1, 'Ann', 31) ON CONFLICT DO NOTHING`);
  } finally {
    await client.end();
  }
}

export const POSTGRES_API_KEY = 'da2-postgresbench00000000000000';
export const POSTGRES_BODY = JSON.stringify({ query: '{ person(id: "1") { id name age } }' });

/**
 * The gateway (built CLI) against direct `pg`, at 1 and at IN_FLIGHT concurrent requests:
 * autocannon connections for the gateway, pool.query loops for pg; ROUNDS rounds, each loading
 * both in turn, ratios within the round.
 */
async function gatewayRows(gateway: ServerProcess, direct: () => Promise<unknown>, backend: string): Promise<PostgresBenchRow[]> {
  const rows: PostgresBenchRow[] = [];
  for (const inFlight of [1, IN_FLIGHT]) {
    const ratios: number[] = [];
    const gatewayRates: number[] = [];
    const directRates: number[] = [];
    const cpu: number[] = [];
    let p99 = 0;
    let errors = 0;
    await load(gateway.port, WARMUP_S, POSTGRES_BODY, inFlight, POSTGRES_API_KEY);
    await rateFor(direct, WARMUP_S, inFlight);
    for (let round = 0; round < ROUNDS; round++) {
      const d = await rateFor(direct, DURATION_S, inFlight);
      const before = await gateway.cpuMicros();
      const g = await load(gateway.port, DURATION_S, POSTGRES_BODY, inFlight, POSTGRES_API_KEY);
      cpu.push(((await gateway.cpuMicros()) - before) / Math.max(1, g.total));
      directRates.push(d);
      gatewayRates.push(g.reqPerSec);
      ratios.push(g.reqPerSec / d);
      p99 = Math.max(p99, g.p99);
      errors += g.errors;
    }
    const what = inFlight === 1 ? 'sequential (1 connection)' : `${inFlight} in flight`;
    const baseline = `direct pg (${backend})`;
    rows.push({ name: `${baseline}: one-row select, ${what}, interleaved with the gateway`, value: Math.round(median(directRates)), unit: 'ops/s' });
    rows.push({
      name: `gateway (built CLI) GraphQL over HTTP, autocannon, ${what}`,
      value: Math.round(median(gatewayRates)),
      unit: 'req/s',
      baseline,
      ratio: round(median(ratios)),
      note: `ratio in each round ${ratios.map((r) => r.toFixed(2)).join(', ')}; server CPU ${Math.round(median(cpu))} µs/req; worst p99 ${p99} ms; ${errors} errors${inFlight === IN_FLIGHT ? ' (target ≥ 0.6× direct pg)' : ''}`,
    });
  }
  return rows;
}

/** The built CLI serving one RDS resolver that does the same select through `@aws-appsync/utils/rds`. */
export async function startPostgresBenchGateway(connectionString: string, nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
  const gateway = await startCliProject(
    'postgres',
    {
      'appsync.config.yml': `name: pg-bench
schema: schema.graphql
authentication:
  type: API_KEY
apiKeys:
  - name: bench
    value: ${POSTGRES_API_KEY}
dataSources:
  db:
    type: RELATIONAL_DATABASE
    config:
      connectionString: ${JSON.stringify(connectionString)}
      maxConnections: ${IN_FLIGHT}
resolvers:
  Query.person: { kind: UNIT, dataSource: db, code: person.js }
`,
      'schema.graphql': 'type Person { id: ID! name: String! age: Int }\ntype Query { person(id: ID!): Person }\n',
      'person.js': `import { util } from '@aws-appsync/utils';
import { createPgStatement, select, toJsonObject } from '@aws-appsync/utils/rds';
export function request(ctx) {
  return createPgStatement(select({ table: 'bench_people', columns: ['id', 'name', 'age'], where: { id: { eq: ctx.args.id } } }));
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return toJsonObject(ctx.result)[0][0];
}
`,
    },
    nodeArgs,
    env,
  );
  const answer = await post(gateway.port, POSTGRES_BODY, POSTGRES_API_KEY);
  if (JSON.stringify(answer) !== JSON.stringify({ data: { person: { id: '1', name: 'Ann', age: 31 } } })) {
    await gateway.stop();
    throw new Error(`bench query failed: ${JSON.stringify(answer)}`);
  }
  return gateway;
}
