/**
 * The Task state: evaluates `Parameters` / `Arguments`, asks the host to run the resource, and
 * enforces `TimeoutSeconds` / `HeartbeatSeconds`. `.waitForTaskToken` resources and activities
 * get a task token (placed in `$$.Task.Token` before the parameters are evaluated).
 */
import { selectPath } from '../jsonpath.js';
import { evaluateJsonataTemplate } from '../jsonata.js';
import {
  describeResource,
  recordScheduled,
  recordStarted,
  recordSubmitted,
  recordSucceeded,
  recordPassing,
  recordTaskError,
  type ResourceInfo,
} from '../history.js';
import { StatesError, type TaskRequest } from '../types.js';
import { asSeconds, childController, pathScope, Stop, stopFor, toStatesError, type StateCall, type StepResult } from './frame.js';
import { effectiveInput, finishJsonata, finishJsonPath, jsonataScope, parametersOf } from './io.js';
import { withRetryAndCatch } from './retrying.js';
import { HeartbeatTimeoutError } from '../retry.js';

/** Runs a Task state with its Retry and Catch. */
export function runTask(call: StateCall): Promise<StepResult> {
  const info = describeResource(String(call.state.Resource));
  let resume = call.resume?.taskToken !== undefined ? call.resume : undefined;
  return withRetryAndCatch(
    call,
    async (tries) => {
      const resumed = resume;
      resume = undefined;
      return attempt(call, info, tries, resumed?.taskToken);
    },
    {
      tries: resume?.retryCounts,
      // AWS: a task failure that ends a Parallel branch or Map iteration leaves TaskStateAborted.
      onFinalFailure: (err, caught) => {
        if (!caught && !call.frame.top && invocationErrors.has(err)) recordPassing(call.frame, 'TaskStateAborted');
      },
    },
  );
}

/** Errors that came from running the resource (not from evaluating the state's fields). */
const invocationErrors = new WeakSet<StatesError>();

async function attempt(call: StateCall, info: ResourceInfo, tries: number[], resumedToken: string | undefined): Promise<StepResult> {
  const { state, frame } = call;
  const host = frame.rt.host;
  let token: string | undefined;
  if (info.callback) {
    token = resumedToken ?? host.newTaskToken();
    call.context.Task = { Token: token };
  }
  let parameters: unknown;
  let timeoutSeconds: number | undefined;
  let heartbeatSeconds: number | undefined;
  if (call.ql === 'JSONata') {
    const scope = jsonataScope(call);
    parameters = state.Arguments === undefined ? call.input : await evaluateJsonataTemplate(state.Arguments, scope, 'Arguments');
    if (state.TimeoutSeconds !== undefined) {
      timeoutSeconds = asSeconds(await evaluateJsonataTemplate(state.TimeoutSeconds, scope, 'TimeoutSeconds'), 'TimeoutSeconds');
    }
    if (state.HeartbeatSeconds !== undefined) {
      heartbeatSeconds = asSeconds(await evaluateJsonataTemplate(state.HeartbeatSeconds, scope, 'HeartbeatSeconds'), 'HeartbeatSeconds');
    }
  } else {
    const effective = effectiveInput(call);
    parameters = parametersOf(call, effective);
    const scope = pathScope(call);
    if (state.TimeoutSeconds !== undefined) timeoutSeconds = asSeconds(state.TimeoutSeconds, 'TimeoutSeconds');
    else if (typeof state.TimeoutSecondsPath === 'string') {
      timeoutSeconds = asSeconds(selectPath(state.TimeoutSecondsPath, effective, scope, 'TimeoutSecondsPath'), 'TimeoutSecondsPath');
    }
    if (state.HeartbeatSeconds !== undefined) heartbeatSeconds = asSeconds(state.HeartbeatSeconds, 'HeartbeatSeconds');
    else if (typeof state.HeartbeatSecondsPath === 'string') {
      heartbeatSeconds = asSeconds(selectPath(state.HeartbeatSecondsPath, effective, scope, 'HeartbeatSecondsPath'), 'HeartbeatSecondsPath');
    }
  }

  const request: TaskRequest = {
    resource: String(state.Resource),
    parameters,
    stateName: call.name,
    context: call.context,
  };
  if (token !== undefined) request.taskToken = token;
  if (timeoutSeconds !== undefined) request.timeoutSeconds = timeoutSeconds;
  if (heartbeatSeconds !== undefined) request.heartbeatSeconds = heartbeatSeconds;
  if (state.Credentials !== undefined) request.credentials = state.Credentials;

  if (resumedToken === undefined) {
    recordScheduled(frame, info, parameters, timeoutSeconds, heartbeatSeconds);
    // Activities start when a worker picks them up (request.started), everything else at once.
    if (info.family !== 'activity') recordStarted(frame, info);
    if (info.callback && frame.top && host.checkpoint) {
      await host.checkpoint({
        stateName: call.name,
        input: call.input,
        variables: frame.variables,
        taskToken: token,
        retryCounts: tries.slice(),
        lastEventId: frame.last,
        enteredEventId: call.enteredId,
      });
    }
  } else {
    request.resumed = true;
  }

  let raw: unknown;
  try {
    raw = await invoke(call, info, request, timeoutSeconds, heartbeatSeconds);
  } catch (e) {
    if (e instanceof Stop) throw e;
    const err = toStatesError(e);
    recordTaskError(frame, info, err.error, err.cause);
    invocationErrors.add(err);
    throw err;
  }
  if (raw === undefined) raw = null;
  recordSucceeded(frame, info, raw);
  return call.ql === 'JSONata' ? finishJsonata(call, raw) : finishJsonPath(call, raw);
}

