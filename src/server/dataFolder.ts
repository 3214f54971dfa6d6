/**
 * The gateway's data folder: where the embedded stores (DynamoDB, Postgres) and the Step Functions
 * file store keep what they write (`<config folder>/.data` unless moved), and the lock that lets one
 * gateway at a time use it.
 *
 * Written by hand: the lock is a file holding `<pid> <host>` created with O_EXCL. Advisory-lock
 * libraries (proper-lockfile and the like) keep a lock alive with an mtime heartbeat, so a gateway
 * killed with SIGKILL blocks its folder until the lock goes stale; a pid can be checked at once.
 */
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/** The lock file's name inside the data folder. */
export const DATA_FOLDER_LOCK = 'gateway.lock';

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

/** Lock files this process holds: a second gateway on one folder in the same process is refused too. */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const HOW_TO = 'stop it, give this gateway its own folder (server.dataDir in the config, APPSYNC_GATEWAY_DATA_DIR, or --data-dir), or run with --in-memory';

/**
 * Takes `<dir>/gateway.lock` for this process, or throws a ConfigError at `server.dataDir` naming
 * the process that holds it. A lock left by a process that is gone (a crash, SIGKILL) is taken
 * over; one written on another host cannot be checked and is refused with the file to delete.
 * @returns a function that gives the lock back
 */
export function lockDataFolder(dir: string): () => void {
  const path = join(dir, DATA_FOLDER_LOCK);
  const me = hostname();
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ConfigError('server.dataDir', `cannot use the data folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  if (!statSync(dir).isDirectory()) throw new ConfigError('server.dataDir', `the data folder ${dir} is not a folder`);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (held.has(path)) {
      throw new ConfigError(
        'server.dataDir',
        `the data folder ${dir} is in use by another gateway of this process (${process.pid}); give each gateway its own folder`,
      );
    }
    try {
      writeFileSync(path, `${process.pid} ${me}\n`, { flag: 'wx' });
      held.add(path);
      return () => release(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ConfigError('server.dataDir', `cannot lock the data folder ${dir}: ${(error as Error).message}`, { cause: error });
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) continue; // released between the two calls
      throw new ConfigError('server.dataDir', `cannot read the lock of the data folder ${dir}: ${(error as Error).message}`, { cause: error });
    }
    const [pidText = '', host = ''] = text.trim().split(/\s+/, 2);
    const pid = Number(pidText);
    if (host && host !== me) {
      throw new ConfigError(
        'server.dataDir',
        `the data folder ${dir} is in use by process ${pidText} on host ${host}; ${HOW_TO}; or delete ${path} if that gateway is gone`,
      );
    }
    // This process's pid in a file it does not hold: left by an earlier process that had the same pid.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new ConfigError('server.dataDir', `the data folder ${dir} is in use by another running gateway (process ${pid}); ${HOW_TO}`);
    }
    try {
      unlinkSync(path); // stale: its process is gone
    } catch (error) {
      // Missing: another starting gateway removed it first; the next attempt sees its lock.
      if (!isMissing(error)) throw new ConfigError('server.dataDir', `cannot take over the stale lock ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  throw new ConfigError('server.dataDir', `cannot lock the data folder ${dir}: another gateway keeps taking ${path}`);
}

function release(path: string): void {
  if (!held.delete(path)) return;
  try {
    if (readFileSync(path, 'utf8').startsWith(`${process.pid} `)) unlinkSync(path);
  } catch (error) {
    // Missing: the folder was removed while the gateway ran. Anything else is left for the next
    // start, which takes over a lock whose process is gone; it is said once on stderr.
    if (!isMissing(error)) process.stderr.write(`appsync-gateway: could not remove the data folder lock ${path}: ${(error as Error).message}\n`);
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
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
    logger.info('data: in memory — nothing is kept (--in-memory)');
    return { folder, release() {} };
  }
  if (usedBy.length === 0) return { folder, release() {} };
  const release = lockDataFolder(folder.dir);
  logger.info(`data folder: ${folder.dir}`, { usedBy });
  return { folder, release };
}
