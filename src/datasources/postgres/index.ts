/**
 * RELATIONAL_DATABASE data source (docs/postgres.md). On AppSync it reaches Aurora
 * through the RDS Data API; here the same request objects (`statements`, `variableMap`,
 * `variableTypeHintMap`) run on any PostgreSQL through `pg`, and `ctx.result` is the same JSON
 * string of `sqlStatementResults` that `toJsonObject` reads.
 *
 * Where the database lives: `config.connectionString`; else the usual `PG*` environment
 * variables; else the process's embedded Postgres (src/embedded/postgres.ts).
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type pg from 'pg';
import { ConfigError, DataSourceError } from '../../errors.js';
import { acquireEmbeddedPostgres, embeddedPostgresFolder, type EmbeddedPostgresLease } from '../../embedded/postgres.js';
import { BindError, bindParameters, type BoundStatement } from './bindParameters.js';
import { ColumnCatalog } from './columnCatalog.js';
import { sqlStatementResultsJson } from './dataApiResult.js';
import { applyMigrations } from './migrations.js';
import { isPipelinable, PipelinedConnection } from './pipeline.js';
import { forgetStatements, isLostStatement, isStalePlan, noteUse, overFull, statementName, trimStatements } from './preparedStatements.js';
import { queryConfig } from './queryConfig.js';
import { badRequest, isConnectionError, toRdsError } from './rdsError.js';
import type { DataSource, DataSourceKind, DataSourceResult } from '../types.js';

export { MIGRATIONS_TABLE } from './migrations.js';

/** `dataSources.<name>.config` of a RELATIONAL_DATABASE data source. */
export interface PostgresDataSourceConfig {
  /** `postgres://user:pass@host:port/db`. Absent → `PG*` variables → embedded Postgres. */
  connectionString?: string;
  /** Pool size for a real server. @default 10 */
  maxConnections?: number;
  /** Folder of `.sql` files applied in name order, once each, at start (relative to the config file). */
  migrations?: string;
  /** `statement_timeout` in milliseconds for every statement. @default none */
  statementTimeout?: number;
  /**
   * Send each SQL text as a named (prepared) statement, parsed once per connection. `false` for a
   * pooler that cannot keep them (PgBouncer before 1.21 in transaction mode). @default true
   */
  preparedStatements?: boolean;
  /**
   * Real servers: write single statements that cannot touch the transaction state (SELECT, WITH,
   * VALUES, TABLE, INSERT, UPDATE, DELETE) to one pipelined connection, one of `maxConnections`,
   * while it is not held up by a slow statement. @default true
   */
  pipelining?: boolean;
  /**
   * Embedded Postgres only: folder to keep its files in (relative to the config file).
   * @default `postgres/` in the gateway's data folder
   */
  dataDir?: string;
  /** Embedded Postgres only: keep the database in memory (lost when the gateway stops). @default false */
  inMemory?: boolean;
  // Serverless Framework AppSync plugin keys (doc/dataSources.md of serverless-appsync-plugin):
  // accepted and ignored locally (no Data API here). Values may be CloudFormation references.
  region?: string;
  dbClusterIdentifier?: string;
  databaseName?: string;
  awsSecretStoreArn?: string;
  schema?: string;
  serviceRoleArn?: unknown;
  iamRoleStatements?: unknown;
  relationalDatabaseSourceType?: string;
}

/** AppSync runs one or two statements per request (resolver-reference-rds-js.html, createPgStatement). */
const MAX_STATEMENTS = 2;

const PG_ENV_KEYS = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGSERVICE'];

const KNOWN_KEYS = new Set([
  'connectionString',
  'maxConnections',
  'migrations',
  'statementTimeout',
  'preparedStatements',
  'pipelining',
  'dataDir',
  'inMemory',
  'region',
  'dbClusterIdentifier',
  'databaseName',
  'awsSecretStoreArn',
  'schema',
  'serviceRoleArn',
  'iamRoleStatements',
  'relationalDatabaseSourceType',
]);

