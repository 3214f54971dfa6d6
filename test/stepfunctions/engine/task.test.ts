import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../src/stepfunctions/engine/types.js';
import { run } from './host.js';

const T = { truncated: false };

describe('Task state', () => {
  it('optimized integration: Parameters → host → ResultSelector → ResultPath, with Task* events', async () => {
    const r = await run(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'fn', 'Payload.$': '$' },
            ResultSelector: { 'body.$': '$.Payload.body' },
            ResultPath: '$.res',
            End: true,
          },
        },
      },
      { x: 1 },
      { tasks: { 'arn:aws:states:::lambda:invoke': (req) => ({ StatusCode: 200, Payload: { body: (req.parameters as any).Payload.x + 1 } }) } },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { x: 1, res: { body: 2 } } });
    expect(r.requests[0]).toMatchObject({
      resource: 'arn:aws:states:::lambda:invoke',
      parameters: { FunctionName: 'fn', Payload: { x: 1 } },
      stateName: 'Call',
    });
    expect(r.requests[0].context.State.Name).toBe('Call');
    expect(r.plainEvents().slice(1, 6)).toEqual([
      { type: 'TaskStateEntered', id: 2, previousEventId: 0, stateEnteredEventDetails: { name: 'Call', input: '{"x":1}', inputDetails: T } },
      {
        type: 'TaskScheduled',
        id: 3,
        previousEventId: 2,
        taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: '{"FunctionName":"fn","Payload":{"x":1}}' },
      },
      { type: 'TaskStarted', id: 4, previousEventId: 3, taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } },
      {
        type: 'TaskSucceeded',
        id: 5,
        previousEventId: 4,
        taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: '{"StatusCode":200,"Payload":{"body":2}}', outputDetails: T },
      },
      { type: 'TaskStateExited', id: 6, previousEventId: 5, stateExitedEventDetails: { name: 'Call', output: '{"x":1,"res":{"body":2}}', outputDetails: T } },
    ]);
  });

  it('plain Lambda ARN: LambdaFunction* events', async () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:echo';
    const r = await run(
      { StartAt: 'L', States: { L: { Type: 'Task', Resource: arn, TimeoutSeconds: 30, End: true } } },
      { a: 1 },
      { tasks: { [arn]: (req) => req.parameters } },
    );
    expect(r.outcome).toEqual({ status: 'SUCCEEDED', output: { a: 1 } });
    expect(r.plainEvents().slice(2, 5)).toEqual([
      {
        type: 'LambdaFunctionScheduled',
        id: 3,
        previousEventId: 2,
        lambdaFunctionScheduledEventDetails: { resource: arn, input: '{"a":1}', inputDetails: T, timeoutInSeconds: 30 },
      },
      { type: 'LambdaFunctionStarted', id: 4, previousEventId: 3 },
      { type: 'LambdaFunctionSucceeded', id: 5, previousEventId: 4, lambdaFunctionSucceededEventDetails: { output: '{"a":1}', outputDetails: T } },
    ]);
  });

  it('a failing task without Catch fails the execution with its error and cause', async () => {
    const r = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::http:invoke', End: true } } },
      {},
      {
        tasks: {
          '*': () => {
            throw new StatesError('States.Http.StatusCode.500', 'boom');
          },
        },
      },
    );
    expect(r.outcome).toEqual({ status: 'FAILED', error: 'States.Http.StatusCode.500', cause: 'boom' });
    expect(r.plainEvents().slice(4)).toEqual([
      {
        type: 'TaskFailed',
        id: 5,
        previousEventId: 4,
        taskFailedEventDetails: { resourceType: 'http', resource: 'invoke', error: 'States.Http.StatusCode.500', cause: 'boom' },
      },
      { type: 'ExecutionFailed', id: 6, previousEventId: 5, executionFailedEventDetails: { error: 'States.Http.StatusCode.500', cause: 'boom' } },
    ]);
  });
});
