/**
 * The live state as log records: what compaction writes in place of the whole log, and what
 * `replay` turns back into the same state. Only the current revision of each machine is written
 * as part of it; older revisions are written only while an execution still runs or shows them.
 */
import type { StoreRecord } from '../store/types.js';
import type { ExecutionTable } from './executionTable.js';
import type { Machines } from './machines.js';

/** What the log holds: machines and activities, and the executions with their histories. */
export interface LiveState {
  machines: Machines;
  executions: ExecutionTable;
}

export function snapshot(state: LiveState): StoreRecord[] {
  const { machines, executions } = state;
  const out: StoreRecord[] = [];
  const current = new Set<string>();
  for (const sm of machines.byArn.values()) {
    out.push({ k: 'sm', r: sm });
    current.add(sm.revisionId);
  }
  const needed = new Set<string>();
  for (const exec of executions.byArn.values()) if (!current.has(exec.revisionId)) needed.add(exec.revisionId);
  for (const id of needed) {
    const text = machines.revisionText(id);
    if (text !== undefined) out.push({ k: 'rev', id, def: text });
  }
  for (const act of machines.activities.values()) out.push({ k: 'act', r: act });
  for (const exec of executions.byArn.values()) {
    const optional = {
      ...(exec.redriveCount ? { redriveCount: exec.redriveCount, redriveDate: exec.redriveDate } : {}),
      ...(exec.versionArn ? { versionArn: exec.versionArn } : {}),
      ...(exec.aliasArn ? { aliasArn: exec.aliasArn } : {}),
    };
    const { arn, stateMachineArn, name, input, startDate, revisionId } = exec;
    out.push({ k: 'x', r: { arn, stateMachineArn, name, input, startDate, revisionId, ...optional } });
    const events = executions.history(exec);
    if (events.length > 0) out.push({ k: 'ev', a: exec.arn, ev: events });
    if (exec.status === 'RUNNING') {
      if (exec.checkpoint) out.push({ k: 'c', a: exec.arn, c: exec.checkpoint });
    } else {
      const { status, stopDate, output, error, cause, redriveFrom } = exec;
      out.push({ k: 'end', a: exec.arn, r: { status, stopDate: stopDate!, output, error, cause, redriveFrom } });
    }
  }
  return out;
}
