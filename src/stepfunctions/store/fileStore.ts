/**
 * The embedded default store: one JSON-lines log file under the store folder. Appends are
 * grouped (one `write` + `fdatasync` per batch) so thousands of history events a second cost a
 * handful of system calls; a batch goes out at most {@link FLUSH_DELAY_MS} after its first record.
 *
 * Group commit: while a batch is on its way to the disk, everything appended or flushed meanwhile
 * waits and goes out as the next single batch, so N concurrent {@link ExecutionStore.flush} calls
 * cost about two `fdatasync`s, not N in a row. What the outside world is told (an execution
 * started, a task token handed out, a Wait begun) is answered only after its flush resolved; other
 * history events are written without being awaited, so a crash loses at most the last few
 * milliseconds of them.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { ExecutionStore, StoreRecord } from './types.js';

const FLUSH_DELAY_MS = 4;
/** Size of the off-heap chunks a batch is encoded into. */
const CHUNK_BYTES = 64 * 1024;
/** Written chunks kept for reuse (1 MiB). */
const MAX_SPARE_CHUNKS = 16;
const LOG_FILE = 'log.jsonl';
const LOCK_FILE = 'owner.lock';

/** Lock files this process holds: a second store on the same folder in one process is refused too. */
const heldLocks = new Set<string>();

/**
 * Takes the folder's lock file (`<pid> <host>`), or throws a ConfigError naming who holds it. Two
 * processes appending to one log would interleave and compact away each other's records. A lock
 * left by a process that is gone (crash, SIGKILL) is taken over; one of another host cannot be
 * checked, so it is refused with the file to delete.
 */
