import { describe, expect, it } from 'vitest';
import { testState } from '../../../src/stepfunctions/engine/testState.js';
import { StatesError } from '../../../src/stepfunctions/engine/types.js';
import { createTestHost } from './host.js';

const host = (result: () => unknown) => createTestHost({ tasks: { '*': result } }).host;

describe('testState (TestState API)', () => {
  it('a Pass state: SUCCEEDED with output and nextState; INFO has no inspectionData', async () => {
    const out = await testState({ definition: { Type: 'Pass', Result: { a: 1 }, ResultPath: '$.r', Next: 'Later' }, input: { x: 1 }, host: host(() => null) });
    expect(out).toEqual({ status: 'SUCCEEDED', output: '{"x":1,"r":{"a":1}}', nextState: 'Later' });
  });

  it('DEBUG inspection data of a JSONPath Task: every processing step as JSON text', async () => {
    const out = await testState({
      definition: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        InputPath: '$.in',
        Parameters: { 'v.$': '$.v' },
        ResultSelector: { 'p.$': '$.Payload' },
        ResultPath: '$.res',
        OutputPath: '$.res',
        End: true,
      },
      input: { in: { v: 2 } },
      inspectionLevel: 'DEBUG',
      host: host(() => ({ Payload: 'ok' })),
    });
    expect(out).toEqual({
      status: 'SUCCEEDED',
      output: '{"p":"ok"}',
      inspectionData: {
        input: '{"in":{"v":2}}',
        afterInputPath: '{"v":2}',
        afterParameters: '{"v":2}',
        result: '{"Payload":"ok"}',
        afterResultSelector: '{"p":"ok"}',
        afterResultPath: '{"in":{"v":2},"res":{"p":"ok"}}',
        variables: '{}',
      },
    });
  });

  it('a matching Retrier → RETRIABLE (no retry made); a Catcher → CAUGHT_ERROR with its Next; otherwise FAILED', async () => {
    const failing = host(() => {
      throw new StatesError('Lambda.ServiceException', 'down');
    });
    const base = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true };
    expect(await testState({ definition: { ...base, Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2 }] }, input: {}, host: failing })).toEqual({
      status: 'RETRIABLE',
      error: 'Lambda.ServiceException',
      cause: 'down',
    });
    expect(
      await testState({ definition: { ...base, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.e', Next: 'H' }] }, input: { a: 1 }, host: failing }),
    ).toEqual({
      status: 'CAUGHT_ERROR',
      error: 'Lambda.ServiceException',
      cause: 'down',
      output: '{"a":1,"e":{"Error":"Lambda.ServiceException","Cause":"down"}}',
      nextState: 'H',
    });
    expect(await testState({ definition: base, input: {}, host: failing })).toEqual({ status: 'FAILED', error: 'Lambda.ServiceException', cause: 'down' });
  });

  it('RETRIABLE inspection names the retrier and its first back-off', async () => {
    const out = await testState({
      definition: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Retry: [{ ErrorEquals: ['X'] }, { ErrorEquals: ['E'], IntervalSeconds: 3 }],
        End: true,
      },
      input: {},
      inspectionLevel: 'DEBUG',
      host: host(() => {
        throw new StatesError('E', '');
      }),
    });
    expect(out.status).toBe('RETRIABLE');
    expect(out.inspectionData?.errorDetails).toEqual({ retryIndex: 1, retryBackoffIntervalSeconds: 3 });
  });

  it('Choice gives the next state; Fail gives error and cause; Wait does not wait', async () => {
    const h = host(() => null);
    expect(
      await testState({
        definition: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'One' }], Default: 'Other' },
        input: { n: 1 },
        host: h,
      }),
    ).toEqual({ status: 'SUCCEEDED', output: '{"n":1}', nextState: 'One' });
    expect(await testState({ definition: { Type: 'Fail', Error: 'E', Cause: 'C' }, input: {}, host: h })).toEqual({ status: 'FAILED', error: 'E', cause: 'C' });
    const t = createTestHost();
    expect(await testState({ definition: { Type: 'Wait', Seconds: 3600, Next: 'N' }, input: { w: 1 }, host: t.host })).toEqual({
      status: 'SUCCEEDED',
      output: '{"w":1}',
      nextState: 'N',
    });
    expect(t.sleeps).toEqual([]);
  });

  it('JSONata with variables: afterArguments and the variables after the state', async () => {
    const out = await testState({
      definition: {
        Type: 'Task',
        QueryLanguage: 'JSONata',
        Resource: 'arn:aws:states:::lambda:invoke',
        Arguments: { x: '{% $base + 1 %}' },
        Assign: { got: '{% $states.result.y %}' },
        Output: '{% $states.result %}',
        End: true,
      },
      input: {},
      variables: { base: 41 },
      inspectionLevel: 'DEBUG',
      host: host(() => ({ y: 'z' })),
    });
    expect(out).toEqual({
      status: 'SUCCEEDED',
      output: '{"y":"z"}',
      inspectionData: { input: '{}', afterArguments: '{"x":42}', result: '{"y":"z"}', variables: '{"base":41,"got":"z"}' },
    });
  });
});

describe('testState mocks', () => {
  it('a mocked result or error replaces the call', async () => {
    const t = createTestHost();
    const def = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', ResultSelector: { 'v.$': '$.Payload' }, End: true };
    expect(await testState({ definition: def, input: {}, host: t.host, mock: { result: { Payload: 7 } } })).toEqual({ status: 'SUCCEEDED', output: '{"v":7}' });
    expect(
      await testState({ definition: def, input: {}, host: t.host, mock: { errorOutput: { error: 'Lambda.TooManyRequestsException', cause: 'slow down' } } }),
    ).toEqual({
      status: 'FAILED',
      error: 'Lambda.TooManyRequestsException',
      cause: 'slow down',
    });
    expect(t.requests).toEqual([]);
  });
});
