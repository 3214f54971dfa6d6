/**
 * The in-process SQS queues (with their messages), SNS topics (with subscriptions) and EventBridge
 * rules (with targets) are kept under the data folder: a gateway restarted on the same folder
 * receives a message sent before, and its topic and rule still deliver. Through the real SDK clients.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { createGateway, type Gateway } from '../../../src/index.js';
import { freePort } from '../../utils/freePort.js';
import { silentLogger } from '../../utils/logger.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-persisted-'));
  const config = {
    name: 'persisted',
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'k', value: 'da2-sfnpersist0000000000000' }],
  };
  await writeFile(join(dir, 'appsync.config.json'), JSON.stringify(config));
  await writeFile(join(dir, 'schema.graphql'), 'type Query { ok: Boolean }');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A gateway on `<dir>/.data`, with SDK clients pointed at it. */
async function start(): Promise<{ gateway: Gateway; sqs: SQSClient; sns: SNSClient; events: EventBridgeClient; stop(): Promise<void> }> {
  const { config, configDir } = await loadConfigFile(join(dir, 'appsync.config.json'));
  const port = await freePort();
  const gateway = await createGateway(config, { configDir, logger: silentLogger, dataDir: join(dir, '.data') });
  await gateway.listen({ port, host: '127.0.0.1' });
  await gateway.ready();
  const endpoint = `http://127.0.0.1:${port}`;
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  const sns = new SNSClient({ endpoint, region: 'us-east-1', credentials });
  const events = new EventBridgeClient({ endpoint, region: 'us-east-1', credentials });
  return {
    gateway,
    sqs,
    sns,
    events,
    async stop() {
      for (const c of [sqs, sns, events]) c.destroy();
      await gateway.close();
    },
  };
}

describe('in-process SQS, SNS and EventBridge under the data folder', () => {
  it('come back after a restart on the same folder', async () => {
    const first = await start();
    const { QueueUrl } = await first.sqs.send(new CreateQueueCommand({ QueueName: 'kept', Attributes: { VisibilityTimeout: '7' } }));
    const sent = await first.sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: 'before the restart', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }),
    );
    const { Attributes } = await first.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const { TopicArn } = await first.sns.send(new CreateTopicCommand({ Name: 'keptTopic', Attributes: { MaximumMessageSize: '4096' } }));
    await first.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: 'true' } }));
    await first.events.send(new PutRuleCommand({ Name: 'keptRule', EventPattern: JSON.stringify({ source: [{ prefix: 'kept.' }] }) }));
    await first.events.send(new PutTargetsCommand({ Rule: 'keptRule', Targets: [{ Id: 'q', Arn: Attributes!.QueueArn! }] }));
    await first.stop();
    expect(existsSync(join(dir, '.data', 'stepfunctions', 'services.json'))).toBe(true);

    const second = await start();
    try {
      expect((await second.sqs.send(new GetQueueUrlCommand({ QueueName: 'kept' }))).QueueUrl).toMatch(/\/kept$/);
      expect((await second.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }))).Attributes).toEqual({
        VisibilityTimeout: '7',
      });
      const got = await second.sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'] }));
      expect(got.Messages?.[0]).toMatchObject({ MessageId: sent.MessageId, Body: 'before the restart', MessageAttributes: { k: { StringValue: 'v' } } });
      // The subscription and the rule still deliver.
      expect((await second.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toHaveLength(1);
      expect((await second.sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.MaximumMessageSize).toBe('4096');
      expect((await second.events.send(new ListTargetsByRuleCommand({ Rule: 'keptRule' }))).Targets).toEqual([{ Id: 'q', Arn: Attributes!.QueueArn }]);
      await second.sns.send(new PublishCommand({ TopicArn, Message: 'published after' }));
      await second.events.send(new PutEventsCommand({ Entries: [{ Source: 'kept.app', DetailType: 'T', Detail: '{"x":1}' }] }));
      const bodies: string[] = [];
      for (let i = 0; i < 10 && bodies.length < 2; i++) {
        const more = await second.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        bodies.push(...(more.Messages ?? []).map((m) => m.Body!));
      }
      expect(bodies).toContain('published after');
      expect(bodies.some((b) => b.includes('"source":"kept.app"'))).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
