/**
 * Size limits of the in-process SQS, SNS and EventBridge as their real SDK clients see them: a call
 * past the gateway's request limit (1 MiB; 2 MiB and 64 KiB for SQS, 3 MiB and 64 KiB for SNS, whose messages may be 1 MiB) is
 * answered in the service's own protocol and error shape (SQS JSON `__type`, SNS query XML
 * `ErrorResponse`, EventBridge JSON `__type`), which each client throws as that service's error
 * naming the limit; and each service's own message limits (a message against its queue's
 * `MaximumMessageSize`, a message or a batch against its topic's, PutEvents entries together) under that request limit, also where
 * entries are put by a resolver's AMAZON_EVENTBRIDGE data source or a Step Functions events:putEvents task.
 */
import { EventBridgeClient, EventBridgeServiceException, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  BatchRequestTooLongException,
  CreateTopicCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SetTopicAttributesCommand,
  SNSServiceException,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  BatchRequestTooLong,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeValue,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../../src/index.js';
import { startTestGateway, type TestGateway } from '../../utils/gateway.js';
import { credentials, serveConfig, type ServedConfig } from './serve.js';

const CONFIG = {
  name: 'services-limits',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-serviceslimits00000000000' }],
};

/** Past the gateway's 1 MB request limit once in a request body. */
const OVER_REQUEST = 'x'.repeat(1_100_000);
/** Past the 2 MiB + 64 KiB the gateway reads of an SQS call. */
const OVER_SQS_REQUEST = 'x'.repeat(2_200_000);
/** Past the 3 MiB + 64 KiB the gateway reads of an SNS call. */
const OVER_SNS_REQUEST = 'x'.repeat(3_300_000);
/** Past SNS's default 262,144-byte message limit, well under the request limit. */
const OVER_MESSAGE = 'y'.repeat(262_145);

async function failure<E>(
  send: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E & { name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E & { name: string; message: string; $metadata: { httpStatusCode?: number } };
}

describe('in-process SQS, SNS and EventBridge size limits', () => {
  let served: ServedConfig;
  let sns: SNSClient;
  let events: EventBridgeClient;
  let queueUrl: string;
  let topicArn: string;

  beforeAll(async () => {
    served = await serveConfig(CONFIG, 'appsync-services-limits-');
    sns = new SNSClient({ endpoint: served.endpoint, region: 'us-east-1', credentials });
    events = new EventBridgeClient({ endpoint: served.endpoint, region: 'us-east-1', credentials });
    queueUrl = (await served.sqs.send(new CreateQueueCommand({ QueueName: 'limits' }))).QueueUrl!;
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'limits' }))).TopicArn!;
  });
  afterAll(async () => {
    sns?.destroy();
    events?.destroy();
    await served?.close();
  });

  describe('SQS', () => {
    it('a SendMessage over the 2 MiB + 64 KiB SQS request limit is InvalidParameterValue naming the 1 MiB message limit, with HTTP 413', async () => {
      const error = await failure(served.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: OVER_SQS_REQUEST })), SQSServiceException);
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.message).toBe('One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.');
      expect(error.$metadata.httpStatusCode).toBe(413);
    });

    it('a SendMessageBatch over the SQS request limit is the typed BatchRequestTooLong', async () => {
      const Entries = [0, 1, 2, 3, 4].map((i) => ({ Id: `m${i}`, MessageBody: 'z'.repeat(450_000) }));
      const error = await failure(served.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries })), BatchRequestTooLong);
      expect(error.message).toBe('Batch requests cannot be longer than 1048576 bytes. The request is over the 2162688-byte request limit.');
      expect(error.$metadata.httpStatusCode).toBe(413);
    });

    it('another call over the SQS request limit is InvalidParameterValue naming the request limit', async () => {
      const error = await failure(
        served.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: OVER_SQS_REQUEST } })),
        SQSServiceException,
      );
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.message).toContain('over the 2162688-byte request limit');
    });

    it('a batch whose messages together pass 1,048,576 bytes is BatchRequestTooLong (HTTP 400), and nothing of it is queued', async () => {
      const Entries = [0, 1].map((i) => ({ Id: `m${i}`, MessageBody: 'b'.repeat(600_000) }));
      const error = await failure(served.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries })), BatchRequestTooLong);
      expect(error.message).toBe('Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.');
      expect(error.$metadata.httpStatusCode).toBe(400);
      const attributes = await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('0');
      const fits = await served.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: Entries.map((e) => ({ ...e, MessageBody: 'b'.repeat(524_288) })) }),
      );
      expect(fits.Successful).toHaveLength(2);
    });

    it('a queue’s MaximumMessageSize is 1,048,576 by default: a message of that size is sent and received whole, one byte more is refused', async () => {
      const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: 'default-size' }));
      const attributes = await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['MaximumMessageSize'] }));
      expect(attributes.Attributes).toEqual({ MaximumMessageSize: '1048576' });
      // JSON-escaped quotes: the body is 1 MiB, the request about twice that.
      const body = '"'.repeat(1_048_576);
      await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      const { Messages } = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
      expect(Messages?.[0]?.Body).toBe(body);
      const error = await failure(served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `${body}x` })), SQSServiceException);
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.message).toBe('One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });

    it('a smaller MaximumMessageSize (CreateQueue, then SetQueueAttributes) is held for SendMessage and each batch entry, attributes counted in', async () => {
      const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: 'small', Attributes: { MaximumMessageSize: '2048' } }));
      await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a'.repeat(2048) }));
      const tooLong = await failure(served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a'.repeat(2049) })), SQSServiceException);
      expect(tooLong.name).toBe('InvalidParameterValue');
      expect(tooLong.message).toBe('One or more parameters are invalid. Reason: Message must be shorter than 2048 bytes.');
      // 2,000 bytes of body and 1 + 6 + 50 of attribute: 2,057 bytes.
      const withAttribute = { QueueUrl, MessageBody: 'a'.repeat(2000), MessageAttributes: { n: { DataType: 'String', StringValue: 'v'.repeat(50) } } };
      await failure(served.sqs.send(new SendMessageCommand(withAttribute)), SQSServiceException);
      const batch = await served.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'fits', MessageBody: 'a'.repeat(100) },
            { Id: 'long', MessageBody: 'a'.repeat(3000) },
          ],
        }),
      );
      expect(batch.Successful?.map((e) => e.Id)).toEqual(['fits']);
      expect(batch.Failed).toEqual([
        {
          Id: 'long',
          SenderFault: true,
          Code: 'InvalidParameterValue',
          Message: 'One or more parameters are invalid. Reason: Message must be shorter than 2048 bytes.',
        },
      ]);
      await served.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { MaximumMessageSize: '4096' } }));
      const sent = await served.sqs.send(new SendMessageCommand(withAttribute));
      expect(sent.MessageId).toBeTruthy();
      const attributes = await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['MaximumMessageSize'] }));
      expect(attributes.Attributes?.MaximumMessageSize).toBe('4096');
    });

    it('a binary attribute counts by its decoded bytes, as SNS counts it: 1,024 bytes in all fit a queue of 1,024, one more does not', async () => {
      const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: 'binary', Attributes: { MaximumMessageSize: '1024' } }));
      // 'b' (1) + 'Binary' (6) + 300 bytes (400 characters of base64): 307 bytes of attribute.
      const MessageAttributes = { b: { DataType: 'Binary', BinaryValue: new Uint8Array(300).fill(0xff) } };
      await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a'.repeat(1024 - 307), MessageAttributes }));
      const tooLong = await failure(
        served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a'.repeat(1024 - 306), MessageAttributes })),
        SQSServiceException,
      );
      expect(tooLong.message).toBe('One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.');
      const { Messages } = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'] }));
      expect(Messages?.[0]?.MessageAttributes?.b?.BinaryValue).toEqual(new Uint8Array(300).fill(0xff));
    });

    it('a MaximumMessageSize outside 1,024-1,048,576 is the typed InvalidAttributeValue on CreateQueue and SetQueueAttributes', async () => {
      for (const value of ['1023', '1048577', 'big', '']) {
        const error = await failure(
          served.sqs.send(new CreateQueueCommand({ QueueName: 'bad-size', Attributes: { MaximumMessageSize: value } })),
          InvalidAttributeValue,
        );
        expect(error.message).toBe('Invalid value for the parameter MaximumMessageSize.');
      }
      await failure(served.sqs.send(new GetQueueUrlCommand({ QueueName: 'bad-size' })), QueueDoesNotExist);
      await failure(
        served.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { MaximumMessageSize: '2000000' } })),
        InvalidAttributeValue,
      );
      const bounds = await served.sqs.send(new CreateQueueCommand({ QueueName: 'smallest', Attributes: { MaximumMessageSize: '1024' } }));
      expect(bounds.QueueUrl).toMatch(/\/smallest$/);
      const attributes = await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }));
      expect(attributes.Attributes?.MaximumMessageSize).toBe('1048576');
    });

    it('the other numeric queue attributes are checked against SQS’s ranges too', async () => {
      for (const [name, value] of [
        ['VisibilityTimeout', '43201'],
        ['DelaySeconds', '-1'],
        ['MessageRetentionPeriod', '59'],
        ['ReceiveMessageWaitTimeSeconds', '21'],
      ] as const) {
        const error = await failure(served.sqs.send(new CreateQueueCommand({ QueueName: 'bad-range', Attributes: { [name]: value } })), InvalidAttributeValue);
        expect(error.message).toBe(`Invalid value for the parameter ${name}.`);
      }
    });
  });

  describe('SNS', () => {
    it('a Publish over the 3 MiB + 64 KiB SNS request limit is the typed InvalidParameterException, Message too long, with HTTP 413', async () => {
      const error = await failure(sns.send(new PublishCommand({ TopicArn: topicArn, Message: OVER_SNS_REQUEST })), InvalidParameterException);
      expect(error.message).toBe('Invalid parameter: Message too long');
      expect(error.$metadata.httpStatusCode).toBe(413);
      // The service keeps answering on the same port.
      expect((await sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).toContain(topicArn);
    });

    it('a PublishBatch over the SNS request limit is the typed BatchRequestTooLongException', async () => {
      const PublishBatchRequestEntries = [0, 1, 2, 3, 4].map((i) => ({ Id: `m${i}`, Message: 'z'.repeat(700_000) }));
      const error = await failure(sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries })), BatchRequestTooLongException);
      expect(error.$metadata.httpStatusCode).toBe(413);
    });

    it('another call over the SNS request limit is InvalidParameter naming the request limit', async () => {
      const error = await failure(sns.send(new CreateTopicCommand({ Name: 'big', Attributes: { Policy: OVER_SNS_REQUEST } })), SNSServiceException);
      expect(error.name).toBe('InvalidParameterException');
      expect(error.message).toContain('over the 3211264-byte request limit');
    });

    it('a message over 262,144 bytes, its attributes counted in, is InvalidParameter (HTTP 400)', async () => {
      const error = await failure(sns.send(new PublishCommand({ TopicArn: topicArn, Message: OVER_MESSAGE })), InvalidParameterException);
      expect(error.message).toBe('Invalid parameter: Message too long');
      expect(error.$metadata.httpStatusCode).toBe(400);
      const withAttribute = {
        TopicArn: topicArn,
        Message: 'y'.repeat(262_000),
        MessageAttributes: { note: { DataType: 'String', StringValue: 'n'.repeat(200) } },
      };
      await failure(sns.send(new PublishCommand(withAttribute)), InvalidParameterException);
      const fits = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'y'.repeat(262_144) }));
      expect(fits.MessageId).toBeTruthy();
    });

    it('a batch whose messages together pass 262,144 bytes is BatchRequestTooLongException (HTTP 400)', async () => {
      const PublishBatchRequestEntries = [0, 1].map((i) => ({ Id: `m${i}`, Message: 'b'.repeat(140_000) }));
      const error = await failure(sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries })), BatchRequestTooLongException);
      expect(error.$metadata.httpStatusCode).toBe(400);
    });
  });

  describe('SNS topics’ MaximumMessageSize', () => {
    const topic = async (name: string, attributes?: Record<string, string>) =>
      (await sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn!;

    it('a topic of 1,048,576 bytes takes a message that size (3 MiB form-encoded) and delivers it whole to a raw queue; one byte more is Message too long', async () => {
      const TopicArn = await topic('large', { MaximumMessageSize: '1048576' });
      const QueueUrl = (await served.sqs.send(new CreateQueueCommand({ QueueName: 'large' }))).QueueUrl!;
      await sns.send(
        new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:123456789012:large', Attributes: { RawMessageDelivery: 'true' } }),
      );
      const message = '"'.repeat(1_048_576);
      await sns.send(new PublishCommand({ TopicArn, Message: message }));
      const { Messages } = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
      expect(Messages?.[0]?.Body).toBe(message);
      const error = await failure(sns.send(new PublishCommand({ TopicArn, Message: `${message}x` })), InvalidParameterException);
      expect(error.message).toBe('Invalid parameter: Message too long');
      expect(error.$metadata.httpStatusCode).toBe(400);
      const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
      expect(Attributes).toMatchObject({ TopicArn, MaximumMessageSize: '1048576', SubscriptionsConfirmed: '1' });
    });

    it('SetTopicAttributes lowers it for Publish and PublishBatch; a default topic does not show it', async () => {
      const TopicArn = await topic('lowered');
      expect((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.MaximumMessageSize).toBeUndefined();
      await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'MaximumMessageSize', AttributeValue: '2048' }));
      await sns.send(new PublishCommand({ TopicArn, Message: 'a'.repeat(2048) }));
      await failure(sns.send(new PublishCommand({ TopicArn, Message: 'a'.repeat(2049) })), InvalidParameterException);
      const PublishBatchRequestEntries = [0, 1].map((i) => ({ Id: `m${i}`, Message: 'b'.repeat(1500) }));
      await failure(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries })), BatchRequestTooLongException);
    });

    it('a binary attribute counts by its decoded bytes, not its base64 text: 1,024 bytes in all fit a topic of 1,024, one more does not', async () => {
      const TopicArn = await topic('binary', { MaximumMessageSize: '1024' });
      // 'b' (1) + 'Binary' (6) + 300 bytes (400 characters of base64): 307 bytes of attribute.
      const MessageAttributes = { b: { DataType: 'Binary', BinaryValue: new Uint8Array(300).fill(0xff) } };
      const sent = await sns.send(new PublishCommand({ TopicArn, Message: 'y'.repeat(1024 - 307), MessageAttributes }));
      expect(sent.MessageId).toBeTruthy();
      const tooLong = await failure(sns.send(new PublishCommand({ TopicArn, Message: 'y'.repeat(1024 - 306), MessageAttributes })), InvalidParameterException);
      expect(tooLong.message).toBe('Invalid parameter: Message too long');
      // A batch's messages together, counted the same way.
      const batch = (second: number) => [
        { Id: 'withBinary', Message: 'y'.repeat(200), MessageAttributes },
        { Id: 'plain', Message: 'y'.repeat(second) },
      ];
      const fits = await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: batch(1024 - 507) }));
      expect(fits.Successful?.map((e) => e.Id)).toEqual(['withBinary', 'plain']);
      await failure(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: batch(1024 - 506) })), BatchRequestTooLongException);
    });

    it('a value outside 1,024-1,048,576 is InvalidParameterException on CreateTopic and SetTopicAttributes', async () => {
      for (const value of ['1023', '1048577', 'big']) {
        const error = await failure(topic('bad-size', { MaximumMessageSize: value }), InvalidParameterException);
        expect(error.message).toBe('Invalid parameter: MaximumMessageSize: must be an integer from 1024 to 1048576');
      }
      expect((await sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).not.toContain('arn:aws:sns:us-east-1:123456789012:bad-size');
      await failure(
        sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'MaximumMessageSize', AttributeValue: '0' })),
        InvalidParameterException,
      );
    });

    it('above 262,144 bytes a topic takes SQS and Lambda subscriptions only', async () => {
      const large = await topic('large-http', { MaximumMessageSize: '300000' });
      const refused = await failure(
        sns.send(new SubscribeCommand({ TopicArn: large, Protocol: 'https', Endpoint: 'https://example.com/hook' })),
        InvalidParameterException,
      );
      expect(refused.message).toMatch(/^Invalid parameter: a topic whose MaximumMessageSize is above 262144 bytes/);
      const withHttp = await topic('http-then-large');
      await sns.send(new SubscribeCommand({ TopicArn: withHttp, Protocol: 'https', Endpoint: 'https://example.com/hook' }));
      await failure(
        sns.send(new SetTopicAttributesCommand({ TopicArn: withHttp, AttributeName: 'MaximumMessageSize', AttributeValue: '300000' })),
        InvalidParameterException,
      );
      await sns.send(new SetTopicAttributesCommand({ TopicArn: withHttp, AttributeName: 'MaximumMessageSize', AttributeValue: '262144' }));
    });
  });

  describe('EventBridge', () => {
    const entry = (detailBytes: number) => ({ Source: 'limits.test', DetailType: 'big', Detail: JSON.stringify({ d: 'e'.repeat(detailBytes - 8) }) });

    it('a PutEvents over 1 MB is ValidationException, entries over the limit, with HTTP 413', async () => {
      const error = await failure(events.send(new PutEventsCommand({ Entries: [entry(1_100_000)] })), EventBridgeServiceException);
      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe('Total size of the entries in the request is over the limit.');
      expect(error.$metadata.httpStatusCode).toBe(413);
      expect((await events.send(new ListRulesCommand({}))).Rules).toEqual([]);
    });

    it('entries together over 262,144 bytes are ValidationException (HTTP 400); just under is accepted', async () => {
      const error = await failure(events.send(new PutEventsCommand({ Entries: [entry(140_000), entry(140_000)] })), EventBridgeServiceException);
      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe('Total size of the entries in the request is over the limit.');
      expect(error.$metadata.httpStatusCode).toBe(400);
      // Source (11) + DetailType (3) + Detail: 262,144 bytes in all.
      const fits = await events.send(new PutEventsCommand({ Entries: [entry(262_144 - 14)] }));
      expect(fits.FailedEntryCount).toBe(0);
    });
  });
});

