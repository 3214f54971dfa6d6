/**
 * SQS SendMessageBatch / DeleteMessageBatch, SetQueueAttributes and a RedrivePolicy moving a message
 * to its dead-letter queue after maxReceiveCount receives; SNS filter policies (MessageAttributes
 * and MessageBody scope, Subscribe attributes, SetSubscriptionAttributes, a declared subscription)
 * and PublishBatch. All through the real @aws-sdk/client-sqs and client-sns.
 */
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../../src/index.js';
import { startTestGateway, type TestGateway } from '../../utils/gateway.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
let gw: TestGateway;
let sqs: SQSClient;
let sns: SNSClient;

beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      name: 'sfn-batch',
      schemaSdl: 'type Query { ok: Boolean }',
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k', value: 'da2-batch0000000000000000000' }],
      stepFunctions: {
        queues: { declaredBig: {} },
        topics: {
          declared: {
            subscriptions: [{ protocol: 'sqs', endpoint: queueArn('declaredBig'), rawMessageDelivery: true, filterPolicy: { size: [{ numeric: ['>', 10] }] } }],
          },
        },
      },
    } as GatewayConfig,
  });
  sqs = new SQSClient({ endpoint: gw.origin, region: 'us-east-1', credentials });
  sns = new SNSClient({ endpoint: gw.origin, region: 'us-east-1', credentials });
});

afterAll(async () => {
  sqs?.destroy();
  sns?.destroy();
  await gw?.close();
});

const receiveAll = async (QueueUrl: string, wait = 1) =>
  (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: wait, MessageAttributeNames: ['All'] }))).Messages ?? [];

describe('SQS batches and dead-letter queues', () => {
  it('SendMessageBatch sends each entry and reports a bad one in Failed; DeleteMessageBatch deletes', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'batched' }));
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } } },
          { Id: 'c', MessageBody: 'late', DelaySeconds: 901 },
        ],
      }),
    );
    expect(sent.Successful?.map((s) => s.Id).sort()).toEqual(['a', 'b']);
    expect(sent.Successful?.find((s) => s.Id === 'b')?.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: 'c', SenderFault: true, Code: 'InvalidParameterValue' })]);
    const messages = await receiveAll(QueueUrl!);
    expect(messages.map((m) => m.Body).sort()).toEqual(['one', 'two']);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
    );
    expect(deleted.Successful).toHaveLength(2);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('refuses empty, oversized and repeated-id batches as SQS does', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'batched' }));
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] }))).rejects.toMatchObject({ name: 'EmptyBatchRequest' });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: eleven }))).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    const twice = [
      { Id: 'same', MessageBody: 'x' },
      { Id: 'same', MessageBody: 'y' },
    ];
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: twice }))).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  });

  it('a RedrivePolicy moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
    const redrive = JSON.stringify({ deadLetterTargetArn: queueArn('orders-dlq'), maxReceiveCount: 2 });
    await expect(
      sqs.send(
        new CreateQueueCommand({
          QueueName: 'orders-bad',
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('nope'), maxReceiveCount: 2 }) },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-main', Attributes: { VisibilityTimeout: '0' } }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy: redrive } }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'p', MessageBody: 'poison' }] }));
    // Received twice and never deleted (visibility 0: visible again at once), then moved.
    expect((await receiveAll(QueueUrl!, 0)).map((m) => m.Body)).toEqual(['poison']);
    expect((await receiveAll(QueueUrl!, 0)).map((m) => m.Body)).toEqual(['poison']);
    expect(await receiveAll(QueueUrl!, 0)).toEqual([]);
    const moved = await receiveAll(dlq.QueueUrl!);
    expect(moved.map((m) => m.Body)).toEqual(['poison']);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: queueArn('orders-dlq'), maxReceiveCount: 2 });
  });
});

describe('SNS filter policies and PublishBatch', () => {
  it('a MessageAttributes policy and a MessageBody policy each let only matching messages through', async () => {
    const red = await sqs.send(new CreateQueueCommand({ QueueName: 'only-red' }));
    const big = await sqs.send(new CreateQueueCommand({ QueueName: 'only-big' }));
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'paints' }))).TopicArn!;
    await sns.send(
      new SubscribeCommand({
        TopicArn: topic,
        Protocol: 'sqs',
        Endpoint: queueArn('only-red'),
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ colour: ['red', { prefix: 'crim' }], price: [{ numeric: ['<', 100] }] }) },
      }),
    );
    const bodySub = await sns.send(
      new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: queueArn('only-big'), Attributes: { RawMessageDelivery: 'true' } }),
    );
    await sns.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn: bodySub.SubscriptionArn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageBody' }),
    );
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: bodySub.SubscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: JSON.stringify({ order: { size: ['big'] } }),
      }),
    );
    const attrs = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: bodySub.SubscriptionArn }));
    expect(attrs.Attributes).toMatchObject({ FilterPolicyScope: 'MessageBody', FilterPolicy: '{"order":{"size":["big"]}}' });

    const str = (v: string) => ({ DataType: 'String', StringValue: v });
    const num = (v: number) => ({ DataType: 'Number', StringValue: String(v) });
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn: topic,
        PublishBatchRequestEntries: [
          { Id: 'r1', Message: JSON.stringify({ order: { size: 'big' } }), MessageAttributes: { colour: str('red'), price: num(50) } },
          { Id: 'r2', Message: 'crimson', MessageAttributes: { colour: str('crimson'), price: num(5) } },
          { Id: 'b1', Message: 'blue', MessageAttributes: { colour: str('blue'), price: num(5) } },
          { Id: 'x1', Message: 'dear', MessageAttributes: { colour: str('red'), price: num(500) } },
          { Id: 'n1', Message: JSON.stringify({ order: { size: 'small' } }) },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['r1', 'r2', 'b1', 'x1', 'n1']);
    expect(batch.Failed ?? []).toEqual([]);
    expect((await receiveAll(red.QueueUrl!)).map((m) => m.Body).sort()).toEqual(['crimson', JSON.stringify({ order: { size: 'big' } })].sort());
    expect((await receiveAll(big.QueueUrl!)).map((m) => m.Body)).toEqual([JSON.stringify({ order: { size: 'big' } })]);
  });

  it('refuses a malformed policy and bad batches; a declared subscription filters too', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'paints' }))).TopicArn!;
    await expect(
      sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: queueArn('only-red'), Attributes: { FilterPolicy: '{"a": "not a list"}' } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: [] }))).rejects.toMatchObject({
      name: expect.stringMatching(/EmptyBatchRequest/),
    });
    const twice = [
      { Id: 'a', Message: 'x' },
      { Id: 'a', Message: 'y' },
    ];
    await expect(sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: twice }))).rejects.toMatchObject({
      name: expect.stringMatching(/BatchEntryIdsNotDistinct/),
    });

    const declared = 'arn:aws:sns:us-east-1:123456789012:declared';
    await sns.send(new PublishCommand({ TopicArn: declared, Message: 'small', MessageAttributes: { size: { DataType: 'Number', StringValue: '3' } } }));
    await sns.send(new PublishCommand({ TopicArn: declared, Message: 'large', MessageAttributes: { size: { DataType: 'Number', StringValue: '30' } } }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'declaredBig' }));
    expect((await receiveAll(QueueUrl!)).map((m) => m.Body)).toEqual(['large']);
  });
});
