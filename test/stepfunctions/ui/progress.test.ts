/**
 * History → per-state status and I/O (src/stepfunctions/ui/progress.ts), from event sequences in
 * AWS's GetExecutionHistory shape (the ones the engine records), and the JSON 1.0 helpers.
 */
import { describe, expect, it } from 'vitest';
import { apiErrorMessage, apiErrorName, executionProgress, formatJsonText, waitEndsAt, type HistoryEventJson } from '../../../src/stepfunctions/ui/progress.js';

/** Builds a history: ids count from 1; `previousEventId` defaults to the event before. */
function history(...steps: Array<[string, Record<string, unknown>?, number?]>): HistoryEventJson[] {
  return steps.map(([type, details, previous], index) => {
    const event: HistoryEventJson = { id: index + 1, previousEventId: previous ?? index, type, timestamp: 1_700_000_000 + index };
    if (details) event[`${type[0].toLowerCase()}${type.slice(1)}EventDetails`] = details;
    return event;
  });
}
const entered = (name: string, input: unknown = {}) => ({ name, input: JSON.stringify(input), inputDetails: { truncated: false } });
const exited = (name: string, output: unknown = {}) => ({ name, output: JSON.stringify(output), outputDetails: { truncated: false } });
const statuses = (events: HistoryEventJson[]) => Object.fromEntries([...executionProgress(events).states].map(([name, s]) => [name, s.status]));

