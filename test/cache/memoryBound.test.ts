/**
 * The in-memory cache's bound holds against the memory its entries really take
 * (docs/caching.md#where-entries-live): filled far past `maxSizeMb` with small entries, the process
 * holds no more than `maxSizeMb` more heap and ArrayBuffer memory (where the entries' bytes and the
 * index live), measured after forced collections in a process of its own (fillMemoryCache.ts).
 * When entries were objects and strings on the heap, the same fill held about three times the bound
 * before it was accounted for, and 14,600 entries after; in bytes off the heap it holds ~34,000.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const FILL = fileURLToPath(new URL('./fillMemoryCache.ts', import.meta.url));

describe('the in-memory cache bound', () => {
  it('keeps the memory a cache full of small entries holds within maxSizeMb', async () => {
    const maxSizeMb = 16;
    const requests = 200_000;
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', FILL, String(maxSizeMb), String(requests)], {
      timeout: 120_000,
    });
    const { growth, maxBytes, entries } = JSON.parse(stdout) as { growth: number; maxBytes: number; entries: number };
    // Two resolver entries per request and an answer every tenth: most went to stay within the bound.
    expect(entries).toBeGreaterThan(25_000);
    expect(entries).toBeLessThan(requests);
    expect(growth).toBeLessThanOrEqual(maxBytes);
    // And the bound is not so loose that the cache holds far less than it may.
    expect(growth).toBeGreaterThan(0.4 * maxBytes);
  }, 150_000);
});
