/**
 * Shared test code for the RELATIONAL_DATABASE data source: the two backends every case runs on
 * (a real PostgreSQL server from the global setup, and the embedded PGlite), a per-file database
 * on the real server, and a small `run` helper that invokes the data source and parses the result.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { postgresKind, type PostgresDataSourceConfig } from '../../../src/datasources/postgres/index.js';
import type { DataSource, InvocationContext } from '../../../src/datasources/types.js';
import { silentLogger } from '../../utils/logger.js';

export const invocation: InvocationContext = {
  resolverName: 'Query.test',
  fieldName: 'test',
  parentTypeName: 'Query',
  requestScope: new Map(),
  resolverContext: {},
};

export async function createDataSource(config: PostgresDataSourceConfig, configDir = process.cwd()): Promise<DataSource> {
  return postgresKind.create({
    name: 'pg',
    config,
    configPath: 'dataSources.pg.config',
    configDir,
    gatewayConfig: {} as never,
    logger: silentLogger,
  });
}

/** Creates a fresh database on the shared server, so test files never see each other's tables. */
export async function createTestDatabase(serverUrl: string): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Backend {
  name: string;
  /** Empty when the backend is available. */
  skipReason: string;
  /** Config for a data source on this backend (a fresh database on the real server). */
  config(): Promise<PostgresDataSourceConfig>;
}

const PG_ENV_KEYS = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGSERVICE'];

export function backends(): Backend[] {
  const url = inject('postgresUrl');
  return [
    {
      name: 'PostgreSQL server',
      skipReason: url ? '' : inject('postgresSkipReason'),
      config: async () => ({ connectionString: await createTestDatabase(url), maxConnections: 3 }),
    },
    {
      name: 'embedded PGlite',
      skipReason: '',
      config: async () => {
        // The embedded default is chosen only when no PG* variable names a server.
        for (const key of PG_ENV_KEYS) delete process.env[key];
        return {};
      },
    },
  ];
}

/** Invokes and returns `{ result: parsed ctx.result | undefined, error }`. */
export async function run(ds: DataSource, request: unknown): Promise<{ result: any; error: { message: string; type: string } | undefined }> {
  const out = await ds.invoke(request, invocation);
  if (out.result !== undefined && typeof out.result !== 'string') throw new Error('ctx.result must be a JSON string');
  return { result: out.result === undefined ? undefined : JSON.parse(out.result as string), error: out.error };
}

/** One statement, variables given by name without the colon. */
export function stmt(sql: string, vars: Record<string, unknown> = {}, hints: Record<string, string> = {}) {
  const prefix = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`:${k}`, v]));
  return { statements: [sql], variableMap: prefix(vars), variableTypeHintMap: prefix(hints) };
}

/** The records of statement `i` as plain values (what toJsonObject would give, minus keys). */
export function values(result: any, i = 0): unknown[][] {
  return result.sqlStatementResults[i].records.map((row: Array<Record<string, unknown>>) =>
    row.map((field) => (field.isNull ? null : (field.arrayValue ?? Object.values(field)[0]))),
  );
}
