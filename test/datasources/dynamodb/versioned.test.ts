/**
 * Versioned AMAZON_DYNAMODB data sources with conflict detection, at the data-source door: a real
 * data source on a real store (DynamoDB Local and the embedded store), invoked with the
 * resolver's name so it finds the resolver's `sync` block in the normalized config — the way the
 * runtime calls it. (test/e2e/dynamodb-versioned.test.ts goes through GraphQL.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamodbKind } from '../../../src/datasources/dynamodb/index.js';
import { acquireEmbeddedDynamoDB, releaseEmbeddedDynamoDB } from '../../../src/embedded/dynamodb/index.js';
import type { DataSource, InvocationContext } from '../../../src/datasources/types.js';
import type { NormalizedConfig } from '../../../src/config/types.js';
import { silentLogger } from '../../utils/logger.js';

const HANDLER = `
export async function handler(event) {
  const mode = event.arguments.mode;
  if (mode === 'reject') return { action: 'REJECT' };
  if (mode === 'remove') return { action: 'REMOVE' };
  if (mode === 'garbage') return { action: 'SHRUG' };
  if (mode === 'throw') throw new Error('cannot decide');
  // Another client writes while this handler decides (the test installs globalThis.bumpWhileDeciding).
  if (mode === 'race') { await globalThis.bumpWhileDeciding(event.existingItem); return { action: 'RESOLVE', item: event.newItem }; }
  const r = event.resolver;
  return { action: 'RESOLVE', item: { ...event.existingItem, ...event.newItem, decidedBy: r.parentType + '.' + r.field + '@' + r.tableName + ' saw v' + event.existingItem._version + ' new ' + event.newItem.title } };
}
`;

const resolver = (fieldName: string, sync?: Record<string, unknown>) => ({
  typeName: 'Mutation',
  fieldName,
  kind: 'UNIT',
  dataSource: 'items',
  functions: [],
  ...(sync ? { sync } : {}),
});

const backends: Array<{ name: string; endpoint: () => string | undefined; skip: () => string }> = [
  { name: 'DynamoDB Local', endpoint: () => inject('dynamodbLocalUrl'), skip: () => inject('dynamodbLocalSkipReason') },
  { name: 'the embedded store', endpoint: () => undefined, skip: () => '' },
  // The same store through the AWS SDK over its HTTP port (the path data sources took before they
  // called the store in memory).
  { name: 'the embedded store over HTTP', endpoint: () => embeddedUrl, skip: () => '' },
];

let embeddedUrl: string | undefined;
beforeAll(async () => {
  embeddedUrl = await acquireEmbeddedDynamoDB();
});
afterAll(() => releaseEmbeddedDynamoDB());

for (const backend of backends) {
  describe.skipIf(!!backend.skip())(`versioned data source on ${backend.name}${backend.skip() ? ` (skipped: ${backend.skip()})` : ''}`, () => {
    const suffix = `${backend.name.replace(/\W/g, '')}_${Date.now()}`;
    const table = `vitems_${suffix}`;
    const deltaTable = `vdelta_${suffix}`;
    let dir: string;
    let ds: DataSource;
    let hardDs: DataSource;

    const call = (field: string, request: Record<string, unknown>, args: Record<string, unknown> = {}, target = ds) => {
      // `fn:name` runs as the pipeline function `name`; anything else as the resolver Mutation.<field>.
      const context: InvocationContext = {
        resolverName: field.startsWith('fn:') ? field.slice(3) : `Mutation.${field}`,
        fieldName: field.replace(/^fn:/, ''),
        parentTypeName: 'Mutation',
        requestScope: new Map(),
        resolverContext: { arguments: args, identity: null },
      };
      return target.invoke(request, context);
    };
    const put = (id: string, attributes: Record<string, unknown>, version?: number) => ({
      operation: 'PutItem',
      key: { id: { S: id } },
      attributeValues: attributes,
      ...(version === undefined ? {} : { _version: version }),
    });
    const get = (id: string) => call('none', { operation: 'GetItem', key: { id: { S: id } }, consistentRead: true });

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ddb-versioned-'));
      await writeFile(join(dir, 'conflict.mjs'), HANDLER);
      const gatewayConfig = {
        name: 'versioned',
        configDir: dir,
        dataSources: {
          byArn: {
            name: 'byArn',
            type: 'AWS_LAMBDA',
            config: { functionArn: 'arn:aws:lambda:us-east-1:1:function:resolveConflicts', handler: 'conflict.mjs#handler' },
          },
        },
        resolvers: [
          resolver('optimistic', { conflictDetection: 'VERSION', conflictHandler: 'OPTIMISTIC_CONCURRENCY' }),
          resolver('defaults', {}),
          resolver('merge', { conflictDetection: 'VERSION', conflictHandler: 'AUTOMERGE' }),
          resolver('lambda', { conflictDetection: 'VERSION', conflictHandler: 'LAMBDA', function: { handler: 'conflict.handler' } }),
          resolver('lambdaArn', {
            conflictHandler: 'LAMBDA',
            lambdaConflictHandlerConfig: { lambdaConflictHandlerArn: 'arn:aws:lambda:us-east-1:1:function:resolveConflicts' },
          }),
          resolver('none', { conflictDetection: 'NONE' }),
        ],
        pipelineFunctions: { mergeStep: { name: 'mergeStep', dataSource: 'items', sync: { conflictDetection: 'VERSION', conflictHandler: 'AUTOMERGE' } } },
      } as unknown as NormalizedConfig;
      const base = {
        tableName: table,
        endpoint: backend.endpoint(),
        table: {
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        },
      };
      ds = await dynamodbKind.create({
        name: 'items',
        config: { ...base, versioned: true, deltaSyncConfig: { deltaSyncTableName: deltaTable, deltaSyncTableTTL: 30, baseTableTTL: 60 } },
        configPath: 'dataSources.items.config',
        configDir: dir,
        gatewayConfig,
        logger: silentLogger,
      });
      hardDs = await dynamodbKind.create({
        name: 'hard',
        config: { ...base, tableName: `${table}_hard`, versioned: true, deltaSyncConfig: { deltaSyncTableName: deltaTable, baseTableTTL: 0 } },
        configPath: 'dataSources.hard.config',
        configDir: dir,
        gatewayConfig,
        logger: silentLogger,
      });
    });
    afterAll(async () => {
      await ds?.close?.();
      await hardDs?.close?.();
      await rm(dir, { recursive: true, force: true });
    });

    it('PutItem writes _version 1 and _lastChangedAt; each write increments _version', async () => {
      const before = Date.now();
      const created = await call('optimistic', put('a', { title: { S: 'first' } }));
      expect(created.error).toBeUndefined();
      expect(created.result).toMatchObject({ id: 'a', title: 'first', _version: 1 });
      expect((created.result as { _lastChangedAt: number })._lastChangedAt).toBeGreaterThanOrEqual(before);
      const updated = await call('optimistic', {
        operation: 'UpdateItem',
        key: { id: { S: 'a' } },
        update: { expression: 'SET #t = :t', expressionNames: { '#t': 'title' }, expressionValues: { ':t': { S: 'second' } } },
        _version: 1,
      });
      expect(updated).toEqual({ result: expect.objectContaining({ id: 'a', title: 'second', _version: 2 }) });
      expect((await get('a')).result).toMatchObject({ title: 'second', _version: 2 });
    });

    it('OPTIMISTIC_CONCURRENCY: a stale _version is ConflictUnhandled with the server item; nothing changes', async () => {
      await call('optimistic', put('b', { title: { S: 'v1' } }));
      await call('optimistic', put('b', { title: { S: 'v2' } }, 1));
      for (const request of [
        put('b', { title: { S: 'stale put' } }, 1),
        {
          operation: 'UpdateItem',
          key: { id: { S: 'b' } },
          update: { expression: 'SET title = :t', expressionValues: { ':t': { S: 'stale update' } } },
          _version: 1,
        },
        { operation: 'DeleteItem', key: { id: { S: 'b' } }, _version: 1 },
      ]) {
        const answer = await call('optimistic', request);
        expect(answer.error).toEqual({
          type: 'ConflictUnhandled',
          message: 'Conflict resolver rejects mutation.',
          data: expect.objectContaining({ id: 'b', title: 'v2', _version: 2 }),
        });
      }
      // A create over an existing item is a conflict too; a `sync: {}` block defaults to VERSION + OPTIMISTIC_CONCURRENCY (plugin defaults).
      expect((await call('defaults', put('b', { title: { S: 'again' } }))).error?.type).toBe('ConflictUnhandled');
      expect((await get('b')).result).toMatchObject({ title: 'v2', _version: 2 });
    });

    it('DeleteItem is a soft delete: _deleted, _ttl after baseTableTTL minutes, version bumped; absent items give null', async () => {
      await call('optimistic', put('c', { title: { S: 'doomed' } }));
      const now = Math.floor(Date.now() / 1000);
      const deleted = await call('optimistic', { operation: 'DeleteItem', key: { id: { S: 'c' } }, _version: 1 });
      expect(deleted.result).toMatchObject({ id: 'c', title: 'doomed', _deleted: true, _version: 2 });
      const ttl = (deleted.result as { _ttl: number })._ttl;
      expect(ttl).toBeGreaterThanOrEqual(now + 3600 - 5);
      expect(ttl).toBeLessThanOrEqual(now + 3600 + 5);
      expect((await get('c')).result).toMatchObject({ _deleted: true, _version: 2 });
      expect(await call('optimistic', { operation: 'DeleteItem', key: { id: { S: 'never' } }, _version: 1 })).toEqual({ result: null });
      expect((await get('never')).result).toBeNull();
    });

    it('baseTableTTL 0 deletes at once; the answer still shows the tombstone', async () => {
      await call('none', put('h', { title: { S: 'gone' } }), {}, hardDs);
      const deleted = await call('none', { operation: 'DeleteItem', key: { id: { S: 'h' } } }, {}, hardDs);
      expect(deleted.result).toMatchObject({ id: 'h', title: 'gone', _deleted: true, _version: 2 });
      expect((await call('none', { operation: 'GetItem', key: { id: { S: 'h' } } }, {}, hardDs)).result).toBeNull();
    });

    it('every change is logged to the Delta table (ds_pk Table:date, ds_sk time:key:version, _ttl)', async () => {
      await call('optimistic', put('d', { title: { S: 'logged' } }));
      await call('optimistic', put('d', { title: { S: 'logged again' } }, 1));
      const embedded = !backend.endpoint();
      const client = new DynamoDBClient({
        endpoint: backend.endpoint() || (await acquireEmbeddedDynamoDB()),
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      try {
        const day = new Date().toISOString().slice(0, 10);
        const out = await client.send(
          new QueryCommand({
            TableName: deltaTable,
            KeyConditionExpression: 'ds_pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: `${table}:${day}` } },
            ConsistentRead: true,
          }),
        );
        const entries = (out.Items ?? []).filter((i) => i.id?.S === 'd');
        expect(entries.map((e) => [e.title?.S, e._version?.N])).toEqual([
          ['logged', '1'],
          ['logged again', '2'],
        ]);
        expect(entries[1]!.ds_sk!.S).toMatch(/^\d\d:\d\d:\d\d\.\d{3}:d:2$/);
        expect(Number(entries[1]!._ttl!.N)).toBeGreaterThan(Date.now() / 1000 + 29 * 60);
      } finally {
        client.destroy();
        if (embedded) await releaseEmbeddedDynamoDB();
      }
    });

    it('AUTOMERGE PutItem: server scalars win, lists append, new fields join, version goes on', async () => {
      await call('merge', put('m', { name: { S: 'Nadia' }, jersey: { N: 5 }, points: { L: [{ N: 2 }, { N: 4 }] } }));
      await call('merge', put('m', { name: { S: 'Nadia' }, jersey: { N: 5 }, points: { L: [{ N: 2 }, { N: 4 }] }, team: { S: 'A' } }, 1));
      const merged = await call('merge', put('m', { name: { S: 'Nadia' }, jersey: { N: 55 }, points: { L: [{ N: 6 }] }, nick: { S: 'N' } }, 1));
      expect(merged.error).toBeUndefined();
      expect(merged.result).toMatchObject({ id: 'm', name: 'Nadia', jersey: 5, points: [2, 4, 6], team: 'A', nick: 'N', _version: 3 });
    });

    it('AUTOMERGE UpdateItem (plain SET) merges field by field; a pipeline function finds its own sync block', async () => {
      await call('merge', put('u', { tags: { L: [{ S: 'x' }] }, score: { N: 1 } }));
      await call('merge', {
        operation: 'UpdateItem',
        key: { id: { S: 'u' } },
        update: { expression: 'SET score = :s', expressionValues: { ':s': { N: 2 } } },
        _version: 1,
      });
      const merged = await call('fn:mergeStep', {
        operation: 'UpdateItem',
        key: { id: { S: 'u' } },
        update: {
          expression: 'SET #tags = :t, #score = :s, #note = :n',
          expressionNames: { '#tags': 'tags', '#score': 'score', '#note': 'note' },
          expressionValues: { ':t': { L: [{ S: 'y' }] }, ':s': { N: 9 }, ':n': { S: 'hi' } },
        },
        _version: 1,
      });
      expect(merged.result).toMatchObject({ tags: ['x', 'y'], score: 2, note: 'hi', _version: 3 });
      // A delete in conflict is not merged.
      expect((await call('merge', { operation: 'DeleteItem', key: { id: { S: 'u' } }, _version: 1 })).error?.type).toBe('ConflictUnhandled');
    });

    it('LAMBDA: RESOLVE writes the function item (it saw newItem, existingItem, arguments, resolver); REJECT; REMOVE', async () => {
      await call('lambda', put('l', { title: { S: 'server' } }));
      await call('lambda', put('l', { title: { S: 'server 2' } }, 1));
      const resolved = await call('lambda', put('l', { title: { S: 'client' } }, 1), { mode: 'resolve' });
      expect(resolved.error).toBeUndefined();
      expect(resolved.result).toMatchObject({ id: 'l', title: 'client', decidedBy: `Mutation.lambda@${table} saw v2 new client`, _version: 3 });
      const rejected = await call('lambda', put('l', { title: { S: 'nope' } }, 1), { mode: 'reject' });
      expect(rejected.error).toMatchObject({ type: 'ConflictUnhandled', data: expect.objectContaining({ _version: 3 }) });
      const removed = await call('lambdaArn', put('l', { title: { S: 'bye' } }, 2), { mode: 'remove' });
      expect(removed.result).toMatchObject({ id: 'l', _deleted: true, _version: 4 });
    });

    it('LAMBDA: a malformed answer or a failing function is ConflictError', async () => {
      await call('lambda', put('g', { title: { S: 'server' } }));
      await call('lambda', put('g', { title: { S: 'server 2' } }, 1));
      expect((await call('lambda', put('g', { title: { S: 'x' } }, 1), { mode: 'garbage' })).error).toMatchObject({
        type: 'ConflictError',
        message: expect.stringContaining('SHRUG'),
      });
      expect((await call('lambdaArn', put('g', { title: { S: 'x' } }, 1), { mode: 'throw' })).error).toMatchObject({
        type: 'ConflictError',
        message: expect.stringContaining('cannot decide'),
      });
    });

    it('a conflict that keeps coming back while the handler decides ends in MaxConflicts after 5 rounds', async () => {
      await call('lambda', put('r', { title: { S: 'server' } }));
      let bumps = 0;
      (globalThis as { bumpWhileDeciding?: unknown }).bumpWhileDeciding = async (existing: { _version: number }) => {
        bumps += 1;
        await call('lambda', put('r', { title: { S: `other client ${bumps}` } }, existing._version));
      };
      try {
        const answer = await call('lambda', put('r', { title: { S: 'mine' } }, 0), { mode: 'race' });
        expect(answer.error).toMatchObject({ type: 'MaxConflicts', data: expect.objectContaining({ title: 'other client 5' }) });
        expect(bumps).toBe(5);
      } finally {
        delete (globalThis as { bumpWhileDeciding?: unknown }).bumpWhileDeciding;
      }
    });

    it("the resolver's own condition still gives DynamoDB:ConditionalCheckFailedException when the version matches", async () => {
      await call('optimistic', put('k', { seats: { N: 1 } }));
      const answer = await call('optimistic', {
        operation: 'UpdateItem',
        key: { id: { S: 'k' } },
        update: { expression: 'SET seats = seats - :one', expressionValues: { ':one': { N: 1 } } },
        condition: { expression: 'seats > :zero', expressionValues: { ':zero': { N: 1 } } },
        _version: 1,
      });
      expect(answer.error).toMatchObject({ type: 'DynamoDB:ConditionalCheckFailedException', data: expect.objectContaining({ seats: 1, _version: 1 }) });
    });

    it('without conflict detection versions still advance and a stale _version is ignored', async () => {
      await call('none', put('n', { title: { S: 'one' } }));
      const second = await call('none', put('n', { title: { S: 'two' } }, 99));
      expect(second.result).toMatchObject({ title: 'two', _version: 2 });
      const third = await call('none', {
        operation: 'UpdateItem',
        key: { id: { S: 'n' } },
        update: { expression: 'SET title = :t', expressionValues: { ':t': { S: 'three' } } },
        _version: 1,
      });
      expect(third.result).toMatchObject({ title: 'three', _version: 3 });
    });

    it('metadata fields cannot be written (BadRequest); batch writes and transactions are UnsupportedOperation', async () => {
      await expect(call('none', put('z', { _version: { N: 7 } }))).rejects.toMatchObject({ errorType: 'BadRequest' });
      await expect(
        call('none', {
          operation: 'UpdateItem',
          key: { id: { S: 'z' } },
          update: { expression: 'SET #d = :d', expressionNames: { '#d': '_deleted' }, expressionValues: { ':d': { BOOL: true } } },
        }),
      ).rejects.toMatchObject({ errorType: 'BadRequest' });
      const batch = await call('none', { operation: 'BatchPutItem', tables: { [table]: [{ id: { S: 'z' } }] } });
      expect(batch.error).toEqual({
        type: 'UnsupportedOperation',
        message: expect.stringMatching(/^Unsupported operation 'BatchPutItem'\. Datasource Versioning only supports/),
      });
    });
  });
}
