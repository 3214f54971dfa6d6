/**
 * History events in the shapes GetExecutionHistory returns: `…StateEntered` /
 * `…StateExited` with `stateEnteredEventDetails` / `stateExitedEventDetails`, the task, Lambda and
 * activity event families, and the execution's own events. Inputs and outputs are JSON strings,
 * as AWS sends them. Every function here is a no-op when the host keeps no history (Express).
 */
import type { Frame } from './states/frame.js';
import { StatesError } from './types.js';

/** AWS's cause when a Standard execution's history reaches 25,000 events (the failure event is #25,000). */
export const HISTORY_LIMIT_CAUSE = 'The execution reached the maximum number of history events (25000).';
const MAX_HISTORY_EVENTS = 25_000;

/** `inputDetails` / `outputDetails`: the gateway never truncates. */
const NOT_TRUNCATED = Object.freeze({ truncated: false });

/** 256 KiB, the largest state output AWS accepts. */
export const MAX_PAYLOAD_BYTES = 262_144;

/** JSON text of a value, `null` for `undefined` (AWS always has a JSON document). */
export function json(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : text;
}

/**
 * Without history (Express) events are only counted, so error causes that name an event id
 * ("entered at the event id #N") read as they would with history.
 */
function skip(frame: Frame): number {
  frame.last = ++frame.rt.seq;
  return frame.last;
}

/** Records one event on a line and moves the line's `previousEventId` forward. */
export function record(frame: Frame, type: string, details?: Record<string, unknown>): number {
  const rt = frame.rt;
  if (!rt.history) return skip(frame);
  // AWS fails the execution with event #25,000 itself; only the closing event may take it.
  if (rt.eventCount >= MAX_HISTORY_EVENTS - 1 && !type.startsWith('Execution')) {
    throw new StatesError('States.Runtime', HISTORY_LIMIT_CAUSE);
  }
  rt.eventCount++;
  const id = rt.host.recordEvent(type, details, frame.last);
  frame.last = id;
  return id;
}

/**
 * Records an event that the line's next event does not chain to: AWS's next event points past
 * it, at the same event this one points at (`ParallelStateSucceeded`, `MapStateSucceeded`,
 * `MapIterationFailed`, `TaskStateAborted`).
 */
export function recordPassing(frame: Frame, type: string, details?: Record<string, unknown>): number {
  const before = frame.last;
  const id = record(frame, type, details);
  frame.last = before;
  return id;
}

/**
 * `EvaluationFailed` (a JSONata expression of the state failed): `{ error, cause, location, state }`,
 * the location being the field path AWS names in the cause (`Arguments/MessageBody`).
 */
export function recordEvaluationFailed(frame: Frame, state: string, error: string, cause: string): void {
  if (!frame.rt.history) return void skip(frame);
  const d: Record<string, string> = { error, cause };
  const location = /specified for the field '([^']+)'/.exec(cause)?.[1];
  if (location !== undefined) d.location = location;
  d.state = state;
  record(frame, 'EvaluationFailed', { evaluationFailedEventDetails: d });
}

/** `<Type>StateEntered` with `stateEnteredEventDetails`. */
export function recordEntered(frame: Frame, stateType: string, name: string, input: unknown): number {
  if (!frame.rt.history) return skip(frame);
  // The input of a state is most often the output the previous one recorded: same value, same text.
  const text = frame.exitedText !== undefined && input === frame.exitedValue ? frame.exitedText : json(input);
  frame.exitedValue = frame.exitedText = undefined;
  return record(frame, `${stateType}StateEntered`, {
    stateEnteredEventDetails: { name, input: text, inputDetails: NOT_TRUNCATED },
  });
}

