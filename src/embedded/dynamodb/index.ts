/**
 * The embedded DynamoDB-compatible store (dynalite) for data sources without an `endpoint`: one per
 * folder (or one in memory) per process on 127.0.0.1, started on first use and stopped when the
 * last data source using it closes. A real server on loopback, reached through the AWS SDK like any
 * endpoint; the gateway's own clients skip the socket with {@link embeddedDynamoDBRequestHandler}.
 *
 * On disk, dynalite keeps its tables in a LevelDB under the folder given. LevelDB writes its log on
 * each put, so an acknowledged write survives the gateway being killed; the store also asks LevelDB
 * to sync each write to the disk before it is acknowledged (see {@link syncEveryWrite}), so it
 * survives the machine going down too.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { RequestListener, Server } from 'node:http';
import { join } from 'node:path';
import { inProcessRequestHandler, type InProcessRequestHandler } from './inProcess.js';
import type { EmbeddedDynamoDBStore } from './store.js';

export type { EmbeddedDynamoDBStore } from './store.js';
export { StoreError } from './errors.js';

export interface EmbeddedDynamoDBOptions {
  /** Folder of the store's LevelDB (created when missing); absent → in memory (lost when the process ends). */
  path?: string;
}

interface Running {
  endpoint: Promise<string>;
  server?: Server;
  /** The store itself, for the gateway's own calls in memory (embedded/dynamodb/store.ts). */
  store?: EmbeddedDynamoDBStore;
  users: number;
}

/** Running stores by folder ('' for the in-memory one). */
const running = new Map<string, Running>();
/** endpoint → folder key, for release and the in-process handler. */
const byEndpoint = new Map<string, string>();

/** LevelDB through the copy dynalite itself loads, so both open the same files the same way. */
function dynaliteRequire(): NodeJS.Require {
  return createRequire(createRequire(import.meta.url).resolve('dynalite'));
}

/**
 * Opens the folder's LevelDB once before dynalite does, to turn a folder that cannot be used into
 * an error naming it: dynalite opens its database lazily and reports a failed open only as
 * "Database is closed" on each request. Nothing in the folder is changed when it fails.
 */
async function checkFolder(path: string): Promise<void> {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new Error(`the embedded DynamoDB folder ${path} is not a folder`);
    const entries = readdirSync(path);
    // LevelDB would start a new database beside files it cannot read (and reuse their names).
    if (entries.length > 0 && !entries.includes('CURRENT')) {
      throw new Error(
        `the embedded DynamoDB folder ${path} holds files but no LevelDB database (no CURRENT file); nothing was changed — ` +
          'move it away to start empty, or point the data folder elsewhere',
      );
    }
  }
  const { Level } = dynaliteRequire()('level') as { Level: new (path: string, options: object) => { open(): Promise<void>; close(): Promise<void> } };
  const db = new Level(path, { valueEncoding: 'json' });
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.message ?? (error as Error).message;
    if (cause?.code === 'LEVEL_LOCKED')
      throw new Error(`the embedded DynamoDB folder ${path} is locked by another process (${reason}); give each gateway its own data folder`);
    throw new Error(
      `the embedded DynamoDB folder ${path} cannot be opened (${reason}); nothing was changed — restore it from a backup, or move it away to start empty`,
      { cause: error },
    );
  }
  await db.close();
}

/**
 * Makes every write of `db` (dynalite's LevelDB) a synced one: LevelDB's `sync` write option, which
 * dynalite never sets, so an acknowledged write is on the disk, not only in the operating system's
 * cache. LevelDB merges concurrent synced writes into one log write, so under load the cost is one
 * fsync per group (bench: docs/where-data-lives.md). `APPSYNC_GATEWAY_DYNAMODB_SYNC=off` turns it
 * off (a power cut may then lose the last writes; a killed gateway still loses none).
 */
function syncEveryWrite(db: Record<string, unknown>): void {
  if (/^(off|0|false)$/i.test(process.env.APPSYNC_GATEWAY_DYNAMODB_SYNC ?? '')) return;
  // abstract-level hands every put, del and batch to these with the options last.
  for (const method of ['_put', '_del', '_batch']) {
    const write = db[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof write !== 'function') throw new Error(`the embedded DynamoDB store cannot sync its writes: LevelDB has no ${method}`);
    db[method] = function (this: unknown, ...args: unknown[]) {
      args[args.length - 1] = { ...(args[args.length - 1] as object | undefined), sync: true };
      return write.apply(this, args);
    };
  }
}

/**
 * Starts the store for `options.path` (or the in-memory one) if needed and returns its endpoint.
 * Throws when the folder cannot be used (not a LevelDB, corrupted, locked), naming it.
 */
export async function acquireEmbeddedDynamoDB(options: EmbeddedDynamoDBOptions = {}): Promise<string> {
  const key = options.path ?? '';
  let state = running.get(key);
  if (!state) {
    const created: Running = { users: 0, endpoint: Promise.resolve('') };
    created.endpoint = (async () => {
      if (options.path) await checkFolder(options.path);
      // Loaded on first use: dynalite and LevelDB cost start-up time a gateway without the store need not pay.
      const { openEmbeddedDynamoDB } = await import('./store.js');
      const { server, store } = openEmbeddedDynamoDB({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
      created.server = server;
      created.store = store;
      if (options.path) syncEveryWrite(store.dynalite.db as unknown as Record<string, unknown>);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      byEndpoint.set(endpoint, key);
      return endpoint;
    })();
    // A store that failed to start is forgotten, so the next user tries again.
    created.endpoint.catch(() => {
      if (running.get(key) === created) running.delete(key);
    });
    running.set(key, created);
    state = created;
  }
  state.users += 1;
  try {
    return await state.endpoint;
  } catch (error) {
    state.users -= 1;
    throw error;
  }
}

/** Gives back a use of the store at `endpoint` (absent: the in-memory one); it stops when no user is left. */
export async function releaseEmbeddedDynamoDB(endpoint?: string): Promise<void> {
  const key = endpoint === undefined ? '' : byEndpoint.get(endpoint);
  const state = key === undefined ? undefined : running.get(key);
  if (!state) return;
  state.users -= 1;
  if (state.users > 0) return;
  running.delete(key!);
  const { server } = state;
  for (const [at, of] of byEndpoint) if (of === key) byEndpoint.delete(at);
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * An SDK `requestHandler` that reaches the embedded store at `endpoint` (absent: the in-memory one)
 * in memory instead of over its loopback port (see inProcess.ts); call after
 * {@link acquireEmbeddedDynamoDB}.
 */
export function embeddedDynamoDBRequestHandler(endpoint?: string): InProcessRequestHandler | undefined {
  const key = endpoint === undefined ? '' : byEndpoint.get(endpoint);
  const listener = (key === undefined ? undefined : running.get(key))?.server?.listeners('request')[0] as RequestListener | undefined;
  return listener ? inProcessRequestHandler(listener) : undefined;
}

/** The store folder of the data folder `dataDir`. */
export function embeddedDynamoDBFolder(dataDir: string): string {
  return join(dataDir, 'dynamodb');
}

/** The embedded store at `endpoint` (absent: the in-memory one), called in memory; after {@link acquireEmbeddedDynamoDB}. */
export function embeddedDynamoDBStore(endpoint?: string): EmbeddedDynamoDBStore | undefined {
  const key = endpoint === undefined ? '' : byEndpoint.get(endpoint);
  return key === undefined ? undefined : running.get(key)?.store;
}
