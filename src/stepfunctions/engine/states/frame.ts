/**
 * The shared run-time pieces every state runner uses: the {@link Runtime} of one execution, the
 * {@link Frame} of one branch (the top level, a Parallel branch or a Map iteration), the context
 * object of a state, abort plumbing and the small error helpers.
 */
import type { Checkpoint, ContextObject, EngineHost } from '../types.js';
import { StatesError } from '../types.js';
import { stateCause, type PathScope } from '../jsonpath.js';
import { HISTORY_LIMIT_CAUSE, recordEvaluationFailed } from '../history.js';

export type QueryLanguage = 'JSONPath' | 'JSONata';
export type StateDefinition = Record<string, unknown>;

/** A set of states to run: the machine itself, a Parallel branch or a Map ItemProcessor. */
export interface StatesBlock {
  StartAt: string;
  States: Record<string, StateDefinition>;
}

/** What stays the same for the whole execution. */
export interface Runtime {
  host: EngineHost;
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** false for hosts that drop events (Express): no event details are built at all. */
  history: boolean;
  execution: Pick<ContextObject, 'Execution' | 'StateMachine'>;
  /** Region for `taskScheduledEventDetails.region`, taken from the execution ARN. */
  region: string;
  /** Top-level `QueryLanguage` of the machine (states may override it). */
  queryLanguage: QueryLanguage;
  /** Event counter used when the host keeps no history. */
  seq: number;
  /** Events recorded so far (AWS caps a Standard history at 25,000 events). */
  eventCount: number;
  /** States entered so far; the engine yields to the event loop every so often. */
  transitions: number;
  /** Where a resumed execution picks up again (consumed by the first state that matches). */
  resume?: Checkpoint;
}

/** One line of execution: the top level, a Parallel branch or a Map iteration. */
export interface Frame {
  rt: Runtime;
  signal: AbortSignal;
  /** id of the last history event of this line (the next event's `previousEventId`). */
  last: number;
  /**
   * Variables visible here. Parallel branches and Map iterations start from a copy of the outer
   * ones, so what they assign stays inside (AWS: inner scopes read outer variables, their own
   * assignments are not visible outside).
   */
  variables: Record<string, unknown>;
  /** Only the top-level line checkpoints. */
  top: boolean;
  /** Type of the state in progress on this line (for `<Type>StateAborted` when it is cut). */
  current?: string;
  /** Set when a failing sibling cut this line. */
  cut?: boolean;
  /** The output the line's last `…StateExited` recorded and its JSON text (reused by the next `…StateEntered`). */
  exitedValue?: unknown;
  exitedText?: string;
}

/** Outcome of one state: its output and the next state (`undefined` = End). */
export interface StepResult {
  output: unknown;
  next?: string;
  /** Variables the state assigned, for `stateExitedEventDetails.assignedVariables`. */
  assigned?: Record<string, unknown>;
  /** Set by Fail states: the error that ends this line. */
  fail?: StatesError;
}

/** Per-state data a runner needs besides its definition. */
export interface StateCall {
  name: string;
  state: StateDefinition;
  /** Raw input of the state. */
  input: unknown;
  frame: Frame;
  ql: QueryLanguage;
  /** The context object of this state (`$$`, `$states.context`). */
  context: ContextObject;
  /** id of the `…StateEntered` event. */
  enteredId: number;
  /** Set when this state was in progress (Wait, callback Task) when the checkpoint was taken. */
  resume?: Checkpoint;
}

/** Why an execution line stops early: StopExecution, execution timeout, or a failed sibling. */
export class Stop extends Error {
  constructor(
    readonly kind: 'ABORTED' | 'TIMED_OUT' | 'SIBLING',
    readonly detail?: unknown,
  ) {
    super(`execution stopped: ${kind}`);
    this.name = 'Stop';
  }
}

/**
 * The Stop an abort reason means: a Stop as it is; a reason whose `error` is `States.Timeout`
 * (a host enforcing the execution timeout) → TIMED_OUT; anything else (StopExecution) → ABORTED.
 */
export function stopFor(reason: unknown): Stop {
  if (reason instanceof Stop) return reason;
  if (reason && typeof reason === 'object' && (reason as { error?: unknown }).error === 'States.Timeout') {
    const r = reason as { error: string; cause?: unknown };
    return new Stop('TIMED_OUT', new StatesError(r.error, typeof r.cause === 'string' ? r.cause : ''));
  }
  return new Stop('ABORTED', reason);
}

/** Throws the {@link Stop} the signal's reason means when the line was stopped. */
export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw stopFor(signal.reason);
}

