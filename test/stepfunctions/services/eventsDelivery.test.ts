/**
 * What the in-process EventBridge does when a target cannot take an event, through the real
 * `@aws-sdk/client-eventbridge` and `client-sqs`: the event goes to the target's dead-letter queue
 * (`DeadLetterConfig`) with EventBridge's message attributes, or is dropped; either way logged once at
 * `warn` with the reason and counted in `GET /health` (`events`, named after EventBridge's metrics).
 */
import {
  EventBridgeClient,
  EventBridgeServiceException,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, serveConfig, type ServedConfig } from './serve.js';

const queueArn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const warnings: string[] = [];
const logger = {
  debug() {},
  info() {},
  warn(message: string) {
    warnings.push(message);
  },
  error() {},
};

describe('EventBridge deliveries a target cannot take', () => {
  let served: ServedConfig;
  let events: EventBridgeClient;
  const health = async () => (await (await fetch(`${served.endpoint}/health`)).json()) as { events: Record<string, number> };
  const put = (detail: object) => events.send(new PutEventsCommand({ Entries: [{ Source: 'dlq.test', DetailType: 'T', Detail: JSON.stringify(detail) }] }));

  beforeAll(async () => {
    served = await serveConfig(
      {
        name: 'events-delivery',
        schema: 'schema.graphql',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-eventsdelivery00000000000' }],
        stepFunctions: {
          queues: { declaredTiny: { MaximumMessageSize: 1024 }, declaredDlq: {} },
          rules: {
            declared: {
              eventPattern: { source: ['dlq.declared'] },
              targets: [{ id: 'tiny', arn: queueArn('declaredTiny'), deadLetterConfig: { arn: queueArn('declaredDlq') } }],
            },
          },
        },
      },
      'appsync-events-delivery-',
      logger,
    );
    events = new EventBridgeClient({ endpoint: served.endpoint, region: 'us-east-1', credentials });
    await served.sqs.send(new CreateQueueCommand({ QueueName: 'tiny', Attributes: { MaximumMessageSize: '1024' } }));
    await events.send(new PutRuleCommand({ Name: 'toTiny', EventPattern: JSON.stringify({ source: ['dlq.test'] }) }));
  });
  afterAll(async () => {
    events?.destroy();
    await served?.close();
  });

  it('an event the target queue refuses is dropped without a DeadLetterConfig: one warn with the reason, counted in /health', async () => {
    await events.send(new PutTargetsCommand({ Rule: 'toTiny', Targets: [{ Id: 'tiny', Arn: queueArn('tiny') }] }));
    await put({ pad: 'p'.repeat(2000) });
    expect(warnings.filter((w) => w.startsWith('EventBridge rule toTiny'))).toEqual([
      `EventBridge rule toTiny: delivery to ${queueArn('tiny')} failed; the event is dropped (the target has no DeadLetterConfig)`,
    ]);
    expect((await health()).events).toEqual({ failedInvocations: 1, invocationsSentToDlq: 0, invocationsFailedToBeSentToDlq: 0 });
  });

  it('with a DeadLetterConfig the event goes to that queue with RULE_ARN, TARGET_ARN, ERROR_CODE and ERROR_MESSAGE', async () => {
    const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: 'eventsDlq' }));
    await events.send(
      new PutTargetsCommand({ Rule: 'toTiny', Targets: [{ Id: 'tiny', Arn: queueArn('tiny'), DeadLetterConfig: { Arn: queueArn('eventsDlq') } }] }),
    );
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'toTiny' }))).Targets).toEqual([
      { Id: 'tiny', Arn: queueArn('tiny'), DeadLetterConfig: { Arn: queueArn('eventsDlq') } },
    ]);
    await put({ pad: 'q'.repeat(2000) });
    const { Messages } = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'] }));
    expect(JSON.parse(Messages![0]!.Body!)).toMatchObject({ source: 'dlq.test', 'detail-type': 'T', detail: { pad: 'q'.repeat(2000) } });
    expect(Messages![0]!.MessageAttributes).toEqual({
      RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:us-east-1:123456789012:rule/toTiny' },
      TARGET_ARN: { DataType: 'String', StringValue: queueArn('tiny') },
      ERROR_CODE: { DataType: 'String', StringValue: 'InvalidParameterValue' },
      ERROR_MESSAGE: { DataType: 'String', StringValue: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.' },
    });
    expect((await health()).events).toEqual({ failedInvocations: 2, invocationsSentToDlq: 1, invocationsFailedToBeSentToDlq: 0 });
  });

  it('a DeadLetterConfig that is not an SQS queue ARN is refused', async () => {
    const error = await events
      .send(
        new PutTargetsCommand({
          Rule: 'toTiny',
          Targets: [{ Id: 'bad', Arn: queueArn('tiny'), DeadLetterConfig: { Arn: 'arn:aws:sns:us-east-1:123456789012:t' } }],
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(EventBridgeServiceException);
    expect((error as Error).message).toBe('Target bad: DeadLetterConfig Arn must be an Amazon SQS queue ARN.');
  });

  it('a target declared in the config takes its deadLetterConfig: an event its queue refuses lands in that queue', async () => {
    const before = (await health()).events;
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'declared' }))).Targets).toEqual([
      { Id: 'tiny', Arn: queueArn('declaredTiny'), DeadLetterConfig: { Arn: queueArn('declaredDlq') } },
    ]);
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'dlq.declared', DetailType: 'T', Detail: JSON.stringify({ pad: 'd'.repeat(2000) }) }] }));
    const { QueueUrl } = await served.sqs.send(new GetQueueUrlCommand({ QueueName: 'declaredDlq' }));
    const { Messages } = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 5 }));
    expect(JSON.parse(Messages![0]!.Body!)).toMatchObject({ source: 'dlq.declared', detail: { pad: 'd'.repeat(2000) } });
    expect(Messages![0]!.MessageAttributes?.RULE_ARN?.StringValue).toBe('arn:aws:events:us-east-1:123456789012:rule/declared');
    expect(Messages![0]!.MessageAttributes?.ERROR_CODE?.StringValue).toBe('InvalidParameterValue');
    expect((await health()).events).toEqual({
      failedInvocations: before.failedInvocations! + 1,
      invocationsSentToDlq: before.invocationsSentToDlq! + 1,
      invocationsFailedToBeSentToDlq: before.invocationsFailedToBeSentToDlq,
    });
  });
});
