/**
 * The embedded Postgres: PGlite (Postgres compiled to WASM) in this process, served on
 * 127.0.0.1 by @electric-sql/pglite-socket so the RELATIONAL_DATABASE data source talks to it
 * through `pg` exactly as it talks to a real server (DESIGN.md, "Real components").
 *
 * One per process, started on first use and stopped when the last user releases it.
 *
 * PGlite and its socket server run in a worker thread: initialising the database (initdb, seconds
 * of WASM on every in-memory start) and running its queries never block the gateway's event loop,
 * so the API answers its other fields while Postgres starts, and a slow query never stalls them.
 *
 * Gateway choice: PGlite is a single Postgres session, so the socket server accepts one
 * connection and every embedded user shares one `pg` pool of size 1 (`acquireEmbeddedPostgres().pool`);
 * requests queue there, and a transaction can never interleave with another request's statements.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';

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

/**
 * The worker's code: plain JavaScript (no TypeScript loader needed in the worker, from src/ or
 * dist/), given the package entry points resolved from this module, so it finds the same
 * packages wherever the gateway is installed (the worker's own resolution starts at the cwd).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { PGlite } = require(workerData.pglite);
  const { PGLiteSocketServer } = require(workerData.socket);
  const db = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  parentPort.on('message', async (message) => {
    if (message !== 'stop') return;
    await server.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    parentPort.postMessage({ stopped: true });
    parentPort.close();
  });
  parentPort.postMessage({ conn: server.getServerConn() });
})().catch((error) => parentPort.postMessage({ error: error && error.stack ? String(error.stack) : String(error) }));
`;

/** Starts PGlite and its socket server in a worker; resolves with `host:port` and a stop function. */
function startWorker(dataDir: string | undefined): Promise<{ conn: string; stop(): Promise<void> }> {
  const resolvePackage = createRequire(import.meta.url).resolve;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { pglite: resolvePackage('@electric-sql/pglite'), socket: resolvePackage('@electric-sql/pglite-socket'), dataDir },
  });
  // A crash after start shows up as connection errors on the pool; without a listener the
  // worker's 'error' event would end the whole process.
  worker.on('error', () => undefined);
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  const stop = async () => {
    if (exited) return;
    const stopped = new Promise<void>((resolve) => worker.once('message', () => resolve()));
    worker.postMessage('stop');
    // A worker that does not confirm within 5 s is terminated.
    const timer = setTimeout(() => void worker.terminate(), 5_000);
    await Promise.race([stopped.then(() => worker.terminate()), exit]);
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    worker.once('message', (message: { conn?: string; error?: string }) => {
      if (message.conn) resolve({ conn: message.conn, stop });
      else {
        void worker.terminate();
        reject(new Error(`the embedded Postgres did not start: ${message.error ?? 'unknown error'}`));
      }
    });
    worker.once('error', (error) => reject(error));
    void exit.then(() => reject(new Error('the embedded Postgres worker exited while starting')));
  });
}

async function start(options: EmbeddedPostgresOptions): Promise<Running> {
  const { conn, stop } = await startWorker(options.dataDir);
  const connectionString = `postgres://postgres@${conn}/postgres`;
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({ connectionString, max: 1, idleTimeoutMillis: 0 });
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
      await stop();
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
