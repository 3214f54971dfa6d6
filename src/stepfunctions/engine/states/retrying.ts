/** Retry and Catch around one attempt of a Task, Parallel or Map state. */
import { aliasOf, findCatcher, findRetrier, retriersOf, retryDelayMs } from '../retry.js';
import { StatesError } from '../types.js';
import { inState, reportEvaluationFailure, sleepFor, Stop, type StateCall, type StepResult } from './frame.js';
import { caughtResult } from './io.js';

export interface RetryOptions {
  /** Retry counts per Retrier (restored from a checkpoint after a restart). */
  tries?: number[];
  /**
   * Called once when the state finally fails (no retry left), before the Catch runs or the error
   * propagates: records `ParallelStateFailed`, `MapStateFailed`, `TaskStateAborted`.
   */
  onFinalFailure?: (err: StatesError, caught: boolean) => void;
}

/**
 * Runs `attempt` until it succeeds, retrying matching errors as the state's `Retry` says (each
 * Retrier keeps its own count) and handing the final error to the first matching `Catch`.
 * `$$.State.RetryCount` counts the retries made. Errors no Catcher takes propagate.
 */
export async function withRetryAndCatch(call: StateCall, attempt: (tries: number[]) => Promise<StepResult>, options: RetryOptions = {}): Promise<StepResult> {
  const retriers = retriersOf(call.state);
  const counts = options.tries && options.tries.length === retriers.length ? options.tries.slice() : retriers.map(() => 0);
  for (;;) {
    try {
      return await attempt(counts);
    } catch (e) {
      if (e instanceof Stop) throw e;
      const err = inState(e, call) as StatesError;
      reportEvaluationFailure(call, err);
      const alias = aliasOf(err);
      const index = findRetrier(retriers, err.error, alias);
      if (index >= 0 && counts[index] < retriers[index].MaxAttempts) {
        const delay = retryDelayMs(retriers[index], counts[index]);
        counts[index]++;
        // A fresh context per attempt: the previous one may still be held by the host.
        call.context = { ...call.context, State: { ...call.context.State, RetryCount: call.context.State.RetryCount + 1 } };
        await sleepFor(call.frame, delay);
        continue;
      }
      const catcher = findCatcher(call.state, err.error, alias);
      options.onFinalFailure?.(err, catcher !== undefined);
      if (!catcher) throw err;
      try {
        return await caughtResult(call, catcher, err);
      } catch (e2) {
        const err2 = inState(e2, call);
        if (err2 instanceof StatesError) reportEvaluationFailure(call, err2);
        throw err2;
      }
    }
  }
}
