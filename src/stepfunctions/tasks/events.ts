/**
 * `arn:aws:states:::events:putEvents` (and `.waitForTaskToken`): puts `Entries` on the default bus
 * of the gateway's in-process EventBridge (services/eventbridge.ts). A `Detail` that is not a
 * string is sent as its JSON text, as Step Functions does.
 */
import { randomUUID } from 'node:crypto';
import { StatesError } from '../engine/types.js';
import { EventsError, type EventEntry, type EventRules } from '../services/eventbridge.js';
import { sdkMetadata, serviceError } from './serviceError.js';

/** Puts the events; resolves with PutEvents' response. A failed entry fails the task with `EventBridge.FailedEntry`, as on AWS. */
export function runPutEvents(rules: EventRules, parameters: unknown): Record<string, unknown> {
  const p = (parameters ?? {}) as Record<string, unknown>;
  if (!Array.isArray(p.Entries) || p.Entries.length === 0)
    throw new StatesError('States.Runtime', "The field 'Entries' is required and must be a non-empty array");
  const entries = (p.Entries as Array<Record<string, unknown>>).map((e): EventEntry => ({
    ...e,
    Detail: typeof e.Detail === 'string' || e.Detail === undefined ? e.Detail : JSON.stringify(e.Detail),
  }));
  let results: ReturnType<EventRules['putEvents']>;
  try {
    results = rules.putEvents(entries);
  } catch (error) {
    // A call refused whole fails the task with `EventBridge.<Code>`, as a remote EventBridge's answer does (remote.ts).
    if (!(error instanceof EventsError)) throw error;
    throw serviceError('EventBridge', 'AmazonEventBridge', error.code, error.message, error.statusCode);
  }
  const failed = results.filter((r) => r.ErrorCode).length;
  const requestId = randomUUID();
  const response = { Entries: results, FailedEntryCount: failed };
  if (failed > 0) throw new StatesError('EventBridge.FailedEntry', JSON.stringify(response));
  return { ...response, ...sdkMetadata(requestId, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': requestId }) };
}
