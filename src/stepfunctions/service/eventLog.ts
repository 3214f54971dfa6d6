/**
 * Writing the live state to the store. History events are batched: an execution's new events go
 * out together once per tick, so a short execution costs one log record for its whole history
 * instead of one per event. The log is compacted (rewritten from a snapshot of the live state)
 * once it grew well past that state, in the background.
 */
import type { Logger } from '../../datasources/types.js';
import type { ExecutionStore, StoreRecord } from '../store/types.js';
import { SfnApiError } from './errors.js';
import type { Execution } from './execution.js';

/** The log is rewritten from the live state once this many records (or 4× the state) were appended. */
const COMPACT_MIN_RECORDS = 1_000_000;
/** How long new history events wait to be handed to the store together. */
const WRITE_DELAY_MS = 4;

export interface EventLogOptions {
  store: ExecutionStore;
  logger: Logger;
  /** The live state as records (what compaction writes). */
  snapshot: () => StoreRecord[];
  /** Rewrite the log once this many records were appended (at least; 4× the live state). @default 1000000 */
  compactAfterRecords?: number;
}

export class EventLog {
  private readonly store: ExecutionStore;
  private readonly logger: Logger;
  private readonly snapshot: () => StoreRecord[];
  /** Executions with events or a checkpoint the store does not have yet. */
  private readonly dirty = new Set<Execution>();
  private dirtyTimer?: NodeJS.Timeout;
  private appended = 0;
  private compactAfter: number;
  private readonly compactMin: number;
  private compacting = false;

  constructor(options: EventLogOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.snapshot = options.snapshot;
    this.compactMin = this.compactAfter = options.compactAfterRecords ?? COMPACT_MIN_RECORDS;
  }

  /** The records in the store, oldest first. */
  load(): Promise<StoreRecord[]> {
    return this.store.load();
  }

  /** Appends to the store, compacting it in the background once it grew well past the live state. */
  append(record: StoreRecord): void {
    this.store.append(record);
    this.counted();
  }

  private counted(): void {
    if (++this.appended < this.compactAfter || this.compacting) return;
    this.compacting = true;
    setImmediate(() => {
      const snapshot = this.snapshot();
      this.appended = 0;
      this.compactAfter = Math.max(this.compactMin, snapshot.length * 4);
      this.store
        .compact(snapshot)
        .catch((error: unknown) => this.logger.error('Step Functions store compaction failed', { error: (error as Error)?.message ?? String(error) }))
        .finally(() => (this.compacting = false));
    });
  }

  /** Rewrites the log from the live state now and waits for it (start-up and takeover, before anything resumes). */
  async compact(): Promise<void> {
    const snapshot = this.snapshot();
    this.appended = 0;
    this.compactAfter = Math.max(this.compactMin, snapshot.length * 4);
    await this.store.compact(snapshot);
  }

  /** Writes the execution's new events and checkpoint with the next tick. */
  markDirty(exec: Execution): void {
    this.dirty.add(exec);
    this.dirtyTimer ??= setTimeout(() => this.writeDirty(), WRITE_DELAY_MS);
  }

  /** Writes every execution's pending events and checkpoints now. */
  writeDirty(): void {
    if (this.dirtyTimer) clearTimeout(this.dirtyTimer);
    this.dirtyTimer = undefined;
    for (const exec of this.dirty) this.writeExecution(exec);
    this.dirty.clear();
  }

  /** Writes one execution's pending events and checkpoint now, not with the next tick (`all`: its whole history as JSON, if known). */
  writeNow(exec: Execution, all?: string | Uint8Array): void {
    this.dirty.delete(exec);
    this.writeExecution(exec, all);
  }

  private writeExecution(exec: Execution, all?: string | Uint8Array): void {
    const texts = exec.eventTexts;
    if (texts.length > exec.flushed) {
      const json = exec.flushed === 0 ? (all ?? `[${texts.join(',')}]`) : `[${texts.slice(exec.flushed).join(',')}]`;
      this.store.appendEvents(exec.arn, json);
      exec.flushed = texts.length;
      this.counted();
    }
    // The checkpoint goes after the events it refers to (the store keeps that order).
    if (exec.checkpointDirty && exec.status === 'RUNNING' && exec.checkpoint) this.append({ k: 'c', a: exec.arn, c: exec.checkpoint });
    exec.checkpointDirty = false;
  }

  /** Resolves once everything handed to the store so far is written (rejects when the write failed; the store reported why). */
  flush(): Promise<void> {
    return this.store.flush();
  }

  /**
   * Resolves once everything appended so far is durable in the store (concurrent callers share
   * one write): an answered StartExecution survives a crash, and on a shared store another
   * instance asked about it right away finds it. A failed write answers ServiceUnavailable (the
   * store already reported why), never a success the store does not have.
   */
  async durable(): Promise<void> {
    try {
      await this.store.flush();
    } catch (error) {
      const reason = (error as Error)?.message ?? String(error);
      throw new SfnApiError('ServiceUnavailable', `The change could not be written to the Step Functions store: ${reason}`, 503);
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
