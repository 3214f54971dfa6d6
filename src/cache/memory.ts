/**
 * The in-memory cache store: an LRU bounded by the size of its entries (lru-cache), each with its
 * own time to live, and an index from field to the entries tagged with it for evictions.
 *
 * The bound holds against the heap the entries really take (docs/caching.md#where-entries-live):
 * an entry is held as strings only (its text, and its tags' key values as one JSON text, parsed by
 * evictions alone), so its size is known: two bytes a character, the most a V8 string takes, plus
 * a fixed cost per entry and per tag measured for the objects around them.
 */
import { LRUCache } from 'lru-cache';
import type { CacheStore, CacheTag, KeyValues } from './types.js';

interface Entry {
  text: string;
  /** The fields of the entry's tags: one string for the one tag a resolver's entry has. */
  fields: string | readonly string[];
  /** The key values of the entry's tags, in the order of `fields`, as JSON text (an array). */
  values: string;
}

/**
 * What an entry costs besides its strings' characters, in bytes: measured on Node 20 (x64, no
 * pointer compression) with test/cache/memoryBound.test.ts's entries, which hold ~480 bytes of heap
 * for ~170 characters, ~550 once the cache has replaced its entries many times over (lru-cache's
 * map and arrays and the field index keep room for more than they hold); rounded up. It covers
 * the entry object, the strings' headers, lru-cache's map slot and per-entry array slots, and the
 * field index's slot for the first tag. Each further tag adds a slot in `fields` and in the index.
 */
const ENTRY_BYTES = 320;
const TAG_BYTES = 64;

export class MemoryCacheStore implements CacheStore {
  readonly #entries: LRUCache<string, Entry>;
  /** field → keys of the entries tagged with it. */
  readonly #byField = new Map<string, Set<string>>();
  #flattened = 0;

  /** @param maxBytes the most the entries may take of the heap (least recently used ones go first) */
  constructor(maxBytes: number) {
    this.#entries = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      // An expired entry is dropped when read; lru-cache keeps no timer per entry.
      ttlAutopurge: false,
      dispose: (entry, key) => this.#unindex(key, entry),
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.#entries.get(key)?.text);
  }

  set(key: string, text: string, ttlMs: number, tags: readonly CacheTag[]): Promise<void> {
    const entry: Entry =
      tags.length === 1
        ? { text, fields: tags[0]!.field, values: JSON.stringify([tags[0]!.values]) }
        : { text, fields: tags.map((tag) => tag.field), values: JSON.stringify(tags.map((tag) => tag.values)) };
    const size = 2 * (key.length + text.length + entry.values.length) + ENTRY_BYTES + TAG_BYTES * Math.max(0, tags.length - 1);
    // An entry larger than the whole cache is not kept (lru-cache refuses it too, silently).
    if (size > this.#entries.maxSize) return Promise.resolve();
    // A string built by concatenation (the key, an entry's text) is a tree of its parts in V8, at
    // ~32 bytes a part more than its characters; converting it to a number flattens it in place, as
    // the flatstr package does (not installed; one line). The result is kept so no compiler drops the conversion.
    this.#flattened = Number(key) + Number(text);
    this.#entries.set(key, entry, { ttl: ttlMs, size });
    for (const tag of tags) {
      let keys = this.#byField.get(tag.field);
      if (!keys) this.#byField.set(tag.field, (keys = new Set()));
      keys.add(key);
    }
    return Promise.resolve();
  }

  evict(field: string, matches: (values: KeyValues) => boolean): Promise<number> {
    const keys = this.#byField.get(field);
    let evicted = 0;
    if (keys) {
      for (const key of [...keys]) {
        // peek: an eviction is not a use, and an expired entry does not count.
        const entry = this.#entries.get(key, { updateAgeOnGet: false });
        if (!entry) {
          keys.delete(key);
          continue;
        }
        const values = JSON.parse(entry.values) as KeyValues[];
        const fields = typeof entry.fields === 'string' ? [entry.fields] : entry.fields;
        if (fields.some((f, i) => f === field && matches(values[i]!))) {
          this.#entries.delete(key);
          evicted += 1;
        }
      }
    }
    return Promise.resolve(evicted);
  }

  flush(): Promise<void> {
    this.#entries.clear();
    this.#byField.clear();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.flush();
  }

  #unindex(key: string, entry: Entry): void {
    for (const field of typeof entry.fields === 'string' ? [entry.fields] : entry.fields) {
      const keys = this.#byField.get(field);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.#byField.delete(field);
    }
  }
}
