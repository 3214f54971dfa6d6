/**
 * Per-resolver and full-request caching through the gateway (docs/caching.md): hits within the
 * ttl, misses after it, keys that keep identities apart, errors never kept, mutations never cached.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { createGateway, type GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { as, cacheConfig, files } from './api.js';
import { silentLogger } from '../utils/logger.js';

const ITEM = 'query ($id: ID!) { item(id: $id) { id runs user } }';

describe('PER_RESOLVER_CACHING', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ files, config: cacheConfig({ behavior: 'PER_RESOLVER_CACHING', ttl: 60 }, 1) });
  });

  it('answers from the cache within the ttl, and runs the resolver again after it', async () => {
    const first = await gw.query(ITEM, { id: 'ttl' }, as('alice'));
    expect(first.body).toEqual({ data: { item: { id: 'ttl', runs: expect.any(Number), user: 'alice' } } });
    const again = await gw.query(ITEM, { id: 'ttl' }, as('alice'));
    expect(again.body).toEqual(first.body);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await gw.query(ITEM, { id: 'ttl' }, as('alice'));
    expect(later.body.data.item.runs).toBeGreaterThan(first.body.data.item.runs);
  });

  it('never gives one identity the answer another identity caused, when the keys name the identity', async () => {
    const alice = await gw.query(ITEM, { id: 'who' }, as('alice'));
    const bob = await gw.query(ITEM, { id: 'who' }, as('bob'));
    expect(alice.body.data.item.user).toBe('alice');
    expect(bob.body.data.item).toEqual({ id: 'who', runs: expect.any(Number), user: 'bob' });
    expect(bob.body.data.item.runs).not.toBe(alice.body.data.item.runs);
    // Each keeps their own entry.
    expect((await gw.query(ITEM, { id: 'who' }, as('alice'))).body).toEqual(alice.body);
    expect((await gw.query(ITEM, { id: 'who' }, as('bob'))).body).toEqual(bob.body);
  });

  it('shares an entry between identities when the keys leave the identity out (as configured)', async () => {
    const alice = await gw.query('{ shared(id: "s") { runs user } }', undefined, as('alice'));
    const bob = await gw.query('{ shared(id: "s") { runs user } }', undefined, as('bob'));
    expect(bob.body).toEqual(alice.body);
  });

  it('keeps apart the entries of different key values', async () => {
    const one = await gw.query(ITEM, { id: 'a' }, as('alice'));
    const two = await gw.query(ITEM, { id: 'b' }, as('alice'));
    expect(two.body.data.item.id).toBe('b');
    expect(two.body.data.item.runs).not.toBe(one.body.data.item.runs);
  });

  it('caches a resolver with `caching: true` under the API ttl and AppSync default keys', async () => {
    const first = await gw.query('{ defaults(id: "d") { runs user } }', undefined, as('alice'));
    expect((await gw.query('{ defaults(id: "d") { runs user } }', undefined, as('alice'))).body).toEqual(first.body);
    const bob = await gw.query('{ defaults(id: "d") { runs user } }', undefined, as('bob'));
    expect(bob.body.data.defaults.user).toBe('bob');
  });

  it('does not cache a resolver without a caching block', async () => {
    const first = await gw.query('{ plain(id: "p") { runs } }', undefined, as('alice'));
    const second = await gw.query('{ plain(id: "p") { runs } }', undefined, as('alice'));
    expect(second.body.data.plain.runs).toBeGreaterThan(first.body.data.plain.runs);
  });

  it('never keeps an answer with an appended error', async () => {
    const first = await gw.query('{ partial(id: "e") { runs } }', undefined, as('alice'));
    expect(first.body.errors).toEqual([expect.objectContaining({ errorType: 'Partial', message: 'only part of it' })]);
    const second = await gw.query('{ partial(id: "e") { runs } }', undefined, as('alice'));
    expect(second.body.data.partial.runs).toBeGreaterThan(first.body.data.partial.runs);
  });

  it('never keeps a failed run', async () => {
    const first = await gw.query('{ broken(id: "x") { runs } }', undefined, as('alice'));
    const second = await gw.query('{ broken(id: "x") { runs } }', undefined, as('alice'));
    const runOf = (body: { errors: Array<{ message: string }> }) => Number(/run (\d+) failed/.exec(body.errors[0]!.message)![1]);
    expect(first.body.data).toEqual({ broken: null });
    expect(first.body.errors[0].errorType).toBe('Broken');
    expect(runOf(second.body)).toBeGreaterThan(runOf(first.body));
  });
});

describe('FULL_REQUEST_CACHING', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ files, config: cacheConfig({ behavior: 'FULL_REQUEST_CACHING', ttl: 60 }) });
  });

  it('caches every resolver, keyed by its arguments and the identity', async () => {
    const alice = await gw.query('{ plain(id: "f") { runs user } }', undefined, as('alice'));
    expect((await gw.query('{ plain(id: "f") { runs user } }', undefined, as('alice'))).body).toEqual(alice.body);
    const bob = await gw.query('{ plain(id: "f") { runs user } }', undefined, as('bob'));
    expect(bob.body.data.plain.user).toBe('bob');
    // Another argument value is another entry.
    const other = await gw.query('{ plain(id: "g") { runs user } }', undefined, as('alice'));
    expect(other.body.data.plain.runs).not.toBe(alice.body.data.plain.runs);
  });

  it("keeps a nested field's entries apart per parent (Gateway choice: context.source is a key too)", async () => {
    const res = await gw.query('{ a: plain(id: "n1") { parentId } b: plain(id: "n2") { parentId } }', undefined, as('alice'));
    expect(res.body).toEqual({ data: { a: { parentId: 'n1' }, b: { parentId: 'n2' } } });
  });

  it('runs mutations every time', async () => {
    const one = await gw.query('mutation { evictFromQuery(id: "none") }', undefined, as('alice'));
    expect(one.body).toEqual({ data: { evictFromQuery: 1 } });
  });
});

describe('bad caching input', () => {
  it('refuses a caching key naming an argument the field does not have', async () => {
    const config = cacheConfig({ behavior: 'PER_RESOLVER_CACHING', ttl: 60 });
    (config.resolvers as Record<string, { caching?: unknown }>)['Query.shared']!.caching = { ttl: 10, keys: ['$context.arguments.missing'] };
    expect(await loadError(config)).toContain('resolvers.Query.shared.caching.keys.0: Query.shared has no argument "missing" (its arguments: id)');
  });

  it('refuses a ttl out of AppSync range and a key outside arguments, source and identity', async () => {
    const config = cacheConfig({ behavior: 'PER_RESOLVER_CACHING', ttl: 0 });
    (config.resolvers as Record<string, { caching?: unknown }>)['Query.shared']!.caching = { ttl: 3601, keys: ['$context.request.headers.x'] };
    const error = await loadError(config);
    expect(String(error)).toContain('caching.ttl: expected an integer from 1 to 3600 (seconds), got number 0');
    expect(String(error)).toContain('resolvers.Query.shared.caching.ttl: expected an integer from 1 to 3600 (seconds), got number 3601');
    expect(String(error)).toContain(
      'resolvers.Query.shared.caching.keys.0: expected an entry of $context.arguments, $context.source or $context.identity (like $context.arguments.id), got string "$context.request.headers.x"',
    );
  });

  it('refuses an unknown behavior', async () => {
    const config = cacheConfig({ behavior: 'SOMETIMES' as never, ttl: 60 });
    expect(await loadError(config)).toContain(
      'caching.behavior: expected one of FULL_REQUEST_CACHING, PER_RESOLVER_CACHING, OPERATION_LEVEL_CACHING, got string "SOMETIMES"',
    );
  });
});

/** createGateway's error for `config`, with its files in a temp folder removed after. */
async function loadError(config: GatewayConfig): Promise<string> {
  const dir = await writeFiles();
  try {
    const gateway = await createGateway(config, { inMemory: true, configDir: dir, logger: silentLogger });
    await gateway.close();
    return 'loaded';
  } catch (error) {
    return String(error);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeFiles(): Promise<string> {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-cache-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}
