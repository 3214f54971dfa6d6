/**
 * `arn:aws:states:::states:startExecution` (+ `.sync`, `.sync:2`, `.waitForTaskToken`): starts a
 * state machine of this gateway. Without `.sync` the result is StartExecution's response; `.sync`
 * returns DescribeExecution's response with `Output` as a JSON string, `.sync:2` with `Output`
 * parsed; a nested execution that does not succeed fails the task (`States.TaskFailed`,
 * `States.Aborted`, `States.Timeout`) with the description as cause.
 */
import { randomUUID } from 'node:crypto';
import { StatesError } from '../engine/types.js';
import type { IntegrationPattern } from './resource.js';
import { sdkMetadata } from './serviceError.js';

export type StartExecutionFn = (stateMachineArn: string, input: unknown, name: string | undefined, waitForCompletion: boolean) => Promise<unknown>;

/** Epoch milliseconds of a date the service returned (Date, epoch seconds or ISO text). */
function epochMillis(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value < 1e11 ? Math.round(value * 1000) : value;
  if (typeof value === 'string' && value) return Date.parse(value);
  return undefined;
}

/** Reads a field in either the API's camelCase or the Task result's PascalCase. */
const field = (o: Record<string, unknown>, name: string): unknown => o[name] ?? o[name[0]!.toUpperCase() + name.slice(1)];

const asJsonText = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/** Runs a `states:startExecution` Task through the host's `startExecution`. */
export async function runStartExecution(parameters: unknown, pattern: IntegrationPattern, start: StartExecutionFn): Promise<unknown> {
  const p = (parameters ?? {}) as Record<string, unknown>;
  if (typeof p.StateMachineArn !== 'string') throw new StatesError('States.Runtime', "The field 'StateMachineArn' is required and must be a string");
  // Step Functions accepts Input as JSON text or as a JSON value.
  let input: unknown = p.Input ?? {};
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      throw new StatesError('StepFunctions.InvalidExecutionInputException', `Invalid State Machine Execution Input: '${input}'`);
    }
  }
  const name = typeof p.Name === 'string' ? p.Name : undefined;
  const wait = pattern === 'sync' || pattern === 'sync:2';
  let answer: Record<string, unknown>;
  try {
    answer = ((await start(p.StateMachineArn, input, name, wait)) ?? {}) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof StatesError) throw error;
    // API errors (StateMachineDoesNotExist, ExecutionAlreadyExists, …) under the service prefix.
    const e = error as { name?: string; sfnName?: string; message?: string };
    const code = e.sfnName ?? e.name ?? 'AWSStepFunctionsException';
    throw new StatesError(
      `StepFunctions.${code}Exception`.replace(/ExceptionException$/, 'Exception'),
      `${e.message ?? String(error)} (Service: AWSStepFunctions; Status Code: 400; Error Code: ${code}; Request ID: ${randomUUID()}; Proxy: null)`,
    );
  }
  const requestId = randomUUID();
  const metadata = sdkMetadata(requestId, { 'Content-Type': 'application/x-amz-json-1.0', Date: new Date().toUTCString(), 'x-amzn-RequestId': requestId });
  if (!wait) {
    return { ExecutionArn: field(answer, 'executionArn'), StartDate: epochMillis(field(answer, 'startDate')), ...metadata };
  }
  const status = String(field(answer, 'status') ?? 'SUCCEEDED');
  const output = field(answer, 'output');
  const description: Record<string, unknown> = {
    ExecutionArn: field(answer, 'executionArn'),
    Input: asJsonText(field(answer, 'input')) ?? JSON.stringify(input),
    InputDetails: { Included: true },
    Name:
      field(answer, 'name') ??
      String(field(answer, 'executionArn') ?? '')
        .split(':')
        .pop(),
    Output: pattern === 'sync:2' ? (typeof output === 'string' ? JSON.parse(output) : (output ?? null)) : asJsonText(output),
    OutputDetails: { Included: true },
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    StartDate: epochMillis(field(answer, 'startDate')),
    StateMachineArn: field(answer, 'stateMachineArn') ?? p.StateMachineArn,
    Status: status,
    StopDate: epochMillis(field(answer, 'stopDate')),
  };
  if (status === 'SUCCEEDED') return description;
  delete description.Output;
  delete description.OutputDetails;
  if (field(answer, 'error') !== undefined) description.Error = field(answer, 'error');
  if (field(answer, 'cause') !== undefined) description.Cause = field(answer, 'cause');
  const error = status === 'ABORTED' ? 'States.Aborted' : status === 'TIMED_OUT' ? 'States.Timeout' : 'States.TaskFailed';
  throw new StatesError(error, JSON.stringify(description));
}

/**
 * `arn:aws:states:::aws-sdk:sfn:startExecution|startSyncExecution`: the API's response as it is.
 * A StartSyncExecution whose execution fails answers with `Status: FAILED` (the call itself
 * succeeded), as the API does.
 */
export async function runSdkStart(action: string, parameters: unknown, start: StartExecutionFn): Promise<unknown> {
  const p = (parameters ?? {}) as Record<string, unknown>;
  if (typeof p.StateMachineArn !== 'string') throw new StatesError('States.Runtime', "The field 'StateMachineArn' is required and must be a string");
  const text = p.Input === undefined ? '{}' : typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input);
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    throw new StatesError(
      'Sfn.InvalidExecutionInputException',
      `Invalid State Machine Execution Input: '${text}' (Service: Sfn, Status Code: 400, Request ID: ${randomUUID()})`,
    );
  }
  const wait = action === 'startSyncExecution';
  let answer: Record<string, unknown>;
  try {
    answer = ((await start(p.StateMachineArn, input, typeof p.Name === 'string' ? p.Name : undefined, wait)) ?? {}) as Record<string, unknown>;
  } catch (error) {
    const e = error as { name?: string; sfnName?: string; message?: string };
    const code = e.sfnName ?? e.name ?? 'SfnException';
    throw new StatesError(
      `Sfn.${code.endsWith('Exception') ? code : `${code}Exception`}`,
      `${e.message ?? String(error)} (Service: Sfn, Status Code: 400, Request ID: ${randomUUID()})`,
    );
  }
  if (!wait) return { ExecutionArn: field(answer, 'executionArn'), StartDate: epochMillis(field(answer, 'startDate')) };
  const result: Record<string, unknown> = {
    ExecutionArn: field(answer, 'executionArn'),
    Input: asJsonText(field(answer, 'input')) ?? text,
    InputDetails: { Included: true },
    Name: field(answer, 'name'),
    StartDate: epochMillis(field(answer, 'startDate')),
    StateMachineArn: field(answer, 'stateMachineArn') ?? p.StateMachineArn,
    Status: field(answer, 'status'),
    StopDate: epochMillis(field(answer, 'stopDate')),
  };
  if (field(answer, 'output') !== undefined) Object.assign(result, { Output: asJsonText(field(answer, 'output')), OutputDetails: { Included: true } });
  if (field(answer, 'error') !== undefined) result.Error = field(answer, 'error');
  if (field(answer, 'cause') !== undefined) result.Cause = field(answer, 'cause');
  return result;
}
