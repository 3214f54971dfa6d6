/**
 * The embedded default store: one JSON-lines log file under the store folder. Appends are
 * grouped (one `write` + `fdatasync` per batch) so thousands of history events a second cost a
 * handful of system calls; a batch goes out at most {@link FLUSH_DELAY_MS} after its first record.
 *
 * Gateway choice: records are acknowledged before they reach the disk (group commit); a crash
 * loses at most the last few milliseconds, and checkpoints the outside world relies on (a task
 * token handed out, a Wait begun) are awaited by the service with {@link ExecutionStore.flush}.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionStore, StoreRecord } from './types.js';

const FLUSH_DELAY_MS = 4;
const LOG_FILE = 'log.jsonl';

/**
 * @param onError told about a failed write (disk full, folder gone); the store keeps going, so a
 *   bad moment loses its batch rather than the process.
 */
export function createFileStore(dir: string, onError: (error: unknown) => void = defaultOnError): ExecutionStore {
  const path = join(dir, LOG_FILE);
  let handle: FileHandle | undefined;
  let pending: string[] = [];
  // Only the latest checkpoint of each execution matters: they are kept aside and written once
  // per batch, after the batch's events (which they refer to).
  let checkpoints = new Map<string, StoreRecord>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const ensureOpen = async () => {
    if (!handle) {
      mkdirSync(dir, { recursive: true });
      handle = await open(path, 'a');
    }
    return handle;
  };

  const writeBatch = (): Promise<void> => {
    timer = undefined;
    if (pending.length === 0 && checkpoints.size === 0) return writing;
    for (const record of checkpoints.values()) pending.push(`${JSON.stringify(record)}\n`);
    checkpoints = new Map();
    const text = pending.join('');
    pending = [];
    writing = writing
      .then(async () => {
        const fh = await ensureOpen();
        await fh.write(text);
        await fh.datasync();
      })
      .catch(onError);
    return writing;
  };

  return {
    async load() {
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
        pending.push(`${JSON.stringify(record)}\n`);
      }
      timer ??= setTimeout(writeBatch, FLUSH_DELAY_MS);
    },
    appendEvents(arn, eventsJson) {
      if (closed) return;
      pending.push(`{"k":"ev","a":${JSON.stringify(arn)},"ev":${eventsJson}}\n`);
      timer ??= setTimeout(writeBatch, FLUSH_DELAY_MS);
    },
    flush() {
      if (timer) clearTimeout(timer);
      return writeBatch();
    },
    compact(records) {
      // The records cover everything appended so far: what is still queued is in them. The
      // rewrite joins the write chain, so later batches go to the new file.
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = [];
      checkpoints = new Map();
      writing = writing.then(async () => {
        await handle?.close();
        handle = undefined;
        mkdirSync(dir, { recursive: true });
        const tmp = `${path}.tmp`;
        const fd = openSync(tmp, 'w');
        try {
          // Written in slices so a large state does not build one giant string.
          for (let i = 0; i < records.length; i += 1000) {
            writeSync(fd, records.slice(i, i + 1000).map((r) => `${JSON.stringify(r)}\n`).join(''));
          }
          fdatasyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, path);
      });
      // A failed compaction leaves the old log in place; later batches still append to it.
      const done = writing;
      writing = done.catch(onError);
      return done;
    },
    async close() {
      if (closed) return;
      await this.flush();
      closed = true;
      await handle?.close();
      handle = undefined;
    },
  };
}

function defaultOnError(error: unknown): void {
  process.emitWarning(`Step Functions store write failed: ${(error as Error)?.message ?? String(error)}`);
}
