/**
 * The contract between the Amazon States Language engine (`engine/`), the service that owns
 * executions (`index.ts`, `service/`, `store/`), the task integrations (`tasks/`) and the page
 * (`ui/`). The engine is pure: it knows nothing of HTTP, files or data sources; everything it
 * needs from outside comes through {@link EngineHost}.
 */

/** A parsed ASL document (validated by `validateDefinition` before it reaches the engine). */
export type StateMachineDefinition = Record<string, unknown> & {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  QueryLanguage?: 'JSONPath' | 'JSONata';
  TimeoutSeconds?: number;
  Comment?: string;
};

/** `STANDARD` keeps history and survives restarts; `EXPRESS` runs without history. */
export type StateMachineType = 'STANDARD' | 'EXPRESS';

/**
 * An error as Step Functions reports it: `error` is the name Catch/Retry match
 * (`States.TaskFailed`, `States.Timeout`, a Lambda's `errorType`, ...), `cause` the text AWS puts
 * in the `cause` field, byte for byte.
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
  }
}

/** The context object (`$$` in JSONPath, `$states.context` in JSONata). */
export interface ContextObject {
  Execution: { Id: string; Input: unknown; Name: string; RoleArn: string; StartTime: string; RedriveCount: number };
  StateMachine: { Id: string; Name: string };
  State: { Name: string; EnteredTime: string; RetryCount: number };
  Task?: { Token: string };
  Map?: { Item: { Index: number; Value: unknown; Key?: string; Source?: string } };
}

/** What a Task state asks the host to run, after the engine evaluated its Parameters/Arguments. */
export interface TaskRequest {
  /** The `Resource` as written (`arn:aws:states:::lambda:invoke.waitForTaskToken`, a Lambda ARN, an activity ARN, ...). */
  resource: string;
  /** The effective parameters (JSONPath `Parameters` applied, or JSONata `Arguments` evaluated). */
  parameters: unknown;
  /** Set for `.waitForTaskToken` resources and activities: the token the outside world answers with. */
  taskToken?: string;
  stateName: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  /** Credentials block of the state, passed through untouched. */
  credentials?: unknown;
  context: ContextObject;
  /**
   * Added by A2. Set when the engine resumes a callback Task (`.waitForTaskToken` or an activity)
   * after a restart: the resource was already called before the restart, so the host must NOT
   * call it again, only wait for the answer to `taskToken` (SendTaskSuccess/Failure).
   */
  resumed?: boolean;
  /**
   * Added by A2. The host calls this when SendTaskHeartbeat names this task's token; it restarts
   * the `HeartbeatSeconds` clock (no heartbeat in time → the task fails with `States.Timeout`, as
   * AWS reports it, which Retry/Catch also match as `States.HeartbeatTimeout`).
   */
  heartbeat?: () => void;
  /**
   * Added by A2. For activities: the host calls this when a worker picked the task up with
   * GetActivityTask, so the engine records `ActivityStarted` with the worker's name.
   */
  started?: (workerName?: string) => void;
  /**
   * Added by A2. For `.sync` and `.waitForTaskToken` resources: the host may call this with the
   * answer of the initial call, recorded as `TaskSubmitted` (AWS shows it before the final
   * `TaskSucceeded`).
   */
  submitted?: (output: unknown) => void;
}

/** One history event as `GetExecutionHistory` returns it (AWS field names; `id` 1-based). */
export interface HistoryEvent {
  timestamp: Date;
  type: string;
  id: number;
  previousEventId: number;
  /** e.g. `stateEnteredEventDetails`, `taskScheduledEventDetails`, `executionSucceededEventDetails`. */
  [details: string]: unknown;
}

/** Where an execution stands at a top-level state boundary, enough to resume it after a restart. */
export interface Checkpoint {
  /** The state about to run (or running, for Wait and callback Tasks). */
  stateName: string;
  /** The raw input of that state. */
  input: unknown;
  /** Variables visible to it (`Assign`). */
  variables: Record<string, unknown>;
  /** Absolute wake-up time (epoch ms) of a Wait state in progress. */
  waitUntil?: number;
  /** Token of a `.waitForTaskToken` Task or activity in progress, so answers sent to it still land. */
  taskToken?: string;
  /** Retry counts per Retrier index of the state in progress. */
  retryCounts?: number[];
  /** id of the last history event written before the checkpoint. */
  lastEventId: number;
  /**
   * Added by A2. id of the `…StateEntered` event of a Wait or callback Task in progress (the
   * engine names it in error causes after resuming).
   */
  enteredEventId?: number;
}

/** Everything the engine needs from the outside world. */
export interface EngineHost {
  /** Runs a Task's resource and resolves with its raw result; rejects with a {@link StatesError}. */
  invokeTask(request: TaskRequest, signal: AbortSignal): Promise<unknown>;
  /**
   * Records a history event; returns its id. `previousEventId` is the id of the event this one
   * follows in its own branch (Parallel branches and Map iterations interleave). Express
   * executions may pass a host that drops events and returns 0.
   */
  recordEvent(type: string, details: Record<string, unknown> | undefined, previousEventId: number): number;
  /** A fresh task token (the host remembers which execution it belongs to). */
  newTaskToken(): string;
  /** Called at each top-level state boundary of a Standard execution; awaited before going on. */
  checkpoint?(checkpoint: Checkpoint): Promise<void> | void;
  /** Clock, overridable in tests. @default Date.now */
  now?(): number;
  /**
   * Added by A2. Sleeps `ms` milliseconds (Wait states, Retry back-off, TimeoutSeconds and
   * HeartbeatSeconds timers); should reject or resolve early when `signal` aborts (the engine
   * checks the signal afterwards either way). Tests pass a fake that advances a fake clock.
   * @default a setTimeout-based sleep
   */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /**
   * Added by A2. `false` when the host drops history events (Express executions): the engine then
   * skips building event details and never calls `recordEvent`. @default true
   */
  recordsHistory?: boolean;
}

/** The start of one run of a definition. */
export interface RunOptions {
  definition: StateMachineDefinition;
  input: unknown;
  context: Pick<ContextObject, 'Execution' | 'StateMachine'>;
  host: EngineHost;
  /** Aborted by StopExecution or the execution's `TimeoutSeconds`. */
  signal: AbortSignal;
  /** Resume from a checkpoint instead of `StartAt` (after a restart). */
  resumeFrom?: Checkpoint;
  /** When `TimeoutSeconds` starts counting (ISO time) if not `context.Execution.StartTime`: a redriven run counts from its redrive. */
  timeoutFrom?: string;
  /**
   * The longest the execution may run whatever its `TimeoutSeconds` says (AWS: one year for
   * Standard, five minutes for Express); past it the run times out with `States.Timeout`, as a
   * longer `TimeoutSeconds` or a Wait beyond it does on AWS. Counted as `TimeoutSeconds` is.
   */
  maxDurationSeconds?: number;
}

/** How a run ended. `output` is the JSON value the execution returns. */
export type RunOutcome =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED'; error: string; cause: string }
  | { status: 'ABORTED' }
  | { status: 'TIMED_OUT'; error: string; cause: string };
