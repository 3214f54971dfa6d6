/**
 * SNS's message attribute rules on the in-process SNS, through the real `@aws-sdk/client-sns`
 * (Publish, PublishBatch) and `@aws-sdk/client-sfn` (an `sns:publish` task): each rule taken at its
 * edge and refused just past it with SNS's error, and nothing of a refused message published.
 */
import { StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import {
  InvalidParameterValueException,
  type MessageAttributeValue,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SNSServiceException,
} from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, serveConfig, smArn, snsPublishConfig, topicWithQueue, type ServedConfig } from './serve.js';

const CONFIG = snsPublishConfig('sns-attributes', 'da2-snsattributes00000000000', {
  'TopicArn.$': '$.topic',
  Message: 'hello',
  'MessageAttributes.$': '$.attributes',
});

type Attributes = Record<string, MessageAttributeValue>;
const text = (StringValue: string, DataType = 'String'): MessageAttributeValue => ({ DataType, StringValue });
const named = (name: string): Attributes => ({ [name]: text('v') });
const many = (count: number): Attributes => Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${i}`, text(`v${i}`)]));
const badType = "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.";
const badCharacter = (code: string) =>
  `Invalid non-alphanumeric character '#x${code}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`;
const reserved = "Message attribute names starting with 'AWS.' or 'Amazon.' are reserved for use by Amazon.";
const stringArray = "The message attribute 'a' with type 'String.Array' must be a JSON array of strings, numbers, true, false or null.";

