/**
 * The in-memory cache's bound holds against the heap its entries really take
 * (docs/caching.md#where-entries-live): filled far past `maxSizeMb` with small entries, the process
 * holds no more than `maxSizeMb` more heap, measured after forced collections in a process of its
 * own (fillMemoryCache.ts). Before entries were held as strings of known size the same fill held
 * about three times the bound.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const FILL = fileURLToPath(new URL('./fillMemoryCache.ts', import.meta.url));

describe('the in-memory cache bound', () => {
  it('keeps the heap a cache full of small entries holds within maxSizeMb', async () => {
    const maxSizeMb = 16;
    const requests = 200_000;
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', FILL, String(maxSizeMb), String(requests)], {
      timeout: 120_000,
    });
    const { heapGrowth, maxBytes, entries } = JSON.parse(stdout) as { heapGrowth: number; maxBytes: number; entries: number };
    // Two resolver entries per request and an answer every tenth: most went to stay within the bound.
    expect(entries).toBeGreaterThan(5_000);
    expect(entries).toBeLessThan(requests);
    expect(heapGrowth).toBeLessThanOrEqual(maxBytes);
    // And the bound is not so loose that the cache holds far less than it may.
    expect(heapGrowth).toBeGreaterThan(0.4 * maxBytes);
  }, 150_000);
});
