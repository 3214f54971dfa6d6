/**
 * The batching both execution stores share: records are queued and go out as one batch at most
 * {@link FLUSH_DELAY_MS} after the first, and while a batch is on its way, everything appended or
 * flushed meanwhile waits and goes out as the next single batch (group commit). N concurrent
 * {@link GroupCommit.flush} calls thus cost about two writes, not N in a row.
 *
 * Written by hand: the stores need one ordered write chain shared by batches and compactions,
 * with a flush that waits on the batch its records are in; no npm batching library models that.
 */
import type { StoreRecord } from './types.js';

const FLUSH_DELAY_MS = 4;

/** The store's own part: how it queues records and writes a batch of them. */
export interface BatchQueue {
  /** Whether nothing waits to go out. */
  readonly empty: boolean;
  /** Queues one record. */
  add(record: StoreRecord): void;
  /** Queues a history slab: the record `{"k":"ev","a":arn,"ev":eventsJson}`. */
  addEvents(arn: string, eventsJson: string | Uint8Array): void;
  /** Takes what is queued as one batch; the returned write runs on the chain, after the batches before it. */
  take(): () => Promise<void>;
  /** Drops what is queued (a compaction's records cover it). */
  clear(): void;
}

export class GroupCommit {
  /** Only the latest checkpoint of each execution matters: written once per batch, after the batch's events (which it refers to). */
  private checkpoints = new Map<string, StoreRecord>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The latest batch (rejecting if it failed): a flush with nothing new queued waits on it, as its records may be in it. */
  private lastBatch: Promise<void> = Promise.resolve();
  /** Batches (and compactions) on the write chain that have not finished. */
  private inFlight = 0;
  /** The batch that starts once the chain is idle: flushes meanwhile all join it. */
  private joining: Promise<void> | undefined;
  private isClosed = false;

  /**
   * @param onError told about a failed write (disk full, connection lost); the chain itself
   *   never rejects, so a bad moment loses its batch rather than the later ones.
   */
  constructor(
    private readonly queue: BatchQueue,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Set once {@link close} wrote the last batch: appends are dropped from then on. */
  get closed(): boolean {
    return this.isClosed;
  }

  append(record: StoreRecord): void {
    if (this.isClosed) return;
    if (record.k === 'c') this.checkpoints.set(record.a, record);
    else {
      if (record.k === 'end') this.checkpoints.delete(record.a);
      this.queue.add(record);
    }
    this.timer ??= setTimeout(this.tick, FLUSH_DELAY_MS);
  }

  appendEvents(arn: string, eventsJson: string | Uint8Array): void {
    if (this.isClosed) return;
    this.queue.addEvents(arn, eventsJson);
    this.timer ??= setTimeout(this.tick, FLUSH_DELAY_MS);
  }

  /** Group commit: at once when the chain is idle, else together with everything else queued after the batch in flight. */
  readonly flush = (): Promise<void> => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight === 0) return this.writeBatch();
    return (this.joining ??= this.writing.then(() => {
      this.joining = undefined;
      return this.writeBatch();
    }));
  };

  /**
   * Runs `rewrite` (the store replaced by `records`) on the write chain: later batches land after
   * it. The records cover everything appended so far, so what is still queued is dropped; a flush
   * meanwhile waits on the rewrite (and fails with it).
   */
  compact(rewrite: () => Promise<void>): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.clear();
    this.checkpoints = new Map();
    return this.chain(rewrite);
  }

  /** Writes the last batch and waits for the chain; false when it was closed already. */
  async close(): Promise<boolean> {
    if (this.isClosed) return false;
    // A failed last batch was reported to onError; closing goes on.
    await this.flush().catch(() => undefined);
    await this.writing;
    this.isClosed = true;
    return true;
  }

  // A failed batch was told to onError; nobody else waits on a timed one.
  private readonly tick = () => void this.flush().catch(() => undefined);

  /** Writes what is queued now as one batch after the ones on the chain; settles when it is written. */
  private writeBatch(): Promise<void> {
    this.timer = undefined;
    if (this.queue.empty && this.checkpoints.size === 0) return this.lastBatch;
    for (const record of this.checkpoints.values()) this.queue.add(record);
    this.checkpoints = new Map();
    return this.chain(this.queue.take());
  }

  private chain(write: () => Promise<void>): Promise<void> {
    this.inFlight++;
    const done = this.writing.then(write).finally(() => this.inFlight--);
    this.writing = done.catch(this.onError);
    this.lastBatch = done;
    return done;
  }
}
