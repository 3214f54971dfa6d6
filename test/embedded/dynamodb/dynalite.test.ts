/**
 * dynalite as the embedded store uses it (src/embedded/dynamodb/dynalite.ts). Scans and queries
 * leave no LevelDB iterator open. The embedded store's GetItem shortcut (src/embedded/dynamodb/dynalite.ts `plainGetItem`) gives
 * what dynalite's whole validation gives: for each request below, the store's answer or error is
 * compared whole with the one of dynalite's own check (checkTypes and checkValidations, as its HTTP
 * handler runs them) followed by the same action. Requests of the data sources' shape take the
 * shortcut (checked, so a case cannot drift off it unseen), and among them are ones dynalite refuses
 * (a bad number, an empty string key, a missing table); every other shape must go the whole way.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { acquireEmbeddedDynamoDB, embeddedDynamoDBStore, releaseEmbeddedDynamoDB, type EmbeddedDynamoDBStore } from '../../../src/embedded/dynamodb/index.js';
import { plainGetItem, runAction, validatedByDynalite } from '../../../src/embedded/dynamodb/dynalite.js';

const S = `getitem_s_${Date.now()}`;
const NS = `getitem_ns_${Date.now()}`;
let store: EmbeddedDynamoDBStore;

beforeAll(async () => {
  await acquireEmbeddedDynamoDB();
  store = embeddedDynamoDBStore()!;
  await store.call('CreateTable', {
    TableName: S,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  await store.call('CreateTable', {
    TableName: NS,
    AttributeDefinitions: [
      { AttributeName: 'n', AttributeType: 'N' },
      { AttributeName: 's', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'n', KeyType: 'HASH' },
      { AttributeName: 's', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });
  for (const table of [S, NS]) {
    while (((await store.call('DescribeTable', { TableName: table })).Table as { TableStatus: string }).TableStatus !== 'ACTIVE')
      await new Promise((r) => setTimeout(r, 5));
  }
  await store.call('PutItem', { TableName: S, Item: { id: { S: 'a' }, name: { S: 'Ann' }, n: { N: '1' } } });
  await store.call('PutItem', { TableName: NS, Item: { n: { N: '1.5' }, s: { S: 'x' }, v: { BOOL: true } } });
});
afterAll(() => releaseEmbeddedDynamoDB());

/** An answer, or an error as DynamoDB sends it (status and body). */
type Outcome = { ok: unknown } | { error: { statusCode?: number; body?: unknown } };

async function outcome(run: () => Promise<Record<string, unknown>>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (error) {
    const e = error as { statusCode?: number; body?: unknown };
    return { error: { statusCode: e.statusCode, body: e.body } };
  }
}

const long = 'x'.repeat(256);
/** [name, request, takes the shortcut, what dynalite answers: `ok` or the end of its error's __type]. */
const cases: Array<[string, Record<string, unknown>, boolean, string]> = [
  ['an item found', { TableName: S, Key: { id: { S: 'a' } } }, true, 'ok'],
  ['no item', { TableName: S, Key: { id: { S: 'none' } } }, true, 'ok'],
  ['a consistent read', { TableName: S, Key: { id: { S: 'a' } }, ConsistentRead: true }, true, 'ok'],
  ['ConsistentRead false', { TableName: S, Key: { id: { S: 'a' } }, ConsistentRead: false }, true, 'ok'],
  ['a number key written otherwise (1.50 is 1.5)', { TableName: NS, Key: { n: { N: '1.50' }, s: { S: 'x' } } }, true, 'ok'],
  ['a number key that is no number', { TableName: NS, Key: { n: { N: 'abc' }, s: { S: 'x' } } }, true, '#ValidationException'],
  ['an empty number key', { TableName: NS, Key: { n: { N: '' }, s: { S: 'x' } } }, true, '#ValidationException'],
  ['a number key of 39 digits', { TableName: NS, Key: { n: { N: '1'.repeat(39) }, s: { S: 'x' } } }, true, '#ValidationException'],
  ['a number key past the range', { TableName: NS, Key: { n: { N: '1e126' }, s: { S: 'x' } } }, true, '#ValidationException'],
  ['an empty string key', { TableName: S, Key: { id: { S: '' } } }, true, '#ValidationException'],
  ['a key of the wrong type', { TableName: S, Key: { id: { N: '1' } } }, true, '#ValidationException'],
  ['a key with an attribute too many', { TableName: S, Key: { id: { S: 'a' }, name: { S: 'Ann' } } }, true, '#ValidationException'],
  ['a key missing its range part', { TableName: NS, Key: { n: { N: '1.5' } } }, true, '#ValidationException'],
  ['an empty key', { TableName: S, Key: {} }, true, '#ValidationException'],
  ['a missing table', { TableName: 'no_such_table', Key: { id: { S: 'a' } } }, true, '#ResourceNotFoundException'],
  ['a table name with a space', { TableName: 'bad table', Key: { id: { S: 'a' } } }, false, '#ValidationException'],
  ['a table name of 2 characters', { TableName: 'ab', Key: { id: { S: 'a' } } }, false, '#ValidationException'],
  ['a table name of 256 characters', { TableName: long, Key: { id: { S: 'a' } } }, false, '#ValidationException'],
  ['no table name', { Key: { id: { S: 'a' } } }, false, '#ValidationException'],
  ['a table name that is a number', { TableName: 123, Key: { id: { S: 'a' } } }, false, '#SerializationException'],
  ['no key', { TableName: S }, false, '#ValidationException'],
  ['a null key', { TableName: S, Key: null }, false, '#ValidationException'],
  ['a key that is a list', { TableName: S, Key: [{ S: 'a' }] }, false, '#SerializationException'],
  ['ConsistentRead as the text "yes"', { TableName: S, Key: { id: { S: 'a' } }, ConsistentRead: 'yes' }, false, 'ok'],
  ['ConsistentRead as a number', { TableName: S, Key: { id: { S: 'a' } }, ConsistentRead: 1 }, false, '#SerializationException'],
  ['a key value that is a number', { TableName: S, Key: { id: { S: 1 } } }, false, '#SerializationException'],
  ['a key value of two types', { TableName: S, Key: { id: { S: 'a', N: '1' } } }, false, '#ValidationException'],
  ['an empty key value', { TableName: S, Key: { id: {} } }, false, '#ValidationException'],
  ['a key value of an unknown type', { TableName: S, Key: { id: { X: 'a' } } }, false, '#ValidationException'],
  ['a binary key', { TableName: S, Key: { id: { B: 'aGk=' } } }, false, '#ValidationException'],
  ['a projection', { TableName: S, Key: { id: { S: 'a' } }, ProjectionExpression: '#n', ExpressionAttributeNames: { '#n': 'name' } }, false, 'ok'],
  ['names without an expression', { TableName: S, Key: { id: { S: 'a' } }, ExpressionAttributeNames: { '#n': 'name' } }, false, '#ValidationException'],
  ['ReturnConsumedCapacity', { TableName: S, Key: { id: { S: 'a' } }, ReturnConsumedCapacity: 'TOTAL' }, false, 'ok'],
  ['a member DynamoDB does not know', { TableName: S, Key: { id: { S: 'a' } }, Foo: 1 }, false, 'ok'],
];

