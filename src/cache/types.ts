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
 * What a store notes on looking a key up. `expiresAt`: on a hit, when the entry expires (ms since the
 * epoch), so an entry's text holds nothing but what was kept. `storeHash`, `storeLength`, `storeAscii`:
 * what a `set` of the same key right after a miss can reuse (each store reads only what it wrote).
 */
export interface KeyHandle {
  expiresAt: number;
  storeHash?: number;
  storeLength?: number;
  storeAscii?: boolean;
}

/**
 * A key given as two strings, its text `head + tail`: a resolver entry's prefix and its key values, a
 * request's auth and the text it sent. The stores read the two parts (the bytes they hash, the digest
 * Redis names the entry by), so the joined string is never made on a request's path.
 */
export interface SplitKey {
  readonly head: string;
  readonly tail: string;
}

/** An entry's key: its text, or the text in two parts. */
export type CacheKey = string | SplitKey;

/** A store of cache entries. */
export interface CacheStore {
  /** The entry's text, or undefined on a miss (or when the store cannot answer: never a failure); a hit notes its expiry in `handle`. */
  get(key: CacheKey, handle?: KeyHandle): Promise<string | undefined>;
  /** The same as `get`, answered at once, by a store that can (in memory); notes in `handle` what a `set` of the key can reuse. */
  getNow?(key: CacheKey, handle?: KeyHandle): string | undefined;
  /**
   * Stores an entry for `ttlMs`, tagged with `tags` (one or several); a store that cannot take it says so in the log, once per outage.
   * `handle`: as `getNow` left it for this key.
   */
  set(key: CacheKey, text: string, ttlMs: number, tags: CacheTag | readonly CacheTag[], handle?: KeyHandle): Promise<void>;
  /** Removes the entries tagged with `field` whose tag `matches`; resolves to how many went. */
  evict(field: string, matches: (values: KeyValues) => boolean): Promise<number>;
  /** Removes every entry (FlushApiCache). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
