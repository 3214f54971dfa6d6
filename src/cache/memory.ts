/**
 * The in-memory cache store: an LRU bounded by the size of its entries (lru-cache), each with its
 * own time to live, and an index from field to the entries tagged with it for evictions.
 */
import { LRUCache } from 'lru-cache';
import type { CacheStore, CacheTag, KeyValues } from './types.js';

interface Entry {
  text: string;
  tags: readonly CacheTag[];
}

/** Keys and tag values are counted at two bytes a character, like the text. */
const sizeOf = (key: string, entry: Entry, tagChars: number) => 2 * (key.length + entry.text.length + tagChars) + 64;

export class MemoryCacheStore implements CacheStore {
  readonly #entries: LRUCache<string, Entry>;
  /** field → keys of the entries tagged with it. */
  readonly #byField = new Map<string, Set<string>>();

  /** @param maxBytes the most the entries may take (least recently used ones go first) */
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
    let tagChars = 0;
    for (const tag of tags) tagChars += tag.field.length + 32;
    const entry: Entry = { text, tags };
    const size = sizeOf(key, entry, tagChars);
    // An entry larger than the whole cache is not kept (lru-cache refuses it too, silently).
    if (size > this.#entries.maxSize) return Promise.resolve();
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
        if (entry.tags.some((tag) => tag.field === field && matches(tag.values))) {
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
    for (const tag of entry.tags) {
      const keys = this.#byField.get(tag.field);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.#byField.delete(tag.field);
    }
  }
}
