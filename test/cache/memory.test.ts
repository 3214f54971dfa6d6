/**
 * The in-memory store (src/cache/memory.ts): entries' bytes in a ring bounded by the size given, the
 * oldest unread entries first out (an entry read since it was written is kept once more), each entry
 * with its own ttl, evictions by field and key values.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../../src/cache/index.js';

const tag = (field: string, id: string) => ({ field, values: { arguments: { id } } });

describe('MemoryCacheStore', () => {
  it('drops the oldest unread entries once the size bound is reached, keeping the ones read', async () => {
    // Each record below is 32 + 4 (one tag) + 1 (key) + 100 (text) + 26 (tag values' JSON) bytes,
    // 168 once aligned; of 900 bytes a quarter is left for what lies around the ring, and the ring
    // gets what its index (128 bytes) and the index a full ring would need leave: 544, three records.
    const store = new MemoryCacheStore(900);
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
    // a, c and d were read since they were written or moved: c goes first only after a full turn.
    await store.set('e', text, 60_000, [tag('Query.item', 'e')]);
    await store.set('f', text, 60_000, [tag('Query.item', 'f')]);
    expect(store.size).toBe(3);
    expect(await store.get('e')).toBe(text);
    expect(await store.get('f')).toBe(text);
  });

  it('never gives one key the entry of another that differs only in characters outside ASCII', async () => {
    const store = new MemoryCacheStore(1_000_000);
    await store.set('k\ud800', 'lone high surrogate', 60_000, []);
    await store.set('k\u00e9', 'é', 60_000, []);
    expect(await store.get('k\udc00')).toBeUndefined();
    expect(await store.get('k\ufffd')).toBeUndefined();
    expect(await store.get('k\ud800')).toBe('lone high surrogate');
    expect(await store.get('k\u00e9')).toBe('é');
    await store.set('k', '{"name":"Zoë"}', 60_000, []);
    expect(await store.get('k')).toBe('{"name":"Zoë"}');
  });

  it('evicts by field across a ring that has wrapped, and replaces an entry set again', async () => {
    const store = new MemoryCacheStore(20_000);
    for (let i = 0; i < 500; i++) await store.set(`k${i}`, `value ${i}`, 60_000, [tag(i % 2 ? 'Query.odd' : 'Query.even', String(i))]);
    expect(store.size).toBeGreaterThan(20);
    expect(store.size).toBeLessThan(500);
    await store.set('k499', 'again', 60_000, [tag('Query.odd', '499')]);
    expect(await store.get('k499')).toBe('again');
    const present = async (parity: number) => {
      const keys: number[] = [];
      for (let i = parity; i < 500; i += 2) if ((await store.get(`k${i}`)) !== undefined) keys.push(i);
      return keys;
    };
    const odd = await present(1);
    const even = await present(0);
    expect(odd.length + even.length).toBe(store.size);
    expect(await store.evict('Query.odd', () => true)).toBe(odd.length);
    expect(await present(1)).toEqual([]);
    expect(await present(0)).toEqual(even);
    const last = even[even.length - 1]!;
    expect(await store.evict('Query.even', (values) => (values.arguments as { id: string }).id === String(last))).toBe(1);
    expect(store.size).toBe(even.length - 1);
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

  it("says on a hit when the entry expires, through the lookup's handle, and leaves it alone on a miss", async () => {
    const store = new MemoryCacheStore(100_000);
    const before = Date.now();
    await store.set('k', 'text', 60_000, tag('Query.item', 'k'));
    const hit = { expiresAt: 0 };
    expect(store.getNow('k', hit)).toBe('text');
    expect(hit.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(hit.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
    const miss = { expiresAt: 0 };
    expect(store.getNow('other', miss)).toBeUndefined();
    expect(miss.expiresAt).toBe(0);
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

  it('takes a key in two parts as the same entry as its joined text, ASCII or not', async () => {
    const store = new MemoryCacheStore(100_000);
    for (const [head, tail] of [
      ['a\u0000POST\u0000API_KEY\u0000\u0000\u0000', '{"query":"{ a }"}'],
      ['r\u0000Query.item\u0000', '{"arguments":{"id":"é\ud800"}}'],
      ['h\u00e9', 'ascii tail'],
      ['only head', ''],
    ]) {
      await store.set({ head: head!, tail: tail! }, `split ${head}`, 60_000, []);
      expect(await store.get(head! + tail!)).toBe(`split ${head}`);
      await store.set(head! + tail!, `joined ${head}`, 60_000, []);
      expect(store.getNow({ head: head!, tail: tail! })).toBe(`joined ${head}`);
      // Split elsewhere, the same text.
      const at = Math.floor((head! + tail!).length / 2);
      expect(store.getNow({ head: (head! + tail!).slice(0, at), tail: (head! + tail!).slice(at) })).toBe(`joined ${head}`);
      expect(store.getNow({ head: head!, tail: tail! + 'x' })).toBeUndefined();
    }
    expect(store.size).toBe(4);
  });

  it("evicts by the key values a resolver entry's key ends with (kept once, in the key), ASCII or not, after a move to the head", async () => {
    // As ApiCache makes them: the key is a prefix and the tag's values JSON (its tail), which the store does not write twice.
    const entry = (id: string) => {
      const valuesJson = JSON.stringify({ arguments: { id } });
      return { key: { head: 'r\u0000Query.item\u0000', tail: valuesJson }, tag: { field: 'Query.item', valuesJson } };
    };
    const ids = ['plain', 'é-accent', '\u{1F600}-astral', 'plain-2'];
    const store = new MemoryCacheStore(200_000);
    for (const id of ids) await store.set(entry(id).key, JSON.stringify(id), 60_000, [entry(id).tag]);
    // Read them, then fill the ring past its end so the read ones move to the head (second chance).
    for (const id of ids) expect(await store.get(entry(id).key)).toBe(JSON.stringify(id));
    // ~150 bytes a filler; the ring holds ~150 KB of the 200 KB bound: 1,300 fillers pass the items once.
    for (let i = 0; i < 1300; i++) await store.set(`filler-${i}`, 'x'.repeat(100), 60_000, [tag('Query.filler', String(i))]);
    expect(store.size).toBeLessThan(1300);
    for (const id of ids) expect(await store.get(entry(id).key)).toBe(JSON.stringify(id));
    const seen: string[] = [];
    const evicted = await store.evict('Query.item', (values) => {
      const id = (values.arguments as { id: string }).id;
      seen.push(id);
      return id !== 'plain-2';
    });
    expect(seen.sort()).toEqual([...ids].sort());
    expect(evicted).toBe(3);
    expect(await store.get(entry('plain-2').key)).toBe(JSON.stringify('plain-2'));
    expect(await store.get(entry('é-accent').key)).toBeUndefined();
  });
});
