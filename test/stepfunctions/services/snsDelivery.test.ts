/**
 * What the in-process SNS does when a queue cannot take a notification, through the real
 * `@aws-sdk/client-sns` and `client-sqs`: a near-limit message in SNS's JSON envelope still fits a
 * queue of the default 1 MiB `MaximumMessageSize`; one that does not fit its queue is never dropped
 * silently — it goes to the subscription's dead-letter queue (`RedrivePolicy`) or is discarded, as
 * on AWS, logged once at `warn` with SQS's reason and counted in `GET /health` (`sns`, named after
 * SNS's CloudWatch metrics).
 */
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, serveConfig, type ServedConfig } from './serve.js';

const queueArn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
const logger = {
  debug() {},
  info() {},
  warn(message: string, fields?: Record<string, unknown>) {
    warnings.push({ message, fields });
  },
  error() {},
};
const deliveryWarnings = () => warnings.filter((w) => w.message.startsWith('SNS delivery'));

describe('SNS deliveries a queue cannot take', () => {
  let served: ServedConfig;
  let sns: SNSClient;
  let topicArn: string;

  const health = async () => (await (await fetch(`${served.endpoint}/health`)).json()) as { sns: Record<string, number> };
  const queue = async (name: string, attributes: Record<string, string> = {}) =>
    (await served.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const receive = async (QueueUrl: string) => (await served.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
  const subscribe = async (name: string, attributes: Record<string, string> = {}) =>
    (await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn(name), Attributes: attributes }))).SubscriptionArn!;

  beforeAll(async () => {
    served = await serveConfig(
      {
        name: 'sns-delivery',
        schema: 'schema.graphql',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-snsdelivery0000000000000' }],
        stepFunctions: {
          queues: { declaredDlq: {} },
          topics: {
            declared: {
              subscriptions: [{ protocol: 'sqs', endpoint: queueArn('declaredDlq'), redrivePolicy: { deadLetterTargetArn: queueArn('declaredDlq') } }],
            },
          },
        },
      },
      'appsync-sns-delivery-',
      logger,
    );
    sns = new SNSClient({ endpoint: served.endpoint, region: 'us-east-1', credentials });
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'deliveries' }))).TopicArn!;
  });
  afterAll(async () => {
    sns?.destroy();
    await served?.close();
  });

  it('a 262,144-byte message without raw delivery reaches a default queue in its envelope, escaped past 512 KiB', async () => {
    const QueueUrl = await queue('whole');
    const subscription = await subscribe('whole');
    const message = '"'.repeat(262_144);
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
    const [received] = await receive(QueueUrl);
    expect(Buffer.byteLength(received!.Body!)).toBeGreaterThan(524_288);
    expect(JSON.parse(received!.Body!)).toMatchObject({ Type: 'Notification', TopicArn: topicArn, Message: message });
    expect((await health()).sns).toEqual({
      numberOfNotificationsFailed: 0,
      numberOfNotificationsRedrivenToDlq: 0,
      numberOfNotificationsFailedToRedriveToDlq: 0,
    });
    expect(deliveryWarnings()).toEqual([]);
    // The next tests' messages need not fill this queue.
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subscription, AttributeName: 'FilterPolicy', AttributeValue: '{"never":["x"]}' }));
  });

  it('an envelope past its queue’s MaximumMessageSize is discarded without a RedrivePolicy: one warn with SQS’s reason, counted in /health', async () => {
    const QueueUrl = await queue('small', { MaximumMessageSize: '1024' });
    const rawUrl = await queue('smallRaw', { MaximumMessageSize: '1024' });
    const subscription = await subscribe('small');
    await subscribe('smallRaw', { RawMessageDelivery: 'true' });
    // 1,000 bytes fit the raw queue; wrapped in the envelope they do not fit the other.
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'm'.repeat(1000) }));
    expect((await receive(rawUrl)).map((m) => m.Body)).toEqual(['m'.repeat(1000)]);
    expect(await receive(QueueUrl)).toEqual([]);
    expect(deliveryWarnings()).toEqual([
      {
        message: `SNS delivery to sqs ${queueArn('small')} failed; the message is discarded (the subscription has no RedrivePolicy)`,
        fields: { error: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.', subscription },
      },
    ]);
    expect((await health()).sns).toEqual({
      numberOfNotificationsFailed: 1,
      numberOfNotificationsRedrivenToDlq: 0,
      numberOfNotificationsFailedToRedriveToDlq: 0,
    });
  });

  it('with a RedrivePolicy the notification goes to the subscription’s dead-letter queue, and GetSubscriptionAttributes shows the policy', async () => {
    warnings.length = 0;
    const dlqUrl = await queue('dlq');
    const policy = JSON.stringify({ deadLetterTargetArn: queueArn('dlq') });
    const subscription = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions!.find(
      (s) => s.Endpoint === queueArn('small'),
    )!.SubscriptionArn!;
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subscription, AttributeName: 'RedrivePolicy', AttributeValue: policy }));
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription }));
    expect(Attributes?.RedrivePolicy).toBe(policy);
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'd'.repeat(1000), Subject: 'late' }));
    const [moved] = await receive(dlqUrl);
    expect(JSON.parse(moved!.Body!)).toMatchObject({ Type: 'Notification', TopicArn: topicArn, Subject: 'late', Message: 'd'.repeat(1000) });
    expect(deliveryWarnings().map((w) => w.message)).toEqual([
      `SNS delivery to sqs ${queueArn('small')} failed; the message is moved to the dead-letter queue ${queueArn('dlq')}`,
    ]);
    expect((await health()).sns).toEqual({
      numberOfNotificationsFailed: 2,
      numberOfNotificationsRedrivenToDlq: 1,
      numberOfNotificationsFailedToRedriveToDlq: 0,
    });
  });

  it('a dead-letter queue that refuses the message too is counted and logged, and the message discarded', async () => {
    warnings.length = 0;
    const tinyDlqUrl = await queue('tinyDlq', { MaximumMessageSize: '1024' });
    const subscription = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions!.find(
      (s) => s.Endpoint === queueArn('small'),
    )!.SubscriptionArn!;
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscription,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: queueArn('tinyDlq') }),
      }),
    );
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'e'.repeat(1000) }));
    expect(deliveryWarnings()).toEqual([
      {
        message: `SNS delivery to sqs ${queueArn('small')} failed, and so did moving it to the dead-letter queue ${queueArn('tinyDlq')}; the message is discarded`,
        fields: {
          error: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
          deadLetterError: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
          subscription,
        },
      },
    ]);
    expect((await health()).sns).toEqual({
      numberOfNotificationsFailed: 3,
      numberOfNotificationsRedrivenToDlq: 1,
      numberOfNotificationsFailedToRedriveToDlq: 1,
    });
    const attributes = await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl: tinyDlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('a RedrivePolicy that is not JSON naming an SQS queue ARN is the typed InvalidParameterException', async () => {
    for (const value of ['{', '{}', JSON.stringify({ deadLetterTargetArn: 'arn:aws:sns:us-east-1:123456789012:t' })]) {
      const error = await sns
        .send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn('other'), Attributes: { RedrivePolicy: value } }))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect((error as Error).message).toMatch(/^Invalid parameter: RedrivePolicy: /);
    }
  });

  it('a message of 11 attributes reaches a queue in its envelope but not by raw delivery, which SQS refuses, as AWS documents', async () => {
    warnings.length = 0;
    const before = (await health()).sns;
    const TopicArn = (await sns.send(new CreateTopicCommand({ Name: 'manyAttributes' }))).TopicArn!;
    const wrappedUrl = await queue('wrapped');
    const rawUrl = await queue('rawMany');
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn('wrapped') }));
    const raw = (await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn('rawMany'), Attributes: { RawMessageDelivery: 'true' } })))
      .SubscriptionArn!;
    const MessageAttributes = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: `v${i}` }]));
    await sns.send(new PublishCommand({ TopicArn, Message: 'many', MessageAttributes }));
    const [wrapped] = await receive(wrappedUrl);
    expect(Object.keys((JSON.parse(wrapped!.Body!) as { MessageAttributes: object }).MessageAttributes)).toHaveLength(11);
    expect(await receive(rawUrl)).toEqual([]);
    expect(deliveryWarnings()).toEqual([
      {
        message: `SNS delivery to sqs ${queueArn('rawMany')} failed; the message is discarded (the subscription has no RedrivePolicy)`,
        fields: { error: 'Number of message attributes [11] exceeds the allowed maximum [10].', subscription: raw },
      },
    ]);
    expect((await health()).sns.numberOfNotificationsFailed).toBe(before.numberOfNotificationsFailed! + 1);
  });

  it("SNS's own AWS.SNS. and AWS.MM. attributes are left out of a raw delivery to a queue, which keeps AWS. names for itself; its envelope keeps them", async () => {
    warnings.length = 0;
    const before = (await health()).sns;
    const TopicArn = (await sns.send(new CreateTopicCommand({ Name: 'ownAttributes' }))).TopicArn!;
    const wrappedUrl = await queue('ownWrapped');
    const rawUrl = await queue('ownRaw');
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn('ownWrapped') }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn('ownRaw'), Attributes: { RawMessageDelivery: 'true' } }));
    const MessageAttributes = {
      'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Gateway' },
      kind: { DataType: 'String', StringValue: 'order' },
      'AWS.SNS.MOBILE.APNS.TTL': { DataType: 'Number', StringValue: '60' },
      'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+12065550100' },
    };
    await sns.send(new PublishCommand({ TopicArn, Message: 'own', MessageAttributes }));
    const [raw] = (await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: rawUrl, MessageAttributeNames: ['All'] }))).Messages ?? [];
    expect(raw?.Body).toBe('own');
    expect(raw?.MessageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'order' } });
    const [wrapped] = await receive(wrappedUrl);
    expect(Object.keys((JSON.parse(wrapped!.Body!) as { MessageAttributes: object }).MessageAttributes)).toEqual(Object.keys(MessageAttributes));
    // A message whose attributes are all SNS's own arrives raw with none.
    const ownOnly = { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } };
    await sns.send(new PublishCommand({ TopicArn, Message: 'own only', MessageAttributes: ownOnly }));
    const [bare] = (await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: rawUrl, MessageAttributeNames: ['All'] }))).Messages ?? [];
    expect(bare?.Body).toBe('own only');
    expect(bare?.MessageAttributes).toBeUndefined();
    expect(deliveryWarnings()).toEqual([]);
    expect((await health()).sns.numberOfNotificationsFailed).toBe(before.numberOfNotificationsFailed);
  });

  it('a subscription declared in the config takes its redrivePolicy', async () => {
    const declaredTopic = 'arn:aws:sns:us-east-1:123456789012:declared';
    const [declared] = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: declaredTopic }))).Subscriptions!;
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: declared!.SubscriptionArn }));
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: queueArn('declaredDlq') });
  });
});
