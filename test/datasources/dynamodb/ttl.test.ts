/**
 * TTL from the data source's config: a table's `TimeToLiveSpecification` is turned on where the
 * gateway manages the table (DynamoDB Local and the embedded store), and a versioned data source's
 * tombstones and Delta entries (`_ttl`) expire on the embedded store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTimeToLiveCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamodbKind } from '../../../src/datasources/dynamodb/index.js';
import { acquireEmbeddedDynamoDB, releaseEmbeddedDynamoDB } from '../../../src/embedded/dynamodb/index.js';
import { TTL_SWEEP_MS } from '../../../src/embedded/dynamodb/ttl.js';
import type { DataSource, InvocationContext } from '../../../src/datasources/types.js';
import type { NormalizedConfig } from '../../../src/config/types.js';
import { silentLogger } from '../../utils/logger.js';

const KEY = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
};

const backends: Array<{ name: string; endpoint: () => string | undefined; skip: () => string; expires: boolean }> = [
  // DynamoDB Local keeps expired items (as DynamoDB may, for days).
  { name: 'DynamoDB Local', endpoint: () => inject('dynamodbLocalUrl'), skip: () => inject('dynamodbLocalSkipReason'), expires: false },
  { name: 'the embedded store', endpoint: () => undefined, skip: () => '', expires: true },
];

for (const backend of backends) {
  describe.skipIf(!!backend.skip())(`TTL from the config on ${backend.name}${backend.skip() ? ` (skipped: ${backend.skip()})` : ''}`, () => {
    const suffix = `${backend.name.replace(/\W/g, '')}_${Date.now()}`;
    let dir: string;
    let client: DynamoDBClient;
    const sources: DataSource[] = [];
    const create = async (name: string, config: Record<string, unknown>) => {
      const ds = await dynamodbKind.create({
        name,
        config: { endpoint: backend.endpoint(), ...config } as never,
        configPath: `dataSources.${name}.config`,
        configDir: dir,
        gatewayConfig: { name: 'ttl', configDir: dir, resolvers: [] } as unknown as NormalizedConfig,
        logger: silentLogger,
      });
      sources.push(ds);
      return ds;
    };
    const ttlOf = async (table: string) => (await client.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ddb-ttl-'));
      client = new DynamoDBClient({
        endpoint: backend.endpoint() ?? (await acquireEmbeddedDynamoDB()),
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
    });
    afterAll(async () => {
      for (const ds of sources) await ds.close?.();
      client?.destroy();
      if (!backend.endpoint()) await releaseEmbeddedDynamoDB();
      await rm(dir, { recursive: true, force: true });
    });

    it('a table TimeToLiveSpecification is turned on when the table is made, and a restart finds it on', async () => {
      const table = `ttlcfg_${suffix}`;
      const config = { tableName: table, table: { ...KEY, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } } };
      await create('cfg', config);
      expect(await ttlOf(table)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
      await create('cfgAgain', config);
      expect(await ttlOf(table)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    });

    it('a versioned data source expires by _ttl on its base and Delta tables', async () => {
      const table = `ttlv_${suffix}`;
      const delta = `ttlvdelta_${suffix}`;
      // 0.02 minutes: tombstones and Delta entries live 1.2 s.
      const ds = await create('versioned', {
        tableName: table,
        table: KEY,
        versioned: true,
        deltaSyncConfig: { deltaSyncTableName: delta, deltaSyncTableTTL: 0.02, baseTableTTL: 0.02 },
      });
      expect(await ttlOf(table)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: '_ttl' });
      expect(await ttlOf(delta)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: '_ttl' });
      const context: InvocationContext = {
        resolverName: 'Mutation.none',
        fieldName: 'none',
        parentTypeName: 'Mutation',
        requestScope: new Map(),
        resolverContext: { arguments: {}, identity: null },
      };
      expect((await ds.invoke({ operation: 'PutItem', key: { id: { S: 'x' } }, attributeValues: { title: { S: 't' } } }, context)).error).toBeUndefined();
      const deleted = await ds.invoke({ operation: 'DeleteItem', key: { id: { S: 'x' } } }, context);
      expect(deleted.result).toMatchObject({ id: 'x', _deleted: true });
      const count = async (t: string) => (await client.send(new ScanCommand({ TableName: t, ConsistentRead: true }))).Count ?? 0;
      expect(await count(table)).toBe(1);
      expect(await count(delta)).toBe(2);
      // Only the embedded store promises a deletion time; DynamoDB Local (like DynamoDB itself,
      // which may take days) deletes expired items when its own sweep comes round, or not at all.
      if (!backend.expires) return;
      await new Promise((r) => setTimeout(r, 1200 + 1000 + 2 * TTL_SWEEP_MS));
      expect(await count(table)).toBe(0);
      expect(await count(delta)).toBe(0);
    });
  });
}
