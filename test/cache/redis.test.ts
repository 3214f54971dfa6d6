/**
 * The Redis cache (docs/caching.md#redis): two gateway instances on one Redis share entries,
 * evictions and flushes, as AppSync's instances share its ElastiCache; with Redis down, requests
 * are answered uncached and the log says so once per outage.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisCacheStore } from '../../src/cache/index.js';
import { freePort } from '../utils/freePort.js';
import { silentLogger } from '../utils/logger.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { as, cacheConfig, files } from './api.js';

const redisUrl = inject('redisUrl');
const skipReason = inject('redisSkipReason');
const ITEM = 'query ($id: ID!) { item(id: $id) { id runs user stamp } }';

describe.skipIf(!redisUrl)(`two gateways sharing one Redis cache${redisUrl ? '' : ` (skipped: ${skipReason})`}`, () => {
  let a: TestGateway;
  let b: TestGateway;
  const name = `cache-pair-${Date.now()}`;
  beforeAll(async () => {
    const config = () => cacheConfig({ behavior: 'PER_RESOLVER_CACHING', ttl: 60 }, 60, { name, server: { redis: redisUrl } });
    a = await startTestGateway({ files, config: config() });
    b = await startTestGateway({ files, config: config() });
  });

  it("answers on B from the entry A's run made", async () => {
    const onA = await a.query(ITEM, { id: 'r1' }, as('alice'));
    expect(onA.body.data.item).toEqual({ id: 'r1', runs: expect.any(Number), user: 'alice', stamp: expect.any(String) });
    await settle();
    expect((await b.query(ITEM, { id: 'r1' }, as('alice'))).body).toEqual(onA.body);
    // Another identity is another entry, on either instance.
    expect((await b.query(ITEM, { id: 'r1' }, as('bob'))).body.data.item.user).toBe('bob');
  });

  it('keeps each entry as its text alone, its tags in a key of their own with the same expiry', async () => {
    const onA = await a.query(ITEM, { id: 'r3' }, as('alice'));
    await settle();
    const redis = new Redis(redisUrl!);
    try {
      const prefix = `appsync-gateway:cache:${name}:`;
      const values = await redis.keys(`${prefix}v:*`);
      expect(values.length).toBeGreaterThan(0);
      let found = false;
      for (const key of values) {
        const text = (await redis.get(key))!;
        // A resolver entry's text: its expiry and the result's JSON, nothing else.
        expect(text).toMatch(/^\d+ [[{n]/);
        if (text.endsWith(JSON.stringify(onA.body.data.item))) found = true;
        const tags = JSON.parse((await redis.get(key.replace(`${prefix}v:`, `${prefix}t:`)))!) as Array<{ field: string }>;
        expect(tags.map((tag) => tag.field)).toEqual(['Query.item']);
        expect(Math.abs((await redis.pttl(key)) - (await redis.pttl(key.replace(`${prefix}v:`, `${prefix}t:`))))).toBeLessThan(1000);
      }
      expect(found).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it("says on a read when the entry expires, and reads a value without the expiry's prefix as a miss", async () => {
    const prefix = `appsync-gateway:cache:${name}-store:`;
    const store = await RedisCacheStore.create({ url: redisUrl!, prefix, logger: silentLogger });
    const redis = new Redis(redisUrl!);
    try {
      const before = Date.now();
      await store.set('k', '{"id":"1"}', 60_000, { field: 'Query.item', values: { arguments: { id: '1' } } });
      const handle = { expiresAt: 0 };
      expect(await store.get('k', handle)).toBe('{"id":"1"}');
      expect(handle.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
      expect(handle.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
      // As a gateway kept whole answers before entries carried their expiry: headers, a newline, the answer.
      const digest = createHash('sha256').update('old').digest('base64url');
      await redis.set(`${prefix}v:${digest}`, '\n{"data":{"item":{"id":"a b"}}}', 'PX', 60_000);
      expect(await store.get('old')).toBeUndefined();
    } finally {
      redis.disconnect();
      await store.close();
    }
  });

  it("evicts on both from a mutation on B, and flushes both from A's FlushApiCache", async () => {
    const onA = await a.query(ITEM, { id: 'r2' }, as('alice'));
    await settle();
    const evicted = await b.query('mutation { evictItem(id: "r2") }', undefined, as('carol'));
    expect(evicted.body).toEqual({ data: { evictItem: 1 }, extensions: { apiCacheEntriesDeleted: 1 } });
    const fresh = await a.query(ITEM, { id: 'r2' }, as('alice'));
    expect(fresh.body.data.item.stamp).not.toBe(onA.body.data.item.stamp);
    await settle();
    expect((await b.query(ITEM, { id: 'r2' }, as('alice'))).body).toEqual(fresh.body);
    await a.gateway.flushApiCache();
    expect((await b.query(ITEM, { id: 'r2' }, as('alice'))).body.data.item.stamp).not.toBe(fresh.body.data.item.stamp);
  });
});

describe.skipIf(!redisUrl)(`two gateways sharing kept whole answers in one Redis${redisUrl ? '' : ` (skipped: ${skipReason})`}`, () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const name = `cache-answers-${Date.now()}`;
    const config = () => cacheConfig({ behavior: 'OPERATION_LEVEL_CACHING', ttl: 60 }, 60, { name, server: { redis: redisUrl } });
    a = await startTestGateway({ files, config: config() });
    b = await startTestGateway({ files, config: config() });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("answers on B with the answer A kept, never to another identity, and drops it on both from B's eviction", async () => {
    const onA = await a.query(ITEM, { id: 'k1' }, as('alice'));
    expect(onA.body.data.item.user).toBe('alice');
    await settle();
    // The same request by the same caller: the text A kept, nothing ran on B.
    expect((await b.query(ITEM, { id: 'k1' }, as('alice'))).body).toEqual(onA.body);
    const bob = await b.query(ITEM, { id: 'k1' }, as('bob'));
    expect(bob.body.data.item.user).toBe('bob');
    expect(bob.body.data.item.stamp).not.toBe(onA.body.data.item.stamp);
    const evicted = await b.query('mutation { evictItem(id: "k1") }', undefined, as('carol'));
    // Both kept answers ran Query.item with id k1.
    expect(evicted.body.extensions).toEqual({ apiCacheEntriesDeleted: 2 });
    const again = await a.query(ITEM, { id: 'k1' }, as('alice'));
    expect(again.body.data.item.stamp).not.toBe(onA.body.data.item.stamp);
  });
});

/** A redis-server of this test's own on `port`, so the test can stop and start it. */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${output}`)));
  });
  return proc;
}

async function stopRedis(proc: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
}

/** Entries are written after the answer goes out: a read on the other instance waits for it. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

const waitFor = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe.skipIf(!redisUrl)(`Redis down${redisUrl ? '' : ` (skipped: ${skipReason})`}`, () => {
  let dir: string;
  let redis: ChildProcess | undefined;
  afterAll(async () => {
    if (redis && redis.exitCode === null && redis.signalCode === null) await stopRedis(redis);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers uncached while Redis is down, with one warning per outage', async () => {
    dir = await mkdtemp(join(tmpdir(), 'appsync-gw-cache-redis-'));
    const port = await freePort();
    redis = await startRedis(port, dir);
    const warnings: string[] = [];
    const infos: string[] = [];
    const logger = { debug() {}, info: (m: string) => infos.push(m), warn: (m: string) => warnings.push(m), error() {} };
    const config = cacheConfig({ behavior: 'PER_RESOLVER_CACHING', ttl: 60 }, 60, { name: 'cache-outage', server: { redis: `redis://127.0.0.1:${port}` } });
    const gw = await startTestGateway({ files, config, options: { logger } });
    const cached = await gw.query(ITEM, { id: 'd1' }, as('alice'));
    await settle();
    expect((await gw.query(ITEM, { id: 'd1' }, as('alice'))).body).toEqual(cached.body);
    expect(warnings.filter((w) => w.startsWith('API cache'))).toEqual([]);

    await stopRedis(redis);
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await gw.query(ITEM, { id: 'd1' }, as('alice'));
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      runs.push(res.body.data.item.runs);
    }
    // Uncached: every request ran the resolver.
    expect(runs[1]).toBeGreaterThan(runs[0]!);
    expect(runs[2]).toBeGreaterThan(runs[1]!);
    expect(warnings.filter((w) => w.startsWith('API cache'))).toEqual([
      expect.stringMatching(/^API cache: Redis cannot be reached \(.+\); requests are answered uncached until it is back$/),
    ]);

    redis = await startRedis(port, dir);
    await waitFor(() => infos.some((m) => m.includes('Redis is reachable again')), 'the reconnect');
    const again = await gw.query(ITEM, { id: 'd2' }, as('alice'));
    await settle();
    expect((await gw.query(ITEM, { id: 'd2' }, as('alice'))).body).toEqual(again.body);

    await stopRedis(redis);
    await gw.query(ITEM, { id: 'd3' }, as('alice'));
    await gw.query(ITEM, { id: 'd3' }, as('alice'));
    expect(warnings.filter((w) => w.startsWith('API cache'))).toHaveLength(2);
    await gw.close();
  });
});
