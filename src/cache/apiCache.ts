/**
 * One API's cache (docs/caching.md): which resolvers are cached and under which keys, AppSync's
 * three behaviours, eviction by `extensions.evictFromApiCache` and FlushApiCache, over an
 * in-memory or Redis store.
 *
 * - FULL_REQUEST_CACHING: every resolver's result, keyed by `context.arguments` and `context.identity`
 *   (and `context.source`: a Gateway choice).
 * - PER_RESOLVER_CACHING: the resolvers with a `caching` block, keyed by their `keys`, else by
 *   `context.arguments`, `context.source` and `context.identity`.
 * - OPERATION_LEVEL_CACHING: the whole answer of a query, keyed by its text, operation name,
 *   variables and `context.identity`; no resolver runs on a hit.
 *
 * Only queries use and fill the cache, and only answers without errors are kept.
 */
import stableStringify from 'fast-json-stable-stringify';
import type { CachingBehavior, NormalizedConfig, NormalizedResolver } from '../config/types.js';
import { normalizeCachingKey } from '../config/caching.js';
import type { Logger } from '../datasources/types.js';
import { keyValuesOf, matchesEviction, parseKeyPath, type KeyPath } from './keys.js';
import { MemoryCacheStore } from './memory.js';
import { RedisCacheStore } from './redis.js';
import type { CacheStore, CacheTag, KeyValues } from './types.js';

/** How one resolver is cached: computed at load, read on each run. */
export interface ResolverCachePolicy {
  /** `Type.field` */
  readonly field: string;
  readonly ttlMs: number;
  readonly keys: readonly KeyPath[];
  /** Whether a key reads `context.source` (else source is not read). */
  readonly readsSource: boolean;
  /** OPERATION_LEVEL_CACHING: the result is not cached, the run is only noted on the answer being cached. */
  readonly tagOnly?: boolean;
}

/** A cache lookup's key, and the tag its entry gets. */
export interface ResolverCacheEntry {
  readonly key: string;
  readonly tag: CacheTag;
}

/** An `extensions.evictFromApiCache(typeName, fieldName, keys)` call, as the sandbox reports it. */
export interface CacheEviction {
  typeName: string;
  fieldName: string;
  keys: Record<string, unknown>;
}

/**
 * AppSync's default caching keys (enabling-caching.html, Caching behavior). Gateway choice: full
 * request caching adds `context.source` (null for root fields) so the field of two parents never
 * shares an entry; AWS names only arguments and identity.
 */
const FULL_REQUEST_KEYS = ['context.arguments', 'context.source', 'context.identity'];
const OPERATION_TAG_KEYS = ['context.arguments', 'context.identity'];
const PER_RESOLVER_DEFAULT_KEYS = ['context.arguments', 'context.source', 'context.identity'];

export interface ApiCacheOptions {
  logger: Logger;
  /** `server.redis`: share the cache through this Redis; else it lives in this process. */
  redisUrl?: string;
}

export class ApiCache {
  readonly behavior: CachingBehavior;
  readonly #store: CacheStore;
  readonly #ttlMs: number;
  readonly #logger: Logger;

  private constructor(behavior: CachingBehavior, ttlSeconds: number, store: CacheStore, logger: Logger) {
    this.behavior = behavior;
    this.#ttlMs = ttlSeconds * 1000;
    this.#store = store;
    this.#logger = logger;
  }

  /** The cache `config.caching` asks for; undefined when caching is off. */
  static async create(config: NormalizedConfig, options: ApiCacheOptions): Promise<ApiCache | undefined> {
    const caching = config.caching;
    if (!caching) return undefined;
    const store = options.redisUrl
      ? await RedisCacheStore.create({ url: options.redisUrl, prefix: `appsync-gateway:cache:${config.name}:`, logger: options.logger })
      : new MemoryCacheStore(Math.round(caching.maxSizeMb * 1024 * 1024));
    return new ApiCache(caching.behavior, caching.ttl, store, options.logger);
  }

  /** A cache over a given store (tests, embedders). */
  static withStore(behavior: CachingBehavior, ttlSeconds: number, store: CacheStore, logger: Logger): ApiCache {
    return new ApiCache(behavior, ttlSeconds, store, logger);
  }

  /** Whether whole answers of queries are cached (OPERATION_LEVEL_CACHING). */
  get cachesOperations(): boolean {
    return this.behavior === 'OPERATION_LEVEL_CACHING';
  }

