/**
 * The DynamoDB data source end to end (docs/dynamodb.md): GraphQL → APPSYNC_JS with
 * `@aws-appsync/utils/dynamodb` → AMAZON_DYNAMODB → store → ctx.result → response. The same cases
 * run against AWS's DynamoDB Local and the embedded store (dynalite).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { acquireEmbeddedDynamoDB, releaseEmbeddedDynamoDB } from '../../src/embedded/dynamodb/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const SCHEMA = `
type Event { id: ID! city: String startsAt: String name: String seats: Int tags: [String] note: String version: Int }
type EventPage { items: [Event] nextToken: String scannedCount: Int }
type Query {
  getEvent(id: ID!): Event
  eventsInCity(city: String!, limit: Int, nextToken: String): EventPage
  scanEvents(minSeats: Int!): EventPage
  batchGet(ids: [ID!]!): AWSJSON
  transactGet(ids: [ID!]!): AWSJSON
  badRequest: AWSJSON
}
type Mutation {
  createEvent(id: ID!, city: String!, startsAt: String!, name: String, seats: Int): Event
  bookSeat(id: ID!, tag: String!): Event
  renameIfVersion(id: ID!, name: String!, version: Int!): Event
  deleteEvent(id: ID!): Event
  batchCreate(ids: [ID!]!): AWSJSON
  batchDelete(ids: [ID!]!): AWSJSON
  transfer(from: ID!, to: ID!): AWSJSON
  putMany(count: Int!, sameKey: Boolean): AWSJSON
}
`;

const R = (request: string, response = 'return ctx.result;') =>
  `import { util } from '@aws-appsync/utils';\nimport * as ddb from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) { ${request} }\nexport function response(ctx) { if (ctx.error) util.error(ctx.error.message, ctx.error.type, ctx.result); ${response} }\n`;

const FILES = {
  'getEvent.js': R('return ddb.get({ key: { id: ctx.args.id } });'),
  'createEvent.js': R(
    'const { id, ...item } = ctx.args; return ddb.put({ key: { id }, item: { ...item, version: 1, tags: [] }, condition: { id: { attributeExists: false } } });',
  ),
  'bookSeat.js': R(
    'return ddb.update({ key: { id: ctx.args.id }, update: { seats: ddb.operations.decrement(1), tags: ddb.operations.append([ctx.args.tag]), version: ddb.operations.increment(1), note: ddb.operations.remove() } });',
  ),
  'renameIfVersion.js': R(
    'return ddb.update({ key: { id: ctx.args.id }, update: { name: ctx.args.name }, condition: { version: { eq: ctx.args.version } } });',
  ),
  'deleteEvent.js': R('return ddb.remove({ key: { id: ctx.args.id } });'),
  'eventsInCity.js': R("return ddb.query({ index: 'byCity', query: { city: { eq: ctx.args.city } }, limit: ctx.args.limit, nextToken: ctx.args.nextToken });"),
  'scanEvents.js': R('return ddb.scan({ filter: { seats: { ge: ctx.args.minSeats } } });'),
  'badRequest.js': R("return { operation: 'GetItem', key: { id: 'no-type' } };"),
};

function withTable(table: string) {
  return {
    ...FILES,
    'batchGet.js': R(`return ddb.batchGet({ tables: { '${table}': { keys: ctx.args.ids.map((id) => ({ id })) } } });`),
    'transactGet.js': R(`return ddb.transactGet({ items: ctx.args.ids.map((id) => ({ table: '${table}', key: { id } })) });`),
    'batchCreate.js': R(
      `return ddb.batchPut({ tables: { '${table}': ctx.args.ids.map((id) => ({ id, city: 'Batchville', startsAt: '2030-01-0' + id.length, seats: 5 })) } });`,
    ),
    'batchDelete.js': R(`return ddb.batchDelete({ tables: { '${table}': ctx.args.ids.map((id) => ({ id })) } });`),
    'putMany.js': R(
      `return ddb.transactWrite({ items: Array.from({ length: ctx.args.count }, (_, i) => ({ putItem: { table: '${table}', key: { id: ctx.args.sameKey ? 'same' : 'many-' + i }, item: { seats: i } } })) });`,
    ),
    'transfer.js': R(
      `return ddb.transactWrite({ items: [
        { updateItem: { table: '${table}', key: { id: ctx.args.from }, update: { seats: ddb.operations.decrement(10) }, condition: { seats: { ge: 10 } } } },
        { updateItem: { table: '${table}', key: { id: ctx.args.to }, update: { seats: ddb.operations.increment(10) }, condition: { id: { attributeExists: true } } } },
      ] });`,
    ),
  };
}

const resolvers = {
  'Query.getEvent': 'getEvent.js',
  'Query.eventsInCity': 'eventsInCity.js',
  'Query.scanEvents': 'scanEvents.js',
  'Query.batchGet': 'batchGet.js',
  'Query.transactGet': 'transactGet.js',
  'Query.badRequest': 'badRequest.js',
  'Mutation.createEvent': 'createEvent.js',
  'Mutation.bookSeat': 'bookSeat.js',
  'Mutation.renameIfVersion': 'renameIfVersion.js',
  'Mutation.deleteEvent': 'deleteEvent.js',
  'Mutation.batchCreate': 'batchCreate.js',
  'Mutation.batchDelete': 'batchDelete.js',
  'Mutation.transfer': 'transfer.js',
  'Mutation.putMany': 'putMany.js',
};

const TABLE_PROPERTIES = {
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' },
    { AttributeName: 'city', AttributeType: 'S' },
    { AttributeName: 'startsAt', AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byCity',
      KeySchema: [
        { AttributeName: 'city', KeyType: 'HASH' },
        { AttributeName: 'startsAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
};

const backends: Array<{ name: string; endpoint: () => Promise<string | undefined>; skip: () => string; release?: () => Promise<void> }> = [
  { name: 'DynamoDB Local', endpoint: async () => inject('dynamodbLocalUrl'), skip: () => inject('dynamodbLocalSkipReason') },
  // No endpoint: the data source calls the embedded store in memory, without the SDK.
  { name: 'the embedded store', endpoint: async () => undefined, skip: () => '' },
  // The same store through the AWS SDK over HTTP, as any other client reaches it.
  { name: 'the embedded store over HTTP', endpoint: () => acquireEmbeddedDynamoDB(), skip: () => '', release: () => releaseEmbeddedDynamoDB() },
];

for (const backend of backends) {
  describe.skipIf(!!backend.skip())(`DynamoDB on ${backend.name}${backend.skip() ? ` (skipped: ${backend.skip()})` : ''}`, () => {
    let gw: TestGateway;
    const table = `events_${backend.name.replace(/\W/g, '')}_${Date.now()}`;
    afterAll(async () => backend.release?.());
    beforeAll(async () => {
      gw = await startTestGateway({
        files: withTable(table),
        config: {
          schemaSdl: SCHEMA,
          authentication: { type: 'API_KEY' },
          apiKeys: [{ name: 'k', value: 'da2-dynamodbdynamodbdynamodb' }],
          dataSources: { events: { type: 'AMAZON_DYNAMODB', config: { tableName: table, endpoint: await backend.endpoint(), table: TABLE_PROPERTIES } } },
          resolvers: Object.fromEntries(Object.entries(resolvers).map(([k, code]) => [k, { kind: 'UNIT', dataSource: 'events', code }])),
        },
      });
      for (const [id, day, seats] of [
        ['e1', '01', 50],
        ['e2', '02', 8],
        ['e3', '03', 20],
        ['e4', '04', 12],
      ] as const) {
        const { body } = await gw.query(
          `mutation { createEvent(id: "${id}", city: "Lisbon", startsAt: "2030-05-${day}", name: "Event ${id}", seats: ${seats}) { id } }`,
        );
        expect(body).toEqual({ data: { createEvent: { id } } });
      }
    });

    it('PutItem returns the item written; GetItem reads it back', async () => {
      const { body } = await gw.query('{ getEvent(id: "e1") { id city startsAt name seats tags version } }');
      expect(body).toEqual({ data: { getEvent: { id: 'e1', city: 'Lisbon', startsAt: '2030-05-01', name: 'Event e1', seats: 50, tags: [], version: 1 } } });
      expect((await gw.query('{ getEvent(id: "nope") { id } }')).body).toEqual({ data: { getEvent: null } });
    });

    it('a failed condition is DynamoDB:ConditionalCheckFailedException with the current item in data', async () => {
      const { body } = await gw.query('mutation { createEvent(id: "e1", city: "Porto", startsAt: "2031-01-01") { id city } }');
      expect(body.data).toEqual({ createEvent: null });
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]).toMatchObject({
        path: ['createEvent'],
        errorType: 'DynamoDB:ConditionalCheckFailedException',
        data: { id: 'e1', city: 'Lisbon' },
      });
      expect(body.errors[0].message).toMatch(/conditional request failed/i);
    });

    it('UpdateItem with operations (decrement, append, increment, remove) returns the new item', async () => {
      const { body } = await gw.query('mutation { bookSeat(id: "e2", tag: "vip") { seats tags version note } }');
      expect(body).toEqual({ data: { bookSeat: { seats: 7, tags: ['vip'], version: 2, note: null } } });
    });

    it('a conditional update against a stale version is refused and changes nothing', async () => {
      const stale = await gw.query('mutation { renameIfVersion(id: "e3", name: "Renamed", version: 7) { name } }');
      expect(stale.body.errors[0].errorType).toBe('DynamoDB:ConditionalCheckFailedException');
      expect((await gw.query('{ getEvent(id: "e3") { name } }')).body.data.getEvent.name).toBe('Event e3');
      const fresh = await gw.query('mutation { renameIfVersion(id: "e3", name: "Renamed", version: 1) { name } }');
      expect(fresh.body).toEqual({ data: { renameIfVersion: { name: 'Renamed' } } });
    });

    it('Query on a GSI pages with an opaque nextToken that round-trips', async () => {
      const seen: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const { body }: { body: any } = await gw.query(
          'query($t: String) { eventsInCity(city: "Lisbon", limit: 2, nextToken: $t) { items { id startsAt } nextToken scannedCount } }',
          { t: token },
        );
        const page = body.data.eventsInCity;
        seen.push(...page.items.map((i: { id: string }) => i.id));
        token = page.nextToken;
        if (token) expect(() => JSON.parse(Buffer.from(token!, 'base64').toString())).toThrow();
        pages += 1;
      } while (token && pages < 5);
      expect(seen).toEqual(['e1', 'e2', 'e3', 'e4']);
      expect(pages).toBeGreaterThanOrEqual(2);
    });

    it('a tampered nextToken is a clear error', async () => {
      const { body } = await gw.query('{ eventsInCity(city: "Lisbon", nextToken: "forged") { items { id } } }');
      expect(body.errors[0]).toMatchObject({ errorType: 'DynamoDB:DynamoDbException', message: 'nextToken: the token is not one this data source issued' });
    });

    it('Scan with a filter reports items and scannedCount', async () => {
      const { body } = await gw.query('{ scanEvents(minSeats: 12) { items { id } scannedCount } }');
      expect(body.data.scanEvents.items.map((i: { id: string }) => i.id).sort()).toEqual(['e1', 'e3', 'e4']);
      expect(body.data.scanEvents.scannedCount).toBeGreaterThanOrEqual(4);
    });

    it('BatchPutItem, BatchGetItem (missing → null, in order), BatchDeleteItem', async () => {
      const put = JSON.parse((await gw.query('mutation { batchCreate(ids: ["b1", "b22"]) }')).body.data.batchCreate);
      expect(put).toEqual({
        data: { [table]: [expect.objectContaining({ id: 'b1', seats: 5 }), expect.objectContaining({ id: 'b22' })] },
        unprocessedItems: { [table]: [] },
      });
      const got = JSON.parse((await gw.query('{ batchGet(ids: ["b22", "missing", "b1"]) }')).body.data.batchGet);
      expect(got.data[table].map((i: { id: string } | null) => i?.id ?? null)).toEqual(['b22', null, 'b1']);
      expect(got.unprocessedKeys).toEqual({ [table]: [] });
      const deleted = JSON.parse((await gw.query('mutation { batchDelete(ids: ["b1", "b22"]) }')).body.data.batchDelete);
      expect(deleted).toEqual({ data: { [table]: [{ id: 'b1' }, { id: 'b22' }] }, unprocessedKeys: { [table]: [] } });
    });

    it('DeleteItem returns the deleted item', async () => {
      const { body } = await gw.query('mutation { deleteEvent(id: "e3") { id name } }');
      expect(body).toEqual({ data: { deleteEvent: { id: 'e3', name: 'Renamed' } } });
      expect((await gw.query('{ getEvent(id: "e3") { id } }')).body).toEqual({ data: { getEvent: null } });
    });

    it('a bad request object names the bad field and the server keeps serving', async () => {
      const { body } = await gw.query('{ badRequest }');
      expect(body.errors[0]).toMatchObject({
        errorType: 'DynamoDB:DynamoDbException',
        message: 'key.id: expected a typed value like {"S": "x"}, got "no-type"',
      });
      expect((await gw.query('{ getEvent(id: "e1") { id } }')).body).toEqual({ data: { getEvent: { id: 'e1' } } });
    });

    it('TransactWriteItems commits both updates or neither; a cancel lists the reasons in order', async () => {
      const ok = JSON.parse((await gw.query('mutation { transfer(from: "e1", to: "e4") }')).body.data.transfer);
      expect(ok).toEqual({ keys: [{ id: 'e1' }, { id: 'e4' }], cancellationReasons: null });
      const { body } = await gw.query('mutation { transfer(from: "e2", to: "e4") }');
      expect(body.errors[0].errorType).toBe('DynamoDB:TransactionCanceledException');
      const result = body.errors[0].data;
      expect(result.cancellationReasons.map((r: { type: string }) => r.type)).toEqual(['ConditionalCheckFailed', 'None']);
      const seats = await gw.query('{ a: getEvent(id: "e2") { seats } b: getEvent(id: "e4") { seats } }');
      expect(seats.body.data).toEqual({ a: { seats: 7 }, b: { seats: 22 } });
    });

    it("TransactWriteItems of 101 items or of one key twice is DynamoDB's ValidationException, and writes nothing", async () => {
      const many = await gw.query('mutation { putMany(count: 101) }');
      expect(many.body.errors[0]).toMatchObject({ errorType: 'DynamoDB:ValidationException', message: 'Member must have length less than or equal to 100' });
      const twice = await gw.query('mutation { putMany(count: 2, sameKey: true) }');
      expect(twice.body.errors[0]).toMatchObject({
        errorType: 'DynamoDB:ValidationException',
        message: 'Transaction request cannot include multiple operations on one item',
      });
      expect((await gw.query('{ a: getEvent(id: "many-0") { id } b: getEvent(id: "same") { id } }')).body.data).toEqual({ a: null, b: null });
      expect(JSON.parse((await gw.query('mutation { putMany(count: 100) }')).body.data.putMany).keys).toHaveLength(100);
    });

    it('TransactGetItems returns items in order, null for missing', async () => {
      const got = JSON.parse((await gw.query('{ transactGet(ids: ["e4", "none", "e1"]) }')).body.data.transactGet);
      expect(got.items.map((i: { id: string } | null) => i?.id ?? null)).toEqual(['e4', null, 'e1']);
      expect(got.cancellationReasons).toBeNull();
    });
  });
}
