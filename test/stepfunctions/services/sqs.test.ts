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
  type MessageAttributeValue,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type GatewayConfig } from '../../../src/index.js';
import { freePort } from '../../utils/freePort.js';
import { silentLogger } from '../../utils/logger.js';
import { serveConfig, smArn, type ServedConfig } from './serve.js';

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
      traced: {
        type: 'EXPRESS',
        definition: {
          StartAt: 'Send',
          States: {
            Send: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage',
              Parameters: { 'QueueUrl.$': '$.queue', MessageBody: 'traced', 'MessageSystemAttributes.$': '$.system' },
              Catch: [{ ErrorEquals: ['SQS.AmazonSQSException'], ResultPath: '$.error', Next: 'Caught' }],
              End: true,
            },
            Caught: { Type: 'Pass', End: true },
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

type Attributes = Record<string, MessageAttributeValue>;
const text = (StringValue: string, DataType = 'String'): MessageAttributeValue => ({ DataType, StringValue });
const named = (name: string): Attributes => ({ [name]: text('v') });
const reserved =
  "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use. Additionally, they cannot start or end with '.'.";
const badType = "The type of message (user) attribute 'a' is invalid. You must use only the following supported type prefixes: Binary, Number, String.";
const digits38 = '12345678901234567890123456789012345678';

/** SQS's message attribute rules: attributes it takes at the edge of a rule, and attributes just past it with the message it refuses them with. */
const ATTRIBUTE_RULES: Array<{ rule: string; ok: Attributes; bad: Attributes[]; message: string }> = [
  {
    rule: 'name of 256 bytes',
    ok: named('n'.repeat(256)),
    bad: [named('n'.repeat(257))],
    message: 'Message (user) attribute name must be shorter than 256 bytes.',
  },
  {
    rule: 'name characters',
    ok: named('attr.1\u00f8\u00df\u00e4_-Z9'),
    bad: [named('attr 1'), named('attr!'), named('a/b')],
    message: 'Message (user) attributes name can only contain upper and lower score characters, digits, periods, hyphens and underscores.',
  },
  { rule: 'AWS. prefix in any casing', ok: named('AWS-trace.id'), bad: [named('AWS.trace'), named('aWs.trace')], message: reserved },
  { rule: 'Amazon. prefix in any casing', ok: named('Amazonia.x'), bad: [named('Amazon.x'), named('AMAZON.x')], message: reserved },
  { rule: 'no leading or trailing period', ok: named('a.b'), bad: [named('.ab'), named('ab.')], message: reserved },
  {
    rule: 'no periods in a sequence',
    ok: named('a.b.c'),
    bad: [named('a..b')],
    message: "Message (user) attribute name 'a..b' must not have periods in a sequence.",
  },
  { rule: 'non-empty name', ok: named('a'), bad: [named('')], message: 'The request must contain non-empty message (user) attribute names.' },
  {
    rule: 'data type of 256 bytes',
    ok: { a: text('v', `String.${'x'.repeat(249)}`) },
    bad: [{ a: text('v', `String.${'x'.repeat(250)}`) }],
    message: 'Message (user) attribute type must be shorter than 256 bytes.',
  },
  {
    rule: 'data type String, Number or Binary with a custom label',
    ok: { a: text('1', 'Number.java.lang.Long') },
    bad: [{ a: text('v', 'string') }, { a: text('v', 'Strings') }, { a: text('v', 'String.') }, { a: text('v', 'String.\u0007') }],
    message: badType,
  },
  {
    rule: 'a value is a StringValue or a BinaryValue, not both',
    ok: { a: text('x'), b: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) } },
    bad: [{ a: { DataType: 'String', StringValue: 'x', BinaryValue: new Uint8Array([1]) } }],
    message: "Message (user) attribute 'a' must contain either a StringValue or a BinaryValue, not both.",
  },
  {
    rule: 'non-empty String value',
    ok: { a: text('x') },
    bad: [{ a: text('') }],
    message: "Message (user) attribute 'a' must contain a non-empty value of type 'String'.",
  },
  {
    rule: 'non-empty Binary value',
    ok: { a: { DataType: 'Binary', BinaryValue: new Uint8Array([0]) } },
    bad: [{ a: { DataType: 'Binary', BinaryValue: new Uint8Array([]) } }, { a: text('x', 'Binary') }],
    message: "Message (user) attribute 'a' must contain a non-empty value of type 'Binary'.",
  },
  {
    rule: 'non-empty Number value',
    ok: { a: text('0', 'Number') },
    bad: [{ a: text('', 'Number') }],
    message: "Message (user) attribute 'a' must contain a non-empty value of type 'Number'.",
  },
  {
    rule: 'a Number value is a number',
    ok: { a: text('-1.5E+3', 'Number'), b: text('.5', 'Number'), c: text('7.', 'Number') },
    bad: [{ a: text('1,5', 'Number') }, { a: text(' 1', 'Number') }, { a: text('NaN', 'Number') }, { a: text('0x10', 'Number') }, { a: text('1e', 'Number') }],
    message: "Can't cast the value of message (user) attribute 'a' to a number.",
  },
  {
    rule: 'a Number has up to 38 digits of precision, leading and trailing zeros trimmed',
    ok: { a: text(`-000${digits38.slice(0, 20)}.${digits38.slice(20)}000`, 'Number'), b: text(`1${'0'.repeat(60)}`, 'Number') },
    bad: [{ a: text(`${digits38}9`, 'Number') }],
    message: `Value ${digits38}9 of message (user) attribute 'a' has more than 38 digits of precision.`,
  },
  {
    rule: 'a Number is at most 10^+126',
    ok: { a: text('1e126', 'Number'), b: text(`-${'9'.repeat(38)}e88`, 'Number') },
    bad: [{ a: text('1.0000000000000000000000000000000000001e126', 'Number') }],
    message: "Value 1.0000000000000000000000000000000000001e126 of message (user) attribute 'a' is outside the range of a Number (10^-128 to 10^+126).",
  },
  {
    rule: 'a Number is at least 10^-128',
    ok: { a: text('1e-128', 'Number'), b: text('-0.0001e-124', 'Number'), z: text('0e-999', 'Number') },
    bad: [{ a: text('9.99e-129', 'Number') }],
    message: "Value 9.99e-129 of message (user) attribute 'a' is outside the range of a Number (10^-128 to 10^+126).",
  },
  {
    rule: "a String value holds only the body's characters",
    ok: { a: text('tab\tline\n \ud83c\udf89 \ufffd') },
    bad: [{ a: text('bell\u0007') }],
    message:
      "Invalid binary character '#x7' was found in the value of message (user) attribute 'a', the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
  },
];

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

  it.each(ATTRIBUTE_RULES)('message attribute rule, $rule: taken at the edge, InvalidParameterValue just past it, and nothing is enqueued', async (row) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `attribute-rule-${ATTRIBUTE_RULES.indexOf(row)}` }));
    const depth = async () =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages;
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'edge', MessageAttributes: row.ok }));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    for (const bad of row.bad) {
      const error = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'past', MessageAttributes: bad })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SQSServiceException);
      expect(error).toMatchObject({ name: 'InvalidParameterValue', message: row.message, $metadata: { httpStatusCode: 400 } });
    }
    expect(await depth()).toBe('1');
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'] }));
    expect(Messages?.map((m) => m.Body)).toEqual(['edge']);
    expect(Object.keys(Messages?.[0]?.MessageAttributes ?? {})).toEqual(Object.keys(row.ok));
  });

  it('a batch entry whose attribute breaks a rule is listed in Failed with the reason; the other entries are sent', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'attribute-rules-batch' }));
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'fine', MessageBody: 'fine', MessageAttributes: { 'Price.usd': { DataType: 'Number.float', StringValue: '-12.50' } } },
          { Id: 'cast', MessageBody: 'cast', MessageAttributes: { Price: { DataType: 'Number', StringValue: 'twelve' } } },
          { Id: 'reserved', MessageBody: 'reserved', MessageAttributes: { 'Amazon.trace': { DataType: 'String', StringValue: 'x' } } },
          { Id: 'also', MessageBody: 'also', MessageAttributes: { kind: { DataType: 'Binary.gif', BinaryValue: new Uint8Array([71, 73, 70]) } } },
        ],
      }),
    );
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['fine', 'also']);
    expect(batch.Failed).toEqual([
      { Id: 'cast', SenderFault: true, Code: 'InvalidParameterValue', Message: "Can't cast the value of message (user) attribute 'Price' to a number." },
      {
        Id: 'reserved',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message:
          "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use. Additionally, they cannot start or end with '.'.",
      },
    ]);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(Messages?.map((m) => m.Body).sort()).toEqual(['also', 'fine']);
  });

  it('list values (StringListValues, BinaryListValues, even empty) are UnsupportedOperation, a batch refused whole, and nothing is enqueued', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'list-values' }));
    const depth = async () =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'plain', MessageAttributes: { a: text('x') } }));
    const lists: Attributes[] = [
      { a: { DataType: 'String', StringValue: 'x', StringListValues: ['x'] } },
      { a: { DataType: 'Binary', BinaryValue: new Uint8Array([1]), BinaryListValues: [new Uint8Array([1])] } },
      { a: { DataType: 'String', StringValue: 'x', StringListValues: [] } },
    ];
    for (const attributes of lists) {
      const error = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'list', MessageAttributes: attributes })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnsupportedOperation);
      expect(error).toMatchObject({ message: 'Message attribute list values in SendMessage operation are not supported.', $metadata: { httpStatusCode: 400 } });
    }
    const batch = await sqs
      .send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'fine', MessageBody: 'fine' },
            { Id: 'list', MessageBody: 'list', MessageAttributes: lists[0] },
          ],
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(batch).toBeInstanceOf(UnsupportedOperation);
    expect(batch).toMatchObject({ message: 'Message attribute list values in SendMessageBatch operation are not supported.' });
    expect(await depth()).toBe('1');
  });

  it('AWSTraceHeader is the one message system attribute: taken (not counted in the size) and received among the attributes; others refused', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'system-attributes', Attributes: { MaximumMessageSize: '1024' } }));
    const depth = async () =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages;
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    // A body of the queue's whole limit still takes a trace header.
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'b'.repeat(1024),
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: header } },
      }),
    );
    expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    const trace = (StringValue: string, DataType = 'String') => ({ AWSTraceHeader: { DataType, StringValue } });
    const refused: Array<[Record<string, MessageAttributeValue>, string]> = [
      [{ Other: text('x') }, "Message system attribute name 'Other' is invalid. The only supported message system attribute is AWSTraceHeader."],
      [trace('1', 'Number'), "The message system attribute 'AWSTraceHeader' must be of type 'String' with a StringValue."],
      [trace(header, 'String.x'), "The message system attribute 'AWSTraceHeader' must be of type 'String' with a StringValue."],
      [
        { AWSTraceHeader: { DataType: 'String', BinaryValue: new Uint8Array([1]) } },
        "The message system attribute 'AWSTraceHeader' must be of type 'String' with a StringValue.",
      ],
      [trace(''), "Message system attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'."],
      [
        trace('Parent=53995c3f42cd8ad8;Sampled=1'),
        "Value Parent=53995c3f42cd8ad8;Sampled=1 of message system attribute 'AWSTraceHeader' is not an X-Ray trace header (Root=…;Parent=…;Sampled=…).",
      ],
      [
        trace('Root=1-a\u0007'),
        "Invalid binary character '#x7' was found in the value of message system attribute 'AWSTraceHeader', the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
      ],
    ];
    for (const [MessageSystemAttributes, message] of refused) {
      const error = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'past', MessageSystemAttributes })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SQSServiceException);
      expect(error).toMatchObject({ name: 'InvalidParameterValue', message, $metadata: { httpStatusCode: 400 } });
    }
    expect(await depth()).toBe('1');
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['All'] }));
    expect(Messages?.[0]?.Attributes?.AWSTraceHeader).toBe(header);
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

  it('MessageSystemAttributes: an AWSTraceHeader is sent with the message; another name fails the task with SQS.AmazonSQSException', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sfn-traced' }));
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0';
    const run = async (system: unknown) =>
      JSON.parse(
        (await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('traced'), input: JSON.stringify({ queue: QueueUrl, system }) }))).output!,
      );
    const sent = await run({ AWSTraceHeader: { DataType: 'String', StringValue: header } });
    expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    const { error } = await run({ Trace: { DataType: 'String', StringValue: header } });
    expect(error.Error).toBe('SQS.AmazonSQSException');
    expect(error.Cause).toMatch(
      /^Message system attribute name 'Trace' is invalid\..* \(Service: AmazonSQS; Status Code: 400; Error Code: InvalidParameterValue;/,
    );
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['AWSTraceHeader'] }));
    expect(Messages?.map((m) => [m.Body, m.Attributes?.AWSTraceHeader])).toEqual([['traced', header]]);
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