describe('PutEvents entries over 262,144 bytes from a resolver and a task', () => {
  const PUT = `export function request(ctx) {
  return { operation: 'PutEvents', events: [0, 1].map(() => ({ source: 'limits.test', detailType: 'big', detail: { b: ctx.args.blob } })) };
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result.FailedEntryCount;
}`;
  let gw: TestGateway;
  let sfn: SFNClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      files: { 'put.js': PUT },
      config: {
        name: 'events-limits',
        schemaSdl: 'type Query { ok: Boolean } type Mutation { put(blob: String!): Int }',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-eventslimits000000000000' }],
        dataSources: { bus: { type: 'AMAZON_EVENTBRIDGE', config: {} } },
        resolvers: { 'Mutation.put': { kind: 'UNIT', dataSource: 'bus', code: 'put.js' } },
        stepFunctions: {
          stateMachines: {
            put: {
              definition: {
                StartAt: 'Put',
                States: {
                  Put: {
                    Type: 'Task',
                    Resource: 'arn:aws:states:::events:putEvents',
                    Parameters: { Entries: [0, 1].map(() => ({ Source: 'limits.test', DetailType: 'big', 'Detail.$': '$.d' })) },
                    Catch: [{ ErrorEquals: ['EventBridge.ValidationException'], ResultPath: '$.caught', Next: 'Caught' }],
                    End: true,
                  },
                  Caught: { Type: 'Pass', OutputPath: '$.caught', End: true },
                },
              },
            },
          },
        },
      } as GatewayConfig,
    });
    sfn = new SFNClient({ endpoint: gw.origin, region: 'us-east-1', credentials, disableHostPrefix: true });
  });
  afterAll(async () => {
    sfn?.destroy();
    await gw?.close();
  });

  it('a resolver’s two 140 KB events are the field error EventBridge:ValidationException; two small ones are put', async () => {
    const big = await gw.query('mutation($b: String!) { put(blob: $b) }', { b: 'x'.repeat(140_000) });
    expect(big.body.data).toEqual({ put: null });
    expect(big.body.errors).toMatchObject([
      { errorType: 'EventBridge:ValidationException', message: 'Total size of the entries in the request is over the limit.' },
    ]);
    const small = await gw.query('mutation($b: String!) { put(blob: $b) }', { b: 'x'.repeat(1_000) });
    expect(small.body).toEqual({ data: { put: 0 } });
  });

  it('an events:putEvents task over the limit fails with EventBridge.ValidationException, which Catch names', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:put',
        input: JSON.stringify({ d: { b: 'y'.repeat(140_000) } }),
      }),
    );
    let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (let i = 0; i < 100 && described.status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(described.status).toBe('SUCCEEDED');
    const caught = JSON.parse(described.output!) as { Error: string; Cause: string };
    expect(caught.Error).toBe('EventBridge.ValidationException');
    expect(caught.Cause).toMatch(
      /^Total size of the entries in the request is over the limit\. \(Service: AmazonEventBridge; Status Code: 400; Error Code: ValidationException;/,
    );
  });
});