function acquireFolderLock(dir: string): string {
  const path = join(dir, LOCK_FILE);
  const me = hostname();
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (heldLocks.has(path)) break;
    try {
      writeFileSync(path, `${process.pid} ${me}\n`, { flag: 'wx' });
      heldLocks.add(path);
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // released between the two calls
    }
    const [pidText, host = ''] = text.trim().split(/\s+/, 2);
    const pid = Number(pidText);
    if (host && host !== me) {
      throw new ConfigError(
        'stepFunctions.store.dir',
        `the Step Functions store folder ${dir} is in use by process ${pidText} on host ${host}; ` +
          `give each gateway its own folder (or the PostgreSQL store), or delete ${path} if that gateway is gone`,
      );
    }
    // This process's pid in a file it does not hold: left by an earlier process that had the same pid.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new ConfigError(
        'stepFunctions.store.dir',
        `the Step Functions store folder ${dir} is in use by another running gateway (process ${pid}); give each gateway its own folder, ` +
          'or share the PostgreSQL store',
      );
    }
    try {
      unlinkSync(path); // stale: its process is gone
    } catch {
      // someone else removed it first
    }
  }
  throw new ConfigError(
    'stepFunctions.store.dir',
    `the Step Functions store folder ${dir} is in use by another store of this process; give each gateway its own folder`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseFolderLock(path: string): void {
  if (!heldLocks.delete(path)) return;
  try {
    if (readFileSync(path, 'utf8').startsWith(`${process.pid} `)) unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * @param onError told about a failed write (disk full, folder gone); the store keeps going, so a
 *   bad moment loses its batch rather than the process.
 */
export function createFileStore(dir: string, onError: (error: unknown) => void = defaultOnError): ExecutionStore {
  const path = join(dir, LOG_FILE);
  let handle: FileHandle | undefined;
  // Records are encoded into off-heap chunks as they are appended: a batch waiting for its
  // write is not a heap of strings the garbage collector copies, and writing it joins nothing.
  let chunks: Buffer[] = [];
  // Chunks whose batch is on disk are used again: fresh memory costs a page fault per 4 KiB.
  const spare: Buffer[] = [];
  let sealed: Buffer[] = [];
  let chunk: Buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  let used = 0;
  // Only the latest checkpoint of each execution matters: they are kept aside and written once
  // per batch, after the batch's events (which they refer to).
  let checkpoints = new Map<string, StoreRecord>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  /** The latest batch (rejecting if it failed): a flush with nothing new queued waits on it, as its records may be in it. */
  let lastBatch: Promise<void> = Promise.resolve();
  /** Batches (and compactions) on the write chain that have not finished. */
  let inFlight = 0;
  /** The batch that starts once the chain is idle: flushes meanwhile all join it. */
  let joining: Promise<void> | undefined;
  let closed = false;
  let lockPath: string | undefined;

  const put = (text: string) => {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the exact size is only counted near the end.
    if (used + text.length * 3 > chunk.length) {
      const bytes = Buffer.byteLength(text);
      if (used + bytes > chunk.length) {
        seal();
        if (bytes > CHUNK_BYTES) {
          chunks.push(Buffer.from(text));
          return;
        }
      }
    }
    used += chunk.write(text, used);
  };
  const putBytes = (bytes: Uint8Array) => {
    if (used + bytes.length > chunk.length) {
      seal();
      if (bytes.length > CHUNK_BYTES) {
        // Large enough to go out as it is (the caller does not change it).
        chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        return;
      }
    }
    chunk.set(bytes, used);
    used += bytes.length;
  };
  const seal = () => {
    if (used === 0) return;
    chunks.push(chunk.subarray(0, used));
    sealed.push(chunk);
    chunk = spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    used = 0;
  };
  const reset = () => {
    chunks = [];
    sealed = [];
    used = 0;
  };

  const ensureOpen = async () => {
    if (!handle) {
      mkdirSync(dir, { recursive: true });
      handle = await open(path, 'a');
    }
    return handle;
  };

  /**
   * Writes what is queued now as one batch after the ones on the chain. The promise settles when
   * this batch is on the disk (rejecting when it failed; `onError` is told as well); the chain
   * itself never rejects, so a bad moment loses its batch rather than the later ones.
   */
  const writeBatch = (): Promise<void> => {
    timer = undefined;
    if (used === 0 && chunks.length === 0 && checkpoints.size === 0) return lastBatch;
    for (const record of checkpoints.values()) put(`${JSON.stringify(record)}\n`);
    checkpoints = new Map();
    seal();
    const batch = chunks;
    const free = sealed;
    chunks = [];
    sealed = [];
    inFlight++;
    const done = writing
      .then(async () => {
        const fh = await ensureOpen();
        // One writev per batch; what a short write left over goes out piece by piece.
        let done = (await fh.writev(batch)).bytesWritten;
        for (const part of batch) {
          if (done >= part.length) {
            done -= part.length;
            continue;
          }
          for (let offset = done; offset < part.length;) offset += (await fh.write(part, offset)).bytesWritten;
          done = 0;
        }
        await fh.datasync();
        for (const c of free) if (spare.length < MAX_SPARE_CHUNKS) spare.push(c);
      })
      .finally(() => inFlight--);
    writing = done.catch(onError);
    lastBatch = done;
    return done;
  };

  /** Group commit: at once when the disk is idle, else together with everything else queued after the batch in flight. */
  const groupCommit = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (inFlight === 0) return writeBatch();
    return (joining ??= writing.then(() => {
      joining = undefined;
      return writeBatch();
    }));
  };
  // A failed batch was told to onError; nobody else waits on a timed one.
  const tick = () => void groupCommit().catch(() => undefined);

  return {
    async load() {
      lockPath ??= acquireFolderLock(dir);
      if (!existsSync(path)) return [];
      const records: StoreRecord[] = [];
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          records.push(JSON.parse(line) as StoreRecord);
        } catch {
          // A line cut by a crash mid-write: everything before it is intact, nothing after it exists.
          break;
        }
      }
      return records;
    },
    append(record) {
      if (closed) return;
      if (record.k === 'c') checkpoints.set(record.a, record);
      else {
        if (record.k === 'end') checkpoints.delete(record.a);
        put(`${JSON.stringify(record)}\n`);
      }
      timer ??= setTimeout(tick, FLUSH_DELAY_MS);
    },
    appendEvents(arn, eventsJson) {
      if (closed) return;
      put(`{"k":"ev","a":${JSON.stringify(arn)},"ev":`);
      if (typeof eventsJson === 'string') put(eventsJson);
      else putBytes(eventsJson);
      put('}\n');
      timer ??= setTimeout(tick, FLUSH_DELAY_MS);
    },
    flush: groupCommit,
    compact(records) {
      // The records cover everything appended so far: what is still queued is in them. The
      // rewrite joins the write chain, so later batches go to the new file.
      if (timer) clearTimeout(timer);
      timer = undefined;
      reset();
      checkpoints = new Map();
      inFlight++;
      writing = writing
        .then(async () => {
          await handle?.close();
          handle = undefined;
          mkdirSync(dir, { recursive: true });
          const tmp = `${path}.tmp`;
          const fd = openSync(tmp, 'w');
          try {
            // Written in slices so a large state does not build one giant string.
            for (let i = 0; i < records.length; i += 1000) {
              writeSync(
                fd,
                records
                  .slice(i, i + 1000)
                  .map((r) => `${JSON.stringify(r)}\n`)
                  .join(''),
              );
            }
            fdatasyncSync(fd);
          } finally {
            closeSync(fd);
          }
          renameSync(tmp, path);
        })
        .finally(() => inFlight--);
      // A failed compaction leaves the old log in place; later batches still append to it.
      const done = writing;
      writing = done.catch(onError);
      // The records queued now are only in the rewrite: a flush waits on it (and fails with it).
      lastBatch = done;
      return done;
    },
    async close() {
      if (closed) return;
      // A failed last batch was reported to onError; closing goes on.
      await groupCommit().catch(() => undefined);
      await writing;
      closed = true;
      await handle?.close();
      handle = undefined;
      if (lockPath) releaseFolderLock(lockPath);
    },
  };
}

function defaultOnError(error: unknown): void {
  process.emitWarning(`Step Functions store write failed: ${(error as Error)?.message ?? String(error)}`);
}
