import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../src/stepfunctions/engine/types.js';
import { run } from './host.js';

const prevIds = (events: { previousEventId: number }[]) => events.map((e) => e.previousEventId);

describe('Parallel state', () => {
  it('runs branches on the same input; events chain per branch; Succeeded/Exited point at the latest branch event', async () => {
    const r = await run(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A1', States: { A1: { Type: 'Pass', Next: 'A2' }, A2: { Type: 'Pass', End: true } } },
              { StartAt: 'B1', States: { B1: { Type: 'Pass', Next: 'B2' }, B2: { Type: 'Pass', End: true } } },
            ],
            Next: 'After',
          },
          After: { Type: 'Pass', End: true },
        },
      },
      { x: 'a' },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: [{ x: 'a' }, { x: 'a' }] });
    const ev = r.events;
    expect(ev).toHaveLength(16);
    expect(r.types().slice(0, 3)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted']);
    expect(r.types().slice(11)).toEqual(['ParallelStateSucceeded', 'ParallelStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    const started = ev[2];
    expect(started).toEqual({ timestamp: expect.any(Date), type: 'ParallelStateStarted', id: 3, previousEventId: 2 });
    for (const b of ['A', 'B']) {
      const find = (type: string, name: string) =>
        ev.find((e) => e.type === type && ((e.stateEnteredEventDetails ?? e.stateExitedEventDetails) as { name: string }).name === name)!;
      expect(find('PassStateEntered', `${b}1`).previousEventId).toBe(3);
      expect(find('PassStateExited', `${b}1`).previousEventId).toBe(find('PassStateEntered', `${b}1`).id);
      expect(find('PassStateEntered', `${b}2`).previousEventId).toBe(find('PassStateExited', `${b}1`).id);
    }
    expect(ev[11].previousEventId).toBe(11);
    expect(ev[12].previousEventId).toBe(11);
    expect(ev[12].stateExitedEventDetails).toMatchObject({ output: '[{"x":"a"},{"x":"a"}]' });
    expect(ev[13].previousEventId).toBe(13);
  });

  it('a Fail state in a branch fails the Parallel with its error: ParallelStateFailed then ExecutionFailed', async () => {
    const r = await run(
      {
        StartAt: 'P',
        States: {
          P: { Type: 'Parallel', Branches: [{ StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'MyError', Cause: 'my cause' } } }], End: true },
        },
      },
      { x: 'a' },
    );
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'MyError', cause: 'my cause' });
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateFailed',
      'ExecutionFailed',
    ]);
    expect(prevIds(r.events)).toEqual([0, 0, 2, 3, 4, 5]);
  });

  it('States.Runtime in a branch ends the execution without ParallelStateFailed, naming the branch state', async () => {
    const r = await run(
      {
        StartAt: 'P',
        States: {
          P: { Type: 'Parallel', Branches: [{ StartAt: 'Fast', States: { Fast: { Type: 'Pass', Parameters: { 'm.$': '$.nope' }, End: true } } }], End: true },
        },
      },
      { x: 'a' },
    );
    expect(r.types()).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted', 'PassStateEntered', 'ExecutionFailed']);
    expect(prevIds(r.events)).toEqual([0, 0, 2, 3, 4]);
    expect(r.outcome).toEqual({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: `An error occurred while executing the state 'Fast' (entered at the event id #4). The JSONPath '$.nope' specified for the field 'm.$' could not be found in the input '{"x":"a"}'`,
    });
  });

  it('a retried Parallel starts again and records ParallelStateFailed only once the retries are used up', async () => {
    const r = await run({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'MyError', Cause: 'c' } } }],
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1, IntervalSeconds: 1 }],
          End: true,
        },
      },
    });
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateStarted',
      'FailStateEntered',
      'ParallelStateFailed',
      'ExecutionFailed',
    ]);
    expect(prevIds(r.events)).toEqual([0, 0, 2, 3, 4, 5, 6, 7]);
  });

  it('a task failure ending a branch records TaskStateAborted; the Catch exits the Parallel with the error output', async () => {
    const r = await run(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [{ StartAt: 'Send', States: { Send: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } } }],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      },
      {},
      {
        tasks: {
          '*': () => {
            throw new StatesError('SQS.QueueDoesNotExistException', 'The specified queue does not exist.');
          },
        },
      },
    );
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateAborted',
      'ParallelStateFailed',
      'ParallelStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(prevIds(r.events)).toEqual([0, 0, 2, 3, 4, 5, 6, 7, 7, 9, 10, 11, 12]);
    expect(r.outcome).toEqual({
      status: 'SUCCEEDED',
      output: { Error: 'SQS.QueueDoesNotExistException', Cause: 'The specified queue does not exist.' },
    });
  });

  it('a failing branch stops the other branches (a long Wait is aborted)', async () => {
    const r = await run({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, Next: 'Never' }, Never: { Type: 'Pass', End: true } } },
            { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'E' } } },
          ],
          End: true,
        },
      },
    });
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'E', cause: '' });
    expect(r.types()).not.toContain('WaitStateExited');
    expect(r.now()).toBeLessThan(Date.parse('2026-01-01T01:00:00Z'));
  });

  it('branches read outer variables; their assignments stay inside', async () => {
    const r = await run({
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { outer: 1 }, Next: 'P' },
        P: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'In',
              States: {
                In: { Type: 'Pass', Assign: { inner: 2 }, Next: 'Read' },
                Read: { Type: 'Pass', Parameters: { 'o.$': '$outer', 'i.$': '$inner' }, End: true },
              },
            },
          ],
          Next: 'After',
        },
        After: { Type: 'Pass', Parameters: { 'o.$': '$outer', 'branch.$': '$[0]' }, Next: 'Check' },
        Check: { Type: 'Pass', Parameters: { 'i.$': '$inner' }, End: true },
      },
    });
    expect(r.outcome.status).toBe('FAILED');
    const afterExit = r.events.find((e) => e.type === 'PassStateExited' && (e.stateExitedEventDetails as { name: string }).name === 'After');
    expect((afterExit!.stateExitedEventDetails as { output: string }).output).toBe('{"o":1,"branch":{"o":1,"i":2}}');
    expect(r.outcome.status === 'FAILED' && r.outcome.error).toBe('States.Runtime');
  });
});