function validateConfig(config: unknown, path: string): ConfigError[] {
  const errors: ConfigError[] = [];
  if (config === undefined || config === null) return errors;
  if (typeof config !== 'object' || Array.isArray(config))
    return [new ConfigError(path, `expected an object, got ${Array.isArray(config) ? 'array' : typeof config}`)];
  const c = config as Record<string, unknown>;
  const str = (key: string) => {
    if (c[key] !== undefined && typeof c[key] !== 'string') errors.push(new ConfigError(`${path}.${key}`, `expected string, got ${typeof c[key]}`));
  };
  const posInt = (key: string) => {
    const v = c[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1))
      errors.push(new ConfigError(`${path}.${key}`, `expected a positive integer, got ${JSON.stringify(v)}`));
  };
  for (const key of ['connectionString', 'migrations', 'dataDir']) str(key);
  for (const key of ['inMemory', 'preparedStatements', 'pipelining']) {
    if (c[key] !== undefined && typeof c[key] !== 'boolean')
      errors.push(new ConfigError(`${path}.${key}`, `expected true or false, got ${JSON.stringify(c[key])}`));
  }
  if (c.inMemory === true && c.dataDir !== undefined)
    errors.push(new ConfigError(`${path}.inMemory`, 'an in-memory database has no dataDir; remove one of the two'));
  posInt('maxConnections');
  posInt('statementTimeout');
  if (typeof c.connectionString === 'string' && !/^postgres(ql)?:\/\//.test(c.connectionString)) {
    errors.push(new ConfigError(`${path}.connectionString`, 'expected a postgres:// or postgresql:// URL'));
  }
  for (const key of Object.keys(c)) {
    if (!KNOWN_KEYS.has(key)) errors.push(new ConfigError(`${path}.${key}`, `unknown key; expected one of ${[...KNOWN_KEYS].join(', ')}`));
  }
  return errors;
}

/** Reads and checks the request object `request(ctx)` returned (RDSRequest in resolver-return-types.d.ts). */
function parseRequest(request: unknown): BoundStatement[] {
  if (request === null || typeof request !== 'object' || Array.isArray(request))
    throw badRequest('The RDS request must be an object with statements and variableMap.');
  const { statements, variableMap, variableTypeHintMap } = request as Record<string, unknown>;
  if (!Array.isArray(statements) || statements.length === 0 || statements.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw badRequest('statements must be a list of one or two non-empty SQL strings.');
  }
  if (statements.length > MAX_STATEMENTS) throw badRequest(`At most ${MAX_STATEMENTS} statements can be sent in one request; got ${statements.length}.`);
  const isMap = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v));
  if (!isMap(variableMap)) throw badRequest('variableMap must be an object.');
  if (!isMap(variableTypeHintMap)) throw badRequest('variableTypeHintMap must be an object.');
  try {
    return (statements as string[]).map((s) =>
      bindParameters(s, (variableMap ?? {}) as Record<string, unknown>, (variableTypeHintMap ?? {}) as Record<string, unknown>),
    );
  } catch (err) {
    if (err instanceof BindError) throw badRequest(err.message);
    throw err;
  }
}

/** Whether the connection is inside a transaction (ReadyForQuery status T, or E when failed). */
function inTransaction(client: pg.PoolClient): boolean {
  const status = (client as unknown as { getTransactionStatus?(): string | null }).getTransactionStatus?.();
  return status === 'T' || status === 'E';
}

/**
 * Where the embedded Postgres keeps its initdb snapshot (src/embedded/postgres.ts). The snapshot is
 * the same for every project (an empty database of one PGlite version, ~40 MB), so it is kept once
 * per user in the OS temp folder rather than in each project; `APPSYNC_GATEWAY_CACHE_DIR` moves it
 * (`<dir>/postgres`), `off` turns it off.
 */
function snapshotDir(): string | undefined {
  const setting = process.env.APPSYNC_GATEWAY_CACHE_DIR;
  if (setting === 'off' || setting === '0' || setting === 'false') return undefined;
  return setting ? join(setting, 'postgres') : join(tmpdir(), `appsync-gateway-${process.getuid?.() ?? 'user'}`, 'postgres');
}

function hasPgEnv(): boolean {
  return PG_ENV_KEYS.some((k) => !!process.env[k]);
}

