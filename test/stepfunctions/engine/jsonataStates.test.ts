import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../src/stepfunctions/engine/types.js';
import { run } from './host.js';

describe('JSONata states', () => {
  it('Pass Output and Assign; variables are visible from the next state, not in the assigning state', async () => {
    const r = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Z',
        States: {
          Z: { Type: 'Pass', Assign: { count: 0 }, Next: 'A' },
          A: {
            Type: 'Pass',
            Assign: { count: '{% $count + $states.input.n + 1 %}', seen: '{% $count %}' },
            Output: { n: '{% $states.input.n * 10 + $count %}' },
            Next: 'B',
          },
          B: { Type: 'Pass', Output: { count: '{% $count %}', seen: '{% $seen %}', n: '{% $states.input.n %}' }, End: true },
        },
      },
      { n: 1 },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { count: 2, seen: 0, n: 10 } });
    const exitA = r.events.filter((e) => e.type === 'PassStateExited')[1];
    expect(exitA.stateExitedEventDetails).toEqual({
      name: 'A',
      output: '{"n":10}',
      outputDetails: { truncated: false },
      assignedVariables: { count: '2', seen: '0' },
      assignedVariablesDetails: { truncated: false },
    });
  });

  it('Task Arguments and Output with $states.result; TimeoutSeconds as an expression', async () => {
    const r = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Arguments: { FunctionName: 'f', Payload: { v: '{% $states.input.v %}', exec: '{% $states.context.Execution.Name %}' } },
            TimeoutSeconds: '{% $states.input.t %}',
            Output: '{% $states.result.Payload.v & "!" %}',
            End: true,
          },
        },
      },
      { v: 'hi', t: 9 },
      { tasks: { '*': (req) => ({ Payload: (req.parameters as any).Payload }) } },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: 'hi!' });
    expect(r.requests[0].parameters).toEqual({ FunctionName: 'f', Payload: { v: 'hi', exec: 'run1' } });
    expect(r.requests[0].timeoutSeconds).toBe(9);
  });

  it('Choice Condition with a rule Output and Assign', async () => {
    const r = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'C',
        States: {
          C: {
            Type: 'Choice',
            Choices: [{ Condition: '{% $states.input.n > 5 %}', Next: 'Big', Output: { size: 'big' }, Assign: { picked: 'big' } }],
            Default: 'Small',
          },
          Big: { Type: 'Pass', Output: { out: '{% $states.input.size %}', picked: '{% $picked %}' }, End: true },
          Small: { Type: 'Succeed' },
        },
      },
      { n: 6 },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { out: 'big', picked: 'big' } });
    const small = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'C',
        States: { C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 5 %}', Next: 'S' }], Default: 'S' }, S: { Type: 'Succeed' } },
      },
      { n: 1 },
    );
    expect(small.outcome).toEqual({ status: 'SUCCEEDED', output: { n: 1 } });
  });

  it('Map Items, ItemSelector with $states.context.Map.Item, Parallel Arguments', async () => {
    const r = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            Items: '{% $states.input.list %}',
            ItemSelector: { i: '{% $states.context.Map.Item.Index %}', v: '{% $states.context.Map.Item.Value %}' },
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input.v * 2 + $states.input.i %}', End: true } } },
            Output: '{% $sum($states.result) %}',
            Next: 'Par',
          },
          Par: {
            Type: 'Parallel',
            Arguments: { total: '{% $states.input %}' },
            Branches: [
              { StartAt: 'X', States: { X: { Type: 'Pass', Output: '{% $states.input.total + 1 %}', End: true } } },
              { StartAt: 'Y', States: { Y: { Type: 'Pass', End: true } } },
            ],
            End: true,
          },
        },
      },
      { list: [1, 2, 3] },
    );
    // 2+0, 4+1, 6+2 = 15
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: [16, { total: 15 }] });
  });

  it("Choice: the state's own Assign/Output apply only when the Default is taken", async () => {
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $states.input.n > 5 %}', Next: 'Out' }],
          Default: 'Out',
          Assign: { via: 'default' },
          Output: { from: 'default' },
        },
        Out: { Type: 'Pass', Output: { input: '{% $states.input %}', via: '{% $exists($via) ? $via : "none" %}' }, End: true },
      },
    };
    expect((await run(def, { n: 1 })).outcome).toEqual({ status: 'SUCCEEDED', output: { input: { from: 'default' }, via: 'default' } });
  });

  it('Fail with JSONata Error and Cause', async () => {
    const r = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'F',
        States: { F: { Type: 'Fail', Error: '{% "E." & $states.input.code %}', Cause: '{% "because " & $states.input.why %}' } },
      },
      { code: 'X', why: 'y' },
    );
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'E.X', cause: 'because y' });
  });

  it('Catch Output sees $states.errorOutput; a state-level QueryLanguage overrides the top level', async () => {
    const r = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            QueryLanguage: 'JSONata',
            Resource: 'arn:aws:states:::lambda:invoke',
            Catch: [{ ErrorEquals: ['States.ALL'], Output: { e: '{% $states.errorOutput.Error %}', in: '{% $states.input.a %}' }, Next: 'J' }],
            End: true,
          },
          J: { Type: 'Pass', Parameters: { 'got.$': '$.e' }, End: true },
        },
      },
      { a: 1 },
      {
        tasks: {
          '*': () => {
            throw new StatesError('Boom', 'x');
          },
        },
      },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { got: 'Boom' } });
  });

  it('an expression returning nothing fails with States.QueryEvaluationError and records EvaluationFailed per attempt', async () => {
    const r = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Send',
        States: {
          Send: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage',
            Arguments: { QueueUrl: 'q', MessageBody: '{% $states.input.missing %}' },
            Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1, IntervalSeconds: 1 }],
            End: true,
          },
        },
      },
      { x: 'a' },
      { tasks: { '*': () => ({}) } },
    );
    const cause =
      "An error occurred while executing the state 'Send' (entered at the event id #2). The JSONata expression '$states.input.missing' specified for the field 'Arguments/MessageBody' returned nothing (undefined).";
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'States.QueryEvaluationError', cause });
    expect(r.types()).toEqual(['ExecutionStarted', 'TaskStateEntered', 'EvaluationFailed', 'EvaluationFailed', 'ExecutionFailed']);
    expect(r.events.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4]);
    expect(r.events[2].evaluationFailedEventDetails).toEqual({ error: 'States.QueryEvaluationError', cause, location: 'Arguments/MessageBody', state: 'Send' });
  });

  it('a Map iteration JSONata failure: EvaluationFailed, MapIterationFailed, MapStateFailed', async () => {
    const r = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            Items: '{% $states.input.items %}',
            MaxConcurrency: 1,
            ItemProcessor: {
              ProcessorConfig: { Mode: 'INLINE' },
              StartAt: 'Undef',
              States: { Undef: { Type: 'Pass', Output: { v: '{% $states.input.missing %}' }, End: true } },
            },
            End: true,
          },
        },
      },
      { items: [1, 2] },
    );
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'PassStateEntered',
      'EvaluationFailed',
      'MapIterationFailed',
      'MapStateFailed',
      'ExecutionFailed',
    ]);
    expect(r.events.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4, 5, 6, 6, 8]);
    expect(r.outcome.status === 'FAILED' && r.outcome.cause).toBe(
      "An error occurred while executing the state 'Undef' (entered at the event id #5). The JSONata expression '$states.input.missing' specified for the field 'Output/v' returned nothing (undefined).",
    );
  });

  it('Wait Seconds as an expression', async () => {
    const r = await run({ QueryLanguage: 'JSONata', StartAt: 'W', States: { W: { Type: 'Wait', Seconds: '{% $states.input.s %}', End: true } } }, { s: 4 });
    expect(r.sleeps).toEqual([4000]);
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { s: 4 } });
  });
});

