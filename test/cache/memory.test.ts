/**
 * The in-memory store (src/cache/memory.ts): bounded by the size of its entries, least recently
 * used first out, each entry with its own ttl, evictions by field and key values.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../../src/cache/index.js';

const tag = (field: string, id: string) => ({ field, values: { arguments: { id } } });

describe('MemoryCacheStore', () => {
  it('drops the least recently used entries once the size bound is reached', async () => {
    // Each entry below counts 2 × (key + text + tag values' JSON) + 320 bytes = 2 × (1 + 100 + 26) + 320 = 574: three fit in 1,800.
    const store = new MemoryCacheStore(1800);
    const text = 'x'.repeat(100);
    await store.set('a', text, 60_000, [tag('Query.item', 'a')]);
    await store.set('b', text, 60_000, [tag('Query.item', 'b')]);
    await store.set('c', text, 60_000, [tag('Query.item', 'c')]);
    expect(await store.get('a')).toBe(text); // a is now the most recently used
    await store.set('d', text, 60_000, [tag('Query.item', 'd')]);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe(text);
    expect(await store.get('c')).toBe(text);
    expect(await store.get('d')).toBe(text);
    expect(store.size).toBe(3);
  });

  it('does not keep an entry larger than the whole bound', async () => {
    const store = new MemoryCacheStore(1000);
    await store.set('big', 'y'.repeat(1000), 60_000, []);
    expect(await store.get('big')).toBeUndefined();
  });

  it('lets each entry expire after its own ttl', async () => {
    const store = new MemoryCacheStore(1_000_000);
    await store.set('short', '1', 30, []);
    await store.set('long', '2', 60_000, []);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('long')).toBe('2');
  });

  it('evicts the entries of a field whose key values match, and counts them', async () => {
    const store = new MemoryCacheStore(1_000_000);
    await store.set('k1', '1', 60_000, [tag('Query.item', '1')]);
    await store.set('k2', '2', 60_000, [tag('Query.item', '2')]);
    await store.set('k3', '3', 60_000, [tag('Query.other', '1')]);
    const evicted = await store.evict('Query.item', (values) => (values.arguments as { id: string }).id === '1');
    expect(evicted).toBe(1);
    expect(await store.get('k1')).toBeUndefined();
    expect(await store.get('k2')).toBe('2');
    expect(await store.get('k3')).toBe('3');
    await store.flush();
    expect(store.size).toBe(0);
  });
});