describe('GetItem on the embedded store: the shortcut and dynalite’s whole validation', () => {
  for (const [name, request, shortcut, expected] of cases) {
    it(`${name}: ${expected === 'ok' ? 'answered' : `refused (${expected})`} the same way`, async () => {
      expect(plainGetItem(structuredClone(request)) !== undefined).toBe(shortcut);
      const viaStore = await outcome(() => store.call('GetItem', structuredClone(request)));
      const viaDynalite = await outcome(() => runAction(store.dynalite, 'GetItem', validatedByDynalite(store.dynalite, 'GetItem', structuredClone(request))));
      if (expected === 'ok') expect(viaDynalite).toHaveProperty('ok');
      else expect((viaDynalite as { error: { body: { __type: string } } }).error.body.__type.endsWith(expected)).toBe(true);
      expect(viaStore).toEqual(viaDynalite);
    });
  }
});

describe('LevelDB iterators of the embedded store', () => {
  it('a Scan, a Scan stopped by its Limit, a Query and a deleted table leave none open', async () => {
    // abstract-level keeps every open iterator in the database's resources until it is closed.
    const db = store.dynalite.db as unknown as { attachResource(r: object): void; detachResource(r: object): void };
    const open = new Set<object>();
    let opened = 0;
    const { attachResource, detachResource } = db;
    db.attachResource = function (resource) {
      opened += 1;
      open.add(resource);
      attachResource.call(this, resource);
    };
    db.detachResource = function (resource) {
      open.delete(resource);
      detachResource.call(this, resource);
    };
    try {
      await store.call('PutItem', { TableName: S, Item: { id: { S: 'b' } } });
      expect(((await store.call('Scan', { TableName: S })).Items as unknown[]).length).toBe(2);
      expect((await store.call('Scan', { TableName: S, Limit: 1 })).LastEvaluatedKey).toBeDefined();
      const query = { TableName: NS, KeyConditionExpression: 'n = :n', ExpressionAttributeValues: { ':n': { N: '1.5' } } };
      expect(((await store.call('Query', query)).Items as unknown[]).length).toBe(1);
      const gone = `getitem_gone_${Date.now()}`;
      await store.call('CreateTable', {
        TableName: gone,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      while (((await store.call('DescribeTable', { TableName: gone })).Table as { TableStatus: string }).TableStatus !== 'ACTIVE')
        await new Promise((r) => setTimeout(r, 5));
      await store.call('PutItem', { TableName: gone, Item: { id: { S: 'x' } } });
      await store.call('DeleteTable', { TableName: gone });
      // Each Scan and the Query opened one (seen here, so the check below is not vacuous).
      expect(opened).toBeGreaterThanOrEqual(3);
      // An iterator closes asynchronously once its stream has ended.
      await vi.waitFor(() => expect(open.size).toBe(0), { timeout: 5000 });
    } finally {
      delete (db as { attachResource?: unknown }).attachResource;
      delete (db as { detachResource?: unknown }).detachResource;
    }
  });
});
