/**
 * `runExecution`: runs one execution of a state machine definition to its end, recording the
 * history through the host, and answers how it ended.
 *
 * - Records `ExecutionStarted` (unless resuming) and exactly one closing event:
 *   `ExecutionSucceeded` / `ExecutionFailed` / `ExecutionAborted` / `ExecutionTimedOut`.
 * - The definition's `TimeoutSeconds` (capped by `maxDurationSeconds`, the execution type's
 *   limit) counts from `context.Execution.StartTime`, so a resumed execution keeps its original
 *   deadline. Expiry → `TIMED_OUT` (error `States.Timeout`).
 * - `options.signal` aborting → `ABORTED`. If its `reason` is a {@link StatesError} (or has
 *   string `error` / `cause`), they go into `executionAbortedEventDetails` (StopExecution's
 *   error and cause); a reason whose `error` is `States.Timeout` ends the run as `TIMED_OUT`
 *   instead (a host enforcing the timeout itself).
 * - With `resumeFrom`, the run continues at the checkpoint's state without recording again what
 *   is already in the history: a Wait sleeps until `waitUntil`, a callback Task waits again for
 *   its `taskToken` (the request carries `resumed: true`). Parallel and Map states in progress
 *   restart as a whole (their checkpoint is the one taken before they were entered).
 */
import { errorCauseDetails, json, NOT_TRUNCATED, record } from './history.js';
import { runBlock } from './states/block.js';
import { childController, defaultSleep, Stop, stopFor, toStatesError, type Frame, type Runtime } from './states/frame.js';
import { StatesError, type RunOptions, type RunOutcome } from './types.js';
import { DEFAULT_REGION } from '../../config/awsDefaults.js';

/** Runs an execution to its end. Never rejects: every ending is a {@link RunOutcome}. */
export async function runExecution(options: RunOptions): Promise<RunOutcome> {
  const { definition, host, context, resumeFrom } = options;
  const now = host.now ? () => host.now!() : Date.now;
  const rt: Runtime = {
    host,
    now,
    sleep: host.sleep ? (ms, signal) => host.sleep!(ms, signal) : defaultSleep,
    history: host.recordsHistory !== false,
    execution: context,
    region: host.recordsHistory === false ? DEFAULT_REGION : regionOf(context.Execution.Id),
    queryLanguage: definition.QueryLanguage === 'JSONata' ? 'JSONata' : 'JSONPath',
    // Without history ExecutionStarted is not recorded but still counts as event #1.
    seq: resumeFrom?.lastEventId ?? (host.recordsHistory === false ? 1 : 0),
    eventCount: resumeFrom?.lastEventId ?? 0,
    transitions: 0,
  };
  if (resumeFrom) rt.resume = { ...resumeFrom };

  // With a TimeoutSeconds the run gets a controller of its own that both the host's signal
  // (StopExecution) and the timer abort; without one the host's signal is used as it is.
  let signal = options.signal;
  let timer: AbortController | undefined;
  let unlink: (() => void) | undefined;
  const limits = [definition.TimeoutSeconds, options.maxDurationSeconds].filter((t): t is number => typeof t === 'number' && t > 0);
  if (limits.length > 0) {
    const link = childController(options.signal);
    signal = link.controller.signal;
    unlink = link.dispose;
    timer = startExecutionTimer(rt, Math.min(...limits), options.timeoutFrom ?? context.Execution.StartTime, link.controller);
  }

  const frame: Frame = {
    rt,
    signal,
    last: resumeFrom?.lastEventId ?? 0,
    variables: resumeFrom?.variables ?? {},
    top: true,
  };
  try {
    if (!resumeFrom && rt.history) {
      record(frame, 'ExecutionStarted', {
        executionStartedEventDetails: { input: json(options.input), inputDetails: NOT_TRUNCATED, roleArn: context.Execution.RoleArn },
      });
      // AWS does not chain the first state to ExecutionStarted: its previousEventId is 0.
      frame.last = 0;
    }
    const input = resumeFrom ? resumeFrom.input : options.input;
    const output = await runBlock(definition, input, frame, resumeFrom?.stateName);
    if (signal.aborted) return stopped(frame, signal.reason);
    if (!rt.history) {
      record(frame, 'ExecutionSucceeded');
      return { status: 'SUCCEEDED', output: output === undefined ? null : output };
    }
    // The last state's exit recorded this very output: its text serves the closing event too.
    const outputText = frame.exitedText !== undefined && output === frame.exitedValue ? frame.exitedText : json(output);
    record(frame, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: outputText, outputDetails: NOT_TRUNCATED } });
    return { status: 'SUCCEEDED', output: output === undefined ? null : output };
  } catch (e) {
    if (signal.aborted) return stopped(frame, signal.reason);
    if (e instanceof Stop) return stopped(frame, e);
    const err = toStatesError(e);
    record(frame, 'ExecutionFailed', { executionFailedEventDetails: errorCauseDetails(err.error, err.cause) });
    return { status: 'FAILED', error: err.error, cause: err.cause };
  } finally {
    unlink?.();
    timer?.abort();
  }
}

/** The closing event and outcome of a stopped run. */
function stopped(frame: Frame, reason: unknown): RunOutcome {
  const stop = reason instanceof Stop ? reason : stopFor(reason);
  if (stop.kind === 'TIMED_OUT') {
    // AWS: one ExecutionTimedOut event carrying States.Timeout; DescribeExecution has no error/cause.
    frame.last = 0;
    const d = stop.detail instanceof StatesError ? stop.detail : new StatesError('States.Timeout', '');
    record(frame, 'ExecutionTimedOut', { executionTimedOutEventDetails: errorCauseDetails(d.error, d.cause) });
    return { status: 'TIMED_OUT', error: d.error, cause: d.cause };
  }
  const detail = stop.detail;
  const details =
    detail && typeof detail === 'object' && typeof (detail as { error?: unknown }).error === 'string'
      ? errorCauseDetails((detail as { error: string }).error, String((detail as { cause?: unknown }).cause ?? ''))
      : detail && typeof detail === 'object' && typeof (detail as { cause?: unknown }).cause === 'string'
        ? errorCauseDetails('', (detail as { cause: string }).cause)
        : {};
  record(frame, 'ExecutionAborted', { executionAbortedEventDetails: details });
  return { status: 'ABORTED' };
}

/** Aborts the run at `StartTime + TimeoutSeconds` (through the host's sleep). */
function startExecutionTimer(rt: Runtime, timeoutSeconds: number | undefined, startTime: string, controller: AbortController): AbortController | undefined {
  if (typeof timeoutSeconds !== 'number' || !(timeoutSeconds > 0)) return undefined;
  const started = Date.parse(startTime);
  const deadline = (Number.isNaN(started) ? rt.now() : started) + timeoutSeconds * 1000;
  const timer = new AbortController();
  rt.sleep(Math.max(0, deadline - rt.now()), timer.signal).then(
    () => {
      if (!timer.signal.aborted && !controller.signal.aborted) {
        controller.abort(new Stop('TIMED_OUT', new StatesError('States.Timeout', '')));
      }
    },
    () => {},
  );
  return timer;
}

/** `us-east-1` from `arn:aws:states:us-east-1:…`. */
function regionOf(arn: string): string {
  const region = arn.split(':')[3];
  return region ? region : DEFAULT_REGION;
}
