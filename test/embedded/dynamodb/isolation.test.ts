/**
 * The embedded store's transactions under concurrency, and TTL expiry, also across a restart of a
 * store kept on disk (DynamoDB Local neither isolates by waiting nor deletes expired items, so these
 * cases run on the embedded store only, in memory and over HTTP).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedApi, sdkApi, type DynamoDBApi } from '../../../src/datasources/dynamodb/api.js';
import { acquireEmbeddedDynamoDB, embeddedDynamoDBStore, releaseEmbeddedDynamoDB } from '../../../src/embedded/dynamodb/index.js';
import { TTL_SWEEP_MS } from '../../../src/embedded/dynamodb/ttl.js';

const S = (s: string) => ({ S: s });
const N = (n: number) => ({ N: String(n) });

let inMemory: DynamoDBApi;
let overHttp: DynamoDBApi;
const T = `iso_${Date.now()}`;

beforeAll(async () => {
  const endpoint = await acquireEmbeddedDynamoDB();
  inMemory = embeddedApi(embeddedDynamoDBStore()!);
  overHttp = sdkApi(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }));
  await inMemory.call('CreateTable', {
    TableName: T,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  while ((await inMemory.call('DescribeTable', { TableName: T })).Table?.TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 5));
});
afterAll(() => releaseEmbeddedDynamoDB());

const num = (item: Record<string, { N?: string }> | undefined, name: string) => Number(item?.[name]?.N);

describe('isolation on the embedded store', () => {
  it('transfers, single-item writes and TransactGetItems interleave without a reader seeing half a transfer', async () => {
    await inMemory.call('PutItem', { TableName: T, Item: { id: S('acct-a'), balance: N(1000), touched: N(0) } });
    await inMemory.call('PutItem', { TableName: T, Item: { id: S('acct-b'), balance: N(1000), touched: N(0) } });
    const transfer = (api: DynamoDBApi, from: string, to: string) =>
      api.call('TransactWriteItems', {
        TransactItems: [
          {
            Update: {
              TableName: T,
              Key: { id: S(from) },
              UpdateExpression: 'SET balance = balance - :x',
              ConditionExpression: 'balance >= :x',
              ExpressionAttributeValues: { ':x': N(7) },
            },
          },
          { Update: { TableName: T, Key: { id: S(to) }, UpdateExpression: 'SET balance = balance + :x', ExpressionAttributeValues: { ':x': N(7) } } },
        ],
      });
    // Plain UpdateItem calls on the same items: they must not be lost between a transfer's read and write.
    const touch = (api: DynamoDBApi, id: string) =>
      api.call('UpdateItem', {
        TableName: T,
        Key: { id: S(id) },
        UpdateExpression: 'SET touched = touched + :one',
        ExpressionAttributeValues: { ':one': N(1) },
      });
    const sums: number[] = [];
    const read = async (api: DynamoDBApi) => {
      const out = await api.call('TransactGetItems', {
        TransactItems: [{ Get: { TableName: T, Key: { id: S('acct-a') } } }, { Get: { TableName: T, Key: { id: S('acct-b') } } }],
      });
      sums.push(num(out.Responses?.[0]?.Item, 'balance') + num(out.Responses?.[1]?.Item, 'balance'));
    };
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 60; i++) {
      const api = i % 2 ? inMemory : overHttp;
      work.push(transfer(api, i % 3 ? 'acct-a' : 'acct-b', i % 3 ? 'acct-b' : 'acct-a'), touch(api, i % 2 ? 'acct-a' : 'acct-b'), read(api));
    }
    await Promise.all(work);
    const a = (await inMemory.call('GetItem', { TableName: T, Key: { id: S('acct-a') } })).Item;
    const b = (await inMemory.call('GetItem', { TableName: T, Key: { id: S('acct-b') } })).Item;
    expect(num(a, 'balance') + num(b, 'balance')).toBe(2000);
    // 40 transfers one way and 20 the other, 7 each.
    expect(num(a, 'balance')).toBe(1000 - 7 * 40 + 7 * 20);
    expect(num(a, 'touched') + num(b, 'touched')).toBe(60);
    expect(sums).toHaveLength(60);
    expect(new Set(sums)).toEqual(new Set([2000]));
  });
});

describe('ClientRequestToken on the embedded store', () => {
  it('concurrent calls with one token write once; each answers as the first did', async () => {
    await inMemory.call('PutItem', { TableName: T, Item: { id: S('tok-c'), n: N(0) } });
    const request = {
      ClientRequestToken: `concurrent-${T}`,
      TransactItems: [{ Update: { TableName: T, Key: { id: S('tok-c') }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': N(1) } } }],
    };
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? inMemory : overHttp).call('TransactWriteItems', structuredClone(request))));
    expect(answers.map((answer) => Object.keys(answer).filter((k) => k !== '$metadata'))).toEqual(Array.from({ length: 12 }, () => []));
    expect((await inMemory.call('GetItem', { TableName: T, Key: { id: S('tok-c') } })).Item).toEqual({ id: S('tok-c'), n: N(1) });
  });
});

describe('TTL on the embedded store', () => {
  it(`deletes expired items within ${TTL_SWEEP_MS} ms and a little; not live ones, not ones five years past, not non-numbers`, async () => {
    const TT = `${T}_ttl`;
    await overHttp.call('CreateTable', {
      TableName: TT,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    while ((await inMemory.call('DescribeTable', { TableName: TT })).Table?.TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 5));
    await overHttp.call('UpdateTimeToLive', { TableName: TT, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    const now = Math.floor(Date.now() / 1000);
    const items = { expired: N(now - 1), soon: N(now + 1), live: N(now + 3600), ancient: N(now - 6 * 365 * 24 * 3600), text: S(String(now - 1)) };
    for (const [id, expiresAt] of Object.entries(items)) await overHttp.call('PutItem', { TableName: TT, Item: { id: S(id), expiresAt } });
    const ids = async () => ((await inMemory.call('Scan', { TableName: TT })).Items ?? []).map((i) => i.id!.S).sort();
    const deadline = Date.now() + 2000 + 2 * TTL_SWEEP_MS;
    while ((await ids()).includes('soon') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ids()).toEqual(['ancient', 'live', 'text']);
    // With TTL turned off nothing expires.
    await overHttp.call('UpdateTimeToLive', { TableName: TT, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: false } });
    await overHttp.call('PutItem', { TableName: TT, Item: { id: S('kept'), expiresAt: N(now - 10) } });
    await new Promise((r) => setTimeout(r, 2 * TTL_SWEEP_MS + 200));
    expect(await ids()).toContain('kept');
  });
});

describe('TTL on an embedded store kept on disk', () => {
  it('keeps the setting across a restart and expires items after it', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'ddb-ttl-disk-')), 'dynamodb');
    try {
      const first = await acquireEmbeddedDynamoDB({ path });
      const api = embeddedApi(embeddedDynamoDBStore(first)!);
      const TT = 'ttl_disk';
      await api.call('CreateTable', {
        TableName: TT,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      while ((await api.call('DescribeTable', { TableName: TT })).Table?.TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 5));
      await api.call('UpdateTimeToLive', { TableName: TT, TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true } });
      await api.call('PutItem', { TableName: TT, Item: { id: S('later'), exp: N(Math.floor(Date.now() / 1000) + 2) } });
      await releaseEmbeddedDynamoDB(first);

      const second = await acquireEmbeddedDynamoDB({ path });
      try {
        const again = embeddedApi(embeddedDynamoDBStore(second)!);
        expect((await again.call('DescribeTimeToLive', { TableName: TT })).TimeToLiveDescription).toEqual({
          TimeToLiveStatus: 'ENABLED',
          AttributeName: 'exp',
        });
        expect((await again.call('GetItem', { TableName: TT, Key: { id: S('later') } })).Item).toBeDefined();
        const deadline = Date.now() + 3000 + 2 * TTL_SWEEP_MS;
        while ((await again.call('GetItem', { TableName: TT, Key: { id: S('later') } })).Item && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        expect((await again.call('GetItem', { TableName: TT, Key: { id: S('later') } })).Item).toBeUndefined();
      } finally {
        await releaseEmbeddedDynamoDB(second);
      }
    } finally {
      await rm(join(path, '..'), { recursive: true, force: true });
    }
  });
});
