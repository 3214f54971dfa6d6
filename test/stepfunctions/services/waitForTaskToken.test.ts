/**
 * `.waitForTaskToken` through SNS and EventBridge on the in-process defaults, as AWS offers it for
 * `sns:publish` and `events:putEvents`: the task token rides in the message or the event, reaches
 * a queue (a topic's SQS subscription, a rule's SQS target), and a worker reading that queue with
 * the real `@aws-sdk/client-sqs` answers with the real `@aws-sdk/client-sfn`.
 */
import { DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConfig, smArn, type ServedConfig } from './serve.js';

const ACCOUNT = '123456789012';

const CONFIG = {
  name: 'sfn-wait',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-sfnwait00000000000000000' }],
  stepFunctions: {
    queues: { snsWork: {}, eventWork: {} },
    topics: { orders: { subscriptions: [{ protocol: 'sqs', endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:snsWork`, rawMessageDelivery: true }] } },
    rules: {
      approvals: {
        eventPattern: { source: ['test.approvals'] },
        targets: [{ arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:eventWork`, inputPath: '$.detail' }],
      },
    },
    stateMachines: {
      viaTopic: {
        definition: {
          StartAt: 'Publish',
          States: {
            Publish: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
              Parameters: { TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:orders`, Message: { 'order.$': '$.order', 'token.$': '$$.Task.Token' } },
              ResultPath: '$.answer',
              End: true,
            },
          },
        },
      },
      viaEvent: {
        definition: {
          StartAt: 'Put',
          States: {
            Put: {
              Type: 'Task',
              Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
              Parameters: {
                Entries: [{ Source: 'test.approvals', DetailType: 'ApprovalNeeded', Detail: { 'order.$': '$.order', 'token.$': '$$.Task.Token' } }],
              },
              Catch: [{ ErrorEquals: ['Rejected'], ResultPath: '$.error', Next: 'Refused' }],
              End: true,
            },
            Refused: { Type: 'Pass', End: true },
          },
        },
      },
    },
  },
};

let served: ServedConfig;
let sqs: SQSClient;
let sfn: SFNClient;

beforeAll(async () => {
  served = await serveConfig(CONFIG, 'sfn-wait-');
  ({ sqs, sfn } = served);
});

afterAll(async () => {
  await served?.close();
});

/** The first message on the queue, parsed (long polling: the task sends it after the execution starts). */
async function nextMessage(queueName: string): Promise<Record<string, unknown>> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
  expect(got.Messages, `a message on ${queueName}`).toHaveLength(1);
  return JSON.parse(got.Messages![0]!.Body!) as Record<string, unknown>;
}

async function settled(executionArn: string) {
  let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  for (let i = 0; i < 200 && described.status === 'RUNNING'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  return described;
}

describe('.waitForTaskToken through SNS and EventBridge', () => {
  it('sns:publish: the token reaches a subscribed queue, and SendTaskSuccess ends the task with its output', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('viaTopic'), input: JSON.stringify({ order: 'o-7' }) }));
    const message = await nextMessage('snsWork');
    expect(message.order).toBe('o-7');
    expect(typeof message.token).toBe('string');
    // Still waiting: the publish alone does not end the task.
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: message.token as string, output: JSON.stringify({ packed: true }) }));
    const described = await settled(executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ order: 'o-7', answer: { packed: true } });
  });

  it('events:putEvents: the token reaches a rule’s queue target, and SendTaskFailure is caught by Catch', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('viaEvent'), input: JSON.stringify({ order: 'o-8' }) }));
    const detail = await nextMessage('eventWork');
    expect(detail.order).toBe('o-8');
    await sfn.send(new SendTaskFailureCommand({ taskToken: detail.token as string, error: 'Rejected', cause: 'over budget' }));
    const described = await settled(executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ order: 'o-8', error: { Error: 'Rejected', Cause: 'over budget' } });
  });
});