export const postgresKind: DataSourceKind<PostgresDataSourceConfig> = {
  validate: validateConfig,
  keepsData: (config) => !config?.connectionString && !hasPgEnv() && config?.inMemory !== true,

  async create({ name, config = {}, configPath, configDir, logger, dataDir: gatewayDataDir, inMemory }): Promise<DataSource> {
    const problems = validateConfig(config, configPath);
    if (problems.length > 0) throw problems[0];

    let pool!: pg.Pool;
    /** Real servers with `pipelining` on. */
    let pipeline: PipelinedConnection | undefined;
    let lease: EmbeddedPostgresLease | undefined;
    const migrationsDir = config.migrations ? (isAbsolute(config.migrations) ? config.migrations : resolve(configDir, config.migrations)) : undefined;
    if (migrationsDir && !existsSync(migrationsDir)) throw new ConfigError(`${configPath}.migrations`, `folder not found: ${migrationsDir}`);
    const migrate = async () => {
      if (!migrationsDir) return;
      const run = await applyMigrations(pool, migrationsDir);
      if (run.applied.length > 0) logger.info(`postgres data source ${name}: applied migrations`, { applied: run.applied });
    };
    /** Resolves once the database is usable; requests wait for it. */
    let ready: Promise<void>;
    let closed = false;
    if (config.connectionString || hasPgEnv()) {
      // pg loads here, not at module level: an API whose Postgres is embedded loads it when the
      // embedded server is up (src/embedded/postgres.ts), after the gateway started serving.
      const { default: driver } = await import('pg');
      const maxConnections = config.maxConnections ?? 10;
      const pipelined = config.pipelining !== false && maxConnections > 1;
      const connection = config.connectionString ? { connectionString: config.connectionString } : {};
      // The pipelined connection is one of maxConnections.
      // Session settings with SET rather than the startup `options` parameter, which poolers such
      // as PgBouncer refuse. UTC: timestamps with time zone come back as the Data API prints them
      // (dataApiResult.ts converts any other offset too).
      const session = `SET TIME ZONE 'UTC'${config.statementTimeout ? `; SET statement_timeout = ${config.statementTimeout}` : ''}`;
      // pg-pool's onConnect hook: a new connection is handed out once its session is set (a
      // connection whose SET fails is closed and the request fails with it). Sent from the 'connect'
      // event instead, the SET ran beside the request's own query, which pg reports as deprecated.
      // (@types/pg types the hook as returning void; pg-pool awaits what it returns.)
      const onConnect = (async (client: pg.ClientBase) => {
        await client.query(session);
      }) as (client: pg.ClientBase) => void;
      pool = new driver.Pool({ ...connection, max: pipelined ? maxConnections - 1 : maxConnections, onConnect });
      if (pipelined) {
        pipeline = new PipelinedConnection(
          async () => {
            const client = new driver.Client({ ...connection, pipeline: true } as pg.ClientConfig);
            try {
              await client.connect();
              await client.query(session);
            } catch (err) {
              await client.end().catch(() => undefined);
              throw err;
            }
            return client;
          },
          logger,
          `postgres data source ${name}`,
        );
      }
      // An idle client losing its server lands here; the pool drops it and the next request reconnects.
      pool.on('error', (err) => logger.warn(`postgres data source ${name}: idle connection lost`, { error: err.message }));
      // A real server: a failing migration refuses to start the gateway.
      try {
        await migrate();
      } catch (err) {
        await pool.end().catch(() => undefined);
        throw new ConfigError(`${configPath}.migrations`, (err as Error).message, { cause: err });
      }
      ready = Promise.resolve();
    } else {
      // Gateway choice: the embedded Postgres (seconds to initialise) starts in the background, so
      // the gateway answers at once; requests to this data source wait until it is ready.
      // In memory when the gateway or this data source says so; else its own dataDir, else the data folder's.
      const dataDir =
        inMemory || config.inMemory === true
          ? undefined
          : config.dataDir
            ? isAbsolute(config.dataDir)
              ? config.dataDir
              : resolve(configDir, config.dataDir)
            : gatewayDataDir && embeddedPostgresFolder(gatewayDataDir);
      ready = (async () => {
        try {
          lease = await acquireEmbeddedPostgres({ dataDir, snapshotDir: snapshotDir() });
        } catch (err) {
          // A data folder that cannot be opened is the operator's to fix, as a config error is.
          throw dataDir ? new ConfigError(config.dataDir ? `${configPath}.dataDir` : 'server.dataDir', (err as Error).message, { cause: err }) : err;
        }
        pool = lease.pool;
        // Closed while it started (the gateway could not listen, a --watch reload replaced this API):
        // a line saying it is in use would read as if the gateway went on, and migrations wait for
        // the next start; close() releases the lease.
        if (closed) return;
        logger.info(`postgres data source ${name}: using the embedded Postgres`, {
          connectionString: lease.connectionString,
          data: lease.dataDir ?? 'in memory — nothing is kept',
        });
        await migrate();
      })();
      ready.catch((err: Error) => logger.error(`postgres data source ${name}: the embedded Postgres did not start`, { error: err.message }));
    }

    const catalog = new ColumnCatalog();
    /** `columnMetadata` JSON texts per column list (dataApiResult.ts). */
    const metadataTexts = new Map<string, string>();
    /** Named statements; turned off for good when the server connections behind a pooler do not keep them. */
    let prepared = config.preparedStatements !== false;
    /**
     * Whether to run a request again unnamed after `err`: a named statement missing or already there
     * (a pooler switching server connections). The first such error turns named statements off for
     * this data source, with one warning that names the key to set.
     */
    const lostStatement = (err: unknown): boolean => {
      if (!isLostStatement(err)) return false;
      if (prepared) {
        prepared = false;
        logger.warn(
          `postgres data source ${name}: a named statement was missing or already there on the server connection, ` +
            'as behind PgBouncer before 1.21 in transaction mode; statements are sent unnamed from now on (set preparedStatements: false to start that way)',
          { error: (err as Error).message },
        );
      }
      return true;
    };
    /** Runs the statements on `client`: the results, or what Postgres answered as thrown. */
    const runStatements = async (client: pg.PoolClient, bound: BoundStatement[]): Promise<Array<pg.QueryResult<unknown[]>>> => {
      const transaction = bound.length > 1;
      // AppSync runs a request's statements together: all or nothing.
      if (transaction) await client.query('BEGIN');
      const raw: Array<pg.QueryResult<unknown[]>> = [];
      for (const statement of bound) {
        // Noted before it runs: a statement that parses and then fails (a constraint, a cast) stays prepared.
        if (prepared) noteUse(client, statementName(statement.text));
        const result = await client.query<unknown[]>(queryConfig(statement.text, prepared), statement.values);
        raw.push(result);
      }
      if (transaction) await client.query('COMMIT');
      // Gateway choice: a statement may not leave a transaction open (BEGIN without COMMIT); it is
      // rolled back and reported, so no later request runs inside it.
      if (inTransaction(client)) {
        await client.query('ROLLBACK');
        throw badRequest('A statement left a transaction open; it was rolled back. Two statements in one request already run in one transaction.');
      }
      if (prepared && overFull(client)) await trimStatements(client);
      return raw;
    };
    /** Runs one statement on the pipelined connection; the JSON text of its `sqlStatementResults`. */
    const executePipelined = async (line: PipelinedConnection, statement: BoundStatement): Promise<string> => {
      let raw: pg.QueryResult<unknown[]>;
      const named = prepared;
      try {
        raw = await line.query(statement.text, statement.values, named);
      } catch (err) {
        // Not run (the Parse or Bind failed): run again unnamed, down the pipeline or on the pool.
        if (named && lostStatement(err)) return execute([statement]);
        if (!isStalePlan(err)) throw toRdsError(err);
        // A table changed under the statement prepared there: dropped there, and this request runs on the pool.
        line.forget(statementName(statement.text));
        return executePooled([statement]);
      }
      if (raw.fields?.length) await catalog.learn(pool, raw.fields);
      return sqlStatementResultsJson([raw], catalog, metadataTexts);
    };
    /** Runs the statements; the JSON text of their `sqlStatementResults`. */
    const execute = (bound: BoundStatement[]): Promise<string> =>
      pipeline && bound.length === 1 && isPipelinable(bound[0]!.text) && pipeline.available() ? executePipelined(pipeline, bound[0]!) : executePooled(bound);
    /** Runs the statements on a pooled connection of their own. */
    const executePooled = async (bound: BoundStatement[]): Promise<string> => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toRdsError(err);
      }
      const transaction = bound.length > 1;
      let failure: unknown;
      try {
        for (let attempt = 1; ; attempt++) {
          let raw: Array<pg.QueryResult<unknown[]>>;
          try {
            raw = await runStatements(client, bound);
          } catch (err) {
            if (!isConnectionError(err) && (transaction || inTransaction(client))) {
              await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
                failure = rollbackErr;
              });
            }
            // Rolled back or never run: the whole request again, unnamed.
            if (attempt === 1 && failure === undefined && lostStatement(err)) continue;
            // A table changed under a statement prepared on this connection: prepared again, once.
            if (attempt === 1 && failure === undefined && isStalePlan(err)) {
              logger.debug(`postgres data source ${name}: a table's columns changed; statements prepared again`, { error: (err as Error).message });
              await forgetStatements(client);
              continue;
            }
            throw err;
          }
          for (const result of raw) await catalog.learn(client, result.fields ?? []);
          return sqlStatementResultsJson(raw, catalog, metadataTexts);
        }
      } catch (err) {
        failure ??= err;
        throw toRdsError(err);
      } finally {
        // A client whose connection broke is destroyed, not returned to the pool.
        client.release(failure !== undefined && isConnectionError(failure) ? (failure as Error) : undefined);
      }
    };

    return {
      name,
      type: 'RELATIONAL_DATABASE',
      async invoke(request): Promise<DataSourceResult> {
        try {
          await ready;
        } catch (err) {
          return { error: { message: `Database is unavailable: ${(err as Error).message}`, type: 'RDSHttp:DatabaseUnavailableException' } };
        }
        try {
          const bound = parseRequest(request);
          // ctx.result is the JSON *string* of the ExecuteStatement results, as on AppSync.
          return { result: await execute(bound) };
        } catch (err) {
          const error = err instanceof DataSourceError ? err : toRdsError(err);
          return { error: { message: error.message, type: error.errorType } };
        }
      },
      ready: () => ready,
      async close() {
        closed = true;
        await ready.catch(() => undefined);
        if (lease) await lease.release();
        else {
          await pipeline
            ?.close()
            .catch((err: Error) => logger.warn(`postgres data source ${name}: closing the pipelined connection failed`, { error: err.message }));
          await pool.end().catch(() => undefined);
        }
      },
    };
  },
};
