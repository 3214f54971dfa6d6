/**
 * The pure half of the page, part two: an execution's history (GetExecutionHistory events, AWS's
 * types and details) becomes a status plus input/output/error per state, and small helpers for
 * the JSON 1.0 answers. No DOM and no I/O: the browser client and the unit tests share it.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A state's colour on the graph. */
export type StateStatus = 'not-started' | 'in-progress' | 'succeeded' | 'failed' | 'caught' | 'cancelled';

/** One history event as the JSON API returns it (timestamps as epoch seconds). */
export interface HistoryEventJson {
  id: number;
  previousEventId?: number;
  type: string;
  timestamp?: number | string;
  [details: string]: unknown;
}

/** What one state did in the selected execution. The I/O is AWS's JSON text, as in the history. */
export interface StateProgress {
  name: string;
  status: StateStatus;
  /** How many times the state was entered (Map iterations and loops enter states repeatedly). */
  entered: number;
  /** Of the latest entry: when it was entered and left (epoch ms). */
  enteredAt?: number;
  exitedAt?: number;
  /** Of the latest entry. */
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Every entry, oldest first (one per Map iteration, loop turn, ...). */
  entries: StateEntry[];
}

/** One entry of a state: what happened between its `…StateEntered` and its end. */
export interface StateEntry {
  status: StateStatus;
  /** The Map iteration(s) it ran in: `"2"`, or `"0/3"` inside nested Maps. */
  iteration?: string;
  enteredAt?: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionProgress {
  /** From the history's `Execution*` events; `RUNNING` until one of them ends it. */
  status: ExecutionStatus;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  states: Map<string, StateProgress>;
}

/** One entry of a state (a `…StateEntered` event) and what followed it. */
interface Run {
  name: string;
  kind: string;
  parent?: Run;
  status: StateStatus;
  /** A failure was recorded and nothing since said the state went on (retry) or ended (exit). */
  failed: boolean;
  iteration?: string;
  enteredAt?: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** A history timestamp (epoch seconds on the JSON 1.0 wire, or an ISO string) in epoch ms. */
function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Math.round(value * 1000);
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** The Fail states of a definition (every scope) by name, with their static `Error`/`Cause`. */
function failStatesOf(definition: unknown): Map<string, { Error?: unknown; Cause?: unknown }> {
  const found = new Map<string, { Error?: unknown; Cause?: unknown }>();
  let parsed = definition;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return found;
    }
  }
  const visit = (scope: unknown) => {
    if (!isObject(scope) || !isObject(scope.States)) return;
    for (const [name, state] of Object.entries(scope.States)) {
      if (!isObject(state)) continue;
      if (state.Type === 'Fail') found.set(name, { Error: state.Error, Cause: state.Cause });
      if (Array.isArray(state.Branches)) state.Branches.forEach(visit);
      visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(parsed);
  return found;
}

/** `TaskStateEntered` → `Task`; the family of other events by their prefix. */
function familyOf(type: string): string {
  if (/^(Task|LambdaFunction|Activity)/.test(type)) return 'Task';
  if (type.startsWith('Map')) return 'Map';
  const match = /^(Parallel|Wait|Choice|Pass|Succeed|Fail|Execution|Evaluation)/.exec(type);
  return match ? match[1] : '';
}

/** `TaskFailed` → `taskFailedEventDetails`: AWS names each event's details after its type. */
function detailsOf(event: HistoryEventJson): Record<string, unknown> | undefined {
  const key = `${event.type[0].toLowerCase()}${event.type.slice(1)}EventDetails`;
  const details = event[key];
  if (isObject(details)) return details;
  for (const [name, value] of Object.entries(event)) if (name.endsWith('EventDetails') && isObject(value)) return value;
  return undefined;
}

const isFailure = (type: string) => /(Failed|TimedOut)$/.test(type) && !type.startsWith('Execution') && !type.startsWith('MapIteration');
const isAbort = (type: string) => type.endsWith('Aborted') && !type.startsWith('Execution') && !type.startsWith('MapIteration');

/**
 * Folds an execution's history (all pages, ascending) into a status and the latest I/O per state.
 * Events are tied to a state by walking `previousEventId` (Parallel branches and Map iterations
 * interleave): `…StateEntered`/`…StateExited` name their state; task, Parallel and Map events
 * belong to the nearest enclosing entry of their kind; execution events to the state before them.
 * A state whose failure was followed by its exit or by another state (a `Catch`) is `caught`; one
 * still running when the execution ended is `cancelled`.
 */
export function executionProgress(events: readonly HistoryEventJson[], definition?: unknown): ExecutionProgress {
  const progress: ExecutionProgress = { status: 'RUNNING', states: new Map() };
  const failStates = failStatesOf(definition);
  const runs: Run[] = [];
  const ownerOf = new Map<number, Run | undefined>();
  const typeOf = new Map<number, string>();
  /** `index` of each MapIterationStarted event, by event id. */
  const iterationOf = new Map<number, number>();

  const fail = (run: Run, error: unknown, cause: unknown) => {
    run.failed = true;
    run.status = 'failed';
    if (typeof error === 'string') run.error = error;
    if (typeof cause === 'string') run.cause = cause;
    // A Parallel/Map failing carries no details on AWS: its error is the failed child's.
    for (let parent = run.parent; parent; parent = parent.parent) {
      if (parent.error === undefined && parent.status === 'in-progress') {
        parent.error = run.error;
        parent.cause = run.cause;
      }
    }
  };
  const settle = (run: Run | undefined) => {
    if (run && run.failed && run.status === 'failed') run.status = 'caught';
  };
  /**
   * The entry a Task/Parallel/Map/Wait event belongs to. A Parallel or Map that already ended is
   * skipped: an outer Parallel's `ParallelStateFailed` follows the inner one's.
   */
  const enclosing = (run: Run | undefined, kind: string): Run | undefined => {
    const activeOnly = kind === 'Parallel' || kind === 'Map';
    for (let at = run; at; at = at.parent) if (at.kind === kind && (!activeOnly || at.status === 'in-progress')) return at;
    return undefined;
  };

  for (const event of events) {
    const type = String(event.type);
    const details = detailsOf(event);
    const previous = event.previousEventId ? ownerOf.get(event.previousEventId) : undefined;
    const previousType = event.previousEventId ? typeOf.get(event.previousEventId) : undefined;
    typeOf.set(event.id, type);
    if (type === 'MapIterationStarted' && typeof details?.index === 'number') iterationOf.set(event.id, details.index);
    if (type.endsWith('StateEntered')) {
      const name = typeof details?.name === 'string' ? details.name : '?';
      // The first state of a branch or iteration follows its container's `…Started` event (or
      // any event of a Parallel/Map still running: a container never runs beside its successor).
      const opensScope =
        (previousType !== undefined && /^(ParallelStateStarted|MapStateStarted|MapIterationStarted)$/.test(previousType)) ||
        (previous !== undefined && (previous.kind === 'Parallel' || previous.kind === 'Map') && previous.status === 'in-progress');
      const parent = opensScope ? previous : previous?.parent;
      if (!opensScope && previous && previous.name !== name) settle(previous);
      const run: Run = { name, kind: type.slice(0, -'StateEntered'.length), parent, status: 'in-progress', failed: false };
      // Which Map iteration: opened by a MapIterationStarted, else the same as the state before
      // (a sibling) or as the container (a Parallel branch inside an iteration).
      const index = previousType === 'MapIterationStarted' && event.previousEventId ? iterationOf.get(event.previousEventId) : undefined;
      if (index !== undefined) run.iteration = parent?.iteration !== undefined ? `${parent.iteration}/${index}` : String(index);
      else run.iteration = opensScope ? parent?.iteration : (previous?.iteration ?? parent?.iteration);
      if (typeof details?.input === 'string') run.input = details.input;
      run.enteredAt = epochMs(event.timestamp);
      runs.push(run);
      ownerOf.set(event.id, run);
      if (type === 'FailStateEntered') {
        // A Fail state inside a Parallel or Map records no error event: its static Error/Cause say it.
        const declared = failStates.get(name);
        fail(run, declared?.Error, declared?.Cause);
      }
      continue;
    }
    if (type.endsWith('StateExited')) {
      const name = typeof details?.name === 'string' ? details.name : undefined;
      let run = previous;
      while (run && name !== undefined && run.name !== name) run = run.parent;
      run ??= previous;
      if (run) {
        if (typeof details?.output === 'string') run.output = details.output;
        run.status = run.failed ? 'caught' : 'succeeded';
        run.exitedAt = epochMs(event.timestamp);
      }
      ownerOf.set(event.id, run);
      continue;
    }
    const family = familyOf(type);
    if (family === 'Execution') {
      ownerOf.set(event.id, previous);
      if (type === 'ExecutionStarted' && typeof details?.input === 'string') progress.input = details.input;
      if (type === 'ExecutionSucceeded') {
        progress.status = 'SUCCEEDED';
        if (typeof details?.output === 'string') progress.output = details.output;
      }
      if (type === 'ExecutionFailed' || type === 'ExecutionTimedOut' || type === 'ExecutionAborted') {
        progress.status = type === 'ExecutionFailed' ? 'FAILED' : type === 'ExecutionTimedOut' ? 'TIMED_OUT' : 'ABORTED';
        if (typeof details?.error === 'string') progress.error = details.error;
        if (typeof details?.cause === 'string') progress.cause = details.cause;
        // The state that was running when the execution failed is the one that failed it.
        if (type !== 'ExecutionAborted' && previous && previous.status === 'in-progress') fail(previous, details?.error, details?.cause);
        if (previous && previous.status === 'failed') {
          previous.error ??= typeof details?.error === 'string' ? details.error : undefined;
          previous.cause ??= typeof details?.cause === 'string' ? details.cause : undefined;
        }
      }
      continue;
    }
    const owner = (family === 'Task' || family === 'Parallel' || family === 'Map' || family === 'Wait' ? enclosing(previous, family) : undefined) ?? previous;
    ownerOf.set(event.id, owner);
    if (!owner) continue;
    if (isFailure(type)) fail(owner, details?.error, details?.cause);
    // An abort after the state's own failure (a sibling iteration failed the Map) keeps `failed`.
    else if (isAbort(type)) {
      if (owner.status === 'in-progress') owner.status = 'cancelled';
    } else if (owner.failed && owner.status === 'failed' && family === 'Task' && /(Scheduled|Started|Submitted)$/.test(type)) {
      // Retried: the failure was not the end of the state.
      owner.failed = false;
      owner.status = 'in-progress';
      owner.error = undefined;
      owner.cause = undefined;
    }
  }

  const ended = progress.status !== 'RUNNING';
  const rank: Record<StateStatus, number> = { 'in-progress': 5, failed: 4, cancelled: 3, caught: 2, succeeded: 1, 'not-started': 0 };
  for (const run of runs) {
    if (ended && run.status === 'in-progress') run.status = progress.status === 'SUCCEEDED' ? 'succeeded' : 'cancelled';
    const seen = progress.states.get(run.name);
    const entry: StateProgress = seen ?? { name: run.name, status: run.status, entered: 0, entries: [] };
    entry.entries.push({
      status: run.status,
      iteration: run.iteration,
      enteredAt: run.enteredAt,
      exitedAt: run.exitedAt,
      input: run.input,
      output: run.output,
      error: run.error,
      cause: run.cause,
    });
    entry.entered += 1;
    if (rank[run.status] >= rank[entry.status]) entry.status = run.status;
    // The latest entry's data wins; an earlier entry's error stays visible if the latest has none.
    entry.enteredAt = run.enteredAt;
    entry.exitedAt = run.exitedAt;
    if (run.input !== undefined) entry.input = run.input;
    if (run.output !== undefined) entry.output = run.output;
    if (run.error !== undefined) entry.error = run.error;
    if (run.cause !== undefined) entry.cause = run.cause;
    progress.states.set(run.name, entry);
  }
  return progress;
}

/**
 * When a Wait state entered at `enteredAt` (epoch ms) with `inputText` ends (epoch ms), from its
 * ASL: `Seconds`, `Timestamp`, or a plain `$.a.b` `SecondsPath` / `TimestampPath` read from the
 * input. Undefined when the page cannot tell (a JSONata expression, an `InputPath`, a filter).
 */
export function waitEndsAt(state: Record<string, unknown> | undefined, enteredAt: number | undefined, inputText: string | undefined): number | undefined {
  if (!state || state.Type !== 'Wait' || enteredAt === undefined) return undefined;
  const seconds = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? enteredAt + value * 1000 : undefined);
  const stamp = (value: unknown) => {
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isNaN(ms) ? undefined : ms;
  };
  if (state.Seconds !== undefined) return seconds(state.Seconds);
  if (state.Timestamp !== undefined) return stamp(state.Timestamp);
  if (state.InputPath !== undefined && state.InputPath !== '$') return undefined;
  const path = typeof state.SecondsPath === 'string' ? state.SecondsPath : typeof state.TimestampPath === 'string' ? state.TimestampPath : undefined;
  if (!path || !/^\$(\.[A-Za-z_][\w]*)*$/.test(path) || inputText === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(inputText);
  } catch {
    return undefined; // a truncated or non-JSON input: the end is not known
  }
  for (const key of path.split('.').slice(1)) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof state.SecondsPath === 'string' ? seconds(value) : stamp(value);
}

/** Pretty-prints JSON text from the history (`"{\"a\":1}"`); text that is not JSON is returned as is. */
export function formatJsonText(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The error name of a JSON 1.0 error body (`com.amazonaws.states#ExecutionDoesNotExist` → `ExecutionDoesNotExist`). */
export function apiErrorName(body: unknown, status: number): string {
  const raw = isObject(body) ? (body.__type ?? body.code ?? body.Code) : undefined;
  if (typeof raw === 'string' && raw) return raw.slice(raw.lastIndexOf('#') + 1).split(':')[0];
  return `HTTP ${status}`;
}

/** The message of a JSON 1.0 error body (AWS spells it `message` or `Message`). */
export function apiErrorMessage(body: unknown, fallback: string): string {
  if (isObject(body)) {
    const message = body.message ?? body.Message;
    if (typeof message === 'string') return message;
  }
  return fallback;
}
