/**
 * Queues, topics, subscriptions and EventBridge rules from a CDK app synthesised with aws-cdk-lib
 * (sqs.Queue with a dead-letter queue, sns.Topic + SqsSubscription with a filter policy and a dead-letter queue,
 * events.Rule targeting a state machine with an input transformer and a queue), served and
 * driven with the real client-sqs, client-sns, client-eventbridge and client-sfn.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import { serve } from './serve.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

async function synthesize(): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'appsync-cdk-messaging-'));
  await writeFile(join(project, 'schema.graphql'), 'type Query { hello: String }');
  const app = new App({ outdir: join(project, 'cdk.out') });
  const stack = new Stack(app, 'MessagingStack');
  const api = new appsync.GraphqlApi(stack, 'Api', { name: 'messaging', definition: appsync.Definition.fromFile(join(project, 'schema.graphql')) });
  api.addNoneDataSource('none').createResolver('Hello', {
    typeName: 'Query',
    fieldName: 'hello',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromInline(`export function request() { return { payload: 'hi' }; }\nexport function response(ctx) { return ctx.result; }`),
  });
  const dlq = new sqs.Queue(stack, 'OrdersDlq');
  const orders = new sqs.Queue(stack, 'Orders', { visibilityTimeout: Duration.seconds(45), deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  const topic = new sns.Topic(stack, 'OrderTopic');
  topic.addSubscription(
    new subscriptions.SqsSubscription(orders, {
      rawMessageDelivery: true,
      deadLetterQueue: dlq,
      filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['order'] }) },
    }),
  );
  const machine = new sfn.StateMachine(stack, 'Fulfil', {
    stateMachineName: 'fulfil',
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Take')),
  });
  const rule = new events.Rule(stack, 'BigOrders', { eventPattern: { source: ['shop'], detail: { total: [{ numeric: ['>=', 100] }] } } });
  rule.addTarget(
    new targets.SfnStateMachine(machine, { input: events.RuleTargetInput.fromObject({ orderId: events.EventField.fromPath('$.detail.id'), fixed: 'yes' }) }),
  );
  rule.addTarget(new targets.SqsQueue(orders, { message: events.RuleTargetInput.fromEventPath('$.detail') }));
  // A target whose queue refuses the event (over its 1,024 bytes) and its dead-letter queue.
  const tiny = new sqs.Queue(stack, 'Tiny', { maxMessageSizeBytes: 1024 });
  const eventsDlq = new sqs.Queue(stack, 'EventsDlq');
  new events.Rule(stack, 'Large', { eventPattern: { source: ['large'] } }).addTarget(new targets.SqsQueue(tiny, { deadLetterQueue: eventsDlq }));
  app.synth();
  return join(project, 'cdk.out');
}

describe('CDK queues, topics, subscriptions and rules', async () => {
  const loaded = await loadConfigFile(await synthesize());
  const served = await serve(loaded);
  const endpoint = new URL(served.url).origin;
  const sqsClient = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  const snsClient = new SNSClient({ endpoint, region: 'us-east-1', credentials });
  const eventsClient = new EventBridgeClient({ endpoint, region: 'us-east-1', credentials });
  const sfnClient = new SFNClient({ endpoint, region: 'us-east-1', credentials, disableHostPrefix: true });
  // CDK's logical ids end in a hash: the local names are `<Stack>-<LogicalId>`.
  const sf = loaded.config.stepFunctions!;
  const named = (names: string[], prefix: string) => names.find((n) => n.startsWith(prefix) && /^[0-9A-F]{8}$/.test(n.slice(prefix.length)))!;
  const ordersName = named(Object.keys(sf.queues ?? {}), 'MessagingStack-Orders');
  const dlqName = named(Object.keys(sf.queues ?? {}), 'MessagingStack-OrdersDlq');
  const tinyName = named(Object.keys(sf.queues ?? {}), 'MessagingStack-Tiny');
  const eventsDlqName = named(Object.keys(sf.queues ?? {}), 'MessagingStack-EventsDlq');
  const topicName = named(Object.keys(sf.topics ?? {}), 'MessagingStack-OrderTopic');
  const ordersUrl = async () => (await sqsClient.send(new GetQueueUrlCommand({ QueueName: ordersName }))).QueueUrl!;

  it('loads the queues (with their attributes and redrive policy), the topic and the rule into the config', async () => {
    expect(Object.keys(sf.queues ?? {}).sort()).toEqual([ordersName, dlqName, eventsDlqName, tinyName].sort());
    expect(sf.queues![ordersName]).toMatchObject({ VisibilityTimeout: '45' });
    const { Attributes } = await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: await ordersUrl(), AttributeNames: ['All'] }));
    expect(Attributes?.VisibilityTimeout).toBe('45');
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${dlqName}`, maxReceiveCount: 3 });
    expect(Object.keys(sf.topics ?? {})).toEqual([topicName]);
    expect(sf.topics![topicName]!.subscriptions![0]!.redrivePolicy).toEqual({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${dlqName}` });
    const ruleNames = Object.keys(sf.rules ?? {});
    expect(ruleNames.sort()).toEqual([named(ruleNames, 'MessagingStack-BigOrders'), named(ruleNames, 'MessagingStack-Large')].sort());
    expect(sf.rules![named(ruleNames, 'MessagingStack-Large')]!.targets[0]!.deadLetterConfig).toEqual({
      arn: `arn:aws:sqs:us-east-1:123456789012:${eventsDlqName}`,
    });
  });

  it('a publish reaches the subscribed queue through the filter policy', async () => {
    const TopicArn = `arn:aws:sns:us-east-1:123456789012:${topicName}`;
    await snsClient.send(new PublishCommand({ TopicArn, Message: 'skip me', MessageAttributes: { kind: { DataType: 'String', StringValue: 'refund' } } }));
    await snsClient.send(new PublishCommand({ TopicArn, Message: 'order 1', MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } }));
    const { Messages } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: await ordersUrl(), MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['order 1']);
  });

  it('a matching event starts the state machine with the transformed input and sends the detail to the queue', async () => {
    await eventsClient.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ id: 'o-9', total: 120 }) }] }));
    const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:fulfil';
    await expect.poll(async () => (await sfnClient.send(new ListExecutionsCommand({ stateMachineArn }))).executions?.length, { timeout: 10_000 }).toBe(1);
    const [execution] = (await sfnClient.send(new ListExecutionsCommand({ stateMachineArn }))).executions!;
    const described = await sfnClient.send(new DescribeExecutionCommand({ executionArn: execution!.executionArn }));
    expect(JSON.parse(described.input!)).toEqual({ orderId: 'o-9', fixed: 'yes' });
    const { Messages } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: await ordersUrl(), WaitTimeSeconds: 2 }));
    expect(JSON.parse(Messages![0]!.Body!)).toEqual({ id: 'o-9', total: 120 });
  });

  it('an event a target’s queue refuses goes to the target’s DeadLetterConfig queue', async () => {
    await eventsClient.send(new PutEventsCommand({ Entries: [{ Source: 'large', DetailType: 'Big', Detail: JSON.stringify({ pad: 'l'.repeat(2000) }) }] }));
    const dlqUrl = (await sqsClient.send(new GetQueueUrlCommand({ QueueName: eventsDlqName }))).QueueUrl!;
    const { Messages } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 5 }));
    expect(JSON.parse(Messages![0]!.Body!)).toMatchObject({ source: 'large', detail: { pad: 'l'.repeat(2000) } });
    expect(Messages![0]!.MessageAttributes?.TARGET_ARN?.StringValue).toBe(`arn:aws:sqs:us-east-1:123456789012:${tinyName}`);
    const tinyUrl = (await sqsClient.send(new GetQueueUrlCommand({ QueueName: tinyName }))).QueueUrl!;
    expect((await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: tinyUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
    });
  });
});
