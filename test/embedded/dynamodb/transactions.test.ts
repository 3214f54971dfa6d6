/**
 * One case table, three back ends: DynamoDB's transactions, TTL calls and the current item of a
 * failed single-item condition (ReturnValuesOnConditionCheckFailure) against AWS's DynamoDB
 * Local, the embedded store called in memory (the data sources' path, no SDK) and the embedded store
 * through the AWS SDK over its HTTP endpoint. Every case expects one answer — value or error, with
 * its name, message and cancellation reasons — and each back end must give exactly that.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { embeddedApi, sdkApi, type DynamoDBApi } from '../../../src/datasources/dynamodb/api.js';
import { acquireEmbeddedDynamoDB, embeddedDynamoDBStore, releaseEmbeddedDynamoDB } from '../../../src/embedded/dynamodb/index.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sdkOn = (endpoint: string) => sdkApi(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }));

export const backends: Array<{ name: string; skip: () => string; open: () => Promise<DynamoDBApi>; close?: () => Promise<void> }> = [
  { name: 'DynamoDB Local', skip: () => inject('dynamodbLocalSkipReason'), open: async () => sdkOn(inject('dynamodbLocalUrl')) },
  {
    name: 'the embedded store in memory',
    skip: () => '',
    open: async () => {
      await acquireEmbeddedDynamoDB();
      return embeddedApi(embeddedDynamoDBStore()!);
    },
    close: () => releaseEmbeddedDynamoDB(),
  },
  { name: 'the embedded store over HTTP', skip: () => '', open: async () => sdkOn(await acquireEmbeddedDynamoDB()), close: () => releaseEmbeddedDynamoDB() },
];

type Outcome = { ok: Record<string, unknown> } | { error: Record<string, unknown> };

/** An answer or error with only what the case table compares. */
async function outcome(promise: Promise<unknown>): Promise<Outcome> {
  try {
    const { $metadata: _m, ConsumedCapacity: _c, ...rest } = (await promise) as Record<string, unknown>;
    return { ok: rest };
  } catch (error) {
    const e = error as { name: string; message: string; CancellationReasons?: unknown; Item?: unknown };
    return {
      error: {
        name: e.name,
        message: e.message,
        ...(e.CancellationReasons ? { CancellationReasons: e.CancellationReasons } : {}),
        ...(e.Item ? { Item: e.Item } : {}),
      },
    };
  }
}

const S = (s: string) => ({ S: s });
const N = (n: number) => ({ N: String(n) });
const cancelled = (codes: string[]) => `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`;

