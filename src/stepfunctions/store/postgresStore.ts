/**
 * The execution store on PostgreSQL (`pg`): the same log as the file store, one row per record
 * in a table created on first use. Batches go out as one `INSERT … SELECT FROM
 * jsonb_array_elements(…) WITH ORDINALITY`, keeping their order in the `seq` column.
 *
 * Gateway choice: one gateway instance owns the executions it starts; several instances may share
 * the database for durability, but each resumes only what its own log replay finds at start.
 */
import type pg from 'pg';
import type { ExecutionStore, StoreRecord } from './types.js';

const FLUSH_DELAY_MS = 4;

export interface PostgresStoreOptions {
  connectionString: string;
  /** @default 'appsync_gateway_sfn_log' */
  table?: string;
  /** Told about a failed write; the store keeps going (the batch is lost). */
  onError?: (error: unknown) => void;
}

export function createPostgresStore(options: PostgresStoreOptions): ExecutionStore {
  const table = options.table ?? 'appsync_gateway_sfn_log';
  const onError = options.onError ?? ((error: unknown) => process.emitWarning(`Step Functions store write failed: ${(error as Error)?.message ?? String(error)}`));
  if (!/^[a-z_][a-z0-9_]*$/i.test(table)) throw new Error(`stepFunctions.store.table: expected an SQL identifier, got ${table}`);
  // `pg` is loaded with the first query: a gateway on the file store never pays for it.
  let pool: pg.Pool | undefined;
  let ready: Promise<pg.Pool> | undefined;
  const ensureTable = () =>
    (ready ??= (async () => {
      const { default: driver } = await import('pg');
      pool ??= new driver.Pool({ connectionString: options.connectionString, max: 2 });
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (seq BIGSERIAL PRIMARY KEY, record JSONB NOT NULL)`);
      return pool;
    })().catch((error: unknown) => {
      // Try again with the next batch (the database may come back).
      ready = undefined;
      throw error;
    }));
  /** Queued records as JSON texts (events arrive already serialized). */
  let pending: string[] = [];
  // Only the latest checkpoint of each execution is written, once per batch (as the file store).
  let checkpoints = new Map<string, StoreRecord>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const insert = async (client: pg.Pool | pg.PoolClient, texts: string[]) => {
    await client.query(
      `INSERT INTO ${table} (record) SELECT value FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(value, n) ORDER BY n`,
      [`[${texts.join(',')}]`],
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
      const { rows } = await db.query<{ record: StoreRecord }>(`SELECT record FROM ${table} ORDER BY seq`);
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
          await client.query(`DELETE FROM ${table}`);
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
    },
  };
}
