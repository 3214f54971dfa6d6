/**
 * Browser side: calls the Step Functions JSON 1.0 API on the page's own origin, as an AWS SDK does
 * (POST `/`, `X-Amz-Target: AWSStepFunctions.<Action>`, `Content-Type: application/x-amz-json-1.0`).
 */
import { apiErrorMessage, apiErrorName, type HistoryEventJson } from './graph.js';
import { signedHeaders } from './sign.js';

/** An error answer of the API, named as AWS names it (`StateMachineDoesNotExist`, ...). */
export class ApiError extends Error {
  constructor(
    readonly action: string,
    readonly type: string,
    readonly detail: string,
  ) {
    super(`${action}: ${type}: ${detail}`);
    this.name = 'ApiError';
  }
}

export async function callSfn<T = Record<string, unknown>>(action: string, body: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  const text = JSON.stringify(body);
  try {
    const headers = await signedHeaders({ 'x-amz-target': `AWSStepFunctions.${action}`, 'content-type': 'application/x-amz-json-1.0' }, text);
    response = await fetch('/', { method: 'POST', headers, body: text });
  } catch (error) {
    throw new ApiError(action, 'NetworkError', `the gateway did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const answer = await response.text();
  let json: unknown;
  try {
    json = answer ? JSON.parse(answer) : {};
  } catch {
    json = undefined;
  }
  if (!response.ok || json === undefined) {
    throw new ApiError(action, apiErrorName(json, response.status), apiErrorMessage(json, answer.slice(0, 300) || response.statusText));
  }
  return json as T;
}

export interface StateMachineItem {
  stateMachineArn: string;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  creationDate?: number | string;
}

export interface ExecutionItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate?: number | string;
  stopDate?: number | string;
}

export interface StateMachineDescription extends StateMachineItem {
  definition: string;
  status?: string;
}

export interface ExecutionDescription extends ExecutionItem {
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** Every page of ListStateMachines. */
export async function listStateMachines(): Promise<StateMachineItem[]> {
  const machines: StateMachineItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callSfn<{ stateMachines?: StateMachineItem[]; nextToken?: string }>('ListStateMachines', {
      maxResults: 1000,
      ...(nextToken ? { nextToken } : {}),
    });
    machines.push(...(page.stateMachines ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return machines;
}

/** The newest executions (ListExecutions returns them newest first). */
export async function listExecutions(stateMachineArn: string): Promise<ExecutionItem[]> {
  const page = await callSfn<{ executions?: ExecutionItem[] }>('ListExecutions', { stateMachineArn, maxResults: 100 });
  return page.executions ?? [];
}

/** An Express execution read back from its machine's execution log, with its events. */
export interface LoggedExecution extends ExecutionDescription {
  events: HistoryEventJson[];
}

/** An Express machine's newest runs from its execution log (the gateway's local action ListLoggedExecutions), newest first. */
export async function listLoggedExecutions(stateMachineArn: string): Promise<LoggedExecution[]> {
  const answer = await callSfn<{ executions?: LoggedExecution[] }>('ListLoggedExecutions', { stateMachineArn });
  return answer.executions ?? [];
}

/** Every page of GetExecutionHistory, oldest first. */
export async function getExecutionHistory(executionArn: string): Promise<HistoryEventJson[]> {
  const events: HistoryEventJson[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callSfn<{ events?: HistoryEventJson[]; nextToken?: string }>('GetExecutionHistory', {
      executionArn,
      maxResults: 1000,
      includeExecutionData: true,
      ...(nextToken ? { nextToken } : {}),
    });
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/**
 * The history with the events that followed `known` (a history read earlier, oldest first):
 * newest-first pages are read only back to the last known event, so polling a long execution
 * transfers only what is new. Event ids run 1, 2, 3, … without gaps; if the new ones do not
 * continue `known`, the whole history is read again.
 */
export async function getExecutionHistorySince(executionArn: string, known: readonly HistoryEventJson[]): Promise<HistoryEventJson[]> {
  const lastId = known.length > 0 ? known[known.length - 1].id : 0;
  if (lastId === 0) return getExecutionHistory(executionArn);
  const fresh: HistoryEventJson[] = [];
  let nextToken: string | undefined;
  let reachedKnown = false;
  do {
    const page = await callSfn<{ events?: HistoryEventJson[]; nextToken?: string }>('GetExecutionHistory', {
      executionArn,
      reverseOrder: true,
      maxResults: 100,
      includeExecutionData: true,
      ...(nextToken ? { nextToken } : {}),
    });
    for (const event of page.events ?? []) {
      if (event.id <= lastId) {
        reachedKnown = true;
        break;
      }
      fresh.push(event);
    }
    nextToken = page.nextToken;
  } while (nextToken && !reachedKnown);
  fresh.reverse();
  if (!fresh.every((event, index) => event.id === lastId + 1 + index)) return getExecutionHistory(executionArn);
  return fresh.length === 0 ? [...known] : [...known, ...fresh];
}

/** Epoch seconds (the JSON 1.0 wire format) or an ISO string → a local date-time text. */
export function formatTimestamp(value: number | string | undefined): string {
  if (value === undefined) return '';
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}
