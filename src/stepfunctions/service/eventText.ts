/**
 * History events as JSON text. Events are built as text once, when recorded: the same text is
 * written to the store and kept for GetExecutionHistory, so no event is serialized twice.
 */

/** `*StateEntered` → `stateEnteredEventDetails`, `TaskScheduled` → `taskScheduledEventDetails`. */
export function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

/**
 * The JSON text of one history event. The engine hands details keyed
 * (`{ stateEnteredEventDetails: {...} }`); bare details are keyed by the event type.
 */
export function eventText(timestamp: number, type: string, id: number, previousEventId: number, details: Record<string, unknown> | undefined): string {
  let text = `{"timestamp":${timestamp},"type":${JSON.stringify(type)},"id":${id},"previousEventId":${previousEventId}`;
  if (details) {
    let keyed = true;
    for (const key in details) {
      keyed = key.endsWith('EventDetails');
      break;
    }
    if (keyed) {
      for (const key in details) if (details[key] !== undefined) text += `,${JSON.stringify(key)}:${JSON.stringify(details[key])}`;
    } else text += `,"${detailsKey(type)}":${JSON.stringify(details)}`;
  }
  return `${text}}`;
}

/** The events that end an execution: one of them is always its last. */
export const TERMINAL_EVENTS: ReadonlySet<string> = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
