/**
 * The embedded Postgres: PGlite (Postgres compiled to WASM) in this process, served on
 * 127.0.0.1 by @electric-sql/pglite-socket so the RELATIONAL_DATABASE data source talks to it
 * through `pg` exactly as it talks to a real server (DESIGN.md, "Real components").
 *
 * One per process, started on first use and stopped when the last user releases it.
 *
 * Gateway choice: PGlite is a single Postgres session, so the socket server accepts one
 * connection and every embedded user shares one `pg` pool of size 1 (`acquireEmbeddedPostgres().pool`);
 * requests queue there, and a transaction can never interleave with another request's statements.
 */
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Folder for the database files; absent → in memory (lost when the process ends). */
  dataDir?: string;
}

export interface EmbeddedPostgresLease {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  connectionString: string;
  /** The shared pool (size 1) every embedded data source uses. */
  pool: pg.Pool;
  /** The folder the running instance keeps its files in (undefined: in memory). */
  dataDir: string | undefined;
  /** Gives the lease back; the server stops when no lease is left. */
  release(): Promise<void>;
}

interface Running {
  connectionString: string;
  pool: pg.Pool;
  dataDir: string | undefined;
  stop(): Promise<void>;
}

let running: Promise<Running> | undefined;
let leases = 0;

async function start(options: EmbeddedPostgresOptions): Promise<Running> {
  // Loaded lazily: the WASM build is only paid for when a data source needs it.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const connectionString = `postgres://postgres@${server.getServerConn()}/postgres`;
  const pool = new pg.Pool({ connectionString, max: 1, idleTimeoutMillis: 0 });
  // A dropped idle connection is reported here; the pool replaces it on next use.
  pool.on('error', () => undefined);
  // Timestamps with time zone come back in UTC, as the Data API prints them.
  pool.on('connect', (client) => {
    client.query("SET TIME ZONE 'UTC'").catch(() => undefined);
  });
  return {
    connectionString,
    pool,
    dataDir: options.dataDir,
    async stop() {
      await pool.end().catch(() => undefined);
      await server.stop().catch(() => undefined);
      await db.close().catch(() => undefined);
    },
  };
}

/**
 * Starts the process's embedded Postgres if needed and returns a lease on it. All leases share
 * one database; `dataDir` counts only for the lease that starts it.
 */
export async function acquireEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgresLease> {
  leases++;
  if (!running) {
    running = start(options);
    running.catch(() => {
      running = undefined;
    });
  }
  let instance: Running;
  try {
    instance = await running;
  } catch (err) {
    leases--;
    throw err;
  }
  let released = false;
  return {
    connectionString: instance.connectionString,
    pool: instance.pool,
    dataDir: instance.dataDir,
    async release() {
      if (released) return;
      released = true;
      leases--;
      if (leases === 0 && running) {
        const current = running;
        running = undefined;
        await (await current).stop();
      }
    },
  };
}
