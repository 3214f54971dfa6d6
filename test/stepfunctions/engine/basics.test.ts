import { describe, expect, it } from 'vitest';
import { run } from './host.js';

const T = { truncated: false };

describe('runExecution: Pass / Succeed / Fail chains (JSONPath)', () => {
  it('InputPath → Parameters → Result → ResultPath → OutputPath, with the full history', async () => {
    const { outcome, plainEvents } = await run(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', InputPath: '$.order', Parameters: { 'id.$': '$.id', fixed: 1 }, ResultPath: '$.params', Next: 'B' },
          B: { Type: 'Pass', Result: { ok: true }, ResultPath: '$.result', OutputPath: '$.result', Next: 'C' },
          C: { Type: 'Succeed' },
        },
      },
      { order: { id: 'o-1' }, other: 2 },
    );
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { ok: true } });
    expect(plainEvents()).toEqual([
      {
        type: 'ExecutionStarted',
        id: 1,
        previousEventId: 0,
        executionStartedEventDetails: {
          input: '{"order":{"id":"o-1"},"other":2}',
          inputDetails: T,
          roleArn: 'arn:aws:iam::123456789012:role/StepFunctions',
        },
      },
      {
        type: 'PassStateEntered',
        id: 2,
        previousEventId: 0,
        stateEnteredEventDetails: { name: 'A', input: '{"order":{"id":"o-1"},"other":2}', inputDetails: T },
      },
      {
        type: 'PassStateExited',
        id: 3,
        previousEventId: 2,
        stateExitedEventDetails: { name: 'A', output: '{"order":{"id":"o-1"},"other":2,"params":{"id":"o-1","fixed":1}}', outputDetails: T },
      },
      {
        type: 'PassStateEntered',
        id: 4,
        previousEventId: 3,
        stateEnteredEventDetails: { name: 'B', input: '{"order":{"id":"o-1"},"other":2,"params":{"id":"o-1","fixed":1}}', inputDetails: T },
      },
      { type: 'PassStateExited', id: 5, previousEventId: 4, stateExitedEventDetails: { name: 'B', output: '{"ok":true}', outputDetails: T } },
      { type: 'SucceedStateEntered', id: 6, previousEventId: 5, stateEnteredEventDetails: { name: 'C', input: '{"ok":true}', inputDetails: T } },
      { type: 'SucceedStateExited', id: 7, previousEventId: 6, stateExitedEventDetails: { name: 'C', output: '{"ok":true}', outputDetails: T } },
      { type: 'ExecutionSucceeded', id: 8, previousEventId: 7, executionSucceededEventDetails: { output: '{"ok":true}', outputDetails: T } },
    ]);
  });

  it('ResultPath null keeps the input; InputPath/OutputPath null give {}', async () => {
    const { outcome } = await run(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Result: 'x', ResultPath: null, Next: 'B' },
          B: { Type: 'Pass', InputPath: null, ResultPath: '$.in', End: true },
        },
      },
      { a: 1 },
    );
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { a: 1, in: {} } });
  });

  it('context object and intrinsic functions in Parameters', async () => {
    const { outcome } = await run(
      {
        StartAt: 'A',
        States: {
          A: {
            Type: 'Pass',
            Parameters: { 'name.$': '$$.Execution.Name', 'state.$': '$$.State.Name', 'msg.$': "States.Format('hi {}', $.who)" },
            End: true,
          },
        },
      },
      { who: 'ann' },
    );
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { name: 'run1', state: 'A', msg: 'hi ann' } });
  });

  it('Fail state: Error and Cause end the execution with ExecutionFailed', async () => {
    const { outcome, plainEvents } = await run({
      StartAt: 'F',
      States: { F: { Type: 'Fail', Error: 'Custom.Error', Cause: 'it broke' } },
    });
    expect(outcome).toEqual({ status: 'FAILED', error: 'Custom.Error', cause: 'it broke' });
    expect(plainEvents().slice(1)).toEqual([
      { type: 'FailStateEntered', id: 2, previousEventId: 0, stateEnteredEventDetails: { name: 'F', input: '{}', inputDetails: T } },
      { type: 'ExecutionFailed', id: 3, previousEventId: 2, executionFailedEventDetails: { error: 'Custom.Error', cause: 'it broke' } },
    ]);
  });

  it('Fail state: ErrorPath and CausePath (path and intrinsic)', async () => {
    const { outcome } = await run(
      {
        StartAt: 'F',
        States: { F: { Type: 'Fail', ErrorPath: '$.e', CausePath: "States.Format('code {}', $.code)" } },
      },
      { e: 'E1', code: 7 },
    );
    expect(outcome).toEqual({ status: 'FAILED', error: 'E1', cause: 'code 7' });
  });

  it('Fail state: an ErrorPath that finds nothing or no string fails with States.Runtime', async () => {
    const missing = await run({ StartAt: 'Boom', States: { Boom: { Type: 'Fail', ErrorPath: '$.nope' } } }, { other: 1 });
    expect(missing.outcome).toEqual({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: `An error occurred while executing the state 'Boom' (entered at the event id #2). The JSONPath '$.nope' specified for the field 'ErrorPath' could not be found in the input '{"other":1}'`,
    });
    const notText = await run({ StartAt: 'Boom', States: { Boom: { Type: 'Fail', ErrorPath: '$.e' } } }, { e: 404 });
    expect(notText.outcome.status === 'FAILED' && notText.outcome.cause).toBe(
      "An error occurred while executing the state 'Boom' (entered at the event id #2). ErrorPath must resolve to a string",
    );
  });

  it('Fail state without Error or Cause: empty details', async () => {
    const { outcome, events } = await run({ StartAt: 'F', States: { F: { Type: 'Fail' } } });
    expect(outcome).toEqual({ status: 'FAILED', error: '', cause: '' });
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: {} });
  });

  it('a missing path fails with States.Runtime and the state prefix naming the entered event', async () => {
    const { outcome, plainEvents } = await run({ StartAt: 'A', States: { A: { Type: 'Pass', InputPath: '$.missing', End: true } } }, { x: 1 });
    expect(outcome.status).toBe('FAILED');
    if (outcome.status !== 'FAILED') return;
    expect(outcome.error).toBe('States.Runtime');
    expect(outcome.cause).toMatch(/^An error occurred while executing the state 'A' \(entered at the event id #2\)\. /);
    expect(plainEvents().map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
  });

  it('without history (Express) no event is recorded but causes still count event ids', async () => {
    const { outcome, events } = await run(
      { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', InputPath: '$.nope', End: true } } },
      {},
      { history: false },
    );
    expect(events).toEqual([]);
    expect(outcome.status === 'FAILED' && outcome.cause).toMatch(/entered at the event id #4\)/);
  });
});

describe('runExecution: Choice and Wait', () => {
  const choice = {
    StartAt: 'C',
    States: {
      C: {
        Type: 'Choice',
        Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }],
        Default: 'Small',
      },
      Big: { Type: 'Pass', Result: 'big', End: true },
      Small: { Type: 'Pass', Result: 'small', End: true },
    },
  };
  it('follows the matching rule or the Default, with ChoiceStateEntered/Exited', async () => {
    const big = await run(choice, { n: 11 });
    expect(big.outcome).toEqual({ status: 'SUCCEEDED', output: 'big' });
    expect(big.types()).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    expect((await run(choice, { n: 1 })).outcome).toEqual({ status: 'SUCCEEDED', output: 'small' });
  });

  it('no match and no Default fails with States.NoChoiceMatched', async () => {
    const { outcome } = await run({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.n', IsPresent: true, Next: 'C' }] } } });
    expect(outcome.status === 'FAILED' && outcome.error).toBe('States.NoChoiceMatched');
  });

  it('Wait Seconds / SecondsPath / Timestamp / TimestampPath sleep through the host clock', async () => {
    const r = await run(
      {
        StartAt: 'W1',
        States: {
          W1: { Type: 'Wait', Seconds: 5, Next: 'W2' },
          W2: { Type: 'Wait', SecondsPath: '$.s', Next: 'W3' },
          W3: { Type: 'Wait', Timestamp: '2026-01-01T00:01:00Z', Next: 'W4' },
          W4: { Type: 'Wait', TimestampPath: '$.t', End: true },
        },
      },
      { s: 10, t: '2026-01-01T00:02:00.000Z' },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { s: 10, t: '2026-01-01T00:02:00.000Z' } });
    expect(r.sleeps).toEqual([5000, 10000, 45000, 60000]);
    expect(r.now()).toBe(Date.parse('2026-01-01T00:02:00.000Z'));
    expect(r.types().filter((t) => t.startsWith('Wait'))).toEqual(Array(4).fill(['WaitStateEntered', 'WaitStateExited']).flat());
  });
});

describe('history limit', () => {
  it('an endless loop fails with States.Runtime as event #25000, as AWS does', async () => {
    const r = await run(
      {
        StartAt: 'Loop',
        States: { Loop: { Type: 'Choice', Choices: [{ Variable: '$.spin', BooleanEquals: true, Next: 'Loop' }], Default: 'Done' }, Done: { Type: 'Succeed' } },
      },
      { spin: true },
    );
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'States.Runtime', cause: 'The execution reached the maximum number of history events (25000).' });
    expect(r.plainEvents().slice(-2)).toEqual([
      {
        type: 'ChoiceStateExited',
        id: 24999,
        previousEventId: 24998,
        stateExitedEventDetails: { name: 'Loop', output: '{"spin":true}', outputDetails: { truncated: false } },
      },
      {
        type: 'ExecutionFailed',
        id: 25000,
        previousEventId: 24999,
        executionFailedEventDetails: { error: 'States.Runtime', cause: 'The execution reached the maximum number of history events (25000).' },
      },
    ]);
  });
});

describe('payload limit', () => {
  it('a state output over 256 KiB fails with States.DataLimitExceeded (not caught by States.ALL)', async () => {
    const r = await run(
      {
        StartAt: 'Big',
        States: {
          Big: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }], End: true },
          H: { Type: 'Pass', End: true },
        },
      },
      {},
      { tasks: { '*': () => 'x'.repeat(300_000) } },
    );
    expect(r.outcome).toEqual({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause: "The state/task 'Big' returned a result with a size exceeding the maximum number of bytes service limit.",
    });
    expect(r.types()).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'ExecutionFailed']);
  });
});

describe('bracket paths with escape sequences (issue #26)', () => {
  it("a Pass state's Parameters path keeps the backslash inside a bracket name, as AWS (Jayway) does", async () => {
    // The definition and input exactly as JSON text, so the escapes are AWS's, not TypeScript's.
    const definition = JSON.parse(
      String.raw`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"value.$":"$['Test\\\"\"Name\"']"},"End":true}}}`,
    ) as Record<string, unknown>;
    const input = JSON.parse(String.raw`{"Test\\\"\"Name\"": "Value\"\\"}`) as unknown;
    const { outcome } = await run(definition, input);
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { value: 'Value"\\' } });
  });
});