  /** How `resolver`'s results are cached under this behaviour; undefined: they are not. */
  policyFor(resolver: NormalizedResolver): ResolverCachePolicy | undefined {
    let keys: readonly string[];
    let ttlMs = this.#ttlMs;
    if (this.behavior === 'FULL_REQUEST_CACHING') keys = FULL_REQUEST_KEYS;
    else if (this.behavior === 'OPERATION_LEVEL_CACHING') {
      const field = `${resolver.typeName}.${resolver.fieldName}`;
      return { field, ttlMs: 0, keys: OPERATION_TAG_KEYS.map(parseKeyPath), readsSource: false, tagOnly: true };
    } else if (this.behavior === 'PER_RESOLVER_CACHING' && resolver.caching) {
      keys = resolver.caching.keys ?? PER_RESOLVER_DEFAULT_KEYS;
      ttlMs = resolver.caching.ttl * 1000;
    } else return undefined;
    const parsed = keys.map(parseKeyPath);
    return { field: `${resolver.typeName}.${resolver.fieldName}`, ttlMs, keys: parsed, readsSource: parsed.some((k) => k.map === 'source') };
  }

  /** The entry one resolver run reads and fills. */
  resolverEntry(policy: ResolverCachePolicy, context: KeyValues): ResolverCacheEntry {
    const { values, text } = keyValuesOf(policy.keys, context);
    return { key: `r\u0000${policy.field}\u0000${text}`, tag: { field: policy.field, values } };
  }

  /** A cached result: `{ value }`, or undefined on a miss. */
  async getResult(key: string): Promise<{ value: unknown } | undefined> {
    const text = await this.#store.get(key);
    return text === undefined ? undefined : { value: JSON.parse(text) as unknown };
  }

  /** Keeps a resolver's result (never awaited on the request's path: a store that fails logs it). */
  setResult(entry: ResolverCacheEntry, value: unknown, ttlMs: number): void {
    let text: string;
    try {
      text = JSON.stringify(value ?? null);
    } catch (error) {
      this.#logger.warn(`API cache: the result of ${entry.tag.field} cannot be kept: ${(error as Error).message}`);
      return;
    }
    void this.#store.set(entry.key, text, ttlMs, [entry.tag]);
  }

  /** The key of a whole query answer (OPERATION_LEVEL_CACHING). */
  operationKey(query: string, operationName: string | null | undefined, variables: unknown, identity: unknown): string {
    return `o\u0000${query}\u0000${operationName ?? ''}\u0000${stableStringify(variables ?? null)}\u0000${stableStringify(identity ?? null)}`;
  }

  /** A cached answer's text (OPERATION_LEVEL_CACHING). */
  getOperation(key: string): Promise<string | undefined> {
    return this.#store.get(key);
  }

  /** Keeps a query's answer, tagged with the resolver runs it took so evictions reach it. */
  setOperation(key: string, text: string, tags: readonly CacheTag[]): void {
    void this.#store.set(key, text, this.#ttlMs, tags);
  }

  /**
   * Evicts the entries each call names (`extensions.evictFromApiCache`); resolves to how many
   * went (AppSync's `apiCacheEntriesDeleted`). Keys name `context.arguments.x`, `context.source.x`
   * or `context.identity.x`; a key naming anything else matches no entry.
   */
  async evict(evictions: readonly CacheEviction[]): Promise<number> {
    let deleted = 0;
    for (const { typeName, fieldName, keys } of evictions) {
      const wanted: Array<[KeyPath, unknown]> = [];
      let valid = true;
      for (const [name, value] of Object.entries(keys ?? {})) {
        const normalized = normalizeCachingKey(name);
        if (normalized === undefined) valid = false;
        else wanted.push([parseKeyPath(normalized), value]);
      }
      if (!valid) {
        this.#logger.warn(
          `API cache: evictFromApiCache('${typeName}', '${fieldName}') names a key that is not an entry of context.arguments, source or identity`,
        );
        continue;
      }
      deleted += await this.#store.evict(`${typeName}.${fieldName}`, (values) => matchesEviction(wanted, values));
    }
    return deleted;
  }

  /** Empties the cache (AppSync's FlushApiCache). */
  flush(): Promise<void> {
    return this.#store.flush();
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
