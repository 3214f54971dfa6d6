/**
 * `stepFunctions.services`: `sqs:sendMessage`, `sns:publish` and `events:putEvents` tasks of one
 * gateway call another gateway's served SQS, SNS and EventBridge APIs through the AWS SDK clients
 * (the remote endpoint is a real server, reached over HTTP); an unknown queue and an unreachable
 * endpoint fail the task with errors a Catch intercepts. Config errors name their key paths.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { normalizeConfig } from '../../../src/config/normalize.js';
import { ConfigErrors } from '../../../src/errors.js';
import { createGateway, type Gateway, type GatewayConfig } from '../../../src/index.js';
import { freePort } from '../../utils/freePort.js';
import { silentLogger } from '../../utils/logger.js';
import { smArn } from './serve.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const task = (Resource: string, Parameters: Record<string, unknown>, errors: string[]) => ({
  type: 'EXPRESS',
  definition: {
    StartAt: 'Call',
    States: {
      Call: { Type: 'Task', Resource, Parameters, Catch: [{ ErrorEquals: errors, ResultPath: '$.error', Next: 'Caught' }], End: true },
      Caught: { Type: 'Pass', End: true },
    },
  },
});
const machines = {
  ask: {
    definition: {
      StartAt: 'Ask',
      States: {
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { 'QueueUrl.$': '$.queue', MessageBody: { 'token.$': '$$.Task.Token' } },
          ResultPath: '$.answer',
          End: true,
        },
      },
    },
  },
  send: task('arn:aws:states:::sqs:sendMessage', { 'QueueUrl.$': '$.queue', 'MessageBody.$': '$.body' }, ['SQS.AmazonSQSException', 'SQS.SdkClientException']),
  publish: task('arn:aws:states:::sns:publish', { 'TopicArn.$': '$.topic', 'Message.$': '$.body', Subject: 'hi' }, ['SNS.NotFoundException']),
  publishAttributes: task('arn:aws:states:::sns:publish', { 'TopicArn.$': '$.topic', Message: 'x', 'MessageAttributes.$': '$.attributes' }, [
    'SNS.InvalidParameterValueException',
    'SNS.AmazonSNSException',
  ]),
  emit: task('arn:aws:states:::events:putEvents', { Entries: [{ Source: 'app.remote', DetailType: 'Ping', 'Detail.$': '$.body' }] }, [
    'EventBridge.SdkClientException',
  ]),
};

async function startGateway(name: string, stepFunctions: Record<string, unknown>, port: number): Promise<{ gateway: Gateway; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `sfn-remote-${name}-`));
  const config = {
    name,
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'k', value: 'da2-sfnremote00000000000000' }],
    stepFunctions,
  };
  await writeFile(join(dir, 'appsync.config.json'), JSON.stringify(config));
  await writeFile(join(dir, 'schema.graphql'), 'type Query { ok: Boolean }');
  const loaded = await loadConfigFile(join(dir, 'appsync.config.json'));
  const gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silentLogger, inMemory: true });
  await gateway.listen({ port, host: '127.0.0.1' });
  await gateway.ready();
  return { gateway, dir };
}

let remote: { gateway: Gateway; dir: string };
let caller: { gateway: Gateway; dir: string };
let unreachable: { gateway: Gateway; dir: string };
let sqs: SQSClient;
let sns: SNSClient;
let events: EventBridgeClient;
let sfn: SFNClient;
let sfnUnreachable: SFNClient;

beforeAll(async () => {
  // The caller's SDK clients take credentials from the default chain; the served APIs do not check them.
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  const [remotePort, callerPort, deadPort, unreachablePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const remoteUrl = `http://127.0.0.1:${remotePort}`;
  remote = await startGateway('remote', {}, remotePort);
  const services = { sqs: { endpoint: remoteUrl }, sns: { endpoint: remoteUrl, region: 'us-east-1' }, eventBridge: { endpoint: remoteUrl } };
  caller = await startGateway('caller', { stateMachines: machines, services }, callerPort);
  // Nothing listens on deadPort: the connection is refused.
  const dead = `http://127.0.0.1:${deadPort}`;
  unreachable = await startGateway(
    'unreachable',
    { stateMachines: machines, services: { sqs: { endpoint: dead }, eventBridge: { endpoint: dead } } },
    unreachablePort,
  );
  sqs = new SQSClient({ endpoint: remoteUrl, region: 'us-east-1', credentials });
  sns = new SNSClient({ endpoint: remoteUrl, region: 'us-east-1', credentials });
  events = new EventBridgeClient({ endpoint: remoteUrl, region: 'us-east-1', credentials });
  sfn = new SFNClient({ endpoint: `http://127.0.0.1:${callerPort}`, region: 'us-east-1', credentials, disableHostPrefix: true });
  sfnUnreachable = new SFNClient({ endpoint: `http://127.0.0.1:${unreachablePort}`, region: 'us-east-1', credentials, disableHostPrefix: true });
});

afterAll(async () => {
  for (const client of [sqs, sns, events, sfn, sfnUnreachable]) client?.destroy();
  for (const g of [caller, unreachable, remote]) {
    await g?.gateway.close();
    if (g?.dir) await rm(g.dir, { recursive: true, force: true });
  }
});

const run = async (client: SFNClient, machine: string, input: unknown) => {
  const result = await client.send(new StartSyncExecutionCommand({ stateMachineArn: smArn(machine), input: JSON.stringify(input) }));
  expect(result.status).toBe('SUCCEEDED');
  return JSON.parse(result.output!) as Record<string, unknown>;
};

describe('stepFunctions.services: tasks call a remote endpoint through the AWS SDK', () => {
  it('sqs:sendMessage sends to the remote queue and answers SendMessage with the SDK metadata', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'remote-orders' }));
    const output = await run(sfn, 'send', { queue: QueueUrl, body: { id: 7 } });
    expect(output).toMatchObject({
      MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      MessageId: expect.any(String),
      SdkHttpMetadata: { HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: expect.any(String) },
    });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(got.Messages?.[0]).toMatchObject({ MessageId: output.MessageId, Body: '{"id":7}' });
  });

  it('.waitForTaskToken: a worker reads the token from the remote queue and answers the calling gateway', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'remote-asks' }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('ask'), input: JSON.stringify({ queue: QueueUrl }) }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    const { token } = JSON.parse(got.Messages![0]!.Body!) as { token: string };
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (let i = 0; i < 50 && described.status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ queue: QueueUrl, answer: { approved: true } });
  });

  it('an unknown remote queue is SQS.AmazonSQSException with the SQS error code in the cause', async () => {
    const output = await run(sfn, 'send', { queue: 'http://127.0.0.1/123456789012/nowhere', body: 'x' });
    expect(output.error).toMatchObject({ Error: 'SQS.AmazonSQSException', Cause: expect.stringMatching(/Service: AmazonSQS; Status Code: 400; Error Code: /) });
    // The caller has no queue of that name either way: the message must not have gone in-process.
    expect(String((output.error as { Cause: string }).Cause)).toMatch(/does not exist/);
  });

  it('sns:publish reaches the remote topic, which delivers to its subscribed queue', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'remote-fanout' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'remote-news' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: 'true' } }));
    const output = await run(sfn, 'publish', { topic: TopicArn, body: 'extra' });
    expect(output).toMatchObject({ MessageId: expect.any(String), SdkHttpMetadata: { HttpStatusCode: 200 } });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(got.Messages?.[0]?.Body).toBe('extra');
  });

  it('sns:publish to an unknown remote topic is SNS.NotFoundException', async () => {
    const output = await run(sfn, 'publish', { topic: 'arn:aws:sns:us-east-1:123456789012:nope', body: 'x' });
    expect(output.error).toMatchObject({
      Error: 'SNS.NotFoundException',
      Cause: expect.stringMatching(/Service: AmazonSNS; Status Code: 404; Error Code: NotFound;/),
    });
  });

  it('message attributes the remote SNS refuses fail the task as they do in-process: SNS.InvalidParameterValueException, SNS.AmazonSNSException', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'remote-attributes' }));
    const cast = await run(sfn, 'publishAttributes', { topic: TopicArn, attributes: { price: { DataType: 'Number', StringValue: 'twelve' } } });
    expect(cast.error).toMatchObject({
      Error: 'SNS.InvalidParameterValueException',
      Cause: expect.stringMatching(
        /^Could not cast message attribute 'price' value to number\. \(Service: AmazonSNS; Status Code: 400; Error Code: ParameterValueInvalid;/,
      ),
    });
    const untyped = await run(sfn, 'publishAttributes', { topic: TopicArn, attributes: { price: { StringValue: '12' } } });
    expect(untyped.error).toMatchObject({
      Error: 'SNS.AmazonSNSException',
      Cause: expect.stringMatching(/Status Code: 400; Error Code: ValidationError;/),
    });
  });

  it('events:putEvents puts on the remote bus, whose rule sends to a remote queue', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'remote-pings' }));
    await events.send(new PutRuleCommand({ Name: 'pings', EventPattern: JSON.stringify({ source: ['app.remote'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'pings', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:123456789012:remote-pings' }] }));
    const output = await run(sfn, 'emit', { body: { n: 1 } });
    expect(output).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(JSON.parse(got.Messages![0]!.Body!)).toMatchObject({ source: 'app.remote', 'detail-type': 'Ping', detail: { n: 1 } });
  });

  it('an unreachable endpoint fails the task with <Service>.SdkClientException, which Catch intercepts', async () => {
    const sent = await run(sfnUnreachable, 'send', { queue: 'http://127.0.0.1/123456789012/any', body: 'x' });
    expect(sent.error).toMatchObject({
      Error: 'SQS.SdkClientException',
      Cause: expect.stringMatching(/^Unable to execute HTTP request to http:\/\/127\.0\.0\.1:\d+: .*\(Service: AmazonSQS\)$/),
    });
    const put = await run(sfnUnreachable, 'emit', { body: {} });
    expect(put.error).toMatchObject({ Error: 'EventBridge.SdkClientException' });
  });
});

describe('stepFunctions.services config', () => {
  const base = { schemaSdl: 'type Query { ok: Boolean }', authentication: { type: 'API_KEY' } } as unknown as GatewayConfig;
  const errorsOf = (services: unknown): string[] => {
    try {
      normalizeConfig({ ...base, stepFunctions: { services } } as GatewayConfig, { configDir: tmpdir() });
    } catch (error) {
      if (error instanceof ConfigErrors) return error.errors.map((e) => e.message);
      throw error;
    }
    return [];
  };

  it('reads endpoint and region, with us-east-1 by default', () => {
    const config = normalizeConfig(
      { ...base, stepFunctions: { services: { sqs: { endpoint: 'http://localhost:4566' }, sns: { region: 'eu-west-1' } } } } as GatewayConfig,
      {
        configDir: tmpdir(),
      },
    );
    expect(config.stepFunctions.services).toEqual({ sqs: { endpoint: 'http://localhost:4566', region: 'us-east-1' }, sns: { region: 'eu-west-1' } });
  });

  it('names the key path of each bad entry', () => {
    const errors = errorsOf({ sqs: { endpoint: 'localhost:4566' }, sns: { region: 'Europe' }, eventBridge: {}, kinesis: { endpoint: 'http://x' }, sqsx: 1 });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stepFunctions\.services\.sqs\.endpoint: expected an http\(s\) URL/),
        expect.stringMatching(/^stepFunctions\.services\.sns\.region: expected an AWS region name/),
        expect.stringMatching(/^stepFunctions\.services\.eventBridge: expected an endpoint, a region or both/),
        expect.stringMatching(/^stepFunctions\.services\.kinesis/),
      ]),
    );
    expect(errorsOf('http://x')).toEqual([expect.stringMatching(/^stepFunctions\.services: expected \{ sqs, sns, eventBridge \}/)]);
    expect(errorsOf({ sqs: { endpoint: 'http://x', secret: 'y' } })).toEqual([expect.stringMatching(/^stepFunctions\.services\.sqs\.secret/)]);
  });
});
