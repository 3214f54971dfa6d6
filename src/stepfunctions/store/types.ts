/**
 * The execution store: an append-only log of what happened to state machines, activities and
 * Standard executions. The service keeps the live state in memory and replays the log at start
 * (so running executions resume after a restart); a store only has to keep records in order.
 */
import type { Checkpoint, StateMachineType } from '../engine/types.js';

export interface StateMachineRecord {
  arn: string;
  name: string;
  type: StateMachineType;
  /** The definition as given (JSON text). */
  definition: string;
  roleArn: string;
  /** Epoch ms. */
  creationDate: number;
  /** Changes on every update; executions name the revision they started with. */
  revisionId: string;
  /** Declared in the config (recreated from it at start) rather than through the API. */
  fromConfig?: boolean;
  description?: string;
  loggingConfiguration?: unknown;
  tracingConfiguration?: unknown;
  /** Published versions (PublishStateMachineVersion), oldest first; numbers are never reused. */
  versions?: StateMachineVersionRecord[];
  /** The number the next published version gets. */
  nextVersion?: number;
  aliases?: StateMachineAliasRecord[];
}

/** One published version: a frozen revision of the machine. */
export interface StateMachineVersionRecord {
  version: number;
  revisionId: string;
  definition: string;
  roleArn: string;
  description?: string;
  /** Epoch ms. */
  creationDate: number;
}

/** An alias routing executions to one or two versions by weight (percent). */
export interface StateMachineAliasRecord {
  name: string;
  description?: string;
  routing: Array<{ version: number; weight: number }>;
  /** Epoch ms. */
  creationDate: number;
  updateDate: number;
}

export interface ActivityRecord {
  arn: string;
  name: string;
  /** Epoch ms. */
  creationDate: number;
}

/** A history event as stored: the timestamp in epoch ms. */
export interface StoredEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionStartRecord {
  arn: string;
  stateMachineArn: string;
  name: string;
  /** Input as JSON text. */
  input: string;
  /** Epoch ms. */
  startDate: number;
  /** The state machine revision the execution runs. */
  revisionId: string;
  /** The version or alias ARN it was started through, if any. */
  versionArn?: string;
  aliasArn?: string;
  /** Times it was redriven (RedriveExecution), and when last (epoch ms); absent when never. */
  redriveCount?: number;
  redriveDate?: number;
}

export interface ExecutionEndRecord {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  stopDate: number;
  output?: string;
  error?: string;
  cause?: string;
  /** Where a redrive continues (the checkpoint of the state that did not complete); failed, aborted and timed-out ends only. */
  redriveFrom?: Checkpoint;
}

/** One line of the log. */
export type StoreRecord =
  /** A state machine created or updated (its definition is a new revision). */
  | { k: 'sm'; r: StateMachineRecord }
  | { k: 'smdel'; arn: string }
  /** A definition revision kept for executions of a deleted or updated machine (compaction writes these). */
  | { k: 'rev'; id: string; def: string }
  | { k: 'act'; r: ActivityRecord }
  | { k: 'actdel'; arn: string }
  | { k: 'x'; r: ExecutionStartRecord }
  /** A history event of execution `a`. */
  | { k: 'e'; a: string; e: StoredEvent }
  /** History events of execution `a`, in order (what the service writes: one record per tick). */
  | { k: 'ev'; a: string; ev: StoredEvent[] }
  /** Execution `a` reached a checkpoint (the latest one wins). */
  | { k: 'c'; a: string; c: Checkpoint }
  | { k: 'end'; a: string; r: ExecutionEndRecord }
  /** Execution `a` was redriven (its `count`-th time, at `date`): running again from its `redriveFrom`. */
  | { k: 'rd'; a: string; count: number; date: number };

/** An API action's outcome on the instance that ran it. */
export type PeerAnswer = { ok: true; result: unknown } | { ok: false; name: string; message: string; status: number; extra?: Record<string, unknown> };

/**
 * How gateway instances sharing a store reach each other (the Postgres store has it): a call
 * about an execution or task token another instance owns is run there and its answer relayed.
 */
export interface StorePeers {
  /** The other instance owning this execution, task token, state machine or activity, if one does. */
  ownerOf(ref: { executionArn?: string; taskToken?: string; stateMachineArn?: string; activityArn?: string }): Promise<string | undefined>;
  /** The other instances running now (holding their id) that have anything in the store. */
  liveOwners(): Promise<string[]>;
  /** Runs an API action on instance `owner`; rejects when it does not answer within `timeoutMs` (or the store's default). */
  call(owner: string, action: string, input: Record<string, unknown>, timeoutMs?: number): Promise<PeerAnswer>;
  /**
   * Moves the rows of every instance that is no longer running (nobody held its id at this look
   * and the one before) to this one and returns them per former owner, in log order.
   */
  claimAbandoned(): Promise<Array<{ from: string; records: StoreRecord[] }>>;
  /** Answers the calls other instances send to this one. */
  serve(handler: (action: string, input: Record<string, unknown>) => Promise<PeerAnswer>): void;
}

/** Where the log lives. */
export interface ExecutionStore {
  /** Set when other instances may share the store. */
  readonly peers?: StorePeers;
  /** Every record in the order it was appended. */
  load(): Promise<StoreRecord[]>;
  /** Queues a record; it reaches durable storage with the next batch. */
  append(record: StoreRecord): void;
  /**
   * Queues the `ev` record of execution `arn` whose events are already a JSON array text, or
   * that text's UTF-8 bytes (the hot path; the bytes are not changed afterwards).
   */
  appendEvents(arn: string, eventsJson: string | Uint8Array): void;
  /**
   * Resolves when every record appended so far is durable (on the disk, or committed); rejects
   * when the batch holding them failed. Concurrent calls share one write (group commit).
   */
  flush(): Promise<void>;
  /** Replaces the whole log by `records` (the live state after a load), atomically. */
  compact(records: StoreRecord[]): Promise<void>;
  close(): Promise<void>;
}