describe('Map state', () => {
  const chain = {
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'I1', States: { I1: { Type: 'Pass', Next: 'I2' }, I2: { Type: 'Pass', End: true } } },
        Next: 'After',
      },
      After: { Type: 'Pass', End: true },
    },
  };

  it('iterations publish their states under MapIteration events; output in item order', async () => {
    const r = await run(chain, { items: [1, 2] });
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: [1, 2] });
    expect(r.events).toHaveLength(20);
    expect(r.events[2]).toMatchObject({ type: 'MapStateStarted', previousEventId: 2, mapStateStartedEventDetails: { length: 2 } });
    const its = r.events.filter((e) => e.type === 'MapIterationStarted');
    expect(its.map((e) => e.mapIterationStartedEventDetails)).toEqual([
      { name: 'M', index: 0 },
      { name: 'M', index: 1 },
    ]);
    expect(its.every((e) => e.previousEventId === 3)).toBe(true);
    expect(r.types().slice(15)).toEqual(['MapStateSucceeded', 'MapStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    expect(r.events[14].type).toBe('MapIterationSucceeded');
    expect(r.events[15].previousEventId).toBe(15);
    expect(r.events[16].previousEventId).toBe(15);
    expect(r.events[16].stateExitedEventDetails).toMatchObject({ output: '[1,2]' });
  });

  it('an empty Map exits from its started event', async () => {
    const r = await run(chain, { items: [] });
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapStateSucceeded',
      'MapStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(prevIds(r.events).slice(0, 5)).toEqual([0, 0, 2, 3, 3]);
  });

  it('ItemSelector sees $$.Map.Item; MaxConcurrency 1 runs one iteration at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.items',
            MaxConcurrency: 1,
            ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'k.$': '$.k' },
            ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
            End: true,
          },
        },
      },
      { items: ['a', 'b', 'c'], k: 9 },
      {
        tasks: {
          '*': async (req) => {
            running++;
            maxRunning = Math.max(maxRunning, running);
            await new Promise((res) => setImmediate(res));
            running--;
            return req.parameters;
          },
        },
      },
    );
    expect(r.outcome).toEqual({
      status: 'SUCCEEDED',
      output: [
        { index: 0, value: 'a', k: 9 },
        { index: 1, value: 'b', k: 9 },
        { index: 2, value: 'c', k: 9 },
      ],
    });
    expect(maxRunning).toBe(1);
  });

  it('an iteration failure fails the Map with its error: MapIterationFailed, MapStateFailed', async () => {
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: { Type: 'Map', MaxConcurrency: 1, ItemProcessor: { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Bad', Cause: 'item' } } }, End: true },
        },
      },
      [1, 2],
    );
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'Bad', cause: 'item' });
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'FailStateEntered',
      'MapIterationFailed',
      'MapStateFailed',
      'ExecutionFailed',
    ]);
    expect(prevIds(r.events)).toEqual([0, 0, 2, 3, 4, 5, 5, 7]);
  });

  it('States.Runtime in an iteration leaves no failure events', async () => {
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.items',
            MaxConcurrency: 1,
            ItemProcessor: { StartAt: 'Fast', States: { Fast: { Type: 'Pass', Parameters: { 'm.$': '$.nope' }, End: true } } },
            End: true,
          },
        },
      },
      { items: [1, 2] },
    );
    expect(r.types()).toEqual(['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapIterationStarted', 'PassStateEntered', 'ExecutionFailed']);
    expect(prevIds(r.events)).toEqual([0, 0, 2, 3, 4, 5]);
    expect(r.outcome.status === 'FAILED' && r.outcome.cause).toBe(
      "An error occurred while executing the state 'Fast' (entered at the event id #5). The JSONPath '$.nope' specified for the field 'm.$' could not be found in the input '1'",
    );
  });

  it('ToleratedFailureCount: failures within the count are tolerated, beyond it States.ExceedToleratedFailureThreshold', async () => {
    const def = (count: number) => ({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ToleratedFailureCount: count,
          ItemProcessor: {
            StartAt: 'C',
            States: {
              C: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 1, Next: 'F' }], Default: 'Ok' },
              F: { Type: 'Fail', Error: 'Big' },
              Ok: { Type: 'Pass', End: true },
            },
          },
          End: true,
        },
      },
    });
    const ok = await run(def(2), [1, 2, 3]);
    expect(ok.outcome).toEqual({ status: 'SUCCEEDED', output: [1, { Error: 'Big', Cause: '' }, { Error: 'Big', Cause: '' }] });
    const bad = await run(def(1), [1, 2, 3]);
    expect(bad.outcome.status === 'FAILED' && bad.outcome.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('ToleratedFailurePercentage and MaxConcurrencyPath', async () => {
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrencyPath: '$.conc',
          ToleratedFailurePercentage: 50,
          ItemProcessor: {
            StartAt: 'C',
            States: {
              C: { Type: 'Choice', Choices: [{ Variable: '$', BooleanEquals: false, Next: 'F' }], Default: 'Ok' },
              F: { Type: 'Fail', Error: 'No' },
              Ok: { Type: 'Pass', End: true },
            },
          },
          End: true,
        },
      },
    };
    expect((await run(def, { items: [true, false], conc: 2 })).outcome.status).toBe('SUCCEEDED');
    const r = await run(def, { items: [false, false, true], conc: 2 });
    expect(r.outcome.status === 'FAILED' && r.outcome.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('ItemReader is not supported', async () => {
    const r = await run({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } },
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    });
    expect(r.outcome.status === 'FAILED' && r.outcome.cause).toMatch(/does not support ItemReader/);
  });

  it('the legacy Iterator and Parameters fields work like ItemProcessor and ItemSelector', async () => {
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            Parameters: { 'v.$': '$$.Map.Item.Value' },
            Iterator: { StartAt: 'P', States: { P: { Type: 'Pass', OutputPath: '$.v', End: true } } },
            End: true,
          },
        },
      },
      [5, 6],
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: [5, 6] });
  });
});