/** `<Type>StateExited` with `stateExitedEventDetails` (and the variables the state assigned). */
export function recordExited(frame: Frame, stateType: string, name: string, output: unknown, assigned?: Record<string, unknown>): number {
  if (!frame.rt.history) return skip(frame);
  const text = json(output);
  // AWS: state input/output is limited to 256 KiB; larger fails the execution.
  if (text.length > MAX_PAYLOAD_BYTES / 4 && Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new StatesError(
      'States.DataLimitExceeded',
      `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  const details: Record<string, unknown> = { name, output: text, outputDetails: NOT_TRUNCATED };
  frame.exitedValue = output;
  frame.exitedText = text;
  if (assigned && Object.keys(assigned).length > 0) {
    const vars: Record<string, string> = {};
    for (const key of Object.keys(assigned)) vars[key] = json(assigned[key]);
    details.assignedVariables = vars;
    details.assignedVariablesDetails = NOT_TRUNCATED;
  }
  return record(frame, `${stateType}StateExited`, { stateExitedEventDetails: details });
}

/** How a Task's `Resource` shows in history. */
export interface ResourceInfo {
  /** `lambda` for plain Lambda function ARNs (LambdaFunction* events), `activity` for activity ARNs (Activity* events), else `task` (Task* events). */
  family: 'task' | 'lambda' | 'activity';
  /** `resourceType` of Task* events: `lambda`, `dynamodb`, `states`, `http`, `aws-sdk:s3`, ... */
  resourceType: string;
  /** `resource` of Task* events: `invoke`, `putItem`, `startExecution.sync:2`, ... */
  resource: string;
  /** A task token is created for it (`.waitForTaskToken` and activities). */
  callback: boolean;
}

const resourceCache = new Map<string, ResourceInfo>();

/** Classifies a Task `Resource` ARN (cached: the set of resources of a machine is small). */
export function describeResource(arn: string): ResourceInfo {
  let info = resourceCache.get(arn);
  if (info) return info;
  const parts = arn.split(':');
  if (parts[2] === 'lambda' && parts[5] === 'function') {
    info = { family: 'lambda', resourceType: 'lambda', resource: arn, callback: false };
  } else if (parts[2] === 'states' && parts[5] === 'activity') {
    info = { family: 'activity', resourceType: 'activity', resource: arn, callback: true };
  } else {
    // arn:aws:states:::<service>:<action> or arn:aws:states:::aws-sdk:<service>:<action>
    const service = arn.indexOf(':::') >= 0 ? arn.slice(arn.indexOf(':::') + 3) : arn;
    const segments = service.split(':');
    const typeLength = segments[0] === 'aws-sdk' ? 2 : 1;
    const resourceType = segments.slice(0, typeLength).join(':');
    const resource = segments.slice(typeLength).join(':');
    info = { family: 'task', resourceType, resource, callback: resource.endsWith('.waitForTaskToken') };
  }
  if (resourceCache.size < 10_000) resourceCache.set(arn, info);
  return info;
}

/** `TaskScheduled` / `LambdaFunctionScheduled` / `ActivityScheduled`. */
export function recordScheduled(
  frame: Frame,
  info: ResourceInfo,
  parameters: unknown,
  timeoutSeconds: number | undefined,
  heartbeatSeconds: number | undefined,
): void {
  if (!frame.rt.history) return void skip(frame);
  if (info.family === 'task') {
    const d: Record<string, unknown> = {
      resourceType: info.resourceType,
      resource: info.resource,
      region: frame.rt.region,
      parameters: json(parameters),
    };
    if (timeoutSeconds !== undefined) d.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined) d.heartbeatInSeconds = heartbeatSeconds;
    record(frame, 'TaskScheduled', { taskScheduledEventDetails: d });
  } else if (info.family === 'lambda') {
    const d: Record<string, unknown> = { resource: info.resource, input: json(parameters), inputDetails: NOT_TRUNCATED };
    if (timeoutSeconds !== undefined) d.timeoutInSeconds = timeoutSeconds;
    record(frame, 'LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: d });
  } else {
    const d: Record<string, unknown> = { resource: info.resource, input: json(parameters), inputDetails: NOT_TRUNCATED };
    if (timeoutSeconds !== undefined) d.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined) d.heartbeatInSeconds = heartbeatSeconds;
    record(frame, 'ActivityScheduled', { activityScheduledEventDetails: d });
  }
}

/** `TaskStarted` / `LambdaFunctionStarted` / `ActivityStarted`. */
export function recordStarted(frame: Frame, info: ResourceInfo, workerName?: string): void {
  if (!frame.rt.history) return void skip(frame);
  if (info.family === 'task') {
    record(frame, 'TaskStarted', { taskStartedEventDetails: { resourceType: info.resourceType, resource: info.resource } });
  } else if (info.family === 'lambda') {
    record(frame, 'LambdaFunctionStarted');
  } else {
    record(frame, 'ActivityStarted', { activityStartedEventDetails: workerName === undefined ? {} : { workerName } });
  }
}

/** `TaskSubmitted` (`.sync` / `.waitForTaskToken`: the answer of the initial call). */
export function recordSubmitted(frame: Frame, info: ResourceInfo, output: unknown): void {
  if (info.family !== 'task') return;
  if (!frame.rt.history) return void skip(frame);
  record(frame, 'TaskSubmitted', {
    taskSubmittedEventDetails: { resourceType: info.resourceType, resource: info.resource, output: json(output), outputDetails: NOT_TRUNCATED },
  });
}

/** `TaskSucceeded` / `LambdaFunctionSucceeded` / `ActivitySucceeded`. */
export function recordSucceeded(frame: Frame, info: ResourceInfo, output: unknown): void {
  if (!frame.rt.history) return void skip(frame);
  if (info.family === 'task') {
    record(frame, 'TaskSucceeded', {
      taskSucceededEventDetails: { resourceType: info.resourceType, resource: info.resource, output: json(output), outputDetails: NOT_TRUNCATED },
    });
  } else if (info.family === 'lambda') {
    record(frame, 'LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: json(output), outputDetails: NOT_TRUNCATED } });
  } else {
    record(frame, 'ActivitySucceeded', { activitySucceededEventDetails: { output: json(output), outputDetails: NOT_TRUNCATED } });
  }
}

/** `TaskFailed` / `TaskTimedOut` and the Lambda / activity equivalents. */
export function recordTaskError(frame: Frame, info: ResourceInfo, error: string, cause: string): void {
  if (!frame.rt.history) return void skip(frame);
  const timedOut = error === 'States.Timeout' || error === 'States.HeartbeatTimeout';
  const errorCause = errorCauseDetails(error, cause);
  if (info.family === 'task') {
    const d = { resourceType: info.resourceType, resource: info.resource, ...errorCause };
    if (timedOut) record(frame, 'TaskTimedOut', { taskTimedOutEventDetails: d });
    else record(frame, 'TaskFailed', { taskFailedEventDetails: d });
  } else if (info.family === 'lambda') {
    if (timedOut) record(frame, 'LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: errorCause });
    else record(frame, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: errorCause });
  } else {
    if (timedOut) record(frame, 'ActivityTimedOut', { activityTimedOutEventDetails: errorCause });
    else record(frame, 'ActivityFailed', { activityFailedEventDetails: errorCause });
  }
}

/** `{ error, cause }` with empty parts left out, as AWS leaves absent keys out. */
export function errorCauseDetails(error: string, cause: string): Record<string, string> {
  const d: Record<string, string> = {};
  if (error !== '') d.error = error;
  if (cause !== '') d.cause = cause;
  return d;
}

export { NOT_TRUNCATED };