describe('executionProgress', () => {
  it('follows a running execution: done states succeeded, the current one in progress', () => {
    const events = history(
      ['ExecutionStarted', { input: '{"n":5}', roleArn: 'arn:aws:iam::123456789012:role/x' }],
      ['PassStateEntered', entered('Prepare', { n: 5 })],
      ['PassStateExited', exited('Prepare', { n: 5, ok: true })],
      ['ChoiceStateEntered', entered('Decide', { n: 5, ok: true })],
      ['ChoiceStateExited', exited('Decide', { n: 5, ok: true })],
      ['WaitStateEntered', entered('Pause', { n: 5, ok: true })],
    );
    const progress = executionProgress(events);
    expect(progress.status).toBe('RUNNING');
    expect(progress.input).toBe('{"n":5}');
    expect(statuses(events)).toEqual({ Prepare: 'succeeded', Decide: 'succeeded', Pause: 'in-progress' });
    expect(progress.states.get('Prepare')).toMatchObject({ input: '{"n":5}', output: '{"n":5,"ok":true}', entered: 1 });
    expect(progress.states.get('Pause')!.output).toBeUndefined();
    // Timestamps are epoch seconds on the wire; the helper numbers them 1_700_000_000 + index.
    expect(progress.states.get('Prepare')).toMatchObject({ enteredAt: 1_700_000_001_000, exitedAt: 1_700_000_002_000 });
    expect(progress.states.get('Pause')).toMatchObject({ enteredAt: 1_700_000_005_000, exitedAt: undefined });
  });

  it('ties Parallel branch events to their branch states and ends with the execution', () => {
    const events = history(
      ['ExecutionStarted', { input: '{}' }],
      ['ParallelStateEntered', entered('Fan')],
      ['ParallelStateStarted'],
      ['PassStateEntered', entered('Left'), 3],
      ['PassStateEntered', entered('Right'), 3],
      ['PassStateExited', exited('Right', 'r'), 5],
      ['PassStateExited', exited('Left', 'l'), 4],
      ['PassStateEntered', entered('LeftDone', 'l'), 7],
      ['PassStateExited', exited('LeftDone', 'l2'), 8],
      ['ParallelStateSucceeded', undefined, 9],
      ['ParallelStateExited', exited('Fan', ['l2', 'r'])],
      ['SucceedStateEntered', entered('Done', ['l2', 'r'])],
      ['SucceedStateExited', exited('Done', ['l2', 'r'])],
      ['ExecutionSucceeded', { output: '["l2","r"]' }],
    );
    const progress = executionProgress(events);
    expect(progress.status).toBe('SUCCEEDED');
    expect(progress.output).toBe('["l2","r"]');
    expect(statuses(events)).toEqual({ Fan: 'succeeded', Left: 'succeeded', Right: 'succeeded', LeftDone: 'succeeded', Done: 'succeeded' });
    expect(progress.states.get('Fan')!.output).toBe('["l2","r"]');
  });

  it('marks a failed Task caught when its Catch moves on (with or without a TaskStateExited)', () => {
    for (const withExit of [true, false]) {
      const steps: Array<[string, Record<string, unknown>?, number?]> = [
        ['ExecutionStarted', { input: '{}' }],
        ['TaskStateEntered', entered('Call')],
        ['TaskScheduled', { resource: 'invoke', resourceType: 'lambda', region: 'us-east-1', parameters: '{}' }],
        ['TaskStarted', { resource: 'invoke', resourceType: 'lambda' }],
        ['TaskFailed', { resource: 'invoke', resourceType: 'lambda', error: 'Boom', cause: 'it broke' }],
      ];
      if (withExit) steps.push(['TaskStateExited', exited('Call', { Error: 'Boom', Cause: 'it broke' })]);
      steps.push(['PassStateEntered', entered('Handle', { Error: 'Boom' })], ['PassStateExited', exited('Handle')], ['ExecutionSucceeded', { output: '{}' }]);
      const events = history(...steps);
      const progress = executionProgress(events);
      expect(statuses(events)).toEqual({ Call: 'caught', Handle: 'succeeded' });
      expect(progress.states.get('Call')).toMatchObject({ error: 'Boom', cause: 'it broke' });
    }
  });

  it('shows a retried Task that then succeeds as succeeded, without the old error', () => {
    const events = history(
      ['ExecutionStarted', { input: '{}' }],
      ['TaskStateEntered', entered('Call')],
      ['TaskScheduled', { resource: 'invoke', resourceType: 'lambda' }],
      ['TaskFailed', { error: 'Flaky', cause: '' }],
      ['TaskScheduled', { resource: 'invoke', resourceType: 'lambda' }],
      ['TaskSucceeded', { output: '1' }],
      ['TaskStateExited', exited('Call', 1)],
      ['ExecutionSucceeded', { output: '1' }],
    );
    expect(statuses(events)).toEqual({ Call: 'succeeded' });
    expect(executionProgress(events).states.get('Call')!.error).toBeUndefined();
  });

  it('retrying counts as in progress while the execution runs', () => {
    const events = history(
      ['ExecutionStarted', { input: '{}' }],
      ['TaskStateEntered', entered('Call')],
      ['TaskScheduled'],
      ['TaskFailed', { error: 'Flaky' }],
      ['TaskScheduled'],
    );
    expect(statuses(events)).toEqual({ Call: 'in-progress' });
  });

  it('gives an uncaught failure to the state that failed, and a Fail state its error', () => {
    const uncaught = history(
      ['ExecutionStarted', { input: '{}' }],
      ['TaskStateEntered', entered('Call')],
      ['TaskScheduled'],
      ['TaskFailed', { error: 'States.TaskFailed', cause: 'nope' }],
      ['ExecutionFailed', { error: 'States.TaskFailed', cause: 'nope' }],
    );
    expect(executionProgress(uncaught)).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed', cause: 'nope' });
    expect(statuses(uncaught)).toEqual({ Call: 'failed' });

    const failState = history(
      ['ExecutionStarted', { input: '{}' }],
      ['FailStateEntered', entered('Oops')],
      ['ExecutionFailed', { error: 'Bad', cause: 'went wrong' }],
    );
    expect(executionProgress(failState).states.get('Oops')).toMatchObject({ status: 'failed', error: 'Bad', cause: 'went wrong' });
  });

  it('a branch failure fails the branch state; the Parallel is caught with the branch’s error', () => {
    const events = history(
      ['ExecutionStarted', { input: '{}' }],
      ['ParallelStateEntered', entered('Fan')],
      ['ParallelStateStarted'],
      ['TaskStateEntered', entered('Left'), 3],
      ['PassStateEntered', entered('Right'), 3],
      ['TaskScheduled', undefined, 4],
      ['TaskFailed', { error: 'Broken', cause: 'left side' }],
      ['ParallelStateFailed'],
      ['FailStateEntered', entered('Oops', { Error: 'Broken' })],
      ['ExecutionFailed', { error: 'Bad', cause: 'went wrong' }],
    );
    expect(statuses(events)).toEqual({ Fan: 'caught', Left: 'failed', Right: 'cancelled', Oops: 'failed' });
    expect(executionProgress(events).states.get('Fan')).toMatchObject({ error: 'Broken', cause: 'left side' });
  });

  it('a Fail state inside a Parallel takes its Error/Cause from the definition; the caught Parallel shows it too', () => {
    // The shape the engine records (and AWS): FailStateEntered, then ParallelStateFailed without details.
    const events = history(
      ['ExecutionStarted', { input: '{"a":1}' }],
      ['ParallelStateEntered', entered('Try', { a: 1 }), 0],
      ['ParallelStateStarted'],
      ['PassStateEntered', entered('Work', { a: 1 })],
      ['PassStateExited', exited('Work', { a: 1 })],
      ['FailStateEntered', entered('Explode', { a: 1 })],
      ['ParallelStateFailed'],
      ['ParallelStateExited', exited('Try', { a: 1, error: { Error: 'Kaboom' } })],
      ['PassStateEntered', entered('Recover')],
      ['PassStateExited', exited('Recover')],
      ['ExecutionSucceeded', { output: '{}' }],
    );
    const definition = {
      StartAt: 'Try',
      States: {
        Try: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Work', States: { Work: { Type: 'Pass', Next: 'Explode' }, Explode: { Type: 'Fail', Error: 'Kaboom', Cause: 'the branch blew up' } } },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }],
          End: true,
        },
        Recover: { Type: 'Pass', End: true },
      },
    };
    const progress = executionProgress(events, JSON.stringify(definition));
    expect(statuses(events)).toEqual({ Try: 'caught', Work: 'succeeded', Explode: 'failed', Recover: 'succeeded' });
    expect(progress.states.get('Explode')).toMatchObject({ status: 'failed', error: 'Kaboom', cause: 'the branch blew up' });
    expect(progress.states.get('Try')).toMatchObject({ status: 'caught', error: 'Kaboom', cause: 'the branch blew up' });
  });

  it('an outer Parallel’s failure after an inner one belongs to the outer', () => {
    const events = history(
      ['ExecutionStarted', { input: '{}' }],
      ['ParallelStateEntered', entered('Outer')],
      ['ParallelStateStarted'],
      ['ParallelStateEntered', entered('Inner')],
      ['ParallelStateStarted'],
      ['FailStateEntered', entered('Deep')],
      ['ParallelStateFailed'],
      ['ParallelStateFailed'],
      ['ExecutionFailed', { error: 'X', cause: 'y' }],
    );
    expect(statuses(events)).toEqual({ Outer: 'failed', Inner: 'failed', Deep: 'failed' });
  });

  it('counts Map iterations and keeps the latest iteration’s I/O', () => {
    const events = history(
      ['ExecutionStarted', { input: '[1,2]' }],
      ['MapStateEntered', entered('Each', [1, 2])],
      ['MapStateStarted', { length: 2 }],
      ['MapIterationStarted', { name: 'Each', index: 0 }, 3],
      ['PassStateEntered', entered('Work', 1), 4],
      ['PassStateExited', exited('Work', 10)],
      ['MapIterationSucceeded', { name: 'Each', index: 0 }],
      ['MapIterationStarted', { name: 'Each', index: 1 }, 3],
      ['PassStateEntered', entered('Work', 2), 8],
      ['PassStateExited', exited('Work', 20)],
      ['MapIterationSucceeded', { name: 'Each', index: 1 }],
      ['MapStateSucceeded'],
      ['MapStateExited', exited('Each', [10, 20])],
      ['ExecutionSucceeded', { output: '[10,20]' }],
    );
    const progress = executionProgress(events);
    expect(progress.states.get('Work')).toMatchObject({ status: 'succeeded', entered: 2, input: '2', output: '20' });
    expect(progress.states.get('Work')!.entries.map((e) => [e.iteration, e.input, e.output, e.status])).toEqual([
      ['0', '1', '10', 'succeeded'],
      ['1', '2', '20', 'succeeded'],
    ]);
    expect(progress.states.get('Each')!.entries[0].iteration).toBeUndefined();
    expect(progress.states.get('Each')).toMatchObject({ status: 'succeeded', entered: 1, output: '[10,20]' });
  });

  it('a Map whose iterations fail is failed, its iteration state failed (not cancelled by the aborts that follow)', () => {
    // The engine's shape: iterations interleave; each failure is followed by TaskStateAborted.
    const cause = '{"errorType":"Exploded","errorMessage":"it exploded"}';
    const events = history(
      ['ExecutionStarted', { input: '{"items":[1,2]}' }],
      ['MapStateEntered', entered('Each', [1, 2]), 0],
      ['MapStateStarted', { length: 2 }],
      ['MapIterationStarted', { name: 'Each', index: 0 }, 3],
      ['TaskStateEntered', entered('It', 1), 4],
      ['LambdaFunctionScheduled', { resource: 'arn:aws:lambda:us-east-1:123456789012:function:boom', input: '1' }, 5],
      ['MapIterationStarted', { name: 'Each', index: 1 }, 3],
      ['TaskStateEntered', entered('It', 2), 7],
      ['LambdaFunctionScheduled', { resource: 'arn:aws:lambda:us-east-1:123456789012:function:boom', input: '2' }, 8],
      ['LambdaFunctionFailed', { error: 'Exploded', cause }, 6],
      ['LambdaFunctionFailed', { error: 'Exploded', cause }, 9],
      ['TaskStateAborted', undefined, 10],
      ['TaskStateAborted', undefined, 11],
      ['MapIterationFailed', { name: 'Each', index: 0 }, 10],
      ['MapIterationFailed', { name: 'Each', index: 1 }, 11],
      ['MapStateFailed', undefined, 10],
      ['ExecutionFailed', { error: 'Exploded', cause }, 16],
    );
    const progress = executionProgress(events);
    expect(progress).toMatchObject({ status: 'FAILED', error: 'Exploded', cause });
    expect(progress.states.get('It')).toMatchObject({ status: 'failed', entered: 2, error: 'Exploded', cause, input: '2' });
    expect(progress.states.get('It')!.entries.map((e) => [e.iteration, e.status, e.error])).toEqual([
      ['0', 'failed', 'Exploded'],
      ['1', 'failed', 'Exploded'],
    ]);
    expect(progress.states.get('Each')).toMatchObject({ status: 'failed', error: 'Exploded', cause });
  });

  it('an aborted execution leaves its running state cancelled', () => {
    const events = history(['ExecutionStarted', { input: '{}' }], ['WaitStateEntered', entered('Pause')], ['WaitStateAborted'], ['ExecutionAborted']);
    expect(executionProgress(events).status).toBe('ABORTED');
    expect(statuses(events)).toEqual({ Pause: 'cancelled' });
  });
});