describe('cut branches and iterations (AWS records the state each was in)', () => {
  const failing = {
    StartAt: 'Pause',
    States: { Pause: { Type: 'Wait', Seconds: 1, Next: 'Boom' }, Boom: { Type: 'Fail', Error: 'Boom', Cause: 'sibling failed' } },
  };
  const longWait = { StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 20, End: true } } };

  it('Parallel: a Wait cut by a failing sibling → WaitStateAborted, chained like ParallelStateFailed to the failure', async () => {
    const r = await run({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [failing, longWait], End: true } } });
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'Boom', cause: 'sibling failed' });
    const failure = r.events.find((e) => e.type === 'FailStateEntered')!;
    const tail = r.events.slice(r.events.indexOf(failure) + 1);
    expect(tail.map((e) => [e.type, e.previousEventId])).toEqual([
      ['WaitStateAborted', failure.id],
      ['ParallelStateFailed', failure.id],
      ['ExecutionFailed', failure.id + 2],
    ]);
    expect(r.events.filter((e) => e.type === 'WaitStateExited').map((e) => (e.stateExitedEventDetails as { name: string }).name)).toEqual(['Pause']);
  });

  it('a branch that finished before the failure records no aborted state', async () => {
    const r = await run({
      StartAt: 'P',
      States: { P: { Type: 'Parallel', Branches: [failing, { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }], End: true } },
    });
    expect(r.types().some((t) => t.endsWith('StateAborted'))).toBe(false);
  });

  it('Map: MapIterationAborted and the cut state, then MapIterationFailed and MapStateFailed, all chained to the failure', async () => {
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: {
              StartAt: 'Route',
              States: {
                Route: { Type: 'Choice', Choices: [{ Variable: '$.kind', StringEquals: 'fail', Next: 'Pause' }], Default: 'Long' },
                ...failing.States,
                Long: { Type: 'Wait', Seconds: 20, End: true },
              },
            },
            End: true,
          },
        },
      },
      [{ kind: 'fail' }, { kind: 'wait' }],
    );
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'Boom', cause: 'sibling failed' });
    const failure = r.events.find((e) => e.type === 'FailStateEntered')!;
    const tail = r.events.slice(r.events.indexOf(failure) + 1);
    expect(tail.map((e) => [e.type, e.previousEventId])).toEqual([
      ['MapIterationAborted', failure.id],
      ['WaitStateAborted', failure.id],
      ['MapIterationFailed', failure.id],
      ['MapStateFailed', failure.id],
      ['ExecutionFailed', failure.id + 4],
    ]);
    expect(tail[0].mapIterationAbortedEventDetails).toEqual({ name: 'M', index: 1 });
    expect(tail[2].mapIterationFailedEventDetails).toEqual({ name: 'M', index: 0 });
  });
});

