/**
 * An `AMAZON_EVENTBRIDGE` data source built through the management API
 * (docs/management-api.md#data-sources), with the real clients only: CreateDataSource with
 * `eventBridgeConfig` and CreateResolver (client-appsync), a rule and its queue target made with
 * client-eventbridge and client-sqs on the gateway's port, the event read back from the queue.
 */
import * as A from '@aws-sdk/client-appsync';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const DEFAULT_BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
const PUT_ORDER = `export function request(ctx) {
  return { operation: 'PutEvents', events: [{ source: 'shop.orders', detailType: 'OrderPlaced', detail: { id: ctx.args.id } }] };
}
export function response(ctx) { return ctx.result.Entries[0].EventId; }`;

let gw: TestGateway;
let appsync: A.AppSyncClient;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;
beforeAll(async () => {
  gw = await startTestGateway({ config: { name: 'from-file', schemaSdl: 'type Query { ping: String }', authentication: { type: 'API_KEY' } } });
  appsync = new A.AppSyncClient({ endpoint: gw.origin, region: 'us-east-1', credentials, maxAttempts: 1 });
  eventBridge = new EventBridgeClient({ endpoint: gw.origin, region: 'us-east-1', credentials });
  sqs = new SQSClient({ endpoint: gw.origin, region: 'us-east-1', credentials });
});
afterAll(async () => {
  for (const client of [appsync, eventBridge, sqs]) client.destroy();
  await gw?.close();
});

describe('CreateDataSource AMAZON_EVENTBRIDGE', () => {
  let apiId: string;

  it('a resolver on it puts an event that a rule sends to a queue', async () => {
    const { graphqlApi } = await appsync.send(new A.CreateGraphqlApiCommand({ name: 'shop', authenticationType: 'API_KEY' }));
    apiId = graphqlApi!.apiId!;
    const sdl = 'type Query { ping: String }\ntype Mutation { placeOrder(id: ID!): String }';
    await appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode(sdl) }));
    await expect.poll(async () => (await appsync.send(new A.GetSchemaCreationStatusCommand({ apiId }))).status).toBe('SUCCESS');
    const { dataSource } = await appsync.send(
      new A.CreateDataSourceCommand({ apiId, name: 'bus', type: 'AMAZON_EVENTBRIDGE', eventBridgeConfig: { eventBusArn: DEFAULT_BUS } }),
    );
    expect(dataSource).toEqual({
      name: 'bus',
      type: 'AMAZON_EVENTBRIDGE',
      eventBridgeConfig: { eventBusArn: DEFAULT_BUS },
      dataSourceArn: `arn:aws:appsync:us-east-1:123456789012:apis/${apiId}/datasources/bus`,
    });
    expect((await appsync.send(new A.GetDataSourceCommand({ apiId, name: 'bus' }))).dataSource).toEqual(dataSource);
    await appsync.send(
      new A.CreateResolverCommand({
        apiId,
        typeName: 'Mutation',
        fieldName: 'placeOrder',
        dataSourceName: 'bus',
        runtime: { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' },
        code: PUT_ORDER,
      }),
    );
    const { apiKey } = await appsync.send(new A.CreateApiKeyCommand({ apiId }));

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    await eventBridge.send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['shop.orders'] }) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: 'orders', Targets: [{ Id: 'queue', Arn: 'arn:aws:sqs:us-east-1:123456789012:orders' }] }));

    const res = await fetch(`${gw.origin}/apis/${apiId}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey!.id! },
      body: JSON.stringify({ query: 'mutation { placeOrder(id: "o-7") }' }),
    });
    const answer = (await res.json()) as { data: { placeOrder: string } };
    expect(answer).toEqual({ data: { placeOrder: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(JSON.parse(Messages![0]!.Body!)).toMatchObject({ id: answer.data.placeOrder, source: 'shop.orders', detail: { id: 'o-7' } });
  });

  it('a bus other than default, or no eventBridgeConfig, is a BadRequestException naming it; nothing is created', async () => {
    const other = 'arn:aws:events:us-east-1:123456789012:event-bus/orders';
    const refused = await appsync
      .send(new A.CreateDataSourceCommand({ apiId, name: 'orders', type: 'AMAZON_EVENTBRIDGE', eventBridgeConfig: { eventBusArn: other } }))
      .catch((error: Error) => error);
    expect(refused).toBeInstanceOf(A.BadRequestException);
    expect((refused as Error).message).toContain(`eventBridgeConfig.eventBusArn ${other} is not a default event bus`);
    await expect(appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'orders', type: 'AMAZON_EVENTBRIDGE' }))).rejects.toThrow(
      'eventBridgeConfig is required for a data source of type AMAZON_EVENTBRIDGE.',
    );
    expect((await appsync.send(new A.ListDataSourcesCommand({ apiId }))).dataSources?.map((d) => d.name)).toEqual(['bus']);
  });

  it('the config file’s AMAZON_EVENTBRIDGE data source is listed with its bus', async () => {
    // The config file's API of this gateway has none; the CloudFormation input of test/config/cloudformation/eventBridge.test.ts does.
    const served = await startTestGateway({
      config: {
        name: 'with-bus',
        schemaSdl: 'type Query { ping: String }',
        authentication: { type: 'API_KEY' },
        dataSources: { bus: { type: 'AMAZON_EVENTBRIDGE', config: {} } },
      },
    });
    const client = new A.AppSyncClient({ endpoint: served.origin, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const { dataSources } = await client.send(new A.ListDataSourcesCommand({ apiId: 'with-bus' }));
      expect(dataSources).toEqual([
        {
          name: 'bus',
          type: 'AMAZON_EVENTBRIDGE',
          eventBridgeConfig: { eventBusArn: DEFAULT_BUS },
          dataSourceArn: 'arn:aws:appsync:us-east-1:123456789012:apis/with-bus/datasources/bus',
        },
      ]);
    } finally {
      client.destroy();
      await served.close();
    }
  });
});
