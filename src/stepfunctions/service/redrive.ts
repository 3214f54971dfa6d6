/**
 * RedriveExecution: a failed, aborted or timed-out Standard execution runs again from the
 * top-level state that did not complete, with that state's input and variables; the history keeps
 * what ran and continues after an `ExecutionRedriven` event.
 */
import type { Checkpoint } from '../engine/types.js';
import { SfnApiError } from './errors.js';
import type { EventLog } from './eventLog.js';
import type { Execution } from './execution.js';
import type { ExecutionTable } from './executionTable.js';
import type { Machines } from './machines.js';

/** How long after it stopped an execution may be redriven (AWS: 14 days), and how often. */
const REDRIVE_PERIOD_MS = 14 * 24 * 3600 * 1000;
const MAX_REDRIVES = 1000;

/**
 * Why `exec` cannot be redriven now (AWS's `redriveStatusReason` wording), or undefined when it
 * can: a Standard execution that failed, was aborted or timed out within the last 14 days.
 */
export function redriveBlocker(exec: Execution, machines: Machines, now = Date.now()): string | undefined {
  if (exec.status === 'RUNNING') return 'Execution is RUNNING and cannot be redriven';
  if (exec.status === 'SUCCEEDED') return 'Execution is SUCCEEDED and cannot be redriven';
  if (exec.stopDate !== undefined && now - exec.stopDate > REDRIVE_PERIOD_MS) return 'Execution redrivable period exceeded';
  if ((exec.redriveCount ?? 0) >= MAX_REDRIVES) return 'Execution redrive limit exceeded';
  if (machines.revisionText(exec.revisionId) === undefined) return 'State machine is in DELETING status';
  return undefined;
}

/**
 * Where a redrive continues: the state that did not complete (`from`, kept when the execution
 * ended), entered afresh (no Wait deadline, task token or retry counts kept); without one (it
 * failed before its first state ran), StartAt with the execution's input.
 */
export function redriveCheckpoint(exec: Execution, from: Checkpoint | undefined, lastEventId: number, machines: Machines): Checkpoint {
  if (from) return { stateName: from.stateName, input: from.input, variables: from.variables, lastEventId };
  return { stateName: machines.revision(exec.revisionId)?.parsed.StartAt ?? '', input: JSON.parse(exec.input) as unknown, variables: {}, lastEventId };
}

/** What a redrive uses of the service. */
export interface RedriveParts {
  machines: Machines;
  executions: ExecutionTable;
  log: EventLog;
  runs: {
    record(exec: Execution, type: string, details: Record<string, unknown> | undefined, previousEventId: number): number;
    run(exec: Execution, resumeFrom?: Checkpoint): void;
  };
}

/**
 * Redrives `exec`; answers the redrive date. Gateway choice: a Parallel or Map state redrives as
 * a whole, not only its failed branches or iterations.
 */
export function redriveExecution(exec: Execution, parts: RedriveParts): number {
  const blocker = redriveBlocker(exec, parts.machines);
  if (blocker) throw new SfnApiError('ExecutionNotRedrivable', `Execution cannot be redriven: ${blocker}: '${exec.arn}'`);
  const date = Date.now();
  const count = (exec.redriveCount ?? 0) + 1;
  parts.executions.reopen(exec, count, date);
  parts.log.append({ k: 'rd', a: exec.arn, count, date });
  const redrivenId = parts.runs.record(exec, 'ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: count } }, exec.lastEventId);
  const resumeFrom = redriveCheckpoint(exec, exec.redriveFrom, redrivenId, parts.machines);
  exec.redriveFrom = undefined;
  exec.checkpoint = resumeFrom;
  exec.checkpointDirty = true;
  parts.log.markDirty(exec);
  parts.runs.run(exec, resumeFrom);
  return date;
}
