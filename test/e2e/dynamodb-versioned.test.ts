/**
 * Versioned DynamoDB data sources through GraphQL (AppSync devguide: versioned-data-sources,
 * sync operations): resolvers written with `@aws-appsync/utils/dynamodb` (`put`, `update`,
 * `remove` with `_version`, and `sync`) against AWS's DynamoDB Local and the embedded store.
 * Conflict strategies are covered at the data-source door in
 * test/datasources/dynamodb/versioned.test.ts; the GraphQL ConflictUnhandled case below runs once
 * the config loader passes a resolver's `sync` block through.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const SCHEMA = `
type Note { id: ID! title: String _version: Int _lastChangedAt: Float _deleted: Boolean }
type NoteConnection { items: [Note] nextToken: String startedAt: Float }
type Query {
  getNote(id: ID!): Note
  syncNotes(limit: Int, nextToken: String, lastSync: Float, titlePrefix: String): NoteConnection
  syncPlain: NoteConnection
}
type Mutation {
  createNote(id: ID!, title: String!): Note
  updateNote(id: ID!, title: String!, _version: Int): Note
  updateNoteChecked(id: ID!, title: String!, _version: Int): Note
  deleteNote(id: ID!, _version: Int): Note
  batchNotes(ids: [ID!]!): AWSJSON
}
`;

const R = (request: string) =>
  `import { util } from '@aws-appsync/utils';\nimport * as ddb from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) { ${request} }\nexport function response(ctx) { if (ctx.error) util.error(ctx.error.message, ctx.error.type, ctx.result); return ctx.result; }\n`;

const update = R('return ddb.update({ key: { id: ctx.args.id }, update: { title: ctx.args.title }, _version: ctx.args._version });');
const FILES = {
  'getNote.js': R('return ddb.get({ key: { id: ctx.args.id }, consistentRead: true });'),
  'syncNotes.js': R(
    'const { limit, nextToken, lastSync, titlePrefix } = ctx.args; return ddb.sync({ limit, nextToken, lastSync, filter: titlePrefix ? { title: { beginsWith: titlePrefix } } : undefined });',
  ),
  'syncPlain.js': R("return { operation: 'Sync' };"),
  'createNote.js': R('return ddb.put({ key: { id: ctx.args.id }, item: { title: ctx.args.title } });'),
  'updateNote.js': update,
  'updateNoteChecked.js': update,
  'deleteNote.js': R('return ddb.remove({ key: { id: ctx.args.id }, _version: ctx.args._version });'),
};

const backends: Array<{ name: string; endpoint: () => string | undefined; skip: () => string }> = [
  { name: 'DynamoDB Local', endpoint: () => inject('dynamodbLocalUrl'), skip: () => inject('dynamodbLocalSkipReason') },
  { name: 'the embedded store', endpoint: () => undefined, skip: () => '' },
];

for (const backend of backends) {
  describe.skipIf(!!backend.skip())(`versioned DynamoDB through GraphQL on ${backend.name}${backend.skip() ? ` (skipped: ${backend.skip()})` : ''}`, () => {
    let gw: TestGateway;
    const suffix = `${backend.name.replace(/\W/g, '')}_${Date.now()}`;
    const table = `notes_${suffix}`;
    const keySchema = {
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    };
    const fields = '{ id title _version _deleted _lastChangedAt }';
    const sync = async (args: string) => (await gw.query(`{ syncNotes${args} { items { id title _version _deleted } nextToken startedAt } }`)).body;

    beforeAll(async () => {
      gw = await startTestGateway({
        files: { ...FILES, 'batchNotes.js': R(`return ddb.batchPut({ tables: { '${table}': ctx.args.ids.map((id) => ({ id })) } });`) },
        config: {
          schemaSdl: SCHEMA,
          authentication: { type: 'API_KEY' },
          apiKeys: [{ name: 'k', value: 'da2-versionedversionedversioned1' }],
          dataSources: {
            notes: {
              type: 'AMAZON_DYNAMODB',
              config: {
                tableName: table,
                endpoint: backend.endpoint(),
                table: keySchema,
                versioned: true,
                deltaSyncConfig: { deltaSyncTableName: `notes_delta_${suffix}`, deltaSyncTableTTL: 1, baseTableTTL: 60 },
              },
            },
            plain: { type: 'AMAZON_DYNAMODB', config: { tableName: `plain_${suffix}`, endpoint: backend.endpoint(), table: keySchema } },
          },
          resolvers: {
            ...Object.fromEntries(
              ['Query.getNote', 'Query.syncNotes', 'Mutation.createNote', 'Mutation.updateNote', 'Mutation.deleteNote', 'Mutation.batchNotes'].map((k) => [
                k,
                { kind: 'UNIT', dataSource: 'notes', code: `${k.split('.')[1]}.js` },
              ]),
            ),
            'Query.syncPlain': { kind: 'UNIT', dataSource: 'plain', code: 'syncPlain.js' },
            // AppSync's resolver SyncConfig, as the Serverless AppSync plugin v2 spells it.
            'Mutation.updateNoteChecked': {
              kind: 'UNIT',
              dataSource: 'notes',
              code: 'updateNoteChecked.js',
              sync: { conflictDetection: 'VERSION', conflictHandler: 'OPTIMISTIC_CONCURRENCY' },
            } as never,
          },
        },
      });
      for (const [id, title] of [
        ['n1', 'alpha'],
        ['n2', 'beta'],
        ['n3', 'gamma'],
        ['n4', 'delta'],
      ]) {
        expect((await gw.query(`mutation { createNote(id: "${id}", title: "${title}") { id _version } }`)).body).toEqual({
          data: { createNote: { id, _version: 1 } },
        });
      }
    });

    it('mutations keep _version, _lastChangedAt and _deleted; DeleteItem leaves a tombstone', async () => {
      const updated = (await gw.query(`mutation { updateNote(id: "n2", title: "beta 2", _version: 1) ${fields} }`)).body.data.updateNote;
      expect(updated).toMatchObject({ id: 'n2', title: 'beta 2', _version: 2, _deleted: null });
      expect(updated._lastChangedAt).toBeGreaterThan(Date.now() - 60_000);
      const deleted = (await gw.query(`mutation { deleteNote(id: "n3", _version: 1) ${fields} }`)).body.data.deleteNote;
      expect(deleted).toMatchObject({ id: 'n3', title: 'gamma', _version: 2, _deleted: true });
      expect((await gw.query('{ getNote(id: "n3") { _deleted _version } }')).body).toEqual({ data: { getNote: { _deleted: true, _version: 2 } } });
    });

    it('Sync without lastSync scans the base table (tombstones included), in pages with one startedAt', async () => {
      const first = await sync('(limit: 2)');
      expect(first.errors).toBeUndefined();
      const page1 = first.data.syncNotes;
      expect(page1.items).toHaveLength(2);
      expect(page1.nextToken).toEqual(expect.any(String));
      expect(page1.startedAt).toBeLessThanOrEqual(Date.now());
      const seen = [...page1.items];
      let token = page1.nextToken;
      while (token) {
        const page = (await sync(`(limit: 2, nextToken: "${token}")`)).data.syncNotes;
        expect(page.startedAt).toBe(page1.startedAt);
        seen.push(...page.items);
        token = page.nextToken;
      }
      expect(seen.map((i: { id: string }) => i.id).sort()).toEqual(['n1', 'n2', 'n3', 'n4']);
      expect(seen.find((i: { id: string }) => i.id === 'n3')).toMatchObject({ _deleted: true, _version: 2 });
    });

    it('Sync with lastSync reads the Delta table: only what changed since, filter applied', async () => {
      const { startedAt } = (await sync('')).data.syncNotes;
      await gw.query('mutation { updateNote(id: "n1", title: "alpha 2", _version: 1) { id } }');
      await gw.query('mutation { deleteNote(id: "n4", _version: 1) { id } }');
      await gw.query('mutation { createNote(id: "n5", title: "epsilon") { id } }');
      const delta = (await sync(`(lastSync: ${startedAt})`)).data.syncNotes;
      expect(delta.items.map((i: { id: string; _version: number; _deleted: boolean | null }) => [i.id, i._version, i._deleted])).toEqual([
        ['n1', 2, null],
        ['n4', 2, true],
        ['n5', 1, null],
      ]);
      expect(delta.startedAt).toBeGreaterThanOrEqual(startedAt);
      const filtered = (await sync(`(lastSync: ${startedAt}, titlePrefix: "alpha")`)).data.syncNotes;
      expect(filtered.items.map((i: { id: string }) => i.id)).toEqual(['n1']);
      // Paging through the delta: one item a page, same startedAt.
      const paged: string[] = [];
      let token: string | null = null;
      let pageStartedAt: number | undefined;
      do {
        const page: { items: Array<{ id: string }>; nextToken: string | null; startedAt: number } = (
          await sync(`(lastSync: ${startedAt}, limit: 1${token ? `, nextToken: "${token}"` : ''})`)
        ).data.syncNotes;
        pageStartedAt ??= page.startedAt;
        expect(page.startedAt).toBe(pageStartedAt);
        paged.push(...page.items.map((i) => i.id));
        token = page.nextToken;
      } while (token && paged.length < 10);
      expect(paged).toEqual(['n1', 'n4', 'n5']);
    });

    it('a lastSync older than deltaSyncTableTTL scans the base table again', async () => {
      const old = Date.now() - 2 * 60_000;
      const all = (await sync(`(lastSync: ${old})`)).data.syncNotes;
      expect(all.items.map((i: { id: string }) => i.id).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    });

    it('batch writes are UnsupportedOperation; Sync on an unversioned data source is a clear error', async () => {
      const batch = (await gw.query('mutation { batchNotes(ids: ["x1"]) }')).body;
      expect(batch.errors[0]).toMatchObject({ errorType: 'UnsupportedOperation' });
      expect(batch.errors[0].message).toMatch(/^Unsupported operation 'BatchPutItem'/);
      const plain = (await gw.query('{ syncPlain { startedAt } }')).body;
      expect(plain.errors[0]).toMatchObject({
        errorType: 'DynamoDB:DynamoDbException',
        message: 'operation: Sync needs a versioned data source (config.versioned: true with deltaSyncConfig)',
      });
    });

    it('a resolver with sync (VERSION, OPTIMISTIC_CONCURRENCY) answers a stale _version with ConflictUnhandled and the server item', async () => {
      await gw.query('mutation { createNote(id: "c1", title: "server") { id } }');
      await gw.query('mutation { updateNoteChecked(id: "c1", title: "server 2", _version: 1) { id } }');
      const { body } = await gw.query(`mutation { updateNoteChecked(id: "c1", title: "client", _version: 1) ${fields} }`);
      expect(body.data).toEqual({ updateNoteChecked: null });
      expect(body.errors[0]).toMatchObject({
        errorType: 'ConflictUnhandled',
        message: 'Conflict resolver rejects mutation.',
        data: { id: 'c1', title: 'server 2', _version: 2 },
      });
    });
  });
}
