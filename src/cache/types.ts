/**
 * The small interface every API cache store implements (in memory, Redis): entries are JSON text
 * with a time to live and the tags an eviction finds them by (docs/caching.md).
 */

/**
 * What an entry answers for: the field (`Type.field`) whose resolver made it, and the caching-key
 * values it was made with (`{ arguments: { id: '1' }, identity: {…} }`), which
 * `extensions.evictFromApiCache` matches against.
 */
export interface CacheTag {
  field: string;
  /** The key values; absent when `valuesJson` holds them. */
  values?: KeyValues;
  /**
   * `values` as JSON text, when the tag's maker has it (a resolver entry's tag, made with its key):
   * stores write it instead of serialising `values`. The same values, object keys in any order.
   */
  valuesJson?: string;
}

/** The parts of a resolver's context a cache key reads, in the shape of `ctx`. */
export interface KeyValues {
  arguments?: unknown;
  source?: unknown;
  identity?: unknown;
}

/**
 * What a store noted about a key when it looked it up (its hash, its bytes' length), for a `set` of
 * the same key right after a miss to reuse: each store reads only what it wrote. Opaque to callers.
 */
export type KeyHandle = Record<string, unknown>;

/** A store of cache entries. */
export interface CacheStore {
  /** The entry's text, or undefined on a miss (or when the store cannot answer: never a failure). */
  get(key: string): Promise<string | undefined>;
  /** The same as `get`, answered at once, by a store that can (in memory); notes in `handle` what a `set` of the key can reuse. */
  getNow?(key: string, handle?: KeyHandle): string | undefined;
  /** Stores an entry for `ttlMs`; a store that cannot take it says so in the log, once per outage. `handle`: as `getNow` left it for this key. */
  set(key: string, text: string, ttlMs: number, tags: readonly CacheTag[], handle?: KeyHandle): Promise<void>;
  /** Removes the entries tagged with `field` whose tag `matches`; resolves to how many went. */
  evict(field: string, matches: (values: KeyValues) => boolean): Promise<number>;
  /** Removes every entry (FlushApiCache). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