describe('JSONPath variables', () => {
  it('Assign reads the raw task result (before ResultSelector)', async () => {
    const r = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            ResultSelector: { 'p.$': '$.Payload' },
            Assign: { 'code.$': '$.StatusCode' },
            Next: 'R',
          },
          R: { Type: 'Pass', Parameters: { 'code.$': '$code', 'out.$': '$' }, End: true },
        },
      },
      {},
      { tasks: { '*': () => ({ StatusCode: 200, Payload: 'hi' }) } },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { code: 200, out: { p: 'hi' } } });
  });

  it('Assign with paths and intrinsics; $ in Assign is the state result; all values read at state entry', async () => {
    const r = await run(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Assign: { x: 1, y: 'fixed' }, Next: 'B' },
          B: {
            Type: 'Pass',
            Result: { r: 5 },
            Assign: { 'x.$': 'States.MathAdd($x, 1)', 'old.$': '$x', 'fromResult.$': '$.r' },
            ResultPath: '$.res',
            Next: 'C',
          },
          C: { Type: 'Pass', Parameters: { 'x.$': '$x', 'old.$': '$old', 'fromResult.$': '$fromResult', 'y.$': '$y' }, End: true },
        },
      },
      {},
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { x: 2, old: 1, fromResult: 5, y: 'fixed' } });
  });

  it('Map iterations read outer variables; their assignments are not visible outside', async () => {
    const r = await run(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Assign: { base: 100 }, Next: 'M' },
          M: {
            Type: 'Map',
            ItemProcessor: {
              StartAt: 'S',
              States: {
                S: { Type: 'Pass', Assign: { inner: 1 }, Next: 'R' },
                R: { Type: 'Pass', Parameters: { 'b.$': '$base', 'i.$': '$inner', 'v.$': '$' }, End: true },
              },
            },
            Next: 'Out',
          },
          Out: { Type: 'Pass', Parameters: { 'inner.$': '$inner' }, End: true },
        },
      },
      [1],
    );
    const mapExit = r.events.find((e) => e.type === 'MapStateExited')!;
    expect((mapExit.stateExitedEventDetails as { output: string }).output).toBe('[{"b":100,"i":1,"v":1}]');
    expect(r.outcome.status).toBe('FAILED');
  });
});