for (const backend of backends) {
  describe.skipIf(!!backend.skip())(`transactions and TTL on ${backend.name}${backend.skip() ? ` (skipped: ${backend.skip()})` : ''}`, () => {
    let api: DynamoDBApi;
    const T = `tx_${backend.name.replace(/\W/g, '')}_${Date.now()}`;
    const put = (id: string, extra: Record<string, unknown> = {}) => api.call('PutItem', { TableName: T, Item: { id: S(id), ...extra } });
    const get = async (id: string) => (await api.call('GetItem', { TableName: T, Key: { id: S(id) }, ConsistentRead: true })).Item;

    beforeAll(async () => {
      api = await backend.open();
      await api.call('CreateTable', {
        TableName: T,
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'city', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byCity', KeySchema: [{ AttributeName: 'city', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      for (let i = 0; (await api.call('DescribeTable', { TableName: T })).Table?.TableStatus !== 'ACTIVE' && i < 200; i++)
        await new Promise((r) => setTimeout(r, 25));
    });
    afterAll(async () => backend.close?.());

    it('TransactWriteItems: Put, Update, Delete and ConditionCheck all apply, indexes included', async () => {
      await put('w-upd', { n: N(1) });
      await put('w-del');
      await put('w-chk', { open: { BOOL: true } });
      const out = await outcome(
        api.call('TransactWriteItems', {
          TransactItems: [
            { Put: { TableName: T, Item: { id: S('w-put'), city: S('Faro') }, ConditionExpression: 'attribute_not_exists(id)' } },
            {
              Update: {
                TableName: T,
                Key: { id: S('w-upd') },
                UpdateExpression: 'SET n = n + :one, city = :c',
                ExpressionAttributeValues: { ':one': N(1), ':c': S('Faro') },
              },
            },
            { Delete: { TableName: T, Key: { id: S('w-del') } } },
            {
              ConditionCheck: {
                TableName: T,
                Key: { id: S('w-chk') },
                ConditionExpression: '#o = :t',
                ExpressionAttributeNames: { '#o': 'open' },
                ExpressionAttributeValues: { ':t': { BOOL: true } },
              },
            },
          ],
        }),
      );
      expect(out).toEqual({ ok: {} });
      expect(await get('w-put')).toEqual({ id: S('w-put'), city: S('Faro') });
      expect(await get('w-upd')).toEqual({ id: S('w-upd'), n: N(2), city: S('Faro') });
      expect(await get('w-del')).toBeUndefined();
      const byCity = await api.call('Query', {
        TableName: T,
        IndexName: 'byCity',
        KeyConditionExpression: 'city = :c',
        ExpressionAttributeValues: { ':c': S('Faro') },
      });
      expect(byCity.Items?.map((i) => i.id?.S).sort()).toEqual(['w-put', 'w-upd']);
    });

    it('a failed condition cancels every action; reasons in request order, the old item where asked', async () => {
      await put('c-a', { n: N(5) });
      await put('c-b', { n: N(1) });
      const out = await outcome(
        api.call('TransactWriteItems', {
          TransactItems: [
            { Update: { TableName: T, Key: { id: S('c-b') }, UpdateExpression: 'SET n = :z', ExpressionAttributeValues: { ':z': N(0) } } },
            {
              ConditionCheck: {
                TableName: T,
                Key: { id: S('c-a') },
                ConditionExpression: 'n > :v',
                ExpressionAttributeValues: { ':v': N(10) },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Delete: {
                TableName: T,
                Key: { id: S('c-missing') },
                ConditionExpression: 'attribute_exists(id)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            { Put: { TableName: T, Item: { id: S('c-a2') }, ConditionExpression: 'attribute_not_exists(id)' } },
          ],
        }),
      );
      expect(out).toEqual({
        error: {
          name: 'TransactionCanceledException',
          message: cancelled(['None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None']),
          CancellationReasons: [
            { Code: 'None' },
            { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed.', Item: { id: S('c-a'), n: N(5) } },
            { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
            { Code: 'None' },
          ],
        },
      });
      expect(await get('c-b')).toEqual({ id: S('c-b'), n: N(1) });
      expect(await get('c-a2')).toBeUndefined();
    });

    it('a Put whose condition fails returns the old item with ALL_OLD', async () => {
      await put('p-old', { v: S('x') });
      const out = await outcome(
        api.call('TransactWriteItems', {
          TransactItems: [
            {
              Put: { TableName: T, Item: { id: S('p-old') }, ConditionExpression: 'attribute_not_exists(id)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
            },
          ],
        }),
      );
      expect(out).toEqual({
        error: {
          name: 'TransactionCanceledException',
          message: cancelled(['ConditionalCheckFailed']),
          CancellationReasons: [{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { id: S('p-old'), v: S('x') } }],
        },
      });
    });

    it('single-item writes with ReturnValuesOnConditionCheckFailure return the current item with a failed condition', async () => {
      await put('r-1', { n: N(5) });
      const check = { ConditionExpression: 'n > :v', ExpressionAttributeValues: { ':v': N(9) }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
      const failed = { error: { name: 'ConditionalCheckFailedException', message: 'The conditional request failed', Item: { id: S('r-1'), n: N(5) } } };
      expect(await outcome(api.call('PutItem', { TableName: T, Item: { id: S('r-1') }, ...check }))).toEqual(failed);
      expect(await outcome(api.call('UpdateItem', { TableName: T, Key: { id: S('r-1') }, UpdateExpression: 'SET n = :v', ...check }))).toEqual(failed);
      expect(await outcome(api.call('DeleteItem', { TableName: T, Key: { id: S('r-1') }, ...check }))).toEqual(failed);
      expect(
        await outcome(
          api.call('DeleteItem', {
            TableName: T,
            Key: { id: S('r-none') },
            ConditionExpression: 'attribute_exists(id)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      ).toEqual({
        error: { name: 'ConditionalCheckFailedException', message: 'The conditional request failed' },
      });
      // Without it, no item.
      expect(
        await outcome(
          api.call('DeleteItem', { TableName: T, Key: { id: S('r-1') }, ConditionExpression: 'n > :v', ExpressionAttributeValues: { ':v': N(9) } }),
        ),
      ).toEqual({
        error: { name: 'ConditionalCheckFailedException', message: 'The conditional request failed' },
      });
    });

    it('an update of a key attribute cancels with that one reason; with that one reason; a key of the wrong type is a reason in its place', async () => {
      await put('v-a');
      const keyUpdate = { Update: { TableName: T, Key: { id: S('v-a') }, UpdateExpression: 'SET id = :v', ExpressionAttributeValues: { ':v': S('q') } } };
      const wrongType = { Delete: { TableName: T, Key: { id: N(1) } } };
      const first = await outcome(api.call('TransactWriteItems', { TransactItems: [{ Put: { TableName: T, Item: { id: S('v-b') } } }, keyUpdate, wrongType] }));
      expect(first).toEqual({
        error: {
          name: 'TransactionCanceledException',
          message: cancelled(['ValidationError']),
          CancellationReasons: [
            { Code: 'ValidationError', Message: 'One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key' },
          ],
        },
      });
      // The updates are checked before anything else, whatever their place.
      expect(await outcome(api.call('TransactWriteItems', { TransactItems: [wrongType, keyUpdate] }))).toEqual(first);
      const second = await outcome(api.call('TransactWriteItems', { TransactItems: [{ Put: { TableName: T, Item: { id: S('v-b') } } }, wrongType] }));
      // A key of the wrong type is a reason in its place.
      expect(second).toEqual({
        error: {
          name: 'TransactionCanceledException',
          message: cancelled(['None', 'ValidationError']),
          CancellationReasons: [{ Code: 'None' }, { Code: 'ValidationError', Message: 'One or more parameter values were invalid: Type mismatch for key' }],
        },
      });
      expect(await get('v-b')).toBeUndefined();
    });

    const refused: Array<{ name: string; items: () => unknown[]; error: Record<string, unknown> }> = [
      {
        name: '101 items',
        items: () => Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: T, Item: { id: S(`many-${i}`) } } })),
        error: { name: 'ValidationException', message: 'Member must have length less than or equal to 100' },
      },
      {
        name: 'no items',
        items: () => [],
        error: {
          name: 'ValidationException',
          message: "Value [] at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
        },
      },
      {
        name: 'the same item twice',
        items: () => [{ Put: { TableName: T, Item: { id: S('twice') } } }, { Delete: { TableName: T, Key: { id: S('twice') } } }],
        error: { name: 'ValidationException', message: 'Transaction request cannot include multiple operations on one item' },
      },
      {
        name: 'a condition on a missing table',
        items: () => [
          { Put: { TableName: T, Item: { id: S('z') } } },
          { ConditionCheck: { TableName: 'no_such_table', Key: { id: S('a') }, ConditionExpression: 'attribute_exists(id)' } },
        ],
        error: { name: 'ResourceNotFoundException', message: 'Cannot do operations on a non-existent table' },
      },
      {
        name: 'two actions in one entry',
        items: () => [{ Put: { TableName: T, Item: { id: S('b') } }, Delete: { TableName: T, Key: { id: S('a') } } }],
        error: { name: 'ValidationException', message: 'TransactItems can only contain one of Check, Put, Update or Delete' },
      },
      {
        name: 'a ConditionCheck without a condition',
        items: () => [{ ConditionCheck: { TableName: T, Key: { id: S('a') } } }],
        error: {
          name: 'ValidationException',
          message: "Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
        },
      },
      {
        name: 'a key without its hash attribute',
        items: () => [{ Delete: { TableName: T, Key: { other: S('a') } } }],
        error: { name: 'ValidationException', message: 'One of the required keys was not given a value' },
      },
      {
        name: 'a key with an attribute that is not a key attribute',
        items: () => [{ Delete: { TableName: T, Key: { id: S('a'), n: N(1) } } }],
        error: { name: 'ValidationException', message: 'The number of conditions on the keys is invalid' },
      },
      {
        name: 'a table name too short',
        items: () => [{ Put: { TableName: 'ab', Item: { id: S('a') } } }],
        error: {
          name: 'ValidationException',
          message:
            "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'",
        },
      },
      {
        name: 'an item too large',
        items: () => [{ Put: { TableName: T, Item: { id: S('o-b'), big: S('x'.repeat(410_000)) } } }],
        error: { name: 'ValidationException', message: 'Item size has exceeded the maximum allowed size' },
      },
      {
        name: 'an update adding to a string',
        items: () => [
          { Put: { TableName: T, Item: { id: S('o-b') } } },
          {
            Update: {
              TableName: T,
              Key: { id: S('v-a') },
              UpdateExpression: 'SET s = if_not_exists(s, :s) + :one',
              ExpressionAttributeValues: { ':s': S('x'), ':one': N(1) },
            },
          },
        ],
        error: { name: 'ValidationException', message: 'An operand in the update expression has an incorrect data type' },
      },
      {
        name: 'a value no expression uses',
        items: () => [{ Put: { TableName: T, Item: { id: S('b') }, ExpressionAttributeValues: { ':v': N(1) } } }],
        error: { name: 'ValidationException', message: 'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null' },
      },
    ];
    for (const c of refused) {
      it(`TransactWriteItems refuses ${c.name} as a whole`, async () => {
        expect(await outcome(api.call('TransactWriteItems', { TransactItems: c.items() as never }))).toEqual({ error: c.error });
        expect(await get('o-b')).toBeUndefined();
      });
    }

    it('ClientRequestToken: a repeat within ten minutes answers again without writing; other parameters are a mismatch', async () => {
      await put('tok', { n: N(0) });
      const token = `token-${T}`;
      const request = {
        ClientRequestToken: token,
        TransactItems: [{ Update: { TableName: T, Key: { id: S('tok') }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': N(1) } } }],
      };
      expect(await outcome(api.call('TransactWriteItems', request))).toEqual({ ok: {} });
      expect(await outcome(api.call('TransactWriteItems', request))).toEqual({ ok: {} });
      expect(await get('tok')).toEqual({ id: S('tok'), n: N(1) });
      const other = await outcome(
        api.call('TransactWriteItems', { ClientRequestToken: token, TransactItems: [{ Put: { TableName: T, Item: { id: S('tok-other') } } }] }),
      );
      expect(other).toEqual({ error: { name: 'IdempotentParameterMismatchException', message: 'UnknownError' } });
    });

    it('TransactGetItems: items in request order, {} for a missing one, projections', async () => {
      await put('g-1', { n: N(1), city: S('Braga') });
      await put('g-2', { n: N(2) });
      const out = await outcome(
        api.call('TransactGetItems', {
          TransactItems: [
            { Get: { TableName: T, Key: { id: S('g-2') } } },
            { Get: { TableName: T, Key: { id: S('g-none') } } },
            { Get: { TableName: T, Key: { id: S('g-1') }, ProjectionExpression: '#c', ExpressionAttributeNames: { '#c': 'city' } } },
          ],
        }),
      );
      expect(out).toEqual({ ok: { Responses: [{ Item: { id: S('g-2'), n: N(2) } }, {}, { Item: { city: S('Braga') } }] } });
    });

    it('TransactGetItems refuses a key of the wrong type or shape as DynamoDB Local does', async () => {
      const get = (Key: Record<string, unknown>) => outcome(api.call('TransactGetItems', { TransactItems: [{ Get: { TableName: T, Key: Key as never } }] }));
      expect(await get({ id: N(1) })).toEqual({
        error: { name: 'TransactionCanceledException', message: 'One or more parameter values were invalid: Type mismatch for key' },
      });
      expect(await get({ id: S('g-1'), n: N(1) })).toEqual({
        error: { name: 'TransactionCanceledException', message: 'The number of conditions on the keys is invalid' },
      });
      expect(await get({ other: S('g-1') })).toEqual({
        error: { name: 'TransactionCanceledException', message: 'One of the required keys was not given a value' },
      });
    });

    it('TransactGetItems refuses the same item twice, a missing table and 101 items', async () => {
      const twice = await outcome(
        api.call('TransactGetItems', { TransactItems: [{ Get: { TableName: T, Key: { id: S('g-1') } } }, { Get: { TableName: T, Key: { id: S('g-1') } } }] }),
      );
      expect(twice).toEqual({ error: { name: 'ValidationException', message: 'Transaction request cannot include multiple operations on one item' } });
      const missing = await outcome(api.call('TransactGetItems', { TransactItems: [{ Get: { TableName: 'no_such_table', Key: { id: S('g-1') } } }] }));
      expect(missing).toEqual({ error: { name: 'ResourceNotFoundException', message: 'Cannot do operations on a non-existent table' } });
      const many = await outcome(
        api.call('TransactGetItems', { TransactItems: Array.from({ length: 101 }, (_, i) => ({ Get: { TableName: T, Key: { id: S(`m${i}`) } } })) }),
      );
      expect(many).toEqual({ error: { name: 'ValidationException', message: 'Member must have length less than or equal to 100' } });
    });

    it('UpdateTimeToLive / DescribeTimeToLive answer as DynamoDB does', async () => {
      const ttl = (AttributeName: string, Enabled: boolean) =>
        outcome(api.call('UpdateTimeToLive', { TableName: T, TimeToLiveSpecification: { AttributeName, Enabled } }));
      const describe = () => outcome(api.call('DescribeTimeToLive', { TableName: T }));
      expect(await describe()).toEqual({ ok: { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } } });
      expect(await ttl('exp', false)).toEqual({ error: { name: 'ValidationException', message: 'TimeToLive is already disabled' } });
      expect(await ttl('exp', true)).toEqual({ ok: { TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true } } });
      expect(await describe()).toEqual({ ok: { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' } } });
      expect(await ttl('exp', true)).toEqual({ error: { name: 'ValidationException', message: 'TimeToLive is already enabled' } });
      expect(await ttl('other', true)).toEqual({ error: { name: 'ValidationException', message: 'TimeToLive is active on a different AttributeName' } });
      expect(await ttl('other', false)).toEqual({ error: { name: 'ValidationException', message: 'TimeToLive is active on a different AttributeName' } });
      expect(await outcome(api.call('DescribeTimeToLive', { TableName: 'no_such_table' }))).toEqual({
        error: { name: 'ResourceNotFoundException', message: 'Cannot do operations on a non-existent table' },
      });
      expect(
        await outcome(api.call('UpdateTimeToLive', { TableName: 'no_such_table', TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true } })),
      ).toEqual({
        error: { name: 'ResourceNotFoundException', message: 'Cannot do operations on a non-existent table' },
      });
      expect(await ttl('exp', false)).toEqual({ ok: { TimeToLiveSpecification: { AttributeName: 'exp', Enabled: false } } });
      expect(await describe()).toEqual({ ok: { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } } });
    });
  });
}
