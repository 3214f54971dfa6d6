/**
 * SNS's rules on a publish's text (API reference `Publish`: a Message is UTF-8, a Subject UTF-8
 * with no line breaks or control characters and under 100 characters) on the in-process SNS,
 * through the real `@aws-sdk/client-sns` (Publish, PublishBatch) and `@aws-sdk/client-sfn` (an
 * `sns:publish` task, the only caller that can send a lone surrogate): text at the edge of a rule is
 * published, text past it refused with SNS's error, and nothing of a refused message published.
 */
import { StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { InvalidParameterException, PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, serveConfig, smArn, snsPublishConfig, topicWithQueue, type ServedConfig } from './serve.js';

const CONFIG = snsPublishConfig('sns-text', 'da2-snstext0000000000000000', { 'TopicArn.$': '$.topic', 'Message.$': '$.message', 'Subject.$': '$.subject' });

let served: ServedConfig;
let sns: SNSClient;

beforeAll(async () => {
  served = await serveConfig(CONFIG, 'sns-text-');
  sns = new SNSClient({ endpoint: served.endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  sns?.destroy();
  await served?.close();
});

const refusal = (message: string) =>
  expect.objectContaining({ name: 'InvalidParameterException', message, $metadata: expect.objectContaining({ httpStatusCode: 400 }) });

describe('SNS Subject rules (Publish, PublishBatch)', () => {
  const SUBJECTS_TAKEN = ['s'.repeat(99), '\u{1F600}'.repeat(99), 'caf\u00e9 \u00e0 la carte: "news"'];
  const SUBJECTS_REFUSED = ['', 's'.repeat(100), '\u{1F600}'.repeat(100), 'two\nlines', 'carriage\rreturn', 'tab\there', 'nul\u0000', 'del\u007f', 'c1\u0085'];

  it('a Subject under 100 characters, any UTF-8 text, is published; an empty one, one of 100 or more, one with a control character is InvalidParameter', async () => {
    const { TopicArn, depth, received } = await topicWithQueue(sns, served, 'subjects');
    for (const Subject of SUBJECTS_TAKEN) await sns.send(new PublishCommand({ TopicArn, Message: 'taken', Subject }));
    for (const Subject of SUBJECTS_REFUSED) {
      const error = await sns.send(new PublishCommand({ TopicArn, Message: 'refused', Subject })).catch((e: unknown) => e);
      expect(error, JSON.stringify(Subject)).toBeInstanceOf(InvalidParameterException);
      expect(error).toEqual(refusal('Invalid parameter: Subject'));
    }
    expect(await depth()).toBe(SUBJECTS_TAKEN.length);
    expect((await received()).map((n) => n.Subject).sort()).toEqual([...SUBJECTS_TAKEN].sort());
  });

  it('PublishBatch lists an entry with a refused Subject in Failed; the others are published', async () => {
    const { TopicArn, depth } = await topicWithQueue(sns, served, 'subjects-batch');
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'fine', Message: 'fine', Subject: 'fine' },
          { Id: 'long', Message: 'long', Subject: 'x'.repeat(100) },
          { Id: 'broken', Message: 'broken', Subject: 'line\nbreak' },
        ],
      }),
    );
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['fine']);
    expect(batch.Failed).toEqual([
      { Id: 'long', SenderFault: true, Code: 'InvalidParameter', Message: 'Invalid parameter: Subject' },
      { Id: 'broken', SenderFault: true, Code: 'InvalidParameter', Message: 'Invalid parameter: Subject' },
    ]);
    expect(await depth()).toBe(1);
  });
});

describe('arn:aws:states:::sns:publish text UTF-8 cannot encode', () => {
  it('a Message or Subject with a surrogate without its pair fails the task with SNS.InvalidParameterException; a pair is a character', async () => {
    const { TopicArn, depth, received } = await topicWithQueue(sns, served, 'task-text');
    const run = async (message: unknown, subject = 'subject') =>
      JSON.parse(
        (
          await served.sfn.send(
            new StartSyncExecutionCommand({ stateMachineArn: smArn('announce'), input: JSON.stringify({ topic: TopicArn, message, subject }) }),
          )
        ).output!,
      );
    for (const [message, code] of [
      ['x\ud800', 'D800'],
      ['\udc00x', 'DC00'],
      ['a\ud83d b', 'D83D'],
    ] as const) {
      const { error } = await run(message);
      expect(error.Error).toBe('SNS.InvalidParameterException');
      expect(error.Cause).toMatch(
        new RegExp(
          `^Invalid parameter: Message Reason: Invalid character '#x${code}' was found: a message must be UTF-8 encoded text\\. ` +
            '\\(Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter;',
        ),
      );
    }
    const { error: badSubject } = await run('fine', 'lone \ud800');
    expect(badSubject.Error).toBe('SNS.InvalidParameterException');
    expect(badSubject.Cause).toMatch(/^Invalid parameter: Subject \(Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter;/);
    // A message that is not a string is published as its JSON text, which escapes a lone surrogate.
    expect((await run({ note: 'x\ud800' })).MessageId).toEqual(expect.any(String));
    expect((await run('\ud83d\ude00', '\ud83d\ude00')).MessageId).toEqual(expect.any(String));
    expect(await depth()).toBe(2);
    expect((await received()).map((n) => n.Message).sort()).toEqual(['{"note":"x\\ud800"}', '\u{1F600}'].sort());
  });
});
