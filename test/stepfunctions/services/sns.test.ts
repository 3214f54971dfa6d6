/**
 * The in-process SNS default on the gateway's port through the real `@aws-sdk/client-sns`
 * (query protocol): topics, subscriptions of an in-process SQS queue, an HTTP endpoint and a
 * Lambda function, Publish delivering to each; and `arn:aws:states:::sns:publish` tasks through
 * `@aws-sdk/client-sfn`, with an unknown topic caught by Catch.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { createGateway, type Gateway } from '../../../src/index.js';
import { freePort } from '../../utils/freePort.js';
import { silentLogger } from '../../utils/logger.js';
import { smArn } from './serve.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dir: string;
let gateway: Gateway;
let sns: SNSClient;
let sqs: SQSClient;
let sfn: SFNClient;
let hook: Server;
let hookUrl: string;
const hookRequests: Array<{ headers: Record<string, unknown>; body: string }> = [];

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-sns-'));
  const received = join(dir, 'received.jsonl');
  await writeFile(
    join(dir, 'listener.mjs'),
    `import { appendFile } from 'node:fs/promises';\nexport async function handler(event) { await appendFile(${JSON.stringify(received)}, JSON.stringify(event) + '\\n'); return 'ok'; }\n`,
  );
  await writeFile(join(dir, 'schema.graphql'), 'type Query { ok: Boolean }');
  const config = {
    name: 'sfn-sns',
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'k', value: 'da2-sfnsns000000000000000000' }],
    dataSources: { listener: { type: 'AWS_LAMBDA', config: { functionName: 'listener', handler: 'listener.mjs#handler' } } },
    stepFunctions: {
      queues: { audit: { VisibilityTimeout: 5 } },
      topics: { audits: { subscriptions: [{ protocol: 'sqs', endpoint: 'arn:aws:sqs:us-east-1:123456789012:audit', rawMessageDelivery: true }] } },
      stateMachines: {
        announce: {
          type: 'EXPRESS',
          definition: {
            StartAt: 'Publish',
            States: {
              Publish: {
                Type: 'Task',
                Resource: 'arn:aws:states:::sns:publish',
                Parameters: { 'TopicArn.$': '$.topic', Subject: 'order', 'Message.$': '$.message' },
                End: true,
              },
            },
          },
        },
        nowhere: {
          type: 'EXPRESS',
          definition: {
            StartAt: 'Publish',
            States: {
              Publish: {
                Type: 'Task',
                Resource: 'arn:aws:states:::sns:publish',
                Parameters: { TopicArn: 'arn:aws:sns:us-east-1:123456789012:nowhere', Message: 'x' },
                Catch: [{ ErrorEquals: ['SNS.NotFoundException'], ResultPath: '$.error', Next: 'Caught' }],
                End: true,
              },
              Caught: { Type: 'Pass', End: true },
            },
          },
        },
      },
    },
  };
  await writeFile(join(dir, 'appsync.config.json'), JSON.stringify(config));
  const loaded = await loadConfigFile(join(dir, 'appsync.config.json'));
  const port = await freePort();
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silentLogger, inMemory: true });
  await gateway.listen({ port, host: '127.0.0.1' });
  await gateway.ready();
  const endpoint = `http://127.0.0.1:${port}`;
  sns = new SNSClient({ endpoint, region: 'us-east-1', credentials });
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials, disableHostPrefix: true });
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hookRequests.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
});

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  sfn?.destroy();
  await gateway?.close();
  await new Promise((r) => hook?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SNS API on the gateway port (@aws-sdk/client-sns)', () => {
  it('Publish delivers to a subscribed queue, an HTTP endpoint and a Lambda function', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders' }));
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:orders');
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toContainEqual({ TopicArn });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'order-copies' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hookUrl }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:123456789012:function:listener' }));
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.map((s) => s.Protocol).sort()).toEqual(['http', 'lambda', 'sqs']);

    const { MessageId } = await sns.send(
      new PublishCommand({ TopicArn, Message: 'hello', Subject: 'greeting', MessageAttributes: { kind: { DataType: 'String', StringValue: 'hi' } } }),
    );
    expect(MessageId).toBeTruthy();

    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(JSON.parse(got.Messages![0]!.Body!)).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn,
      Subject: 'greeting',
      Message: 'hello',
      MessageAttributes: { kind: { Type: 'String', Value: 'hi' } },
    });

    const http = await eventually(
      async () => hookRequests,
      (r) => r.length > 0,
    );
    expect(http[0]!.headers['x-amz-sns-message-type']).toBe('Notification');
    expect(JSON.parse(http[0]!.body)).toMatchObject({ MessageId, Message: 'hello' });

    const lines = await eventually(
      () => readFile(join(dir, 'received.jsonl'), 'utf8').catch(() => ''),
      (text) => text.length > 0,
    );
    const event = JSON.parse(lines.trim().split('\n')[0]!);
    expect(event.Records[0]).toMatchObject({ EventSource: 'aws:sns', Sns: { MessageId, TopicArn, Subject: 'greeting', Message: 'hello' } });
  });

  it('an unknown topic is NotFound', async () => {
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:nope', Message: 'x' }))).rejects.toBeInstanceOf(NotFoundException);
  });
});

describe('queues and topics declared in the config', () => {
  it('exist at start, with their attributes and subscriptions', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'audit' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
    expect(Attributes).toEqual({ VisibilityTimeout: '5' });
    await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:audits', Message: 'declared' }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }))).Messages?.[0]?.Body).toBe('declared');
  });
});

describe('arn:aws:states:::sns:publish', () => {
  it('publishes to the topic (a JSON message as its text) and answers MessageId', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'sfn-announcements' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sfn-announcements-raw' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: 'true' } }));
    const result = await sfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: smArn('announce'), input: JSON.stringify({ topic: TopicArn, message: { id: 9 } }) }),
    );
    expect(result.status).toBe('SUCCEEDED');
    const output = JSON.parse(result.output!);
    expect(output).toMatchObject({ MessageId: expect.any(String), SdkHttpMetadata: { HttpStatusCode: 200 } });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(got.Messages?.[0]?.Body).toBe('{"id":9}');
  });

  it('an unknown topic fails with SNS.NotFoundException, which Catch intercepts', async () => {
    const result = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('nowhere'), input: '{}' }));
    expect(result.status).toBe('SUCCEEDED');
    const { error } = JSON.parse(result.output!);
    expect(error.Error).toBe('SNS.NotFoundException');
    expect(error.Cause).toMatch(/^Topic does not exist \(Service: AmazonSNS; Status Code: 404; Error Code: NotFound;/);
  });
});
