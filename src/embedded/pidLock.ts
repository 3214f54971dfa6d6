/**
 * A folder lock for one process: a file holding `<pid> <host>`, created with O_EXCL. The gateway's
 * data folder (src/server/dataFolder.ts) and the Step Functions file store's folder take one each.
 *
 * Written by hand: advisory-lock libraries (proper-lockfile and the like) keep a lock alive with an
 * mtime heartbeat, so a gateway killed with SIGKILL blocks its folder until the lock goes stale; a
 * pid can be checked at once.
 */
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/** How a lock's errors are worded: each is a ConfigError at `key` about `subject`. */
export interface PidLockWording {
  /** The config key a refusal is reported at, e.g. `server.dataDir`. */
  key: string;
  /** What is locked, e.g. `the data folder /x`. */
  subject: string;
  /** Who holds it when this process does, e.g. `another store of this process; give each gateway its own folder`. */
  heldHere: string;
  /** What to do when another running gateway holds it, e.g. `give each gateway its own folder`. */
  advice: string;
}

/** Lock files this process holds: a second taker in the same process is refused too. */
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

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Takes `<dir>/<file>` for this process (creating `dir`), or throws a ConfigError naming who holds
 * it. A lock left by a process that is gone (a crash, SIGKILL) is taken over; one written on another
 * host cannot be checked and is refused with the file to delete.
 * @returns a function that gives the lock back
 */
export function takePidLock(dir: string, file: string, words: PidLockWording): () => void {
  const path = join(dir, file);
  const me = hostname();
  const refuse = (message: string, cause?: unknown) => new ConfigError(words.key, message, cause === undefined ? undefined : { cause });
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw refuse(`cannot use ${words.subject}: ${(error as Error).message}`, error);
  }
  if (!statSync(dir).isDirectory()) throw refuse(`${words.subject} is not a folder`);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (held.has(path)) throw refuse(`${words.subject} is in use by ${words.heldHere}`);
    try {
      writeFileSync(path, `${process.pid} ${me}\n`, { flag: 'wx' });
      held.add(path);
      return () => release(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw refuse(`cannot lock ${words.subject}: ${(error as Error).message}`, error);
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) continue; // released between the two calls
      throw refuse(`cannot read the lock of ${words.subject}: ${(error as Error).message}`, error);
    }
    const [pidText = '', host = ''] = text.trim().split(/\s+/, 2);
    const pid = Number(pidText);
    if (host && host !== me) {
      throw refuse(`${words.subject} is in use by process ${pidText} on host ${host}; ${words.advice}; or delete ${path} if that gateway is gone`);
    }
    // This process's pid in a file it does not hold: left by an earlier process that had the same pid.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw refuse(`${words.subject} is in use by another running gateway (process ${pid}); ${words.advice}`);
    }
    try {
      unlinkSync(path); // stale: its process is gone
    } catch (error) {
      // Missing: another starting gateway removed it first; the next attempt sees its lock.
      if (!isMissing(error)) throw refuse(`cannot take over the stale lock ${path}: ${(error as Error).message}`, error);
    }
  }
  throw refuse(`cannot lock ${words.subject}: another gateway keeps taking ${path}`);
}

function release(path: string): void {
  if (!held.delete(path)) return;
  try {
    if (readFileSync(path, 'utf8').startsWith(`${process.pid} `)) unlinkSync(path);
  } catch (error) {
    // Missing: the folder was removed while the gateway ran. Anything else is left for the next
    // start, which takes over a lock whose process is gone; it is said once on stderr.
    if (!isMissing(error)) process.stderr.write(`appsync-gateway: could not remove the lock ${path}: ${(error as Error).message}\n`);
  }
}