/** SNS's message attribute rules: attributes it takes at the edge of a rule, and attributes just past it with the error it refuses them with. */
const RULES: Array<{ rule: string; ok: Attributes; bad: Array<[Attributes, string]>; code?: string }> = [
  {
    rule: 'name of 256 bytes',
    ok: named('n'.repeat(256)),
    bad: [[named('n'.repeat(257)), 'Length of message attribute name must be less than 256 bytes.']],
  },
  { rule: 'non-empty name', ok: named('a'), bad: [[named(''), 'Message attribute name can not be empty.']] },
  {
    rule: 'name characters: A-Z, a-z, 0-9, _, - and .',
    ok: named('Az09_-.x'),
    bad: [
      [named('a b'), badCharacter('20')],
      [named('attr\u00f8'), badCharacter('F8')],
      [named('a/b'), badCharacter('2F')],
    ],
  },
  {
    rule: 'no leading or trailing period, none in a sequence',
    ok: named('a.b.c'),
    bad: [
      [named('.ab'), "Invalid message attribute name starting with character '.' was found."],
      [named('ab.'), "Invalid message attribute name ending with character '.' was found."],
      [named('a..b'), "Message attribute name can not have successive '.' character."],
    ],
  },
  {
    rule: 'AWS. and Amazon. are reserved in any casing, but for the names SNS documents, spelt as it spells them',
    ok: {
      'AWS-x': text('v'),
      'Amazonia.x': text('v'),
      'AWS.SNS.SMS.SenderID': text('Gateway'),
      'AWS.SNS.SMS.MaxPrice': text('0.50', 'Number'),
      'AWS.MM.SMS.TemplateId': text('1007'),
      'AWS.SNS.MOBILE.APNS.PUSH_TYPE': text('background'),
      'AWS.SNS.MOBILE.WNS.SuppressPopup': text('true'),
    },
    bad: [
      [named('AWS.x'), reserved],
      [named('amazon.x'), reserved],
      // The misspellings SNS refused (aws/aws-sdk-js#3110, boto/boto3#2947), a name SNS does not define, and one in another casing.
      [named('AWS.SNS.SMS.SenderId'), reserved],
      [named('AWS.SNS.SMS.TemplateId'), reserved],
      [named('AWS.SNS.SMS.Anything'), reserved],
      [named('aws.sns.sms.maxprice'), reserved],
    ],
  },
  { rule: 'more than ten attributes (SNS has no such limit)', ok: many(20), bad: [] },
  {
    rule: 'a DataType is given',
    ok: { a: text('v') },
    bad: [
      [
        { a: { StringValue: 'v' } as MessageAttributeValue },
        "1 validation error detected: Value null at 'messageAttributes.a.member.dataType' failed to satisfy constraint: Member must not be null",
      ],
    ],
    code: 'ValidationError',
  },
  {
    rule: 'data type of 256 bytes',
    ok: { a: text('v', `String.${'x'.repeat(249)}`) },
    bad: [[{ a: text('v', `String.${'x'.repeat(250)}`) }, 'Length of message attribute type must be less than 256 bytes.']],
  },
  {
    rule: 'data type String, String.Array, Number or Binary, with a custom label',
    ok: { a: text('1', 'Number.int'), b: text('["x"]', 'String.Array'), c: { DataType: 'Binary.gif', BinaryValue: new Uint8Array([71]) } },
    bad: [
      [{ a: text('v', 'string') }, badType],
      [{ a: text('v', 'Strings') }, badType],
      [{ a: text('v', 'String.') }, badType],
    ],
  },
  {
    rule: 'a value is given, in the field of its type',
    ok: { a: text('x'), b: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) } },
    bad: [
      [{ a: { DataType: 'String' } }, "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."],
      [{ a: { DataType: 'String', BinaryValue: new Uint8Array([1]) } }, "The message attribute 'a' with type 'String' must use field 'String'."],
      [{ a: text('x', 'Binary') }, "The message attribute 'a' with type 'Binary' must use field 'Binary'."],
      [
        { a: { DataType: 'String', StringValue: 'x', BinaryValue: new Uint8Array([1]) } },
        "The message attribute 'a' must contain either a StringValue or a BinaryValue, not both.",
      ],
    ],
  },
  {
    rule: 'a value is not empty',
    ok: { a: text('x'), b: text('0', 'Number') },
    bad: [
      [{ a: text('') }, "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."],
      [{ a: text('', 'Number') }, "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'Number'."],
      [
        { a: { DataType: 'Binary', BinaryValue: new Uint8Array([]) } },
        "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'Binary'.",
      ],
    ],
  },
  {
    rule: 'a Number value is a number',
    ok: { a: text('-1.5E+3', 'Number'), b: text('.5', 'Number'), c: text(`1${'0'.repeat(200)}`, 'Number') },
    bad: [
      [{ a: text('1,5', 'Number') }, "Could not cast message attribute 'a' value to number."],
      [{ a: text('NaN', 'Number') }, "Could not cast message attribute 'a' value to number."],
    ],
  },
  {
    // Refusing a lone surrogate cannot go through this client: it will not percent-encode one (URIError before
    // sending), and a form post decodes to well-formed text. The sns:publish task below sends one.
    rule: 'a String value is any Unicode text UTF-8 encodes, not only ASCII printable characters',
    ok: { a: text('tab\there'), b: text('bell \u0007, nul \u0000'), c: text('\u00e9 and \u{1F600}'), d: text('["\\ud800"]', 'String.Array') },
    bad: [],
  },
  {
    rule: 'a String.Array value is a JSON array of strings, numbers, true, false and null',
    ok: { a: text('["soccer", 2, true, false, null]', 'String.Array'), b: text('[]', 'String.Array') },
    bad: [
      [{ a: text('["a", [1]]', 'String.Array') }, stringArray],
      [{ a: text('{"a": 1}', 'String.Array') }, stringArray],
      [{ a: text('a,b', 'String.Array') }, stringArray],
    ],
  },
];

let served: ServedConfig;
let sns: SNSClient;

