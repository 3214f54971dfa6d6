/**
 * Answers kept whole (docs/caching.md#answers-kept-whole): under FULL_REQUEST_CACHING a repeated
 * query whose every resolver was read from its entry is answered with the text sent before, no
 * longer than those entries live and gone with any of them an eviction names; under
 * OPERATION_LEVEL_CACHING the answer of the first run is kept. Each lookup is one debug line with
 * the key's digest, never the identity.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { as, cacheConfig, files } from './api.js';

interface Line {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** Keeps the cache's debug lines, with their fields as the console logger would print them. */
function capturingLogger() {
  const lines: Line[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    if (message.startsWith('API cache')) lines.push({ level, message, fields: JSON.parse(JSON.stringify(fields ?? {})) as Record<string, unknown> });
  };
  return { lines, logger: { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') } };
}

const ITEM = 'query ($id: ID!) { item(id: $id) { id runs user } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FULL_REQUEST_CACHING: answers kept whole', () => {
  let gw: TestGateway;
  const { lines, logger } = capturingLogger();
  beforeAll(async () => {
    gw = await startTestGateway({ files, config: cacheConfig({ behavior: 'FULL_REQUEST_CACHING', ttl: 60 }), options: { logger } });
  });

  it('answers a repeat from the kept text once every resolver of the query was read from its entry', async () => {
    const q = '{ a: plain(id: "w1") { runs user } b: item(id: "w2") { runs } }';
    lines.length = 0;
    const first = await gw.query(q, undefined, as('alice'));
    // The first run missed both entries: its answer is not what a repeat answers (the resolvers ran), so it is not kept whole.
    expect(lines.map((l) => `${l.message} ${l.fields.answer ?? l.fields.resolver}`)).toEqual([
      'API cache miss FULL_REQUEST_CACHING',
      'API cache miss Query.plain',
      'API cache miss Query.item',
    ]);
    lines.length = 0;
    expect((await gw.query(q, undefined, as('alice'))).body).toEqual(first.body);
    expect(lines.map((l) => `${l.message} ${l.fields.answer ?? l.fields.resolver}`)).toEqual([
      'API cache miss FULL_REQUEST_CACHING',
      'API cache hit Query.plain',
      'API cache hit Query.item',
    ]);
    lines.length = 0;
    const third = await gw.query(q, undefined, as('alice'));
    expect(third.body).toEqual(first.body);
    expect(third.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(third.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    // Nothing ran or was read but the kept answer.
    expect(lines.map((l) => `${l.message} ${l.fields.answer ?? l.fields.resolver}`)).toEqual(['API cache hit FULL_REQUEST_CACHING']);
  });

  it("never gives one identity another's kept answer", async () => {
    const q = '{ plain(id: "w3") { runs user } }';
    for (let i = 0; i < 3; i++) expect((await gw.query(q, undefined, as('alice'))).body.data.plain.user).toBe('alice');
    const bob = await gw.query(q, undefined, as('bob'));
    expect(bob.body.data.plain.user).toBe('bob');
  });

  it("drops a kept answer when a mutation's evictFromApiCache names one of its entries", async () => {
    const q = '{ item(id: "w4") { runs } plain(id: "w5") { runs } }';
    const first = await gw.query(q, undefined, as('alice'));
    await gw.query(q, undefined, as('alice'));
    lines.length = 0;
    expect((await gw.query(q, undefined, as('alice'))).body).toEqual(first.body);
    expect(lines.map((l) => l.message)).toEqual(['API cache hit']);
    const evicted = await gw.query('mutation { evictItem(id: "w4") }', undefined, as('carol'));
    // The resolver entry and the answer kept whole from it.
    expect(evicted.body.extensions).toEqual({ apiCacheEntriesDeleted: 2 });
    const after = await gw.query(q, undefined, as('alice'));
    expect(after.body.data.item.runs).toBeGreaterThan(first.body.data.item.runs);
    expect(after.body.data.plain).toEqual(first.body.data.plain);
  });

  it('logs each lookup with the digest of its key, never the identity', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.level).toBe('debug');
      expect(line.fields.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(line.fields)).not.toMatch(/alice|carol/);
    }
  });
});

describe('FULL_REQUEST_CACHING: a kept answer lives no longer than its entries', () => {
  it('runs the resolver again once the first entry the answer was read from expires', async () => {
    const gw = await startTestGateway({ files, config: cacheConfig({ behavior: 'FULL_REQUEST_CACHING', ttl: 1 }) });
    const q = '{ plain(id: "t1") { runs } }';
    const first = await gw.query(q, undefined, as('alice'));
    await sleep(500);
    // Read from the entry made 0.5 s ago: kept whole, for the entry's remaining half second only.
    expect((await gw.query(q, undefined, as('alice'))).body).toEqual(first.body);
    expect((await gw.query(q, undefined, as('alice'))).body).toEqual(first.body);
    await sleep(700);
    const later = await gw.query(q, undefined, as('alice'));
    expect(later.body.data.plain.runs).toBeGreaterThan(first.body.data.plain.runs);
  });
});

