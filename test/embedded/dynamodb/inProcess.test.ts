/**
 * The embedded store reached in memory: the SDK client's endpoint is a port nothing listens on,
 * so every answer below came through the in-process handler, not the network.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireEmbeddedDynamoDB, embeddedDynamoDBRequestHandler, releaseEmbeddedDynamoDB } from '../../../src/embedded/dynamodb/index.js';

let client: DynamoDBClient;
beforeAll(async () => {
  await acquireEmbeddedDynamoDB();
  const requestHandler = embeddedDynamoDBRequestHandler();
  expect(requestHandler).toBeDefined();
  client = new DynamoDBClient({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler,
    maxAttempts: 1,
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'in-process',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // The store makes a new table ACTIVE on a timer, as DynamoDB does after a while.
  while ((await client.send(new DescribeTableCommand({ TableName: 'in-process' }))).Table?.TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 5));
});
afterAll(async () => {
  client?.destroy();
  await releaseEmbeddedDynamoDB();
});

describe('embedded DynamoDB in memory', () => {
  it('writes and reads items without a socket', async () => {
    await client.send(new PutItemCommand({ TableName: 'in-process', Item: { id: { S: 'a' }, n: { N: '7' }, note: { S: 'héllo ✓' } } }));
    const { Item } = await client.send(new GetItemCommand({ TableName: 'in-process', Key: { id: { S: 'a' } } }));
    expect(Item).toEqual({ id: { S: 'a' }, n: { N: '7' }, note: { S: 'héllo ✓' } });
  });

  it('gives the store errors as the SDK would get them over HTTP', async () => {
    const error = await client.send(new GetItemCommand({ TableName: 'no-such-table', Key: { id: { S: 'a' } } })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    const conditional = await client
      .send(new PutItemCommand({ TableName: 'in-process', Item: { id: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(id)' }))
      .catch((e: unknown) => e);
    expect(conditional).toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('serves the operations the gateway adds to dynalite (transactions, TTL) too', async () => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: 'in-process', Item: { id: { S: 't1' } } } }, { Put: { TableName: 'in-process', Item: { id: { S: 't2' } } } }],
      }),
    );
    const { Responses } = await client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'in-process', Key: { id: { S: 't2' } } } }] }));
    expect(Responses).toEqual([{ Item: { id: { S: 't2' } } }]);
    expect((await client.send(new DescribeTimeToLiveCommand({ TableName: 'in-process' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
  });

  it('refuses a request whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await client
      .send(new GetItemCommand({ TableName: 'in-process', Key: { id: { S: 'a' } } }), { abortSignal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
  });
});