describe('API error and JSON helpers', () => {
  it('names JSON 1.0 errors as AWS spells them', () => {
    expect(apiErrorName({ __type: 'com.amazonaws.states#ExecutionDoesNotExist', message: 'x' }, 400)).toBe('ExecutionDoesNotExist');
    expect(apiErrorName({ __type: 'StateMachineDoesNotExist' }, 400)).toBe('StateMachineDoesNotExist');
    expect(apiErrorName('oops', 502)).toBe('HTTP 502');
    expect(apiErrorMessage({ Message: 'M' }, 'f')).toBe('M');
    expect(apiErrorMessage({ message: 'm' }, 'f')).toBe('m');
    expect(apiErrorMessage(undefined, 'f')).toBe('f');
  });

  it('pretty-prints JSON text and leaves other text alone', () => {
    expect(formatJsonText('{"a":[1]}')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(formatJsonText('not json')).toBe('not json');
    expect(formatJsonText(undefined)).toBe('');
  });
});

describe('waitEndsAt', () => {
  const at = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['Seconds', { Type: 'Wait', Seconds: 2_592_000 }, '{}', at + 2_592_000_000],
    ['Timestamp', { Type: 'Wait', Timestamp: '2026-03-01T00:00:00Z' }, '{}', Date.parse('2026-03-01T00:00:00Z')],
    ['SecondsPath', { Type: 'Wait', SecondsPath: '$.wait.s' }, '{"wait":{"s":60}}', at + 60_000],
    ['TimestampPath', { Type: 'Wait', TimestampPath: '$.t' }, '{"t":"2027-01-01T00:00:00Z"}', Date.parse('2027-01-01T00:00:00Z')],
    ['a path behind an InputPath (unknown)', { Type: 'Wait', InputPath: '$.x', SecondsPath: '$.s' }, '{"x":{"s":1}}', undefined],
    ['a JSONata expression (unknown)', { Type: 'Wait', Seconds: '{% $states.input.s %}' }, '{"s":1}', undefined],
    ['not a Wait', { Type: 'Pass' }, '{}', undefined],
  ])('%s', (_name, state, input, expected) => {
    expect(waitEndsAt(state, at, input)).toBe(expected);
  });
});
