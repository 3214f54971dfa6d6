/**
 * The embedded default store: one JSON-lines log file under the store folder. Appends are
 * grouped (one `write` + `fdatasync` per batch, see groupCommit.ts) so thousands of history events
 * a second cost a handful of system calls, and N concurrent {@link ExecutionStore.flush} calls
 * about two `fdatasync`s. What the outside world is told (an execution started, a task token
 * handed out, a Wait begun) is answered only after its flush resolved; other history events are
 * written without being awaited, so a crash loses at most the last few milliseconds of them.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { takePidLock } from '../../embedded/pidLock.js';
import { GroupCommit, type BatchQueue } from './groupCommit.js';
import type { ExecutionStore, StoreRecord } from './types.js';

/** Size of the off-heap chunks a batch is encoded into. */
const CHUNK_BYTES = 64 * 1024;
/** Written chunks kept for reuse (1 MiB). */
const MAX_SPARE_CHUNKS = 16;
const LOG_FILE = 'log.jsonl';
const LOCK_FILE = 'owner.lock';

/**
 * Takes the folder's lock file, or throws a ConfigError naming who holds it. Two processes
 * appending to one log would interleave and compact away each other's records.
 */
function acquireFolderLock(dir: string): () => void {
  return takePidLock(dir, LOCK_FILE, {
    key: 'stepFunctions.store.dir',
    subject: `the Step Functions store folder ${dir}`,
    heldHere: 'another store of this process; give each gateway its own folder',
    advice: 'give each gateway its own folder, or share the PostgreSQL store',
  });
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
  let releaseLock: (() => void) | undefined;

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

  /** Writes one batch: one writev, then what a short write left over piece by piece, then fdatasync. */
  const writeChunks = async (batch: Buffer[], free: Buffer[]) => {
    const fh = await ensureOpen();
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
  };

  const queue: BatchQueue = {
    get empty() {
      return used === 0 && chunks.length === 0;
    },
    add(record) {
      put(`${JSON.stringify(record)}\n`);
    },
    addEvents(arn, eventsJson) {
      put(`{"k":"ev","a":${JSON.stringify(arn)},"ev":`);
      if (typeof eventsJson === 'string') put(eventsJson);
      else putBytes(eventsJson);
      put('}\n');
    },
    take() {
      seal();
      const batch = chunks;
      const free = sealed;
      chunks = [];
      sealed = [];
      return () => writeChunks(batch, free);
    },
    clear: reset,
  };
  const writer = new GroupCommit(queue, onError);

  return {
    async load() {
      releaseLock ??= acquireFolderLock(dir);
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
    append: (record) => writer.append(record),
    appendEvents: (arn, eventsJson) => writer.appendEvents(arn, eventsJson),
    flush: writer.flush,
    compact(records) {
      // On the write chain: later batches go to the new file. A failed compaction leaves the old
      // log in place; later batches still append to it.
      return writer.compact(async () => {
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
      });
    },
    async close() {
      if (!(await writer.close())) return;
      await handle?.close();
      handle = undefined;
      releaseLock?.();
    },
  };
}

function defaultOnError(error: unknown): void {
  process.emitWarning(`Step Functions store write failed: ${(error as Error)?.message ?? String(error)}`);
}
