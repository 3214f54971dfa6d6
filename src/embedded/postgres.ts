/**
 * The embedded Postgres: PGlite (Postgres compiled to WASM) in this process, served on
 * 127.0.0.1 by @electric-sql/pglite-socket so the RELATIONAL_DATABASE data source talks to it
 * through `pg` exactly as it talks to a real server (DESIGN.md, "Real components").
 *
 * One per data folder (and one in memory) per process, started on first use and stopped when the
 * last user releases it. On disk, a transaction is acknowledged once Postgres wrote its commit to
 * the write-ahead log (PGlite's files are the folder's real files), so it survives the gateway
 * being killed.
 *
 * PGlite and its socket server run in a worker thread: initialising the database (initdb, seconds
 * of WASM on every in-memory start) and running its queries never block the gateway's event loop,
 * so the API answers its other fields while Postgres starts, and a slow query never stalls them.
 *
 * Gateway choice: PGlite is a single Postgres session, so the socket server accepts one
 * connection and every embedded user shares one `pg` pool of size 1 (`acquireEmbeddedPostgres().pool`);
 * requests queue there, and a transaction can never interleave with another request's statements.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Folder for the database files; absent → in memory (lost when the process ends). */
  dataDir?: string;
  /**
   * In-memory databases only: folder for a snapshot of a freshly initialised database (taken once,
   * before any client connects), so later starts load it instead of running initdb (~4x faster).
   * Absent → no snapshot.
   */
  snapshotDir?: string;
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

/** Running instances by folder ('' for the in-memory one), with their lease counts. */
const instances = new Map<string, { running: Promise<Running>; leases: number }>();

/**
 * The worker's code: plain JavaScript (no TypeScript loader needed in the worker, from src/ or
 * dist/), given the package entry points resolved from this module, so it finds the same
 * packages wherever the gateway is installed (the worker's own resolution starts at the cwd).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');

/**
 * PGlite's file layer (Emscripten) makes Postgres's fsync and fdatasync do nothing: a commit is in
 * the operating system's cache when it is acknowledged, which survives a killed process but not a
 * power cut. So each answer is held until the write-ahead log segments written since the last
 * answer are synced with the real fdatasync; an answer that wrote nothing costs a stat of pg_wal.
 */
function syncBeforeAnswering(db, walDir) {
  const fs = require('node:fs');
  const path = require('node:path');
  let syncedAt = 0;
  const syncWal = () => {
    const started = Date.now();
    for (const name of fs.readdirSync(walDir)) {
      if (!/^[0-9A-F]{24}$/.test(name)) continue;
      const file = path.join(walDir, name);
      // mtime is kept in nanoseconds; a margin covers a write in the same millisecond as the last sync.
      if (fs.statSync(file).mtimeMs < syncedAt - 5) continue;
      const fd = fs.openSync(file, 'r');
      try {
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    syncedAt = started;
  };
  const stream = db.execProtocolRawStream.bind(db);
  db.execProtocolRawStream = async (message, options) => {
    const chunks = [];
    try {
      // Copied: the chunks may be views of memory PGlite reuses.
      return await stream(message, { ...options, onRawData: (data) => chunks.push(new Uint8Array(data)) });
    } finally {
      syncWal();
      for (const chunk of chunks) options.onRawData(chunk);
    }
  };
}

(async () => {
  const { PGlite } = require(workerData.pglite);
  const { PGLiteSocketServer } = require(workerData.socket);
  const fs = require('node:fs');
  // A folder that already holds a database is opened as it is; a new one starts from the snapshot.
  const fresh = !workerData.dataDir || !fs.existsSync(require('node:path').join(workerData.dataDir, 'PG_VERSION'));
  const snapshot = fresh ? workerData.snapshot : undefined;
  let db;
  if (snapshot && fs.existsSync(snapshot)) {
    // A snapshot that cannot be loaded (corrupt, other format) is replaced below.
    const loadDataDir = new Blob([fs.readFileSync(snapshot)]);
    db = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir, loadDataDir } : { loadDataDir }).catch(() => undefined);
    // What a failed load left in a new folder is cleared before initdb runs there.
    if (!db && workerData.dataDir) {
      for (const entry of fs.readdirSync(workerData.dataDir)) fs.rmSync(require('node:path').join(workerData.dataDir, entry), { recursive: true, force: true });
    }
  }
  if (!db) {
    db = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
    if (snapshot) {
      try {
        // Taken before any client connects: the pristine database, without migrations or rows.
        const dump = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
        fs.mkdirSync(require('node:path').dirname(snapshot), { recursive: true, mode: 0o700 });
        const temp = snapshot + '.' + process.pid + '.tmp';
        fs.writeFileSync(temp, dump);
        fs.renameSync(temp, snapshot);
      } catch {
        // Without a snapshot the next start runs initdb again: slower, not wrong.
      }
    }
  }
  if (workerData.dataDir && workerData.syncWal) syncBeforeAnswering(db, require('node:path').join(workerData.dataDir, 'pg_wal'));
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
/** `<snapshotDir>/pglite-<version>.tar`: a snapshot is only valid for the PGlite that made it. */
function snapshotPath(snapshotDir: string | undefined, pgliteEntry: string): string | undefined {
  if (!snapshotDir) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(pgliteEntry), '..', 'package.json'), 'utf8')) as { name?: string; version?: string };
    if (pkg.name !== '@electric-sql/pglite' || !pkg.version) return undefined;
    // Only a folder this user owns: in a shared temp folder another user could have made it.
    const uid = process.getuid?.();
    for (const dir of [dirname(snapshotDir), snapshotDir]) if (uid !== undefined && existsSync(dir) && statSync(dir).uid !== uid) return undefined;
    return join(snapshotDir, `pglite-${pkg.version}.tar`);
  } catch {
    return undefined;
  }
}

