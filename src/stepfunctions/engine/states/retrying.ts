/** Retry and Catch around one attempt of a Task, Parallel or Map state. */
import { findCatcher, findRetrier, retriersOf, retryDelayMs } from '../retry.js';
import { StatesError } from '../types.js';
import { inState, sleepFor, Stop, type StateCall, type StepResult } from './frame.js';
import { caughtResult } from './io.js';

/**
 * Runs `attempt` until it succeeds, retrying matching errors as the state's `Retry` says (each
 * Retrier keeps its own count) and handing the final error to the first matching `Catch`.
 * `$$.State.RetryCount` counts the retries made. Errors no Catcher takes propagate.
 * @param tries retry counts per Retrier (restored from a checkpoint after a restart).
 */
export async function withRetryAndCatch(
  call: StateCall,
  attempt: (tries: number[]) => Promise<StepResult>,
  tries?: number[],
): Promise<StepResult> {
  const retriers = retriersOf(call.state);
  const counts = tries && tries.length === retriers.length ? tries.slice() : retriers.map(() => 0);
  for (;;) {
    try {
      return await attempt(counts);
    } catch (e) {
      if (e instanceof Stop) throw e;
      const err = inState(e, call) as StatesError;
      const index = findRetrier(retriers, err.error);
      if (index >= 0 && counts[index] < retriers[index].MaxAttempts) {
        const delay = retryDelayMs(retriers[index], counts[index]);
        counts[index]++;
        call.context.State.RetryCount++;
        await sleepFor(call.frame, delay);
        continue;
      }
      const catcher = findCatcher(call.state, err.error);
      if (!catcher) throw err;
      try {
        return await caughtResult(call, catcher, err);
      } catch (e2) {
        throw inState(e2, call);
      }
    }
  }
}
