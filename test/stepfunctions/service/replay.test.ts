/**
 * Replaying a snapshot of the live state gives back the same state: machines (with versions and
 * aliases), activities, older revisions executions still show, and executions that succeeded,
 * failed, were redriven, were started through an alias, or are waiting with a checkpoint.
 * Compaction relies on this: it replaces the whole log with a snapshot.
 */
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/stepfunctions/engine/validate.js';
import { DEFAULT_SCOPE } from '../../../src/stepfunctions/service/arns.js';
import { loadEngine } from '../../../src/stepfunctions/service/engine.js';
import { describe, type Execution } from '../../../src/stepfunctions/service/execution.js';
import { ExecutionTable } from '../../../src/stepfunctions/service/executionTable.js';
import { Machines } from '../../../src/stepfunctions/service/machines.js';
import { replay } from '../../../src/stepfunctions/service/replay.js';
import { StepFunctionsService } from '../../../src/stepfunctions/service/service.js';
import { snapshot, type LiveState } from '../../../src/stepfunctions/service/snapshot.js';
import { createMemoryStore } from '../../../src/stepfunctions/store/memoryStore.js';
import type { StoreRecord } from '../../../src/stepfunctions/store/types.js';
import { silentLogger } from '../../utils/logger.js';

const ROLE = 'arn:aws:iam::123456789012:role/test';
const machineArn = (name: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;
const definition = (states: Record<string, unknown>, startAt = Object.keys(states)[0]!) => JSON.stringify({ StartAt: startAt, States: states });

/** Everything a caller can see of the state, in the order the API lists it. */
function visible(state: LiveState) {
  const { machines, executions } = state;
  const arns = new Set([...executions.byArn.values()].map((e) => e.stateMachineArn));
  return {
    machines: [...machines.byArn.values()],
    activities: [...machines.activities.values()],
    executions: [...executions.byArn.values()].map((e: Execution) => ({
      ...describe(e),
      revisionId: e.revisionId,
      definition: machines.revisionText(e.revisionId),
      history: executions.history(e),
      lastEventId: e.lastEventId,
      lastEventType: e.lastEventType,
      checkpoint: e.checkpoint,
      redriveCount: e.redriveCount,
      redriveDate: e.redriveDate,
      redriveFrom: e.redriveFrom,
      versionArn: e.versionArn,
      aliasArn: e.aliasArn,
    })),
    lists: [...arns].map((arn) => ({ arn, all: executions.list(arn).map((e) => e.arn), running: executions.list(arn, 'RUNNING').map((e) => e.arn) })),
  };
}

group('replaying a snapshot', () => {
  let service: StepFunctionsService;
  let live: LiveState;

  beforeAll(async () => {
    service = new StepFunctionsService({ engine: loadEngine, store: createMemoryStore(), scope: DEFAULT_SCOPE, logger: silentLogger });
    await service.open({ configured: { definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } } });
    const create = (name: string, states: Record<string, unknown>) =>
      service.createStateMachine({ name, definition: definition(states), roleArn: ROLE, type: 'STANDARD' });

    create('pass', { P: { Type: 'Pass', Result: { ok: true }, End: true } });
    const version = service.publishVersion(machineArn('pass'), { description: 'first' });
    const alias = service.createAlias('live', 'all traffic', [{ stateMachineVersionArn: version.arn, weight: 100 }]);
    create('fail', { F: { Type: 'Fail', Error: 'Oops', Cause: 'on purpose' } });
    create('wait', { W: { Type: 'Wait', Seconds: 3600, End: true } });
    create('gone', { P: { Type: 'Pass', End: true } });
    service.createActivity('act');

    const run = async (arn: string, name: string, input = '{"n":1}') => {
      const started = service.startExecution(arn, name, input);
      await service.whenDone(started.execution!);
      return started.execution!;
    };
    await run(machineArn('pass'), 'plain');
    await run(alias.arn, 'through-alias');
    const failed = await run(machineArn('fail'), 'failed');
    service.redriveExecution(failed.arn);
    await service.whenDone(failed);
    await run(machineArn('configured'), 'from-config');
    await run(machineArn('gone'), 'of-a-deleted-machine');
    service.deleteStateMachine(machineArn('gone'));

    const waiting = service.startExecution(machineArn('wait'), 'waiting', '{"w":true}').execution!;
    for (let i = 0; i < 200 && waiting.checkpoint?.waitUntil === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    // The machine changes while it waits: the execution keeps showing the revision it started with.
    service.updateStateMachine(machineArn('wait'), { definition: definition({ W2: { Type: 'Wait', Seconds: 1, End: true } }) });

    live = service['live'];
  });

  afterAll(() => service?.close());

  it('the state it was taken of comes back, and its snapshot is the same records', () => {
    const records = snapshot(live);
    // Every kind of record the state needs is in it (a test that covered less would prove less).
    expect(new Set(records.map((r) => r.k))).toEqual(new Set(['sm', 'rev', 'act', 'x', 'ev', 'c', 'end']));
    expect(visible(live).executions.map((e) => [e.name, e.status, e.redriveCount ?? 0])).toEqual([
      ['plain', 'SUCCEEDED', 0],
      ['through-alias', 'SUCCEEDED', 0],
      ['failed', 'FAILED', 1],
      ['from-config', 'SUCCEEDED', 0],
      ['of-a-deleted-machine', 'SUCCEEDED', 0],
      ['waiting', 'RUNNING', 0],
    ]);

    // As the store hands them back: JSON text, read again.
    const stored = JSON.parse(JSON.stringify(records)) as StoreRecord[];
    const fresh: LiveState = { machines: new Machines((text) => validateDefinition(text).definition), executions: new ExecutionTable(50_000) };
    for (const record of stored) replay(fresh, record);

    expect(visible(fresh)).toEqual(visible(live));
    expect(snapshot(fresh)).toEqual(records);
  });

  it('a replayed execution runs the definition it started with, even after its machine changed or went', () => {
    const fresh: LiveState = { machines: new Machines((text) => validateDefinition(text).definition), executions: new ExecutionTable(50_000) };
    for (const record of snapshot(live)) replay(fresh, record);
    const waiting = [...fresh.executions.byArn.values()].find((e) => e.name === 'waiting')!;
    expect(fresh.machines.revision(waiting.revisionId)?.parsed.StartAt).toBe('W');
    expect(fresh.machines.byArn.get(machineArn('wait'))?.definition).toContain('W2');
    const orphan = [...fresh.executions.byArn.values()].find((e) => e.name === 'of-a-deleted-machine')!;
    expect(fresh.machines.byArn.has(machineArn('gone'))).toBe(false);
    expect(fresh.machines.revisionText(orphan.revisionId)).toBe(definition({ P: { Type: 'Pass', End: true } }));
  });
});
