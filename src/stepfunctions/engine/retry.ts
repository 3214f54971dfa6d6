/**
 * Retry and Catch matching (ASL "Error handling"): which Retrier or Catcher an error name
 * selects, and how long a Retrier waits before the next attempt.
 */

import { StatesError } from './types.js';

/**
 * A missed heartbeat. AWS reports it as `States.Timeout` (history, DescribeExecution, the error
 * output) yet a Retrier or Catcher naming `States.HeartbeatTimeout` matches it as well as one
 * naming `States.Timeout`.
 */
export class HeartbeatTimeoutError extends StatesError {
  constructor() {
    super('States.Timeout', '');
  }
}

/** The second name an error answers to in `ErrorEquals`, if any. */
export function aliasOf(err: StatesError): string | undefined {
  return err instanceof HeartbeatTimeoutError ? 'States.HeartbeatTimeout' : undefined;
}

/** One `Retry` entry with AWS's defaults filled in. */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy: 'FULL' | 'NONE';
}

/** One `Catch` entry. */
export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: unknown;
  Assign?: unknown;
}

/**
 * Whether an `ErrorEquals` list matches an error name.
 * - `States.ALL` matches every error except `States.Runtime` and `States.DataLimitExceeded`,
 *   which AWS documents as terminal (not retriable and not caught by `States.ALL`).
 * - `States.TaskFailed` is a wildcard for every error except `States.Timeout` (and the two
 *   terminal ones above).
 * - `States.Runtime` is never retried nor caught, even when named.
 */
export function errorMatches(errorEquals: readonly string[], error: string, alias?: string): boolean {
  if (error === 'States.Runtime') return false;
  for (const name of errorEquals) {
    if (name === error || (alias !== undefined && name === alias)) return true;
    if (error === 'States.DataLimitExceeded') continue;
    if (name === 'States.ALL') return true;
    if (name === 'States.TaskFailed' && error !== 'States.Timeout') return true;
  }
  return false;
}

/** Normalizes a state's `Retry` list (defaults: 1 s, 3 attempts, back-off 2, jitter NONE). */
export function retriersOf(state: Record<string, unknown>): Retrier[] {
  const list = state.Retry;
  if (!Array.isArray(list)) return [];
  return list.map((r: Record<string, unknown>) => ({
    ErrorEquals: Array.isArray(r.ErrorEquals) ? (r.ErrorEquals as string[]) : [],
    IntervalSeconds: typeof r.IntervalSeconds === 'number' ? r.IntervalSeconds : 1,
    MaxAttempts: typeof r.MaxAttempts === 'number' ? r.MaxAttempts : 3,
    BackoffRate: typeof r.BackoffRate === 'number' ? r.BackoffRate : 2,
    MaxDelaySeconds: typeof r.MaxDelaySeconds === 'number' ? r.MaxDelaySeconds : undefined,
    JitterStrategy: r.JitterStrategy === 'FULL' ? 'FULL' : 'NONE',
  }));
}

/** The index of the first Retrier matching `error`, or -1. */
export function findRetrier(retriers: readonly Retrier[], error: string, alias?: string): number {
  for (let i = 0; i < retriers.length; i++) if (errorMatches(retriers[i].ErrorEquals, error, alias)) return i;
  return -1;
}

/** The first Catcher matching `error`. */
export function findCatcher(state: Record<string, unknown>, error: string, alias?: string): Catcher | undefined {
  const list = state.Catch;
  if (!Array.isArray(list)) return undefined;
  for (const c of list as Catcher[]) if (Array.isArray(c.ErrorEquals) && errorMatches(c.ErrorEquals, error, alias)) return c;
  return undefined;
}

/**
 * Milliseconds before retry number `attempt + 1` (attempt counts retries already made by this
 * Retrier): `IntervalSeconds × BackoffRate^attempt`, capped by `MaxDelaySeconds`; with
 * `JitterStrategy: FULL` a random value between 0 and that.
 */
export function retryDelayMs(retrier: Retrier, attempt: number, random: () => number = Math.random): number {
  let seconds = retrier.IntervalSeconds * Math.pow(retrier.BackoffRate, attempt);
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds = random() * seconds;
  return Math.round(seconds * 1000);
}
