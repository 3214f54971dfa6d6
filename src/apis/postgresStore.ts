/**
 * The API registry in PostgreSQL, for several gateway instances behind one load balancer: where the
 * Step Functions store already shares a database (`stepFunctions.store.connectionString`), the APIs
 * built through the management API live in a table beside it (`<table>_apis`), and each change is
 * announced with NOTIFY, so every instance applies an API created or changed through any of them
 * (docs/management-api.md#several-instances).
 *
 * Gateway choice: the last write wins; two instances changing one API at the same moment do not
 * merge their changes. An older revision never replaces a newer one.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ApiDefinition } from './model.js';

/** Where the registry keeps its APIs besides memory. */
export interface RegistryStore {
  load(): Promise<ApiDefinition[]>;
  save(definition: ApiDefinition): Promise<void>;
  remove(apiId: string): Promise<void>;
  /** Calls `listener` for each change another instance made (`undefined`: deleted). */
  subscribe(listener: (apiId: string, definition: ApiDefinition | undefined) => void): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresRegistryOptions {
  connectionString: string;
  /** @default appsync_gateway_apis */
  table?: string;
  onError(error: Error): void;
}

export function createPostgresRegistryStore(options: PostgresRegistryOptions): RegistryStore {
  const table = options.table ?? 'appsync_gateway_apis';
  if (!/^[a-z_][a-z0-9_]*$/i.test(table)) throw new Error(`the API registry table must be an SQL identifier, got ${table}`);
  const channel = `${table}_changed`.slice(0, 63);
  // This instance's changes come back to it through NOTIFY too; it skips its own.
  const me = randomUUID();
  let pool: pg.Pool | undefined;
  let listener: pg.Client | undefined;
  let ready: Promise<pg.Pool> | undefined;
  const connect = () =>
    (ready ??= (async () => {
      const { default: driver } = await import('pg');
      pool = new driver.Pool({ connectionString: options.connectionString, max: 2 });
      // An idle connection the server dropped: the pool replaces it at the next query.
      pool.on('error', (error) => options.onError(error));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Instances starting together would race on CREATE … IF NOT EXISTS; one at a time.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`appsync-gateway:ddl:${table}`]);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${table} (api_id TEXT PRIMARY KEY, definition JSONB NOT NULL, changed_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => options.onError(rollback));
        throw error;
      } finally {
        client.release();
      }
      return pool;
    })());
  const notify = async (db: pg.Pool, apiId: string) => {
    await db.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ apiId, from: me })]);
  };
  return {
    async load() {
      const db = await connect();
      const { rows } = await db.query<{ definition: ApiDefinition }>(`SELECT definition FROM ${table} ORDER BY changed_at, api_id`);
      return rows.map((row) => row.definition);
    },
    async save(definition) {
      const db = await connect();
      // An older revision never replaces a newer one: an instance noting that it applied a schema
      // saves its own copy, which may predate a change another instance made meanwhile.
      const { rowCount } = await db.query(
        `INSERT INTO ${table} (api_id, definition) VALUES ($1, $2) ON CONFLICT (api_id) DO UPDATE SET definition = EXCLUDED.definition, changed_at = now() ` +
          `WHERE (${table}.definition->>'revision')::int <= (EXCLUDED.definition->>'revision')::int`,
        [definition.apiId, JSON.stringify(definition)],
      );
      if (rowCount) await notify(db, definition.apiId);
    },
    async remove(apiId) {
      const db = await connect();
      await db.query(`DELETE FROM ${table} WHERE api_id = $1`, [apiId]);
      await notify(db, apiId);
    },
    async subscribe(onChange) {
      const db = await connect();
      const { default: driver } = await import('pg');
      listener = new driver.Client({ connectionString: options.connectionString });
      await listener.connect();
      listener.on('error', (error) => options.onError(new Error(`the API registry stopped hearing other instances' changes: ${error.message}`)));
      listener.on('notification', (message) => {
        let note: { apiId?: string; from?: string };
        try {
          note = JSON.parse(message.payload ?? '{}') as typeof note;
        } catch (error) {
          options.onError(new Error(`an API registry notification is not JSON: ${(error as Error).message}`));
          return;
        }
        if (!note.apiId || note.from === me) return;
        const apiId = note.apiId;
        db.query<{ definition: ApiDefinition }>(`SELECT definition FROM ${table} WHERE api_id = $1`, [apiId]).then(
          ({ rows }) => onChange(apiId, rows[0]?.definition),
          (error: Error) => options.onError(error),
        );
      });
      await listener.query(`LISTEN ${channel}`);
    },
    async close() {
      await listener?.end().catch((error: Error) => options.onError(error));
      await pool?.end().catch((error: Error) => options.onError(error));
    },
  };
}
