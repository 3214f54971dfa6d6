/**
 * Eviction from a mutation's resolver (`extensions.evictFromApiCache`, APPSYNC_JS and VTL), the
 * answer's `apiCacheEntriesDeleted`, FlushApiCache (`gateway.flushApiCache()`), and
 * OPERATION_LEVEL_CACHING's whole answers (docs/caching.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { as, cacheConfig, files } from './api.js';

const ITEM = 'query ($id: ID!) { item(id: $id) { id runs user } }';

const vtlFiles = {
  ...files,
  'evict.request.vtl': `$extensions.evictFromApiCache("Query", "item", { "context.arguments.id": $ctx.args.id })
{ "version": "2018-05-29", "payload": null }`,
  'evict.response.vtl': '1',
};

describe('eviction and flush (PER_RESOLVER_CACHING)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const config = cacheConfig({ behavior: 'PER_RESOLVER_CACHING', ttl: 60 });
    (config.schemaSdl as string) += 'extend type Mutation { evictVtl(id: ID!): Int }\n';
    (config.resolvers as Record<string, unknown>)['Mutation.evictVtl'] = {
      kind: 'UNIT',
      dataSource: 'none',
      request: 'evict.request.vtl',
      response: 'evict.response.vtl',
    };
    gw = await startTestGateway({ files: vtlFiles, config });
  });

  it("evicts the entries a mutation's resolver names, and says how many went", async () => {
    const alice = await gw.query(ITEM, { id: 'e1' }, as('alice'));
    const bob = await gw.query(ITEM, { id: 'e1' }, as('bob'));
    const other = await gw.query(ITEM, { id: 'e2' }, as('alice'));
    const evicted = await gw.query('mutation { evictItem(id: "e1") }', undefined, as('carol'));
    // docs.aws.amazon.com/appsync/latest/devguide/extensions-js.html: the count is in the answer's extensions.
    expect(evicted.body).toEqual({ data: { evictItem: 1 }, extensions: { apiCacheEntriesDeleted: 2 } });
    expect((await gw.query(ITEM, { id: 'e1' }, as('alice'))).body.data.item.runs).toBeGreaterThan(bob.body.data.item.runs);
    expect((await gw.query(ITEM, { id: 'e1' }, as('bob'))).body.data.item.runs).toBeGreaterThan(alice.body.data.item.runs);
    // An entry the call did not name stays.
    expect((await gw.query(ITEM, { id: 'e2' }, as('alice'))).body).toEqual(other.body);
  });

  it('evicts only the entries matching every key given', async () => {
    await gw.query(ITEM, { id: 'e3' }, as('alice'));
    const bob = await gw.query(ITEM, { id: 'e3' }, as('bob'));
    const evicted = await gw.query('mutation { evictItem(id: "e3", user: "alice") }', undefined, as('carol'));
    expect(evicted.body.extensions).toEqual({ apiCacheEntriesDeleted: 1 });
    expect((await gw.query(ITEM, { id: 'e3' }, as('bob'))).body).toEqual(bob.body);
  });

  it('answers without extensions when nothing was evicted', async () => {
    expect((await gw.query('mutation { evictItem(id: "never-cached") }', undefined, as('carol'))).body).toEqual({ data: { evictItem: 1 } });
  });

  it("evicts from a VTL template's $extensions.evictFromApiCache", async () => {
    const before = await gw.query(ITEM, { id: 'v1' }, as('alice'));
    const evicted = await gw.query('mutation { evictVtl(id: "v1") }', undefined, as('alice'));
    expect(evicted.body).toEqual({ data: { evictVtl: 1 }, extensions: { apiCacheEntriesDeleted: 1 } });
    expect((await gw.query(ITEM, { id: 'v1' }, as('alice'))).body.data.item.runs).toBeGreaterThan(before.body.data.item.runs);
  });

  it('refuses evictFromApiCache outside a mutation, as AppSync allows it only there', async () => {
    const res = await gw.query('{ evictInQuery(id: "q") }', undefined, as('alice'));
    expect(res.body.data).toEqual({ evictInQuery: null });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ errorType: 'Code', message: 'extensions.evictFromApiCache can only be called in a mutation.' }),
    ]);
  });

  it('FlushApiCache empties the cache', async () => {
    const first = await gw.query(ITEM, { id: 'f1' }, as('alice'));
    expect((await gw.query(ITEM, { id: 'f1' }, as('alice'))).body).toEqual(first.body);
    await gw.gateway.flushApiCache();
    expect((await gw.query(ITEM, { id: 'f1' }, as('alice'))).body.data.item.runs).toBeGreaterThan(first.body.data.item.runs);
  });
});

describe('OPERATION_LEVEL_CACHING', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ files, config: cacheConfig({ behavior: 'OPERATION_LEVEL_CACHING', ttl: 60 }) });
  });

  it('answers a repeated query by the same identity from the cache, whole', async () => {
    const q = '{ a: plain(id: "o1") { runs user } b: plain(id: "o2") { runs } }';
    const first = await gw.query(q, undefined, as('alice'));
    expect(first.body.data.a.user).toBe('alice');
    expect((await gw.query(q, undefined, as('alice'))).body).toEqual(first.body);
    const bob = await gw.query(q, undefined, as('bob'));
    expect(bob.body.data.a.user).toBe('bob');
    // Other variables are another answer.
    const one = await gw.query('query ($id: ID!) { plain(id: $id) { runs } }', { id: 'o3' }, as('alice'));
    const two = await gw.query('query ($id: ID!) { plain(id: $id) { runs } }', { id: 'o4' }, as('alice'));
    expect(two.body.data.plain.runs).not.toBe(one.body.data.plain.runs);
  });

  it('never keeps an answer with errors', async () => {
    const first = await gw.query('{ partial(id: "oe") { runs } }', undefined, as('alice'));
    expect(first.body.errors).toHaveLength(1);
    const second = await gw.query('{ partial(id: "oe") { runs } }', undefined, as('alice'));
    expect(second.body.data.partial.runs).toBeGreaterThan(first.body.data.partial.runs);
  });

  it("evicts the answers that ran the resolver a mutation's evictFromApiCache names", async () => {
    const q = '{ item(id: "oev") { runs } plain(id: "x") { runs } }';
    const first = await gw.query(q, undefined, as('alice'));
    expect((await gw.query(q, undefined, as('alice'))).body).toEqual(first.body);
    const evicted = await gw.query('mutation { evictFromQuery(id: "oev") }', undefined, as('alice'));
    expect(evicted.body.extensions).toEqual({ apiCacheEntriesDeleted: 1 });
    expect((await gw.query(q, undefined, as('alice'))).body.data.item.runs).toBeGreaterThan(first.body.data.item.runs);
  });
});