/**
 * Calls the host, racing it against the line's abort signal and the state's timers. Timers go
 * through the host's `sleep` so tests drive them with a fake clock; every timer is cancelled
 * when the call settles.
 */
function invoke(
  call: StateCall,
  info: ResourceInfo,
  request: TaskRequest,
  timeoutSeconds: number | undefined,
  heartbeatSeconds: number | undefined,
): Promise<unknown> {
  const { frame } = call;
  const rt = frame.rt;
  const { controller: taskController, dispose } = childController(frame.signal);
  return new Promise<unknown>((resolve, reject) => {
    let done = false;
    const timers: AbortController[] = [];
    let heartbeatTimer: AbortController | undefined;
    const onAbort = () => finish(() => reject(stopFor(frame.signal.reason)));
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      for (const t of timers) t.abort();
      heartbeatTimer?.abort();
      frame.signal.removeEventListener('abort', onAbort);
      dispose();
      settle();
    };
    const failWith = (error: string) => {
      const err = error === 'States.HeartbeatTimeout' ? new HeartbeatTimeoutError() : new StatesError(error, '');
      finish(() => {
        taskController.abort(err);
        reject(err);
      });
    };
    const startTimer = (ms: number, error: string): AbortController => {
      const timer = new AbortController();
      rt.sleep(ms, timer.signal).then(
        () => {
          if (!timer.signal.aborted) failWith(error);
        },
        () => {},
      );
      return timer;
    };
    if (frame.signal.aborted) return onAbort();
    frame.signal.addEventListener('abort', onAbort, { once: true });
    if (timeoutSeconds !== undefined) timers.push(startTimer(timeoutSeconds * 1000, 'States.Timeout'));
    const armHeartbeat = () => {
      if (done || heartbeatSeconds === undefined) return;
      heartbeatTimer?.abort();
      heartbeatTimer = startTimer(heartbeatSeconds * 1000, 'States.HeartbeatTimeout');
    };
    // The heartbeat clock runs from the start of the task: for an activity, from the moment a
    // worker picks it up (ActivityStarted); otherwise at once.
    if (request.taskToken !== undefined && (info.family !== 'activity' || request.resumed)) armHeartbeat();
    request.heartbeat = armHeartbeat;
    request.started = (workerName?: string) => {
      if (done || info.family !== 'activity') return;
      recordStarted(frame, info, workerName);
      armHeartbeat();
    };
    request.submitted = (output: unknown) => {
      if (!done) recordSubmitted(frame, info, output);
    };
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(rt.host.invokeTask(request, taskController.signal));
    } catch (e) {
      pending = Promise.reject(e);
    }
    pending.then(
      (value) => finish(() => resolve(value)),
      (e) => finish(() => reject(e)),
    );
  });
}