function startWorker(options: EmbeddedPostgresOptions): Promise<{ conn: string; stop(): Promise<void> }> {
  const resolvePackage = createRequire(import.meta.url).resolve;
  const pglite = resolvePackage('@electric-sql/pglite');
  if (options.dataDir) checkFolder(options.dataDir);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pglite,
      socket: resolvePackage('@electric-sql/pglite-socket'),
      dataDir: options.dataDir,
      snapshot: snapshotPath(options.snapshotDir, pglite),
      syncWal: !/^(off|0|false)$/i.test(process.env.APPSYNC_GATEWAY_POSTGRES_SYNC ?? ''),
    },
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
        const where = options.dataDir ? ` in ${options.dataDir}` : '';
        const hint = options.dataDir ? '; nothing was changed — restore the folder from a backup, or move it away to start empty' : '';
        reject(new Error(`the embedded Postgres did not start${where}: ${firstLine(message.error ?? 'unknown error')}${hint}`));
      }
    });
    worker.once('error', (error) => reject(error));
    void exit.then(() => reject(new Error(`the embedded Postgres worker exited while starting${options.dataDir ? ` in ${options.dataDir}` : ''}`)));
  });
}

async function start(options: EmbeddedPostgresOptions): Promise<Running> {
  const { conn, stop } = await startWorker(options);
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
 * Starts the embedded Postgres of `options.dataDir` (or the in-memory one) if needed and returns a
 * lease on it. Leases on one folder share one database. Throws when the folder cannot be used
 * (not a Postgres data folder, corrupted), naming it.
 */
export async function acquireEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgresLease> {
  const key = options.dataDir ?? '';
  let entry = instances.get(key);
  if (!entry) {
    const created = { running: start(options), leases: 0 };
    created.running.catch(() => {
      if (instances.get(key) === created) instances.delete(key);
    });
    instances.set(key, created);
    entry = created;
  }
  const current = entry;
  current.leases++;
  let instance: Running;
  try {
    instance = await current.running;
  } catch (err) {
    current.leases--;
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
      current.leases--;
      if (current.leases === 0 && instances.get(key) === current) {
        instances.delete(key);
        await instance.stop();
      }
    },
  };
}

/** The Postgres folder of the data folder `dataDir`. */
export function embeddedPostgresFolder(dataDir: string): string {
  return join(dataDir, 'postgres');
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}

/**
 * Refuses a folder PGlite would damage: initdb runs in any folder without PG_VERSION, so one that
 * holds other files (a half-copied database, the wrong folder) stops the start instead.
 */
function checkFolder(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new Error(`the embedded Postgres folder ${dir} is not a folder`);
  const entries = readdirSync(dir);
  if (entries.length > 0 && !entries.includes('PG_VERSION')) {
    throw new Error(
      `the embedded Postgres folder ${dir} holds files but no Postgres database (no PG_VERSION file); nothing was changed — ` +
        'move it away to start empty, or point the data folder elsewhere',
    );
  }
}
