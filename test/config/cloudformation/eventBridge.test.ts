/**
 * `AMAZON_EVENTBRIDGE` data sources of a template (docs/cloudformation.md#what-is-read): a CDK app
 * synthesised with aws-cdk-lib whose resolver puts an event through `api.addEventBridgeDataSource`
 * on the default bus, where a CDK `events.Rule` sends it to a CDK queue, read back with the real
 * client-sqs; a data source on a bus the template creates is a load error naming it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import { serve } from './serve.js';

const SCHEMA = 'type Query { hello: String }\ntype Mutation { placeOrder(id: ID!, total: Int!): String }';
const PUT_ORDER = `export function request(ctx) {
  return { operation: 'PutEvents', events: [{ source: 'shop.orders', detailType: 'OrderPlaced', detail: { id: ctx.args.id, total: ctx.args.total } }] };
}
export function response(ctx) { return ctx.result.Entries[0].EventId; }`;

/** One stack: the API, its EventBridge data source on `bus(stack)`, a resolver putting an order, a rule sending orders to a queue. */
async function synthesize(bus: (stack: Stack) => events.IEventBus): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'appsync-cdk-eventbridge-'));
  await writeFile(join(project, 'schema.graphql'), SCHEMA);
  const app = new App({ outdir: join(project, 'cdk.out') });
  const stack = new Stack(app, 'ShopStack');
  const api = new appsync.GraphqlApi(stack, 'Api', { name: 'shop', definition: appsync.Definition.fromFile(join(project, 'schema.graphql')) });
  api.addEventBridgeDataSource('bus', bus(stack)).createResolver('PlaceOrder', {
    typeName: 'Mutation',
    fieldName: 'placeOrder',
    runtime: appsync.FunctionRuntime.JS_1_0_0,
    code: appsync.Code.fromInline(PUT_ORDER),
  });
  const orders = new sqs.Queue(stack, 'Orders');
  new events.Rule(stack, 'OrdersRule', { eventPattern: { source: ['shop.orders'] }, targets: [new targets.SqsQueue(orders)] });
  app.synth();
  return join(project, 'cdk.out');
}

describe('a CDK EventBridge data source on the default bus', async () => {
  const loaded = await loadConfigFile(await synthesize((stack) => events.EventBus.fromEventBusName(stack, 'Default', 'default')));
  const served = await serve(loaded);
  const sqsClient = new SQSClient({
    endpoint: new URL(served.url).origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  afterAll(() => sqsClient.destroy());

  it('is read as the config’s AMAZON_EVENTBRIDGE data source on the default bus', () => {
    expect((loaded.config.dataSources as Record<string, unknown>).bus).toEqual({
      type: 'AMAZON_EVENTBRIDGE',
      config: { eventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
    });
  });

  it('a resolver’s PutEvents reaches the queue the template’s rule targets', async () => {
    const answer = await served.query('mutation { placeOrder(id: "o-1", total: 42) }');
    expect(answer).toEqual({ data: { placeOrder: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    const queueName = Object.keys(loaded.config.stepFunctions?.queues ?? {}).find((n) => n.startsWith('ShopStack-Orders'))!;
    const { QueueUrl } = await sqsClient.send(new GetQueueUrlCommand({ QueueName: queueName }));
    const { Messages } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    const event = JSON.parse(Messages![0]!.Body!);
    expect(event).toMatchObject({ id: answer.data.placeOrder, source: 'shop.orders', 'detail-type': 'OrderPlaced', detail: { id: 'o-1', total: 42 } });
  });
});

describe('a CDK EventBridge data source on a bus the template creates', () => {
  it('is a load error naming the data source and the bus', async () => {
    const assembly = await synthesize((stack) => new events.EventBus(stack, 'OrdersBus', { eventBusName: 'orders' }));
    await expect(loadConfigFile(assembly)).rejects.toThrow(
      /Resources\.Apibus[0-9A-F]{8}\.Properties\.EventBridgeConfig\.EventBusArn: the event bus arn:aws:events:us-east-1:123456789012:event-bus\/orders is not the default bus/,
    );
  });
});
