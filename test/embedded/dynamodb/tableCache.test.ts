/**
 * The embedded store's cache of decoded table descriptions (src/embedded/dynamodb/tableCache.ts).
 * Two stores in memory, one with the cache and one without, get the same calls: table changes
 * (CreateTable, UpdateTable, DeleteTable, UpdateTimeToLive, TagResource, one that fails midway)
 * interleaved with item calls; every answer and error must be the same on both, and the item calls
 * must see each change as soon as the change was answered. The cache must also serve: repeated item
 * calls read the description once. Table changes made over the store's HTTP endpoint (dynalite's
 * own handler) and a store kept on disk, across a restart, are covered too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { acquireEmbeddedDynamoDB, embeddedDynamoDBStore, releaseEmbeddedDynamoDB } from '../../../src/embedded/dynamodb/index.js';
import { openEmbeddedDynamoDB, type EmbeddedDynamoDBStore } from '../../../src/embedded/dynamodb/store.js';
import type { Server } from 'node:http';

const S = (s: string) => ({ S: s });
const N = (n: number) => ({ N: String(n) });
const T = 'cache_table';

interface Opened {
  server: Server;
  store: EmbeddedDynamoDBStore;
}
let cached: Opened;
let uncached: Opened;

async function open(tableCache: boolean): Promise<Opened> {
  const opened = openEmbeddedDynamoDB({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }, { tableCache });
  await new Promise<void>((resolve) => opened.server.listen(0, '127.0.0.1', resolve));
  return opened;
}

beforeAll(async () => {
  cached = await open(true);
  uncached = await open(false);
});
afterAll(async () => {
  for (const { server } of [cached, uncached]) await new Promise((resolve) => server.close(resolve));
});
afterEach(() => vi.restoreAllMocks());

/** An answer, or an error as DynamoDB sends it; times and ids that differ between two stores left out, batch answers sorted. */
async function outcome(store: EmbeddedDynamoDBStore, operation: string, input: Record<string, unknown>): Promise<unknown> {
  let result: unknown;
  try {
    result = { ok: await store.call(operation, structuredClone(input)) };
  } catch (error) {
    const e = error as { statusCode?: number; body?: unknown };
    result = { error: { statusCode: e.statusCode, body: e.body } };
  }
  return JSON.parse(JSON.stringify(result), (key, value: unknown) => {
    if (/DateTime$|^TableId$/.test(key)) return undefined;
    // BatchGetItem's (dynalite shuffles each table's items).
    if (key === 'Responses' && value && typeof value === 'object' && !Array.isArray(value)) {
      const sorted: Record<string, unknown[]> = {};
      for (const [table, items] of Object.entries(value as Record<string, unknown[]>))
        sorted[table] = items
          .map((i) => JSON.stringify(i))
          .sort()
          .map((i) => JSON.parse(i) as unknown);
      return sorted;
    }
    return value;
  });
}

/** Runs one call on both stores in turn; their outcomes must be equal. Returns the cached store's. */
async function both(
  operation: string,
  input: Record<string, unknown>,
): Promise<{ ok?: Record<string, any>; error?: { body: { __type: string; message?: string } } }> {
  const withCache = await outcome(cached.store, operation, input);
  const without = await outcome(uncached.store, operation, input);
  expect(withCache, `${operation} ${JSON.stringify(input)}`).toEqual(without);
  return withCache as never;
}

const errorType = (r: { error?: { body: { __type: string } } }) => r.error?.body.__type.split('#')[1];