describe('Map failures before and around iterations', () => {
  it('an ItemSelector failure fails the Map before the iteration starts (no MapIterationFailed)', async () => {
    const r = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            MaxConcurrency: 1,
            ItemSelector: { v: '{% $states.context.Map.Item.Value.v %}' },
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      [{ v: 1 }, { w: 2 }],
    );
    expect(r.outcome.status === 'FAILED' && r.outcome.error).toBe('States.QueryEvaluationError');
    expect(r.types()).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapIterationSucceeded',
      'EvaluationFailed',
      'MapStateFailed',
      'ExecutionFailed',
    ]);
  });

  it('with a tolerance, States.Runtime counts as a failure: States.ExceedToleratedFailureThreshold without MapIterationFailed', async () => {
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ToleratedFailureCount: 0,
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', InputPath: '$.nope', End: true } } },
            End: true,
          },
        },
      },
      [{}],
    );
    expect(r.outcome.status === 'FAILED' && r.outcome.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(r.types()).not.toContain('MapIterationFailed');
    expect(r.types().slice(-2)).toEqual(['MapStateFailed', 'ExecutionFailed']);
  });
});

describe('Map ItemBatcher', () => {
  it('groups items into { Items, BatchInput } batches of MaxItemsPerBatch', async () => {
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.list',
            ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'tag.$': '$.tag' } },
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      { list: [1, 2, 3], tag: 't' },
    );
    expect(r.outcome).toEqual({
      status: 'SUCCEEDED',
      output: [
        { Items: [1, 2], BatchInput: { tag: 't' } },
        { Items: [3], BatchInput: { tag: 't' } },
      ],
    });
  });
});
