/**
 * The gateway's data folder: where the embedded stores (DynamoDB, Postgres) and the Step Functions
 * file store keep what they write (`<config folder>/.data` unless moved), and the lock that lets one
 * gateway at a time use it (a pid lock file, src/embedded/pidLock.ts).
 */
import { isAbsolute, resolve } from 'node:path';
import { takePidLock } from '../embedded/pidLock.js';

/** The lock file's name inside the data folder. */
const DATA_FOLDER_LOCK = 'gateway.lock';

/** Where this gateway keeps data: a folder, or nowhere (`--in-memory`). */
export type DataFolder = { dir: string; inMemory: false } | { dir: undefined; inMemory: true };

/**
 * The data folder in force: `options.inMemory` keeps nothing; else `options.dataDir`, the
 * `APPSYNC_GATEWAY_DATA_DIR` variable, `server.dataDir` of the config, or `<configDir>/.data`,
 * in that order (relative paths resolve from the config folder).
 */
export function resolveDataFolder(
  configDir: string,
  configured: string | undefined,
  options: { dataDir?: string; inMemory?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): DataFolder {
  if (options.inMemory) return { dir: undefined, inMemory: true };
  const chosen = options.dataDir ?? (env.APPSYNC_GATEWAY_DATA_DIR || undefined) ?? configured ?? '.data';
  return { dir: isAbsolute(chosen) ? chosen : resolve(configDir, chosen), inMemory: false };
}

/** Whether `path` is `dir` or inside it. */
export function isInside(path: string, dir: string): boolean {
  const p = resolve(path);
  const d = resolve(dir);
  return p === d || p.startsWith(d.endsWith('/') ? d : `${d}/`);
}

const HOW_TO = 'stop it, give this gateway its own folder (server.dataDir in the config, APPSYNC_GATEWAY_DATA_DIR, or --data-dir), or run with --in-memory';

/**
 * Takes `<dir>/gateway.lock` for this process, or throws a ConfigError at `server.dataDir` naming
 * the process that holds it (src/embedded/pidLock.ts).
 * @returns a function that gives the lock back
 */
export function lockDataFolder(dir: string): () => void {
  return takePidLock(dir, DATA_FOLDER_LOCK, {
    key: 'server.dataDir',
    subject: `the data folder ${dir}`,
    heldHere: `another gateway of this process (${process.pid}); give each gateway its own folder`,
    advice: HOW_TO,
  });
}

/** The data folder a gateway runs with, and whether it holds the folder's lock. */
export interface OpenDataFolder {
  folder: DataFolder;
  /** Gives the lock back (no-op when none was taken). */
  release(): void;
}

/**
 * Resolves the data folder and, when anything will keep data in it (`usedBy` names what), takes
 * its lock before any store starts. A gateway whose stores all live elsewhere (external
 * endpoints, a PostgreSQL Step Functions store) does not lock the folder, so several can share one
 * project folder.
 */
export function openDataFolder(
  folder: DataFolder,
  usedBy: readonly string[],
  logger: { info(message: string, fields?: Record<string, unknown>): void },
): OpenDataFolder {
  if (folder.inMemory) {
    // Said without naming a flag: in-memory mode also comes from the library's option and from `validate`.
    logger.info('data: in memory — nothing is kept');
    return { folder, release() {} };
  }
  if (usedBy.length === 0) return { folder, release() {} };
  const release = lockDataFolder(folder.dir);
  logger.info(`data folder: ${folder.dir}`, { usedBy });
  return { folder, release };
}