beforeAll(async () => {
  served = await serveConfig(CONFIG, 'sns-attributes-');
  sns = new SNSClient({ endpoint: served.endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  sns?.destroy();
  await served?.close();
});

describe('SNS message attributes (Publish)', () => {
  it.each(RULES)('$rule: taken at the edge, refused just past it, and nothing is published', async (row) => {
    const { TopicArn, QueueUrl, depth } = await topicWithQueue(sns, served, `attribute-rule-${RULES.indexOf(row)}`);
    await sns.send(new PublishCommand({ TopicArn, Message: 'edge', MessageAttributes: row.ok }));
    for (const [attributes, message] of row.bad) {
      const error = await sns.send(new PublishCommand({ TopicArn, Message: 'past', MessageAttributes: attributes })).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (row.code === undefined) expect(error).toBeInstanceOf(InvalidParameterValueException);
      else expect(error).toBeInstanceOf(SNSServiceException);
      expect(error).toMatchObject({ name: row.code ?? 'InvalidParameterValueException', message, $metadata: { httpStatusCode: 400 } });
    }
    expect(await depth()).toBe(1);
    const { Messages } = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const notification = JSON.parse(Messages![0]!.Body!);
    expect(notification.Message).toBe('edge');
    expect(Object.keys(notification.MessageAttributes)).toEqual(Object.keys(row.ok));
  });

  it('PublishBatch lists an entry whose attribute breaks a rule in Failed with its code and reason; the other entries are published', async () => {
    const { TopicArn, depth } = await topicWithQueue(sns, served, 'attribute-rules-batch');
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'fine', Message: 'fine', MessageAttributes: { tags: text('["a","b"]', 'String.Array') } },
          { Id: 'cast', Message: 'cast', MessageAttributes: { price: text('twelve', 'Number') } },
          { Id: 'untyped', Message: 'untyped', MessageAttributes: { kind: { StringValue: 'x' } as MessageAttributeValue } },
          { Id: 'also', Message: 'also' },
        ],
      }),
    );
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['fine', 'also']);
    expect(batch.Failed).toEqual([
      { Id: 'cast', SenderFault: true, Code: 'ParameterValueInvalid', Message: "Could not cast message attribute 'price' value to number." },
      {
        Id: 'untyped',
        SenderFault: true,
        Code: 'ValidationError',
        Message:
          "1 validation error detected: Value null at 'publishBatchRequestEntries.3.member.messageAttributes.kind.member.dataType' failed to satisfy constraint: Member must not be null",
      },
    ]);
    expect(await depth()).toBe(2);
  });
});

describe('arn:aws:states:::sns:publish message attributes', () => {
  it('a task publishes attributes SNS takes; one it refuses fails the task with SNS.InvalidParameterValueException, and nothing is published', async () => {
    const { TopicArn, depth } = await topicWithQueue(sns, served, 'sfn-attributes');
    const run = async (attributes: unknown) =>
      JSON.parse(
        (await served.sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('announce'), input: JSON.stringify({ topic: TopicArn, attributes }) })))
          .output!,
      );
    const sent = await run({ tags: { DataType: 'String.Array', StringValue: '["a"]' }, price: { DataType: 'Number', StringValue: '12.5' } });
    expect(sent.MessageId).toEqual(expect.any(String));
    const { error } = await run({ price: { DataType: 'Number', StringValue: 'twelve' } });
    expect(error.Error).toBe('SNS.InvalidParameterValueException');
    expect(error.Cause).toMatch(
      /^Could not cast message attribute 'price' value to number\. \(Service: AmazonSNS; Status Code: 400; Error Code: ParameterValueInvalid;/,
    );
    // A missing DataType is SNS's ValidationError, which the Java SDK does not model.
    const untyped = (await run({ price: { StringValue: '12' } })).error;
    expect(untyped.Error).toBe('SNS.AmazonSNSException');
    expect(untyped.Cause).toMatch(/^1 validation error detected: .* \(Service: AmazonSNS; Status Code: 400; Error Code: ValidationError;/);
    // A String value (String.Array's too) must be text UTF-8 encodes: a lone surrogate, which JSON can hold, is refused; a pair is a character.
    const unpaired = (value: string, DataType = 'String') => run({ note: { DataType, StringValue: value } });
    for (const [value, type, code] of [
      ['x\ud800', 'String', 'D800'],
      ['\udc00x', 'String', 'DC00'],
      ['["a\ud83d"]', 'String.Array', 'D83D'],
    ] as const) {
      const { error: refused } = await unpaired(value, type);
      expect(refused.Error).toBe('SNS.InvalidParameterValueException');
      expect(refused.Cause).toMatch(
        new RegExp(
          `^Invalid character '#x${code}' was found in the value of message attribute 'note'\\. Strings are Unicode with UTF-8 binary encoding\\. ` +
            '\\(Service: AmazonSNS; Status Code: 400; Error Code: ParameterValueInvalid;',
        ),
      );
    }
    expect((await unpaired('\ud83d\ude00')).MessageId).toEqual(expect.any(String));
    expect(await depth()).toBe(2);
  });
});