describe('OPERATION_LEVEL_CACHING: lookups in the debug log', () => {
  it('says miss then hit, with the digest of the key', async () => {
    const { lines, logger } = capturingLogger();
    const gw = await startTestGateway({ files, config: cacheConfig({ behavior: 'OPERATION_LEVEL_CACHING', ttl: 60 }), options: { logger } });
    const first = await gw.query(ITEM, { id: 'l1' }, as('alice'));
    expect((await gw.query(ITEM, { id: 'l1' }, as('alice'))).body).toEqual(first.body);
    expect(lines.map((l) => `${l.level} ${l.message} ${l.fields.answer}`)).toEqual([
      'debug API cache miss OPERATION_LEVEL_CACHING',
      'debug API cache hit OPERATION_LEVEL_CACHING',
    ]);
    expect(lines[0]!.fields.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(lines[1]!.fields.key).toBe(lines[0]!.fields.key);
    await gw.query(ITEM, { id: 'l1' }, as('bob'));
    expect(lines[2]!.fields.key).not.toBe(lines[0]!.fields.key);
  });
});

describe('an answer over the size limit is never kept whole', () => {
  // The first two calls give 3,000,000 characters each (the two together are over 5 MiB), later ones a few.
  const shrinking = {
    'shrinking.mjs': `let calls = 0;
export function handler() {
  calls += 1;
  return calls <= 2 ? 'x'.repeat(3_000_000) : 'small ' + calls;
}
`,
    'big.js': `export function request(ctx) { return { operation: 'Invoke', payload: {} }; }
export function response(ctx) { return ctx.result; }
`,
  };
  const bigConfig = (behavior: 'FULL_REQUEST_CACHING' | 'OPERATION_LEVEL_CACHING') => ({
    schemaSdl: 'type Query { big: String }',
    authentication: { type: 'API_KEY' as const },
    apiKeys: [{ name: 'k', value: 'da2-oversizeanswer' }],
    caching: { behavior, ttl: 60 },
    dataSources: { shrinking: { type: 'AWS_LAMBDA' as const, config: { handler: 'shrinking.mjs#handler' } } },
    resolvers: { 'Query.big': { kind: 'UNIT' as const, dataSource: 'shrinking', code: 'big.js' } },
  });
  const TOO_LARGE = { data: null, errors: [{ errorType: 'MappingTemplate', message: 'Transformation too large' }] };

  it('OPERATION_LEVEL_CACHING: the next request runs the query again instead of getting the error from the cache', async () => {
    const gw = await startTestGateway({ files: shrinking, config: bigConfig('OPERATION_LEVEL_CACHING') });
    const q = '{ a: big b: big }';
    expect((await gw.query(q)).body).toEqual(TOO_LARGE);
    // Kept, the 6 MB text would answer this request (as the size limit's error again) without running the query.
    expect((await gw.query(q)).body).toEqual({ data: { a: 'small 3', b: 'small 4' } });
    expect((await gw.query(q)).body).toEqual({ data: { a: 'small 3', b: 'small 4' } });
  });

  it('FULL_REQUEST_CACHING: the resolver entries are kept, the oversize answer built from them is not', async () => {
    const { lines, logger } = capturingLogger();
    const gw = await startTestGateway({ files: shrinking, config: bigConfig('FULL_REQUEST_CACHING'), options: { logger } });
    const q = '{ a: big b: big }';
    expect((await gw.query(q)).body).toEqual(TOO_LARGE);
    // Both fields read from their entries: an answer that would be kept whole, were it within the limit.
    expect((await gw.query(q)).body).toEqual(TOO_LARGE);
    lines.length = 0;
    expect((await gw.query(q)).body).toEqual(TOO_LARGE);
    expect(lines.map((l) => `${l.message} ${l.fields.answer ?? l.fields.resolver}`)).toEqual([
      'API cache miss FULL_REQUEST_CACHING',
      'API cache hit Query.big',
      'API cache hit Query.big',
    ]);
  });
});

describe('answers kept whole: a request is looked up before its body is parsed', () => {
  it('still answers a malformed request as malformed and an unauthenticated one with 401, and a repeat from the kept text', async () => {
    const gw = await startTestGateway({
      files,
      config: {
        ...cacheConfig({ behavior: 'OPERATION_LEVEL_CACHING', ttl: 60 }),
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-lookupbeforeparse' }],
      },
    });
    const send = (body: string, headers: Record<string, string>) =>
      fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as unknown,
      }));
    const key = { 'x-api-key': 'da2-lookupbeforeparse' };
    const malformed = { status: 400, body: { errors: [{ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }] } };
    // Malformed wins over a missing or wrong key, as when the body was parsed before authenticating.
    expect(await send('{"query":', {})).toEqual(malformed);
    expect(await send('{"query":', { 'x-api-key': 'da2-wrong' })).toEqual(malformed);
    expect(await send('{"query":', key)).toEqual(malformed);
    expect(await send('{"variables":{}}', key)).toEqual(malformed);
    const body = JSON.stringify({ query: '{ shared(id: "p1") { id runs } }' });
    expect((await send(body, {})).status).toBe(401);
    const first = await send(body, key);
    expect(first.status).toBe(200);
    expect(await send(body, key)).toEqual(first);
    // A kept answer is no answer to a caller the key refuses.
    expect((await send(body, { 'x-api-key': 'da2-wrong' })).status).toBe(401);
  });
});
