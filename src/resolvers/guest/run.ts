/**
 * The state of one resolver run inside the sandbox, and the values thrown through resolver code.
 * Shared by the prelude (which opens, drives and closes runs) and the globals in `globals/`
 * (which act on the run whose handler is running). Runs inside the sandbox: see README.md.
 */

export type Json = unknown;

/** What the host passes a handler besides the run: `ctx.prev.result`, `ctx.result`, `ctx.error`. */
export interface Step {
  result?: Json;
  error?: Json;
  prev?: Json;
  hasResult?: boolean;
}

/** The context a run starts from: what the host sent, before any handler ran. */
export interface RunBase {
  arguments: Record<string, unknown>;
  identity: unknown;
  source: unknown;
  request: { headers: Record<string, unknown>; domainName: string | null };
  info: {
    fieldName: string;
    parentTypeName: string;
    variables: Record<string, unknown>;
    selectionSetList: string[];
    selectionSetGraphQL: string;
  };
  env: Record<string, string>;
  authMode: string;
  operation: string;
}

/** Per-field-resolution state: shared by every handler of one resolver run (one stash). */
export interface Run {
  base: RunBase;
  stash: Record<string, unknown>;
  errors: ErrorValue[];
  headers: Record<string, string>;
  headerBytes: number;
  subscriptionFilter?: unknown;
  invalidationFilter?: unknown;
  invalidations: Array<{ subscriptionField: string; payload: unknown }>;
  /** `extensions.evictFromApiCache` calls (docs/caching.md#eviction). */
  evictions: Array<{ typeName: string; fieldName: string; keys: unknown }>;
  /** Which handler runs now: restricts the `extensions` calls (extensions-js.html). */
  phase: string;
}

/** The run whose handler is running; throws when called outside one. */
export type CurrentRun = () => Run;

/** An AppSync error as a handler reports it (`util.error`, `util.appendError`). */
export interface ErrorValue {
  message: string;
  errorType: string | null;
  data: unknown;
  errorInfo: unknown;
}

// Markers thrown through user code; they are sandbox objects, never host ones.

/** Thrown by `util.error` and friends: the handler's outcome is this error. */
export class UtilError {
  constructor(readonly value: ErrorValue) {}
}

/** Thrown by `runtime.earlyReturn` (and a VTL request template's `#return`). */
export class EarlyReturn {
  constructor(
    readonly value: unknown,
    readonly skipTo: 'END' | 'NEXT' | undefined,
  ) {}
}

export const newRun = (base: RunBase): Run => ({
  base,
  stash: {},
  errors: [],
  headers: {},
  headerBytes: 0,
  invalidations: [],
  evictions: [],
  phase: '',
});

export const toErrorValue = (message: unknown, errorType: unknown, data: unknown, errorInfo: unknown): ErrorValue => ({
  message: message === undefined || message === null ? '' : String(message),
  errorType: errorType === undefined || errorType === null ? null : String(errorType),
  data: data === undefined ? null : data,
  errorInfo: errorInfo === undefined ? null : errorInfo,
});

/**
 * Appends without `Array.prototype.push`: resolver code shares this realm and may replace it, and
 * the per-request values never pass through a method it could have replaced.
 */
export const append = <T>(list: T[], item: T): void => {
  list[list.length] = item;
};

/** Freezes a value and everything reachable through its own keys (used once, at bootstrap). */
export const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
};