/** An AbortController that also aborts when `parent` does; `dispose` unlinks it. */
export function childController(parent: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => {} };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}

/**
 * The longest delay `setTimeout` keeps (2^31 - 1 ms, about 24.8 days); a longer one fires at once
 * (Node warns TimeoutOverflowWarning), so long sleeps go in slices of at most this.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * setTimeout-based sleep that rejects with the signal's reason on abort. Sleeps longer than a
 * timer can hold are slept slice by slice, each up to the wall-clock end (so a clock change
 * during a month-long Wait is honoured); an infinite one never ends unless aborted.
 */
export function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const end = Date.now() + Math.max(0, ms || 0);
    let timer: NodeJS.Timeout;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const arm = () => {
      const left = end - Date.now();
      if (left > MAX_TIMER_MS) {
        timer = setTimeout(arm, MAX_TIMER_MS);
        return;
      }
      timer = setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, left),
      );
    };
    arm();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Sleeps through the host, then throws if the line was stopped meanwhile. */
export async function sleepFor(frame: Frame, ms: number): Promise<void> {
  throwIfStopped(frame.signal);
  if (ms > 0) {
    try {
      await frame.rt.sleep(ms, frame.signal);
    } catch (e) {
      throwIfStopped(frame.signal);
      throw e;
    }
  }
  throwIfStopped(frame.signal);
}

// States entered within the same millisecond share one ISO text (Pass chains do not pay for a
// Date per state).
let isoAt = NaN;
let isoText = '';
function isoTime(ms: number): string {
  if (ms !== isoAt) {
    isoAt = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

/** The context object of a state about to run. */
export function stateContext(frame: Frame, name: string, enteredTime: number): ContextObject {
  return {
    Execution: frame.rt.execution.Execution,
    StateMachine: frame.rt.execution.StateMachine,
    State: { Name: name, EnteredTime: isoTime(enteredTime), RetryCount: 0 },
  };
}

/** The JSONPath scope of a state. */
export function pathScope(call: StateCall): PathScope {
  return { context: call.context, variables: call.frame.variables };
}

/** Query language of a state: its own `QueryLanguage` or the machine's. */
export function queryLanguageOf(state: StateDefinition, rt: Runtime): QueryLanguage {
  const ql = state.QueryLanguage;
  return ql === 'JSONata' || ql === 'JSONPath' ? ql : rt.queryLanguage;
}

/**
 * Turns anything thrown into a {@link StatesError}. Gateway choice: a non-StatesError thrown by
 * a host or a bug becomes `States.Runtime` with the message as cause.
 */
export function toStatesError(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  if (e && typeof e === 'object' && typeof (e as { error?: unknown }).error === 'string') {
    const o = e as { error: string; cause?: unknown };
    return new StatesError(o.error, typeof o.cause === 'string' ? o.cause : o.cause === undefined ? '' : JSON.stringify(o.cause));
  }
  return new StatesError('States.Runtime', e instanceof Error ? e.message : String(e));
}

/**
 * AWS prefixes failures raised while a state processes its data (paths, templates, JSONata) with
 * the state and the id of its entered event.
 */
export function inState(e: unknown, call: StateCall): unknown {
  if (e instanceof Stop) return e;
  const err = toStatesError(e);
  if (err.error !== 'States.Runtime' && err.error !== 'States.QueryEvaluationError' && err.error !== 'States.IntrinsicFailure') return err;
  if (err.cause.startsWith('An error occurred while executing the state') || err.cause === HISTORY_LIMIT_CAUSE) return err;
  return new StatesError(err.error, stateCause(call.name, call.enteredId, err.cause));
}

/** Errors whose `EvaluationFailed` event is already recorded (by the state that raised them). */
const reported = new WeakSet<StatesError>();

/**
 * Records `EvaluationFailed` for a JSONata failure of this state, once per error (an error
 * passing up through Parallel/Map is not recorded again).
 */
export function reportEvaluationFailure(call: StateCall, err: StatesError): void {
  if (err.error !== 'States.QueryEvaluationError' || reported.has(err)) return;
  reported.add(err);
  recordEvaluationFailed(call.frame, call.name, err.error, err.cause);
}

/** The `{ Error, Cause }` object Catch hands on; AWS binds an empty string to a missing part. */
export function errorOutput(err: StatesError): Record<string, unknown> {
  return { Error: err.error, Cause: err.cause };
}

/** A positive whole number from a field that may be given directly, by path or by JSONata. */
export function asSeconds(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new StatesError('States.Runtime', `The value of the field '${field}' must be a positive integer, but was ${JSON.stringify(value)}.`);
  }
  return value;
}
