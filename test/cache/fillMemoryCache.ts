/**
 * Run by memoryBound.test.ts in its own process (`node --expose-gc --import tsx`): fills an API's
 * in-memory cache, bounded as `caching.maxSizeMb: <argv[2]>` bounds it, with many small
 * entries as a FULL_REQUEST_CACHING API makes them (a root field's entry per request, a nested
 * field's entry per parent, and every tenth request's answer kept whole with its tags; a quarter of
 * the callers with a Cognito identity), argv[3] requests' worth, and prints what the process
 * gained, after forced collections, as JSON: heap and ArrayBuffer memory (the store keeps its
 * entries' bytes outside the heap), and the bytes the store's entries take.
 */
import { ApiCache, MemoryCacheStore } from '../../src/cache/index.js';
import type { NormalizedResolver } from '../../src/config/types.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const maxSizeMb = Number(process.argv[2]);
const requests = Number(process.argv[3]);
const logger = { debug() {}, info() {}, warn() {}, error() {} };

function held(): number {
  gc!();
  gc!();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

function cognito(user: number) {
  const sub = `0b7c3e2a-1c4d-4e5f-9a8b-${String(user).padStart(12, '0')}`;
  return {
    sub,
    username: `user${user}`,
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI',
    claims: { sub, 'cognito:groups': ['readers'], email: `user${user}@example.com`, token_use: 'id', auth_time: 1765000000, exp: 1765003600 },
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
    groups: ['readers'],
  };
}

const before = held();
const store = new MemoryCacheStore(maxSizeMb * 1024 * 1024);
const cache = ApiCache.withStore('FULL_REQUEST_CACHING', 3600, store, logger);
const getPost = cache.policyFor({ typeName: 'Query', fieldName: 'getPost' } as NormalizedResolver)!;
const author = cache.policyFor({ typeName: 'Post', fieldName: 'author' } as NormalizedResolver)!;
for (let i = 0; i < requests; i++) {
  const identity = i % 4 === 0 ? cognito(i % 500) : null;
  const post = { id: `post-${i}`, title: 'Hello', views: i % 1000 };
  const root = cache.resolverEntry(getPost, { arguments: { id: post.id }, source: null, identity });
  cache.setResult(root, post, 3_600_000);
  const nested = cache.resolverEntry(author, { arguments: {}, source: post, identity });
  cache.setResult(nested, { id: `author-${i % 100}`, name: 'Ann' }, 3_600_000);
  if (i % 10 === 0) {
    const sent = JSON.stringify({ query: 'query ($id: ID!) { getPost(id: $id) { id title views author { name } } }', variables: { id: post.id } });
    const key = cache.answerKey('POST', sent, { mode: identity ? 'AMAZON_COGNITO_USER_POOLS' : 'API_KEY', identity } as never);
    const text = JSON.stringify({ data: { getPost: { ...post, author: { name: 'Ann' } } } });
    cache.keepAnswer(key, text, 3_600_000, { cacheTags: [root, nested], cacheExpiresAt: Date.now() + 3_600_000, responseHeaders: {} });
  }
}
const after = held();
// Read after the measure, so the store is alive while the heap is measured.
process.stdout.write(JSON.stringify({ growth: after - before, maxBytes: maxSizeMb * 1024 * 1024, requests, entries: store.size }) + '\n');
