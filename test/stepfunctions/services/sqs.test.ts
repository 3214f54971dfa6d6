/**
 * The in-process SQS default on the gateway's port, through the real `@aws-sdk/client-sqs`, and
 * `arn:aws:states:::sqs:sendMessage` tasks (request-response, `.waitForTaskToken` round trip
 * through a queue, an unknown queue caught by Catch) through the real `@aws-sdk/client-sfn`.
 */
import { DescribeExecutionCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidMessageContents,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type GatewayConfig } from '../../../src/index.js';
import { freePort } from '../../utils/freePort.js';
import { silentLogger } from '../../utils/logger.js';
import { serveConfig, type ServedConfig } from './serve.js';

const smArn = (name: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;

const CONFIG = {
  name: 'sfn-sqs',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-sfnsqs000000000000000000' }],
  stepFunctions: {
    stateMachines: {
      send: {
        type: 'EXPRESS',
        definition: {
          StartAt: 'Send',
          States: {
            Send: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage',
              Parameters: { 'QueueUrl.$': '$.queue', 'MessageBody.$': '$.body' },
              End: true,
            },
          },
        },
      },
      ask: {
        definition: {
          StartAt: 'Ask',
          States: {
            Ask: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
              Parameters: { 'QueueUrl.$': '$.queue', MessageBody: { 'order.$': '$.order', 'token.$': '$$.Task.Token' } },
              ResultPath: '$.answer',
              End: true,
            },
          },
        },
      },
      missing: {
        type: 'EXPRESS',
        definition: {
          StartAt: 'Send',
          States: {
            Send: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage',
              Parameters: { QueueUrl: 'http://localhost/123456789012/nowhere', MessageBody: 'x' },
              Catch: [{ ErrorEquals: ['SQS.AmazonSQSException'], ResultPath: '$.error', Next: 'Caught' }],
              End: true,
            },
            Caught: { Type: 'Pass', End: true },
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
  served = await serveConfig(CONFIG, 'sfn-sqs-');
  ({ sqs, sfn } = served);
});

afterAll(async () => {
  await served?.close();
});

describe('SQS API on the gateway port (@aws-sdk/client-sqs)', () => {
  it('creates, lists, sends, receives with a visibility timeout and deletes', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '1' } }));
    expect(QueueUrl).toMatch(/\/123456789012\/orders$/);
    // Creating it again with the same attributes answers the same URL.
    expect((await sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '1' } }))).QueueUrl).toBe(QueueUrl);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl).toBe(QueueUrl);
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'ord' }))).QueueUrls).toEqual([QueueUrl]);

    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: 'hello', MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } } }),
    );
    expect(sent.MessageId).toBeTruthy();
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');

    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], AttributeNames: ['All'] }));
    expect(first.Messages).toHaveLength(1);
    expect(first.Messages![0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'hello',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
    });
    expect(first.Messages![0]!.Attributes?.ApproximateReceiveCount).toBe('1');
    // Hidden for the visibility timeout (1 s), then visible again.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toEqual([]);
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 3, AttributeNames: ['All'] }));
    expect(again.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(again.Messages![0]!.Attributes?.ApproximateReceiveCount).toBe('2');

    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', VisibilityTimeout: '1' });
  });

  it('a long poll answers as soon as a message arrives; ChangeMessageVisibility 0 shows it again', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'poll' }));
    const started = Date.now();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' })), 200);
    const got = await polling;
    expect(got.Messages?.[0]?.Body).toBe('late');
    expect(Date.now() - started).toBeLessThan(5000);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: got.Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body).toBe('late');
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  });

  it('a body with a character SQS does not allow is the typed InvalidMessageContents; tabs, newlines, emoji and U+FFFD are sent', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'contents' }));
    for (const [body, code] of [
      ['bell\u0007', '7'],
      ['nul\u0000', '0'],
      ['lone \ud800 surrogate', 'D800'],
      ['\uffff', 'FFFF'],
    ]) {
      const error = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidMessageContents);
      expect((error as Error).message).toBe(
        `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      );
    }
    const fine = 'tab\tline\nreturn\r 🎉 \ufffd \ud7ff \ue000';
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: fine }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.map((m) => m.Body)).toEqual([fine]);
  });

  it('a message takes up to 10 attributes: 11 is InvalidParameterValue naming the count, on SendMessage and on its batch entry, and nothing is enqueued', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'attributes' }));
    const attributes = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: `v${i}` }]));
    const depth = async () =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages;

    const error = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'eleven', MessageAttributes: attributes(11) })).then(
      () => undefined,
      (e: unknown) => e as SQSServiceException,
    );
    expect(error).toBeInstanceOf(SQSServiceException);
    expect(error).toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Number of message attributes [11] exceeds the allowed maximum [10].',
      $metadata: { httpStatusCode: 400 },
    });
    expect(await depth()).toBe('0');

    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'ten', MessageBody: 'ten', MessageAttributes: attributes(10) },
          { Id: 'twelve', MessageBody: 'twelve', MessageAttributes: attributes(12) },
        ],
      }),
    );
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['ten']);
    expect(batch.Failed).toEqual([
      { Id: 'twelve', SenderFault: true, Code: 'InvalidParameterValue', Message: 'Number of message attributes [12] exceeds the allowed maximum [10].' },
    ]);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'ten again', MessageAttributes: attributes(10) }));
    expect(await depth()).toBe('2');
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(Messages?.map((m) => m.Body).sort()).toEqual(['ten', 'ten again']);
    expect(Object.keys(Messages?.[0]?.MessageAttributes ?? {})).toHaveLength(10);
  });

  it('an unknown queue is QueueDoesNotExist', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: 'http://127.0.0.1/123456789012/nope', MessageBody: 'x' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe('arn:aws:states:::sqs:sendMessage', () => {
  it('request-response: the message lands in the queue and the task answers SendMessage', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sfn-out' }));
    const result = await sfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: smArn('send'), input: JSON.stringify({ queue: QueueUrl, body: { id: 7 } }) }),
    );
    expect(result.status).toBe('SUCCEEDED');
    const output = JSON.parse(result.output!);
    expect(output).toMatchObject({
      MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      MessageId: expect.any(String),
      SdkHttpMetadata: { HttpStatusCode: 200 },
    });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(got.Messages?.[0]).toMatchObject({ MessageId: output.MessageId, Body: '{"id":7}' });
  });

  it('.waitForTaskToken: a worker reads the token from the queue and answers SendTaskSuccess', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sfn-work' }));
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn('ask'), input: JSON.stringify({ queue: QueueUrl, order: 'o-1' }) }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    const message = JSON.parse(got.Messages![0]!.Body!);
    expect(message.order).toBe('o-1');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: message.token, output: JSON.stringify({ shipped: true }) }));
    let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (let i = 0; i < 100 && described.status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ queue: QueueUrl, order: 'o-1', answer: { shipped: true } });
  });

  it('an unknown queue fails with SQS.AmazonSQSException, which Catch intercepts', async () => {
    const result = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('missing'), input: '{}' }));
    expect(result.status).toBe('SUCCEEDED');
    const { error } = JSON.parse(result.output!);
    expect(error.Error).toBe('SQS.AmazonSQSException');
    expect(error.Cause).toMatch(
      /^The specified queue does not exist or you do not have access to it\. \(Service: AmazonSQS; Status Code: 400; Error Code: AWS\.SimpleQueueService\.NonExistentQueue;/,
    );
  });
});

describe('SQS API with AWS_IAM credentials in the config', () => {
  it('accepts calls signed with a declared key and refuses others with 403', async () => {
    const key = { accessKeyId: 'AKIDSQSTEST', secretAccessKey: 'sqs-test-secret' };
    const config: GatewayConfig = {
      name: 'sqs-iam',
      schemaSdl: 'type Query { ping: String }',
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k', value: 'da2-sqsiamtest00000000000' }],
      additionalAuthentications: [{ type: 'AWS_IAM', config: { credentials: [key] } }],
    } as GatewayConfig;
    const port = await freePort();
    const signed = await createGateway(config, { logger: silentLogger, inMemory: true });
    await signed.listen({ port, host: '127.0.0.1' });
    const endpoint = `http://127.0.0.1:${port}`;
    const good = new SQSClient({ endpoint, region: 'us-east-1', credentials: key });
    const bad = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSQSTEST', secretAccessKey: 'wrong' } });
    try {
      expect((await good.send(new CreateQueueCommand({ QueueName: 'signed' }))).QueueUrl).toMatch(/\/signed$/);
      await expect(bad.send(new ListQueuesCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    } finally {
      good.destroy();
      bad.destroy();
      await signed.close();
    }
  });
});
