/**
 * The two ways a data source reaches the embedded store give the same answers and the same errors:
 * in memory without the SDK (embeddedApi) and through the AWS SDK over the store's HTTP port
 * (sdkApi) — the path every data source took before. Same store, same calls, compared whole.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedApi, sdkApi, type DynamoDBApi, type DynamoDBOperation } from '../../../src/datasources/dynamodb/api.js';
import { acquireEmbeddedDynamoDB, embeddedDynamoDBStore, releaseEmbeddedDynamoDB } from '../../../src/embedded/dynamodb/index.js';

let direct: DynamoDBApi;
let viaSdk: DynamoDBApi;
let client: DynamoDBClient;
const T = `api_${Date.now()}`;
const bytes = (s: string) => new Uint8Array(Buffer.from(s));

beforeAll(async () => {
  const endpoint = await acquireEmbeddedDynamoDB();
  direct = embeddedApi(embeddedDynamoDBStore()!);
  client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  viaSdk = sdkApi(client);
  await direct.call('CreateTable', {
    TableName: T,
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'city', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [{ IndexName: 'byCity', KeySchema: [{ AttributeName: 'city', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  while ((await direct.call('DescribeTable', { TableName: T })).Table?.TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 5));
  await direct.call('PutItem', {
    TableName: T,
    Item: {
      id: { S: 'a' },
      city: { S: 'Porto' },
      n: { N: '1' },
      blob: { B: bytes('héllo') },
      blobs: { BS: [bytes('x'), bytes('y')] },
      nested: { M: { B: { S: 'an attribute named B' } } },
    },
  });
});
afterAll(async () => {
  client?.destroy();
  await releaseEmbeddedDynamoDB();
});

async function outcome(api: DynamoDBApi, operation: DynamoDBOperation, input: unknown) {
  try {
    const { $metadata: _m, ...out } = (await api.call(operation, input as never)) as Record<string, unknown>;
    return { ok: out };
  } catch (error) {
    const { name, message, $fault, $metadata, ...fields } = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number } };
    // The SDK keeps its own bookkeeping on errors; the data source reads name, message and DynamoDB's fields.
    delete (fields as Record<string, unknown>).$response;
    delete (fields as Record<string, unknown>).$retryable;
    return { error: { name, message, $fault, status: $metadata?.httpStatusCode, ...fields } };
  }
}

const cases: Array<[string, DynamoDBOperation, unknown]> = [
  ['GetItem with bytes, a byte set and an attribute named B', 'GetItem', { TableName: T, Key: { id: { S: 'a' } } }],
  ['GetItem of nothing', 'GetItem', { TableName: T, Key: { id: { S: 'none' } } }],
  [
    'Query on an index',
    'Query',
    { TableName: T, IndexName: 'byCity', KeyConditionExpression: 'city = :c', ExpressionAttributeValues: { ':c': { S: 'Porto' } } },
  ],
  ['a missing table', 'GetItem', { TableName: 'no_such_table', Key: { id: { S: 'a' } } }],
  ['a key of the wrong type', 'GetItem', { TableName: T, Key: { id: { N: '1' } } }],
  ['a missing index', 'Query', { TableName: T, IndexName: 'nope', KeyConditionExpression: 'city = :c', ExpressionAttributeValues: { ':c': { S: 'Porto' } } }],
  ['a value no expression uses', 'PutItem', { TableName: T, Item: { id: { S: 'b' } }, ExpressionAttributeValues: { ':v': { N: '1' } } }],
  ['an expression that does not parse', 'UpdateItem', { TableName: T, Key: { id: { S: 'a' } }, UpdateExpression: 'SET = 1' }],
  [
    'a failed condition',
    'PutItem',
    { TableName: T, Item: { id: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(id)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
  ],
  [
    'an operand of the wrong type',
    'UpdateItem',
    { TableName: T, Key: { id: { S: 'a' } }, UpdateExpression: 'SET city = city + :one', ExpressionAttributeValues: { ':one': { N: '1' } } },
  ],
  ['an empty batch', 'BatchWriteItem', { RequestItems: {} }],
  [
    'a cancelled transaction',
    'TransactWriteItems',
    {
      TransactItems: [
        {
          ConditionCheck: {
            TableName: T,
            Key: { id: { S: 'a' } },
            ConditionExpression: 'n > :v',
            ExpressionAttributeValues: { ':v': { N: '5' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    },
  ],
];

describe('the embedded store in memory and through the SDK', () => {
  for (const [name, operation, input] of cases) {
    it(`${name}: the same answer`, async () => {
      const a = await outcome(direct, operation, structuredClone(input));
      const b = await outcome(viaSdk, operation, structuredClone(input));
      expect(a).toEqual(b);
      const item = 'ok' in a ? (a.ok?.Item as { blob?: { B: Uint8Array } } | undefined) : undefined;
      if (operation === 'GetItem' && item?.blob) expect(item.blob.B).toEqual(bytes('héllo'));
    });
  }
});