/** A PAY_PER_REQUEST table keyed by a string `id` on both stores, once it is ACTIVE. */
async function createKeyTable(table: string): Promise<void> {
  await both('CreateTable', {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  await untilActive(table);
}

async function untilActive(table: string): Promise<void> {
  for (const { store } of [cached, uncached]) {
    for (;;) {
      const answer = await store.call('DescribeTable', { TableName: table }).catch(() => undefined);
      const description = answer?.Table as { TableStatus?: string; GlobalSecondaryIndexes?: Array<{ IndexStatus?: string }> } | undefined;
      if (description?.TableStatus === 'ACTIVE' && (description.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE')) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

async function untilGone(table: string): Promise<void> {
  for (const { store } of [cached, uncached]) {
    while (
      await store.call('DescribeTable', { TableName: table }).then(
        () => true,
        () => false,
      )
    )
      await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** How often `store` read `table`'s description from its LevelDB while `run` ran. */
async function descriptionReads(store: EmbeddedDynamoDBStore, table: string, run: () => Promise<unknown>): Promise<number> {
  const db = store.dynalite.db;
  const get = vi.spyOn(db, 'get');
  try {
    await run();
    return get.mock.calls.filter(([key]) => key === `table~${table}`).length;
  } finally {
    get.mockRestore();
  }
}

describe('the table description cache of the embedded store', () => {
  it('answers as the uncached store through table changes interleaved with item calls', async () => {
    const byId = { TableName: T, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] };
    expect((await both('CreateTable', { ...byId, BillingMode: 'PAY_PER_REQUEST' })).ok).toBeDefined();
    await untilActive(T);
    await both('PutItem', { TableName: T, Item: { id: S('a'), n: N(1) } });
    expect((await both('GetItem', { TableName: T, Key: { id: S('a') } })).ok?.Item).toEqual({ id: S('a'), n: N(1) });
    await both('Scan', { TableName: T });
    await both('BatchGetItem', { RequestItems: { [T]: { Keys: [{ id: S('a') }, { id: S('b') }] } } });
    await both('BatchWriteItem', { RequestItems: { [T]: [{ PutRequest: { Item: { id: S('b') } } }, { DeleteRequest: { Key: { id: S('c') } } }] } });
    await both('UpdateItem', { TableName: T, Key: { id: S('a') }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': N(1) } });
    await both('GetItem', { TableName: T, Key: { n: N(1) } });

    // Tags and TTL change no description; item calls go on as before.
    const arn = (await both('DescribeTable', { TableName: T })).ok?.Table.TableArn as string;
    await both('TagResource', { ResourceArn: arn, Tags: [{ Key: 'team', Value: 'x' }] });
    await both('ListTagsOfResource', { ResourceArn: arn });
    await both('UpdateTimeToLive', { TableName: T, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } });
    await both('DescribeTimeToLive', { TableName: T });
    await both('GetItem', { TableName: T, Key: { id: S('a') } });

    // UpdateTable: the billing mode changes, the next DescribeTable and item calls see it.
    const updated = await both('UpdateTable', {
      TableName: T,
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    });
    expect(updated.ok?.TableDescription.BillingModeSummary.BillingMode).toBe('PROVISIONED');
    await both('GetItem', { TableName: T, Key: { id: S('a') } });
    await untilActive(T);
    await both('DescribeTable', { TableName: T });

    // DeleteTable: at once the table is gone for item calls.
    await both('DeleteTable', { TableName: T });
    expect(errorType(await both('GetItem', { TableName: T, Key: { id: S('a') } }))).toBe('ResourceNotFoundException');
    expect(errorType(await both('PutItem', { TableName: T, Item: { id: S('z') } }))).toBe('ResourceNotFoundException');
    await untilGone(T);

    // The same name with another key schema and indexes: item calls follow the new schema at once.
    const created = await both('CreateTable', {
      TableName: T,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'N' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'g', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byG',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'g', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      GlobalSecondaryIndexes: [{ IndexName: 'gIndex', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(created.ok?.TableDescription.TableStatus).toBe('CREATING');
    await untilActive(T);
    expect(errorType(await both('GetItem', { TableName: T, Key: { id: S('a') } }))).toBe('ValidationException');
    await both('PutItem', { TableName: T, Item: { pk: N(1), sk: S('x'), g: S('blue'), v: N(1) } });
    await both('PutItem', { TableName: T, Item: { pk: N(1), sk: S('y'), g: S('red') } });
    expect(errorType(await both('PutItem', { TableName: T, Item: { pk: N(2), sk: S('x'), g: N(3) } }))).toBe('ValidationException');
    const byIndex = await both('Query', {
      TableName: T,
      IndexName: 'gIndex',
      KeyConditionExpression: 'g = :g',
      ExpressionAttributeValues: { ':g': S('blue') },
    });
    expect(byIndex.ok?.Items).toEqual([{ pk: N(1), sk: S('x'), g: S('blue'), v: N(1) }]);
    await both('Query', {
      TableName: T,
      IndexName: 'byG',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': N(1) },
      ScanIndexForward: false,
    });
    await both('Scan', { TableName: T, IndexName: 'gIndex', Limit: 1 });
    await both('UpdateItem', { TableName: T, Key: { pk: N(1), sk: S('y') }, UpdateExpression: 'SET g = :g', ExpressionAttributeValues: { ':g': N(1) } });
    await both('DeleteItem', { TableName: T, Key: { pk: N(1), sk: S('y') }, ConditionExpression: 'attribute_exists(nope)' });
    await both('TransactWriteItems', {
      TransactItems: [
        { Update: { TableName: T, Key: { pk: N(1), sk: S('x') }, UpdateExpression: 'SET v = v + :one', ExpressionAttributeValues: { ':one': N(1) } } },
      ],
    });
    await both('TransactGetItems', { TransactItems: [{ Get: { TableName: T, Key: { pk: N(1), sk: S('x') } } }] });
    await both('DescribeTable', { TableName: T });
    await both('DeleteTable', { TableName: T });
    await untilGone(T);
  });

  it('refuses item calls while the stored description says CREATING or DELETING, as dynalite does', async () => {
    // Written to the LevelDB directly, as dynalite's CreateTable and DeleteTable write it, so no timer
    // moves the status on meanwhile.
    const table = `${T}_status`;
    await createKeyTable(table);
    await both('PutItem', { TableName: table, Item: { id: S('a') } });
    const write = async (status: string) => {
      for (const { store } of [cached, uncached]) {
        const description = (await store.call('DescribeTable', { TableName: table })).Table as Record<string, unknown>;
        await new Promise<void>((resolve, reject) =>
          store.dynalite.db.put(`table~${table}`, { ...description, TableStatus: status }, (e) => (e ? reject(e) : resolve())),
        );
      }
    };
    const get = () => both('GetItem', { TableName: table, Key: { id: S('a') } });
    expect((await get()).ok?.Item).toEqual({ id: S('a') });
    for (const status of ['CREATING', 'ACTIVE', 'DELETING', 'UPDATING', 'CREATING']) {
      await write(status);
      const answer = await get();
      if (status === 'CREATING' || status === 'DELETING') expect(errorType(answer), status).toBe('ResourceNotFoundException');
      else expect(answer.ok?.Item, status).toEqual({ id: S('a') });
      await both('Query', { TableName: table, KeyConditionExpression: 'id = :a', ExpressionAttributeValues: { ':a': S('a') } });
      await both('PutItem', { TableName: table, Item: { id: S('b') } });
      await both('DescribeTable', { TableName: table });
    }
    for (const { store } of [cached, uncached])
      await new Promise<void>((resolve, reject) => store.dynalite.db.del(`table~${table}`, (e) => (e ? reject(e) : resolve())));
    expect(errorType(await get())).toBe('ResourceNotFoundException');
  });

  it('keeps no description read before a table write that is answered before the read', async () => {
    const table = `${T}_race`;
    await createKeyTable(table);
    await both('PutItem', { TableName: table, Item: { id: S('a') } });
    const outcomes = [];
    for (const { store } of [cached, uncached]) {
      const description = (await store.call('DescribeTable', { TableName: table })).Table as Record<string, unknown>;
      // Empties the cache's entry, so the next GetItem reads the description.
      await new Promise<void>((resolve, reject) => store.dynalite.db.put(`table~${table}`, description, (e) => (e ? reject(e) : resolve())));
      // The GetItem reads the description now and decodes it; its answer comes after the write
      // below is done (the store answers reads from setImmediate, a write's event comes first).
      const during = outcome(store, 'GetItem', { TableName: table, Key: { id: S('a') } });
      const changed = {
        ...description,
        AttributeDefinitions: [{ AttributeName: 'other', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'other', KeyType: 'HASH' }],
      };
      await new Promise<void>((resolve, reject) => store.dynalite.db.put(`table~${table}`, changed, (e) => (e ? reject(e) : resolve())));
      await during;
      outcomes.push(await outcome(store, 'GetItem', { TableName: table, Key: { id: S('a') } }));
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toMatchObject({ error: { body: { __type: expect.stringMatching(/#ValidationException$/) } } });
    await both('DeleteTable', { TableName: table });
    await untilGone(table);
  });

  it('leaves the description unchanged when a table change fails midway', async () => {
    const table = `${T}_midway`;
    await both('CreateTable', {
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'g', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gIndex',
          KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    });
    await untilActive(table);
    await both('PutItem', { TableName: table, Item: { id: S('a'), g: S('blue') } });
    const before = await both('DescribeTable', { TableName: table });
    // dynalite marks the table UPDATING and raises its throughput in the description it read, then
    // finds the index's throughput unchanged and answers an error without writing it.
    const failed = await both('UpdateTable', {
      TableName: table,
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 },
      GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gIndex', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } }],
    });
    expect(errorType(failed)).toBe('ValidationException');
    expect(await both('DescribeTable', { TableName: table })).toEqual(before);
    expect((await both('GetItem', { TableName: table, Key: { id: S('a') } })).ok?.Item).toEqual({ id: S('a'), g: S('blue') });
    await both('Query', { TableName: table, IndexName: 'gIndex', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': S('blue') } });
    expect(await both('DescribeTable', { TableName: table })).toEqual(before);
    await both('DeleteTable', { TableName: table });
    await untilGone(table);
  });

  it('reads a description once for many item calls, and again after a change', async () => {
    const table = `${T}_reads`;
    const spec = {
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    };
    await both('CreateTable', { ...spec, BillingMode: 'PAY_PER_REQUEST' });
    await untilActive(table);
    await both('PutItem', { TableName: table, Item: { id: S('a') } });
    const calls = async (store: EmbeddedDynamoDBStore) => {
      for (let i = 0; i < 10; i++) await store.call('GetItem', { TableName: table, Key: { id: S('a') } });
      await store.call('Query', { TableName: table, KeyConditionExpression: 'id = :a', ExpressionAttributeValues: { ':a': S('a') } });
      await store.call('PutItem', { TableName: table, Item: { id: S('b') } });
    };
    expect(await descriptionReads(cached.store, table, () => calls(cached.store))).toBeLessThanOrEqual(1);
    expect(await descriptionReads(uncached.store, table, () => calls(uncached.store))).toBe(12);
    await both('UpdateTable', { TableName: table, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } });
    await untilActive(table);
    expect(await descriptionReads(cached.store, table, () => calls(cached.store))).toBe(1);
    await both('DeleteTable', { TableName: table });
    await untilGone(table);
  });

  it('sees table changes made over the HTTP endpoint, which dynalite answers itself', async () => {
    const table = `${T}_http`;
    const port = (cached.server.address() as AddressInfo).port;
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const active = async () => {
      while ((await client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 2));
    };
    const gone = async () => {
      while (
        await client.send(new DescribeTableCommand({ TableName: table })).then(
          () => true,
          () => false,
        )
      )
        await new Promise((r) => setTimeout(r, 2));
    };
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await active();
      await cached.store.call('PutItem', { TableName: table, Item: { id: S('a') } });
      expect((await cached.store.call('GetItem', { TableName: table, Key: { id: S('a') } })).Item).toEqual({ id: S('a') });
      await client.send(new DeleteTableCommand({ TableName: table }));
      await expect(cached.store.call('GetItem', { TableName: table, Key: { id: S('a') } })).rejects.toMatchObject({
        body: { __type: expect.stringMatching(/#ResourceNotFoundException$/) },
      });
      await gone();
      await client.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'n', AttributeType: 'N' }],
          KeySchema: [{ AttributeName: 'n', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await active();
      await expect(cached.store.call('GetItem', { TableName: table, Key: { id: S('a') } })).rejects.toMatchObject({
        body: { __type: expect.stringMatching(/#ValidationException$/) },
      });
      await cached.store.call('PutItem', { TableName: table, Item: { n: N(7) } });
      expect((await cached.store.call('GetItem', { TableName: table, Key: { n: N(7) } })).Item).toEqual({ n: N(7) });
    } finally {
      client.destroy();
    }
  });

  it('keeps working on a store kept on disk, across a restart', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'ddb-desc-disk-')), 'dynamodb');
    const table = `${T}_disk`;
    try {
      const endpoint = await acquireEmbeddedDynamoDB({ path });
      let store = embeddedDynamoDBStore(endpoint)!;
      const spec = (key: string) => ({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      const activeOn = async (s: EmbeddedDynamoDBStore) => {
        while (((await s.call('DescribeTable', { TableName: table })).Table as { TableStatus: string }).TableStatus !== 'ACTIVE')
          await new Promise((r) => setTimeout(r, 2));
      };
      await store.call('CreateTable', spec('id'));
      await activeOn(store);
      await store.call('PutItem', { TableName: table, Item: { id: S('a') } });
      expect((await store.call('GetItem', { TableName: table, Key: { id: S('a') } })).Item).toEqual({ id: S('a') });
      await releaseEmbeddedDynamoDB(endpoint);

      const again = await acquireEmbeddedDynamoDB({ path });
      store = embeddedDynamoDBStore(again)!;
      expect((await store.call('GetItem', { TableName: table, Key: { id: S('a') } })).Item).toEqual({ id: S('a') });
      await store.call('DeleteTable', { TableName: table });
      while (
        await store.call('DescribeTable', { TableName: table }).then(
          () => true,
          () => false,
        )
      )
        await new Promise((r) => setTimeout(r, 2));
      await store.call('CreateTable', spec('key'));
      await activeOn(store);
      await store.call('PutItem', { TableName: table, Item: { key: S('k') } });
      await releaseEmbeddedDynamoDB(again);

      const third = await acquireEmbeddedDynamoDB({ path });
      store = embeddedDynamoDBStore(third)!;
      expect((await store.call('GetItem', { TableName: table, Key: { key: S('k') } })).Item).toEqual({ key: S('k') });
      await expect(store.call('GetItem', { TableName: table, Key: { id: S('a') } })).rejects.toMatchObject({
        body: { __type: expect.stringMatching(/#ValidationException$/) },
      });
      await releaseEmbeddedDynamoDB(third);
    } finally {
      await rm(join(path, '..'), { recursive: true, force: true });
    }
  });
});
