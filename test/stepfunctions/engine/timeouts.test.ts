import { describe, expect, it, vi } from 'vitest';
import { defaultSleep } from '../../../src/stepfunctions/engine/states/frame.js';
import type { TaskRequest } from '../../../src/stepfunctions/engine/types.js';
import { StatesError } from '../../../src/stepfunctions/engine/types.js';
import { run, START } from './host.js';

/** A task that only ends when its signal aborts. */
const forever = (_req: TaskRequest, signal: AbortSignal) =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

describe('timeouts, heartbeats, callbacks, stop', () => {
  it('Task TimeoutSeconds → TaskTimedOut with States.Timeout; the host call is aborted', async () => {
    let aborted = false;
    const r = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 5, End: true } } },
      {},
      {
        tasks: {
          '*': (req, signal) => {
            signal.addEventListener('abort', () => (aborted = true));
            return forever(req, signal);
          },
        },
      },
    );
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'States.Timeout', cause: '' });
    expect(aborted).toBe(true);
    expect(r.plainEvents().slice(2)).toEqual([
      {
        type: 'TaskScheduled',
        id: 3,
        previousEventId: 2,
        taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: '{}', timeoutInSeconds: 5 },
      },
      { type: 'TaskStarted', id: 4, previousEventId: 3, taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } },
      { type: 'TaskTimedOut', id: 5, previousEventId: 4, taskTimedOutEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'States.Timeout' } },
      { type: 'ExecutionFailed', id: 6, previousEventId: 5, executionFailedEventDetails: { error: 'States.Timeout' } },
    ]);
  });

  it('TimeoutSecondsPath reads the timeout from the input; States.Timeout is not matched by States.TaskFailed', async () => {
    const r = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            TimeoutSecondsPath: '$.t',
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' },
              { ErrorEquals: ['States.Timeout'], Next: 'Right' },
            ],
            End: true,
          },
          Wrong: { Type: 'Pass', Result: 'wrong', End: true },
          Right: { Type: 'Pass', Result: 'right', End: true },
        },
      },
      { t: 7 },
      { tasks: { '*': forever } },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: 'right' });
    expect(r.sleeps).toContain(7000);
  });

  it('.waitForTaskToken: the token is in $$.Task.Token before Parameters; heartbeats keep it alive, silence → States.Timeout (as AWS reports a missed heartbeat)', async () => {
    let heartbeats = 0;
    const r = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { MessageBody: { 'token.$': '$$.Task.Token' } },
            HeartbeatSeconds: 10,
            End: true,
          },
        },
      },
      {},
      {
        tasks: {
          '*': async (req, signal) => {
            expect((req.parameters as any).MessageBody.token).toBe(req.taskToken);
            // Two heartbeats (each restarts the 10 s clock), then silence.
            for (let i = 0; i < 2; i++) {
              req.heartbeat!();
              heartbeats++;
            }
            return forever(req, signal);
          },
        },
      },
    );
    expect(heartbeats).toBe(2);
    expect(r.sleeps).toEqual([10000, 10000, 10000]);
    expect(r.requests[0].taskToken).toBe('token-1');
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'States.Timeout', cause: '' });
    expect(r.events.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails).toMatchObject({
      resourceType: 'sqs',
      resource: 'sendMessage.waitForTaskToken',
      heartbeatInSeconds: 10,
    });
    expect(r.types()).toContain('TaskTimedOut');
  });

  it('a missed heartbeat is caught by a Catch naming States.HeartbeatTimeout or States.Timeout; the error output says States.Timeout', async () => {
    for (const name of ['States.HeartbeatTimeout', 'States.Timeout']) {
      const r = await run(
        {
          StartAt: 'A',
          States: {
            A: {
              Type: 'Task',
              Resource: 'arn:aws:states:us-east-1:123456789012:activity:work',
              TimeoutSeconds: 10,
              HeartbeatSeconds: 1,
              Catch: [{ ErrorEquals: [name], Next: 'Recovered' }],
              End: true,
            },
            Recovered: { Type: 'Pass', End: true },
          },
        },
        {},
        {
          tasks: {
            // A worker picks the task up, then goes silent: the heartbeat clock runs from ActivityStarted.
            '*': (req, signal) => {
              req.started!('w');
              return forever(req, signal);
            },
          },
        },
      );
      expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { Error: 'States.Timeout', Cause: '' } });
      expect(r.sleeps).toEqual([10000, 1000]);
      expect(r.types().slice(2, 5)).toEqual(['ActivityScheduled', 'ActivityStarted', 'ActivityTimedOut']);
      expect(r.events.find((e) => e.type === 'ActivityTimedOut')!.activityTimedOutEventDetails).toEqual({ error: 'States.Timeout' });
    }
  });

  it('a callback answer resolves the task; TaskSubmitted is recorded when the host reports the initial call', async () => {
    const r = await run(
      {
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { 'tok.$': '$$.Task.Token' }, End: true } },
      },
      {},
      {
        tasks: {
          '*': async (req) => {
            req.submitted!({ StatusCode: 202 });
            return { answer: (req.parameters as any).tok };
          },
        },
      },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { answer: 'token-1' } });
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('activities: ActivityScheduled, ActivityStarted when a worker picks it up, ActivitySucceeded', async () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:activity:work';
    const r = await run(
      { StartAt: 'A', States: { A: { Type: 'Task', Resource: arn, HeartbeatSeconds: 60, End: true } } },
      { job: 1 },
      {
        tasks: {
          [arn]: async (req) => {
            expect(req.taskToken).toBe('token-1');
            req.started!('worker-7');
            return { ok: true };
          },
        },
      },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { ok: true } });
    expect(r.plainEvents().slice(2, 5)).toEqual([
      {
        type: 'ActivityScheduled',
        id: 3,
        previousEventId: 2,
        activityScheduledEventDetails: { resource: arn, input: '{"job":1}', inputDetails: { truncated: false }, heartbeatInSeconds: 60 },
      },
      { type: 'ActivityStarted', id: 4, previousEventId: 3, activityStartedEventDetails: { workerName: 'worker-7' } },
      { type: 'ActivitySucceeded', id: 5, previousEventId: 4, activitySucceededEventDetails: { output: '{"ok":true}', outputDetails: { truncated: false } } },
    ]);
  });

  it('activity failure → ActivityFailed', async () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:activity:work';
    const r = await run(
      { StartAt: 'A', States: { A: { Type: 'Task', Resource: arn, End: true } } },
      {},
      {
        tasks: {
          [arn]: () => {
            throw new StatesError('Worker.Error', 'bad');
          },
        },
      },
    );
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'Worker.Error', cause: 'bad' });
    expect(r.events.find((e) => e.type === 'ActivityFailed')!.activityFailedEventDetails).toEqual({ error: 'Worker.Error', cause: 'bad' });
  });

  it('execution TimeoutSeconds → TIMED_OUT with one ExecutionTimedOut event (previousEventId 0)', async () => {
    const r = await run({ StartAt: 'W', TimeoutSeconds: 3, States: { W: { Type: 'Wait', Seconds: 25, End: true } } });
    expect(r.outcome).toEqual({ status: 'TIMED_OUT', error: 'States.Timeout', cause: '' });
    expect(r.plainEvents()).toEqual([
      expect.objectContaining({ type: 'ExecutionStarted', id: 1 }),
      expect.objectContaining({ type: 'WaitStateEntered', id: 2, previousEventId: 0 }),
      { type: 'ExecutionTimedOut', id: 3, previousEventId: 0, executionTimedOutEventDetails: { error: 'States.Timeout' } },
    ]);
    expect(r.now()).toBe(Date.parse('2026-01-01T00:00:03.000Z'));
  });

  it('stopping (signal abort) ends the run ABORTED with StopExecution error/cause in ExecutionAborted', async () => {
    const controller = new AbortController();
    const pending = run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
      {},
      {
        tasks: {
          '*': (req, signal) => {
            setImmediate(() => controller.abort(new StatesError('UserStop', 'no longer needed')));
            return forever(req, signal);
          },
        },
      },
      { signal: controller.signal },
    );
    const r = await pending;
    expect(r.outcome).toEqual({ status: 'ABORTED' });
    expect(r.events.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'UserStop', cause: 'no longer needed' } });
  });

  it('a signal already aborted ends the run before the first state', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await run({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, {}, {}, { signal: controller.signal });
    expect(r.outcome).toEqual({ status: 'ABORTED' });
    expect(r.types()).toEqual(['ExecutionStarted', 'ExecutionAborted']);
  });

  it('a Wait longer than the execution may run ends the execution as timed out at its limit (AWS: one year for Standard)', async () => {
    const year = 365 * 24 * 3600;
    const r = await run(
      { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } },
      { s: 3_153_600_000 },
      {},
      { maxDurationSeconds: year },
    );
    expect(r.outcome).toEqual({ status: 'TIMED_OUT', error: 'States.Timeout', cause: '' });
    const events = r.plainEvents();
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionTimedOut']);
    expect(r.events.at(-1)!.timestamp.getTime() - START).toBe(year * 1000);
  });

  it('the default sleep outlasts a timer: a 30-day Wait is still sleeping after 24.9 days and ends at 30', async () => {
    vi.useFakeTimers();
    try {
      let done = false;
      const day = 24 * 3600 * 1000;
      void defaultSleep(30 * day, new AbortController().signal).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(24.9 * day);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(5 * day);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(0.1 * day + 1);
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
