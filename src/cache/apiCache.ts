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
 * Under FULL_REQUEST_CACHING and OPERATION_LEVEL_CACHING a query's whole answer is kept too, as
 * the text sent, keyed by the request as sent and who sent it: a repeated request is answered from
 * it without parsing, validating or running the query (docs/caching.md#answers-kept-whole).
 *
 * Only queries use and fill the cache, and only answers without errors are kept.
 */
import type { AuthContext } from '../auth/types.js';
import type { CachingBehavior, NormalizedConfig, NormalizedResolver } from '../config/types.js';
import { normalizeCachingKey } from '../config/caching.js';
import type { Logger } from '../datasources/types.js';
import { keyDigest, keyValuesJson, keyValuesOf, matchesEviction, parseKeyPath, valuesLayout, type KeyPath, type ValuesLayout } from './keys.js';
import { MemoryCacheStore } from './memory.js';
import { stableJson } from './stableJson.js';
import { RedisCacheStore } from './redis.js';
import type { CacheKey, CacheStore, CacheTag, KeyHandle, KeyValues, SplitKey } from './types.js';

/** How one resolver is cached: computed at load, read on each run. */
export interface ResolverCachePolicy {
  /** `Type.field` */
  readonly field: string;
  readonly ttlMs: number;
  readonly keys: readonly KeyPath[];
  /** Whether a key reads `context.source` (else source is not read). */
  readonly readsSource: boolean;
  /** How the key values' JSON is put together from the key's texts (keys.ts `valuesLayout`). */
  readonly layout?: ValuesLayout;
  /** What every entry key of the resolver starts with. */
  readonly keyPrefix: string;
  /** OPERATION_LEVEL_CACHING: the result is not cached, the run is only noted on the answer being cached. */
  readonly tagOnly?: boolean;
}

/** A kept whole answer: the JSON text sent, and the response headers the run set. */
export interface StoredAnswer {
  readonly body: string;
  readonly headers: Record<string, string> | undefined;
}

/** What a query's run noted for keeping its whole answer (RequestContext's cache fields). */
export interface AnswerRun {
  /** The resolver entries it read or ran (their tags: an eviction reaching one reaches the answer). */
  cacheTags?: CacheTag[];
  /** FULL_REQUEST_CACHING: the earliest expiry of the entries read; 0 once a resolver ran. */
  cacheExpiresAt?: number;
  responseHeaders: Record<string, string>;
}

/** What {@link ApiCache.getResult} answers when the entry is not there. */
export const MISS: unique symbol = Symbol('API cache miss');

const resultOf = (text: string | undefined): unknown => (text === undefined ? MISS : JSON.parse(text));

/**
 * One cached resolver run's entry: its key (the entry is its own key: the policy's prefix, then the
 * key values' text), the tag it is kept with (the field and the key values: the entry is its own tag)
 * and what the store notes on looking it up (the entry is its own handle, `expiresAt` on a hit). One
 * object per run, made with every field so that all share one shape.
 */
export class ResolverCacheEntry implements SplitKey, CacheTag, KeyHandle {
  expiresAt = 0;
  storeHash: number | undefined = undefined;
  storeLength: number | undefined = undefined;
  storeAscii: boolean | undefined = undefined;

  constructor(
    /** The policy's `keyPrefix`. */
    readonly head: string,
    /** The key values' text: `valuesJson`, else their stable JSON in the order of the keys. */
    readonly tail: string,
    /** `Type.field` */
    readonly field: string,
    /** The key values' JSON (a layout's keys); else `values` holds them. */
    readonly valuesJson: string | undefined,
    readonly values: KeyValues | undefined,
  ) {}
}

/** The head of a whole answer's key (`ApiCache.answerKey`), which the request as sent follows. */
const answerHead = (method: string, mode: string, identity: string, denied: string): string =>
  `a\u0000${method}\u0000${mode}\u0000${identity}\u0000${denied}\u0000`;

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
  /** Answer keys' heads without an identity, by method and auth mode. */
  readonly #plainHeads = new Map<string, Map<string, string>>();

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

  /** Whether whole answers of queries are kept (FULL_REQUEST_CACHING, OPERATION_LEVEL_CACHING). */
  get keepsAnswers(): boolean {
    return this.behavior !== 'PER_RESOLVER_CACHING';
  }

  /** How `resolver`'s results are cached under this behaviour; undefined: they are not. */
  policyFor(resolver: NormalizedResolver): ResolverCachePolicy | undefined {
    let keys: readonly string[];
    let ttlMs = this.#ttlMs;
    if (this.behavior === 'FULL_REQUEST_CACHING') keys = FULL_REQUEST_KEYS;
    else if (this.behavior === 'OPERATION_LEVEL_CACHING') {
      const field = `${resolver.typeName}.${resolver.fieldName}`;
      return { field, ttlMs: 0, keys: OPERATION_TAG_KEYS.map(parseKeyPath), readsSource: false, tagOnly: true, keyPrefix: '' };
    } else if (this.behavior === 'PER_RESOLVER_CACHING' && resolver.caching) {
      keys = resolver.caching.keys ?? PER_RESOLVER_DEFAULT_KEYS;
      ttlMs = resolver.caching.ttl * 1000;
    } else return undefined;
    const parsed = keys.map(parseKeyPath);
    const field = `${resolver.typeName}.${resolver.fieldName}`;
    return {
      field,
      keyPrefix: `r\u0000${field}\u0000`,
      ttlMs,
      keys: parsed,
      readsSource: parsed.some((k) => k.map === 'source'),
      layout: valuesLayout(parsed),
    };
  }

  /** The entry one resolver run reads and fills. */
  resolverEntry(policy: ResolverCachePolicy, context: KeyValues): ResolverCacheEntry {
    if (policy.layout !== undefined) {
      const json = keyValuesJson(policy.keys, context, policy.layout);
      return new ResolverCacheEntry(policy.keyPrefix, json, policy.field, json, undefined);
    }
    const { text, values } = keyValuesOf(policy.keys, context);
    return new ResolverCacheEntry(policy.keyPrefix, text, policy.field, undefined, values);
  }

  /**
   * The cached result, or {@link MISS}; on a hit `entry.expiresAt` says when the entry expires (ms
   * since the epoch): a whole answer read from entries must not outlive them.
   */
  getResult(entry: ResolverCacheEntry): unknown {
    // A store that answers at once (in memory) is not waited for: a miss costs no promise.
    if (this.#store.getNow !== undefined) return resultOf(this.#store.getNow(entry, entry));
    return this.#store.get(entry, entry).then(resultOf);
  }

  /** Keeps a resolver's result (never awaited on the request's path: a store that fails logs it). */
  setResult(entry: ResolverCacheEntry, value: unknown, ttlMs: number): void {
    let text: string;
    try {
      text = JSON.stringify(value ?? null);
    } catch (error) {
      this.#logger.warn(`API cache: the result of ${entry.field} cannot be kept: ${(error as Error).message}`);
      return;
    }
    void this.#store.set(entry, text, ttlMs, entry, entry);
  }

  /**
   * The key of a request's whole answer: the auth mode, the identity and the Lambda authorizer's
   * denied fields (its head), then the request as sent (`sent`, its tail: a POST's body or a GET's
   * URL). Gateway choice: the same query written otherwise (spaces, the order of variables) is
   * another entry.
   */
  answerKey(method: string, sent: string, auth: AuthContext): SplitKey {
    if ((auth.identity === null || auth.identity === undefined) && auth.deniedFields === undefined) {
      // No identity (API key, IAM without one): the head is one of a few, made once each.
      let byMode = this.#plainHeads.get(method);
      if (byMode === undefined) this.#plainHeads.set(method, (byMode = new Map()));
      let head = byMode.get(auth.mode);
      if (head === undefined) byMode.set(auth.mode, (head = answerHead(method, auth.mode, '', '')));
      return { head, tail: sent };
    }
    const identity = auth.identity === null || auth.identity === undefined ? '' : stableJson(auth.identity);
    const denied = auth.deniedFields === undefined ? '' : [...auth.deniedFields].sort().join(',');
    return { head: answerHead(method, auth.mode, identity, denied), tail: sent };
  }

  /** A kept whole answer, or undefined; said at debug level with the key's digest, never the key (it holds the identity). */
  getAnswer(key: SplitKey): StoredAnswer | undefined | Promise<StoredAnswer | undefined> {
    if (this.#store.getNow !== undefined) return this.#answerOf(key, this.#store.getNow(key));
    return this.#store.get(key).then((text) => this.#answerOf(key, text));
  }

  #answerOf(key: SplitKey, text: string | undefined): StoredAnswer | undefined {
    if (this.#logger.debugEnabled !== false) {
      this.#logger.debug(text === undefined ? 'API cache miss' : 'API cache hit', { answer: this.behavior, key: new KeyDigest(key) });
    }
    if (text === undefined) return undefined;
    const newline = text.indexOf('\n');
    return { body: text.slice(newline + 1), headers: newline === 0 ? undefined : (JSON.parse(text.slice(0, newline)) as Record<string, string>) };
  }

  /**
   * How long a query's answer (one without errors) may be kept whole, in ms; 0: it may not. Under
   * OPERATION_LEVEL_CACHING the API's ttl; under FULL_REQUEST_CACHING only an answer every resolver
   * of which was read from its entry (what a repeat would answer), until the first of those entries
   * expires.
   */
  answerTtlMs(run: AnswerRun): number {
    if (this.behavior !== 'FULL_REQUEST_CACHING') return this.#ttlMs;
    // A run that read no entry, or ran a resolver (0), is not what a repeat would answer.
    if (run.cacheExpiresAt === undefined || run.cacheExpiresAt === 0) return 0;
    const ttlMs = run.cacheExpiresAt - Date.now();
    return ttlMs < 1 ? 0 : ttlMs;
  }

  /**
   * Keeps a query's answer whole (`text`: the JSON text sent) for `ttlMs` (from {@link answerTtlMs}),
   * tagged with the resolver runs, so evictions reach it.
   */
  keepAnswer(key: CacheKey, text: string, ttlMs: number, run: AnswerRun): void {
    const headers = run.responseHeaders;
    let headerText = '';
    for (const _ in headers) {
      headerText = JSON.stringify(headers);
      break;
    }
    void this.#store.set(key, `${headerText}\n${text}`, ttlMs, run.cacheTags ?? []);
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

/**
 * A key's digest for the debug log, computed only if the line is written (the logger serialises
 * the field then). The same digest names the entry in Redis (`v:<digest>`, its tags `t:<digest>`); the key itself holds
 * the identity and is never logged.
 */
export class KeyDigest {
  readonly #key: CacheKey;
  constructor(key: CacheKey) {
    this.#key = key;
  }
  toJSON(): string {
    return keyDigest(this.#key);
  }
  toString(): string {
    return this.toJSON();
  }
}
