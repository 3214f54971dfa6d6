/**
 * The real AWS CLI (`aws`, Debian's awscli package) against the SQS, SNS, EventBridge and Step
 * Functions APIs served on the gateway's port, with `--endpoint-url` and dummy credentials: a queue
 * made, sent to and read; a topic whose publish reaches a subscribed queue; a rule made with
 * put-rule/put-targets that a put-events starts a state machine through; start-execution and
 * describe-execution. With CI=true a missing `aws` fails the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { awsCli, awsCliPresent, type AwsCli } from '../utils/awsCli.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const present = await awsCliPresent();

const smArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:cliMachine';

// Each `aws` call starts a Python process (1-3 s on a busy machine).
describe.skipIf(!present)(`the AWS CLI against the served APIs${present ? '' : ' (skipped: aws is not installed)'}`, { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let aws: AwsCli;

  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        name: 'aws-cli',
        schemaSdl: 'type Query { ok: Boolean }',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-awscli000000000000000000' }],
        stepFunctions: {
          stateMachines: {
            cliMachine: { type: 'STANDARD', definition: { StartAt: 'Echo', States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$' }, End: true } } } },
          },
        },
      } as GatewayConfig,
    });
    aws = awsCli(gw.origin);
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('sqs create-queue, send-message, receive-message, delete-message', async () => {
    const { QueueUrl } = await aws('sqs', 'create-queue', '--queue-name', 'cli-orders');
    expect(QueueUrl).toBe(`${gw.origin}/123456789012/cli-orders`);
    const sent = await aws('sqs', 'send-message', '--queue-url', QueueUrl, '--message-body', 'hello from the cli');
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const { Messages } = await aws('sqs', 'receive-message', '--queue-url', QueueUrl, '--wait-time-seconds', '2');
    expect(Messages).toHaveLength(1);
    expect(Messages[0].Body).toBe('hello from the cli');
    await aws('sqs', 'delete-message', '--queue-url', QueueUrl, '--receipt-handle', Messages[0].ReceiptHandle);
    const attributes = await aws('sqs', 'get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'All');
    expect(attributes.Attributes.ApproximateNumberOfMessages).toBe('0');
  });

  it('sns create-topic, subscribe a queue, publish', async () => {
    const { QueueUrl } = await aws('sqs', 'create-queue', '--queue-name', 'cli-fanout');
    const { TopicArn } = await aws('sns', 'create-topic', '--name', 'cli-news');
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:cli-news');
    const { SubscriptionArn } = await aws(
      'sns',
      'subscribe',
      '--topic-arn',
      TopicArn,
      '--protocol',
      'sqs',
      '--notification-endpoint',
      'arn:aws:sqs:us-east-1:123456789012:cli-fanout',
    );
    expect(SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:123456789012:cli-news:/);
    const { MessageId } = await aws('sns', 'publish', '--topic-arn', TopicArn, '--message', 'extra, extra', '--subject', 'news');
    const { Messages } = await aws('sqs', 'receive-message', '--queue-url', QueueUrl, '--wait-time-seconds', '2');
    expect(JSON.parse(Messages[0].Body)).toMatchObject({ Type: 'Notification', MessageId, TopicArn, Subject: 'news', Message: 'extra, extra' });
  });

  it('events put-rule, put-targets, put-events start a state machine; stepfunctions start-execution and describe-execution', async () => {
    const { RuleArn } = await aws('events', 'put-rule', '--name', 'cli-rule', '--event-pattern', JSON.stringify({ source: ['cli.test'] }));
    expect(RuleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/cli-rule');
    const targets = await aws('events', 'put-targets', '--rule', 'cli-rule', '--targets', JSON.stringify([{ Id: 'sm', Arn: smArn, InputPath: '$.detail' }]));
    expect(targets.FailedEntryCount).toBe(0);
    const put = await aws('events', 'put-events', '--entries', JSON.stringify([{ Source: 'cli.test', DetailType: 'Ping', Detail: JSON.stringify({ n: 1 }) }]));
    expect(put).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });

    let listed: any[] = [];
    for (let i = 0; i < 100 && listed.length === 0; i++) {
      listed = (await aws('stepfunctions', 'list-executions', '--state-machine-arn', smArn)).executions;
      if (listed.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(listed).toHaveLength(1);

    const started = await aws('stepfunctions', 'start-execution', '--state-machine-arn', smArn, '--input', '{"from":"cli"}', '--name', 'cli-run');
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:cliMachine:cli-run');
    let described: any = {};
    for (let i = 0; i < 100; i++) {
      described = await aws('stepfunctions', 'describe-execution', '--execution-arn', started.executionArn);
      if (described.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output)).toEqual({ got: { from: 'cli' } });
    const eventRun = await aws('stepfunctions', 'describe-execution', '--execution-arn', listed[0].executionArn);
    expect(JSON.parse(eventRun.input)).toEqual({ n: 1 });
  });

  it('an error answers the CLI with the service’s error code and a non-zero exit', async () => {
    await expect(aws('sqs', 'get-queue-url', '--queue-name', 'no-such-queue')).rejects.toMatchObject({
      code: expect.any(Number),
      stderr: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/),
    });
  });
});
