/**
 * The execution store on PostgreSQL (`pg`): the same log as the file store, one row per record
 * in a table created on first use. Batches go out as one `INSERT … SELECT FROM
 * jsonb_array_elements(…) WITH ORDINALITY`, keeping their order in the `seq` column.
 *
 * Several gateway instances share one table: each row carries the `owner` (the instance id) that
 * wrote it, an instance loads and compacts only its own rows, and a session-level advisory lock
 * on (table, owner) keeps two live processes from claiming the same id, whose compactions would
 * delete each other's records.
 */
import type pg from 'pg';
import { ConfigError } from '../../errors.js';
import type { ExecutionStore, StoreRecord } from './types.js';

const FLUSH_DELAY_MS = 4;

export interface PostgresStoreOptions {
  connectionString: string;
  /** @default 'appsync_gateway_sfn_log' */
  table?: string;
  /**
   * This gateway instance's id: the rows it writes, loads and compacts. Every instance sharing
   * the table needs its own; an instance restarted with the same id resumes its executions.
   * @default 'default'
   */
  instanceId?: string;
  /** Told about a failed write; the store keeps going (the batch is lost). */
  onError?: (error: unknown) => void;
}

export function createPostgresStore(options: PostgresStoreOptions): ExecutionStore {
  const table = options.table ?? 'appsync_gateway_sfn_log';
  const owner = options.instanceId ?? 'default';
  const onError = options.onError ?? ((error: unknown) => process.emitWarning(`Step Functions store write failed: ${(error as Error)?.message ?? String(error)}`));
  if (!/^[a-z_][a-z0-9_]*$/i.test(table)) throw new Error(`stepFunctions.store.table: expected an SQL identifier, got ${table}`);
  // `pg` is loaded with the first query: a gateway on the file store never pays for it.
  let pool: pg.Pool | undefined;
  let ready: Promise<pg.Pool> | undefined;
  // The connection holding the instance lock: the lock lives as long as this session.
  let lockClient: pg.Client | undefined;
  const ensureTable = () =>
    (ready ??= (async () => {
      const { default: driver } = await import('pg');
      pool ??= new driver.Pool({ connectionString: options.connectionString, max: 2 });
      const client = await pool.connect();
      try {
        // Instances starting together would race on CREATE … IF NOT EXISTS; one at a time.
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`appsync-gateway:ddl:${table}`]);
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (seq BIGSERIAL PRIMARY KEY, owner TEXT NOT NULL DEFAULT 'default', record JSONB NOT NULL)`);
        // Tables written before instance ids existed: their rows belong to the default instance.
        await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS owner TEXT NOT NULL DEFAULT 'default'`);
        await client.query(`CREATE INDEX IF NOT EXISTS ${table}_owner_seq ON ${table} (owner, seq)`);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      if (!lockClient) await lockInstance(driver);
      return pool;
    })().catch(async (error: unknown) => {
      if (error instanceof ConfigError) {
        // Refused at start: nothing of this store stays open.
        await pool?.end().catch(() => undefined);
        pool = undefined;
      }
      // Try again with the next batch (the database may come back).
      ready = undefined;
      throw error;
    }));
  const lockInstance = async (driver: typeof pg) => {
    const client = new driver.Client({ connectionString: options.connectionString });
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [`appsync-gateway:${table}`, owner]);
    if (!rows[0]?.locked) {
      await client.end().catch(() => undefined);
      throw new ConfigError(
        'stepFunctions.store.instanceId',
        `instance "${owner}" of the Step Functions store table ${table} is in use by another running gateway; give each instance sharing the table its own instanceId`,
      );
    }
    // A dropped session releases the lock; the store keeps writing (its pool reconnects) and says so.
    client.on('error', (error) => {
      onError(new Error(`lost the instance lock of ${table}/${owner} (taken again with the next write): ${error.message}`));
      if (lockClient === client) {
        lockClient = undefined;
        ready = undefined;
      }
    });
    lockClient = client;
  };

  /** Queued records as JSON texts (events arrive already serialized). */
  let pending: string[] = [];
  // Only the latest checkpoint of each execution is written, once per batch (as the file store).
  let checkpoints = new Map<string, StoreRecord>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const insert = async (client: pg.Pool | pg.PoolClient, texts: string[]) => {
    await client.query(
      `INSERT INTO ${table} (owner, record) SELECT $2, value FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(value, n) ORDER BY n`,
      [`[${texts.join(',')}]`, owner],
    );
  };

  const writeBatch = (): Promise<void> => {
    timer = undefined;
    if (pending.length === 0 && checkpoints.size === 0) return writing;
    const batch = pending;
    for (const record of checkpoints.values()) batch.push(JSON.stringify(record));
    checkpoints = new Map();
    pending = [];
    writing = writing.then(async () => insert(await ensureTable(), batch)).catch(onError);
    return writing;
  };

  return {
    async load() {
      const db = await ensureTable();
      const { rows } = await db.query<{ record: StoreRecord }>(`SELECT record FROM ${table} WHERE owner = $1 ORDER BY seq`, [owner]);
      return rows.map((r) => r.record);
    },
    append(record) {
      if (closed) return;
      if (record.k === 'c') checkpoints.set(record.a, record);
      else {
        if (record.k === 'end') checkpoints.delete(record.a);
        pending.push(JSON.stringify(record));
      }
      timer ??= setTimeout(writeBatch, FLUSH_DELAY_MS);
    },
    appendEvents(arn, eventsJson) {
      if (closed) return;
      const text = typeof eventsJson === 'string' ? eventsJson : Buffer.from(eventsJson.buffer, eventsJson.byteOffset, eventsJson.byteLength).toString('utf8');
      pending.push(`{"k":"ev","a":${JSON.stringify(arn)},"ev":${text}}`);
      timer ??= setTimeout(writeBatch, FLUSH_DELAY_MS);
    },
    flush() {
      if (timer) clearTimeout(timer);
      return writeBatch();
    },
    compact(records) {
      // The records cover everything appended so far: what is still queued is in them. The
      // rewrite joins the write chain, so later batches land after it.
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = [];
      checkpoints = new Map();
      writing = writing.then(async () => {
        const client = await (await ensureTable()).connect();
        try {
          await client.query('BEGIN');
          await client.query(`DELETE FROM ${table} WHERE owner = $1`, [owner]);
          for (let i = 0; i < records.length; i += 5000) await insert(client, records.slice(i, i + 5000).map((r) => JSON.stringify(r)));
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      });
      const done = writing;
      writing = done.catch(onError);
      return done;
    },
    async close() {
      if (closed) return;
      await this.flush().catch(() => undefined);
      closed = true;
      await pool?.end();
      await lockClient?.end().catch(() => undefined);
    },
  };
}
