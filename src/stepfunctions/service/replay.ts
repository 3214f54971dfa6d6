/**
 * Rebuilding the live state from the log: at start-up, and when this instance takes over the log
 * of a stopped one sharing its store. Replaying a `snapshot` gives back the state it was taken of.
 */
import type { StoreRecord } from '../store/types.js';
import { newExecution, type Execution } from './execution.js';
import type { ExecutionTable } from './executionTable.js';
import { redriveCheckpoint } from './redrive.js';
import type { LiveState } from './snapshot.js';

/** Applies one log record to the live state. */
export function replay(state: LiveState, record: StoreRecord): void {
  const { machines, executions } = state;
  switch (record.k) {
    case 'sm':
      machines.put(record.r);
      break;
    case 'smdel':
      machines.byArn.delete(record.arn);
      break;
    case 'rev':
      machines.addRevision(record.id, record.def);
      break;
    case 'act':
      machines.activities.set(record.r.arn, record.r);
      break;
    case 'actdel':
      machines.activities.delete(record.arn);
      break;
    case 'x': {
      const r = record.r;
      const smName = r.stateMachineArn.slice(r.stateMachineArn.lastIndexOf(':') + 1);
      const exec = newExecution(r.arn, r.stateMachineArn, smName, r.name, 'STANDARD', r.input, r.startDate, r.revisionId);
      if (r.redriveCount) {
        exec.redriveCount = r.redriveCount;
        exec.redriveDate = r.redriveDate;
      }
      if (r.versionArn) exec.versionArn = r.versionArn;
      if (r.aliasArn) exec.aliasArn = r.aliasArn;
      executions.add(exec);
      break;
    }
    case 'rd': {
      const exec = executions.get(record.a);
      if (exec && exec.status !== 'RUNNING') {
        const from = exec.redriveFrom;
        executions.reopen(exec, record.count, record.date);
        // Until the redriven run's own checkpoint (the next records), resuming continues where the redrive did.
        exec.checkpoint = redriveCheckpoint(exec, from, exec.lastEventId, machines);
        exec.redriveFrom = undefined;
      }
      break;
    }
    case 'e': {
      const exec = executions.get(record.a);
      if (exec) {
        exec.eventTexts.push(JSON.stringify(record.e));
        exec.flushed = exec.eventTexts.length;
        exec.lastEventType = record.e.type;
        exec.lastEventId = record.e.id;
      }
      break;
    }
    case 'ev': {
      const exec = executions.get(record.a);
      if (exec) {
        for (const e of record.ev) exec.eventTexts.push(JSON.stringify(e));
        exec.flushed = exec.eventTexts.length;
        const last = record.ev[record.ev.length - 1];
        if (last) {
          exec.lastEventId = last.id;
          exec.lastEventType = last.type;
        }
      }
      break;
    }
    case 'c': {
      const exec = executions.get(record.a);
      if (exec) exec.checkpoint = record.c;
      break;
    }
    case 'end': {
      const exec = executions.get(record.a);
      if (exec) executions.close(exec, record.r);
      break;
    }
  }
}

/**
 * Replays the log of another instance into this one's state. This instance's own machines,
 * activities and executions win: a machine it has keeps its record (the adopted one's definition
 * is kept as a revision, its executions may run it), and an execution whose ARN it has is left
 * out with all its records (listed in `clashing`).
 */
export function replayAdopted(state: LiveState, records: StoreRecord[]): { adopted: Execution[]; clashing: Set<string> } {
  const { machines, executions } = state;
  const clashing = new Set<string>();
  const adopted: Execution[] = [];
  for (const record of records) {
    if (record.k === 'sm' && machines.byArn.has(record.r.arn)) {
      machines.addRevision(record.r.revisionId, record.r.definition);
      continue;
    }
    if (record.k === 'act' && machines.activities.has(record.r.arn)) continue;
    if (record.k === 'smdel' || record.k === 'actdel') continue;
    if (record.k === 'x' && executions.byArn.has(record.r.arn)) {
      clashing.add(record.r.arn);
      continue;
    }
    if (record.k !== 'sm' && record.k !== 'act' && record.k !== 'rev' && record.k !== 'x' && clashing.has(record.a)) continue;
    replay(state, record);
    if (record.k === 'x') adopted.push(executions.get(record.r.arn)!);
  }
  return { adopted, clashing };
}

/**
 * Before a replayed execution resumes: events after its last checkpoint are dropped, since the
 * work they recorded runs again from that checkpoint.
 */
export function rewindToCheckpoint(executions: ExecutionTable, exec: Execution): void {
  const last = exec.checkpoint?.lastEventId ?? 0;
  const kept = executions.history(exec).filter((e) => e.id <= last);
  exec.eventTexts = kept.map((e) => JSON.stringify(e));
  exec.flushed = exec.eventTexts.length;
  exec.lastEventId = kept.length ? kept[kept.length - 1]!.id : 0;
  exec.lastEventType = kept[kept.length - 1]?.type;
}
