import { describe, expect, it } from 'vitest';
import type { Checkpoint, TaskRequest } from '../../../src/stepfunctions/engine/types.js';
import { run, START } from './host.js';

const forever = (_req: TaskRequest, signal: AbortSignal) =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

describe('checkpoints and resume', () => {
  it('a checkpoint is taken before each top-level state with its input, variables and last event id', async () => {
    const r = await run(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Assign: { v: 1 }, Result: 'a', Next: 'B' },
          B: { Type: 'Parallel', Branches: [{ StartAt: 'In', States: { In: { Type: 'Pass', End: true } } }], End: true },
        },
      },
      { x: 1 },
      { checkpoints: true },
    );
    expect(r.outcome.status).toBe('SUCCEEDED');
    expect(r.checkpoints).toEqual([
      { stateName: 'A', input: { x: 1 }, variables: {}, lastEventId: 0 },
      { stateName: 'B', input: 'a', variables: { v: 1 }, lastEventId: 3 },
    ]);
  });

  it('a Wait in progress resumes until waitUntil without recording WaitStateEntered again', async () => {
    const def = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { keep: 'me' }, Next: 'W' },
        W: { Type: 'Wait', Seconds: 60, Next: 'B' },
        B: { Type: 'Pass', Parameters: { 'keep.$': '$keep' }, End: true },
      },
    };
    // First run: "crash" as soon as the Wait has checkpointed its wake-up time.
    const crash = new AbortController();
    let waiting: Checkpoint | undefined;
    const first = await run(
      def,
      {},
      {
        checkpoints: true,
        onCheckpoint: (cp) => {
          if (cp.waitUntil !== undefined) {
            waiting = structuredClone(cp);
            crash.abort();
          }
        },
      },
      { signal: crash.signal },
    );
    expect(waiting).toEqual({ stateName: 'W', input: {}, variables: { keep: 'me' }, waitUntil: START + 60_000, lastEventId: 4, enteredEventId: 4 });
    const before = first.events.slice(0, waiting!.lastEventId);
    expect(before.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'WaitStateEntered']);

    // Restart 20 s later: only the remaining 40 s are slept, events continue at id 5.
    const second = await run(def, {}, { initialEvents: before, start: START + 20_000 }, { resumeFrom: waiting });
    expect(second.outcome).toEqual({ status: 'SUCCEEDED', output: { keep: 'me' } });
    expect(second.sleeps).toEqual([40_000]);
    expect(
      second
        .plainEvents()
        .slice(4)
        .map((e) => [e.type, e.id, e.previousEventId]),
    ).toEqual([
      ['WaitStateExited', 5, 4],
      ['PassStateEntered', 6, 5],
      ['PassStateExited', 7, 6],
      ['ExecutionSucceeded', 8, 7],
    ]);
  });

  it('a callback Task resumes with the same token and resumed: true, without new Scheduled/Started events', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { 'token.$': '$$.Task.Token' },
          Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 2 }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    };
    const crash = new AbortController();
    let waiting: Checkpoint | undefined;
    const first = await run(
      def,
      { in: 1 },
      {
        checkpoints: true,
        tasks: { '*': forever },
        onCheckpoint: (cp) => {
          if (cp.taskToken !== undefined) {
            waiting = structuredClone(cp);
            setImmediate(() => crash.abort());
          }
        },
      },
      { signal: crash.signal },
    );
    expect(waiting).toMatchObject({ stateName: 'T', taskToken: 'token-1', retryCounts: [0], lastEventId: 4, enteredEventId: 2 });
    const before = first.events.slice(0, waiting!.lastEventId);
    expect(before.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted']);

    const second = await run(def, { in: 1 }, { initialEvents: before, tasks: { '*': (req) => ({ answered: req.taskToken }) } }, { resumeFrom: waiting });
    expect(second.requests).toHaveLength(1);
    expect(second.requests[0]).toMatchObject({ taskToken: 'token-1', resumed: true, parameters: { token: 'token-1' } });
    expect(second.outcome).toEqual({ status: 'SUCCEEDED', output: { answered: 'token-1' } });
    expect(second.types().slice(4)).toEqual(['TaskSucceeded', 'TaskStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });

  it('resuming at a state boundary runs that state normally; the execution timeout counts from StartTime', async () => {
    const def = { StartAt: 'A', TimeoutSeconds: 10, States: { A: { Type: 'Pass', Next: 'W' }, W: { Type: 'Wait', Seconds: 30, End: true } } };
    const r = await run(def, {}, { start: START + 4_000 }, { resumeFrom: { stateName: 'W', input: { r: 1 }, variables: {}, lastEventId: 3 } });
    expect(r.outcome).toEqual({ status: 'TIMED_OUT', error: 'States.Timeout', cause: '' });
    expect(r.now()).toBe(START + 10_000);
    expect(r.plainEvents().map((e) => [e.type, e.id, e.previousEventId])).toEqual([
      ['WaitStateEntered', 1, 3],
      ['ExecutionTimedOut', 2, 0],
    ]);
  });
});

describe('Parallel and Map on resume and without history', () => {
  const def = {
    StartAt: 'P',
    States: {
      P: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, End: true } } }, End: true } } },
          { StartAt: 'X', States: { X: { Type: 'Pass', Result: 'x', End: true } } },
        ],
        End: true,
      },
    },
  };

  it('a Parallel in progress restarts as a whole from the checkpoint taken before it', async () => {
    const r = await run(def, [1, 2], {}, { resumeFrom: { stateName: 'P', input: [1, 2], variables: {}, lastEventId: 1 } });
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: [[1, 2], 'x'] });
    expect(r.events[0]).toMatchObject({ type: 'ParallelStateEntered', id: 1, previousEventId: 1 });
  });

  it('Express (no history): the same outputs, no recordEvent call', async () => {
    const r = await run(def, [1, 2], { history: false });
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: [[1, 2], 'x'] });
    expect(r.events).toEqual([]);
  });
});
