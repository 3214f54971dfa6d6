import { describe, expect, it } from 'vitest';
import { errorMatches, retryDelayMs, type Retrier } from '../../../src/stepfunctions/engine/retry.js';
import { StatesError } from '../../../src/stepfunctions/engine/types.js';
import { run } from './host.js';

const failing = (errors: [string, string][]) => {
  let i = 0;
  return () => {
    if (i < errors.length) {
      const [e, c] = errors[i++];
      throw new StatesError(e, c);
    }
    return { done: i };
  };
};

describe('retry.ts', () => {
  it('States.ALL matches everything but States.Runtime and States.DataLimitExceeded', () => {
    expect(errorMatches(['States.ALL'], 'Lambda.Unknown')).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Timeout')).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Runtime')).toBe(false);
    expect(errorMatches(['States.Runtime'], 'States.Runtime')).toBe(false);
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded')).toBe(false);
    expect(errorMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded')).toBe(true);
  });
  it('States.TaskFailed is a wildcard for everything except States.Timeout', () => {
    expect(errorMatches(['States.TaskFailed'], 'Custom')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.HeartbeatTimeout')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
    expect(errorMatches(['A', 'B'], 'B')).toBe(true);
    expect(errorMatches(['A'], 'B')).toBe(false);
  });
  it('back-off: IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, FULL jitter scales it', () => {
    const r: Retrier = { ErrorEquals: [], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 3, JitterStrategy: 'NONE' };
    expect([0, 1, 2].map((n) => retryDelayMs(r, n))).toEqual([2000, 6000, 18000]);
    expect(retryDelayMs({ ...r, MaxDelaySeconds: 10 }, 2)).toBe(10000);
    expect(retryDelayMs({ ...r, JitterStrategy: 'FULL' }, 1, () => 0.5)).toBe(3000);
  });
});

describe('Retry and Catch in executions', () => {
  it('retries with the defaults (1 s, ×2, 3 attempts) and records a Scheduled/Started/Failed round per attempt', async () => {
    const r = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Retry: [{ ErrorEquals: ['States.ALL'] }], End: true } } },
      {},
      {
        tasks: {
          '*': failing([
            ['E', 'c1'],
            ['E', 'c2'],
            ['E', 'c3'],
          ]),
        },
      },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { done: 3 } });
    expect(r.sleeps).toEqual([1000, 2000, 4000]);
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...Array(3).fill(['TaskScheduled', 'TaskStarted', 'TaskFailed']).flat(),
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(r.requests.map((q) => q.context.State.RetryCount)).toEqual([0, 1, 2, 3]);
  });

  it('MaxAttempts exhausted → Catch with ResultPath keeps the input and adds the error output', async () => {
    const r = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1, IntervalSeconds: 3, BackoffRate: 1.5 }],
            Catch: [
              { ErrorEquals: ['Other'], Next: 'Nope' },
              { ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Handler' },
            ],
            End: true,
          },
          Nope: { Type: 'Fail' },
          Handler: { Type: 'Pass', End: true },
        },
      },
      { a: 1 },
      {
        tasks: {
          '*': failing([
            ['E', 'first'],
            ['E', 'second'],
          ]),
        },
      },
    );
    expect(r.sleeps).toEqual([3000]);
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { a: 1, err: { Error: 'E', Cause: 'second' } } });
    const exited = r.events.find((e) => e.type === 'TaskStateExited')!;
    expect(exited.stateExitedEventDetails).toEqual({ name: 'T', output: '{"a":1,"err":{"Error":"E","Cause":"second"}}', outputDetails: { truncated: false } });
  });

  it('each Retrier keeps its own count; MaxAttempts 0 never retries', async () => {
    const r = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Retry: [
              { ErrorEquals: ['A'], MaxAttempts: 1, IntervalSeconds: 1 },
              { ErrorEquals: ['B'], MaxAttempts: 1, IntervalSeconds: 5 },
              { ErrorEquals: ['C'], MaxAttempts: 0 },
            ],
            End: true,
          },
        },
      },
      {},
      {
        tasks: {
          '*': failing([
            ['A', ''],
            ['B', ''],
            ['C', 'no retry'],
          ]),
        },
      },
    );
    expect(r.sleeps).toEqual([1000, 5000]);
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'C', cause: 'no retry' });
  });

  it('MaxDelaySeconds caps the back-off', async () => {
    const r = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 4, IntervalSeconds: 2, BackoffRate: 4, MaxDelaySeconds: 20 }],
            End: true,
          },
        },
      },
      {},
      {
        tasks: {
          '*': failing([
            ['X', ''],
            ['X', ''],
            ['X', ''],
            ['X', ''],
          ]),
        },
      },
    );
    expect(r.sleeps).toEqual([2000, 8000, 20000, 20000]);
    expect(r.outcome.status).toBe('SUCCEEDED');
  });

  it('Catch Assign sets variables from the error output for the next state', async () => {
    const r = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Catch: [{ ErrorEquals: ['States.ALL'], Assign: { 'why.$': '$.Cause' }, Next: 'After' }],
            End: true,
          },
          After: { Type: 'Pass', Parameters: { 'why.$': '$why' }, End: true },
        },
      },
      {},
      { tasks: { '*': failing([['E', 'because']]) } },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { why: 'because' } });
    expect(r.events.find((e) => e.type === 'TaskStateExited')!.stateExitedEventDetails).toMatchObject({
      assignedVariables: { why: '"because"' },
      assignedVariablesDetails: { truncated: false },
    });
  });

  it('States.Runtime is neither retried nor caught by States.ALL', async () => {
    const r = await run({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { 'x.$': '$.missing' },
          Retry: [{ ErrorEquals: ['States.ALL'] }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }],
          End: true,
        },
        H: { Type: 'Pass', End: true },
      },
    });
    expect(r.sleeps).toEqual([]);
    expect(r.outcome.status === 'FAILED' && r.outcome.error).toBe('States.Runtime');
    expect(r.types()).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ExecutionFailed']);
  });
});
