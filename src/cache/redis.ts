/**
 * The Redis cache store: several gateway instances share one cache, as AppSync's instances share
 * its ElastiCache. An entry is two string keys with the same PX expiry, named by the digest of its
 * key: `v:<digest>` holds its expiry and its text, `<ms since the epoch> <text>` (what a hit reads:
 * nothing else sent), and `t:<digest>` its tags as JSON (what an eviction reads); each field has a
 * set of the digests of the entries tagged with it.
 *
 * A cache that cannot reach Redis answers every read as a miss and drops writes: requests are
 * answered uncached, and the log says so once per outage (docs/caching.md#redis).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../datasources/types.js';
import { keyDigest, tagValuesJson } from './keys.js';
import type { CacheKey, CacheStore, CacheTag, KeyHandle, KeyValues } from './types.js';

export interface RedisCacheStoreOptions {
  url: string;
  /** Keeps several APIs on one Redis apart. */
  prefix: string;
  logger: Logger;
}

/** Gateway choice: a field's key set lives as long as AppSync's longest ttl, renewed by each write. */
const FIELD_SET_TTL_MS = 3_600_000;
/** How long start-up waits for Redis before it serves uncached. */
const CONNECT_WAIT_MS = 2000;

export class RedisCacheStore implements CacheStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #logger: Logger;
  #down = false;

  private constructor(redis: Redis, options: RedisCacheStoreOptions) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#logger = options.logger;
    redis.on('error', (error: Error) => this.#outage(error));
    redis.on('ready', () => this.#back());
  }

  /** Connects in the background: a Redis that is down at start-up is an outage like any other. */
  static async create(options: RedisCacheStoreOptions): Promise<RedisCacheStore> {
    // Loaded only when a Redis cache is configured (ioredis costs start-up time).
    const { Redis } = await import('ioredis');
    const redis = new Redis(options.url, {
      // Fail at once while disconnected instead of queueing: a request must not wait for Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 1000,
      lazyConnect: true,
    });
    const store = new RedisCacheStore(redis, options);
    // Waits a moment for the connection, so the first requests find it; a Redis that does not
    // answer by then is an outage (warned once) and the gateway starts anyway.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      redis.connect().catch((error: Error) => store.#outage(error)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS))),
    ]);
    clearTimeout(timer);
    return store;
  }

  async get(key: CacheKey, handle?: KeyHandle): Promise<string | undefined> {
    try {
      const found = await this.#redis.get(`${this.#prefix}v:${keyDigest(key)}`);
      if (this.#down) this.#back();
      if (found === null) return undefined;
      const space = found.indexOf(' ');
      const expiresAt = Number(found.slice(0, space));
      // A value written otherwise (by a gateway before entries carried their expiry) is a miss.
      if (space < 1 || !(expiresAt > 0)) return undefined;
      if (handle !== undefined) handle.expiresAt = expiresAt;
      return found.slice(space + 1);
    } catch (error) {
      this.#outage(error as Error);
      return undefined;
    }
  }

  async set(key: CacheKey, text: string, ttlMs: number, tag: CacheTag | readonly CacheTag[]): Promise<void> {
    const digest = keyDigest(key);
    const px = Math.max(1, Math.round(ttlMs));
    const tags = Array.isArray(tag) ? (tag as readonly CacheTag[]) : [tag as CacheTag];
    try {
      const value = `${Date.now() + px} ${text}`;
      const multi = this.#redis.multi().set(`${this.#prefix}v:${digest}`, value, 'PX', px).set(`${this.#prefix}t:${digest}`, tagsJson(tags), 'PX', px);
      for (const field of new Set(tags.map((t) => t.field))) {
        multi.sadd(this.#fieldKey(field), digest).pexpire(this.#fieldKey(field), FIELD_SET_TTL_MS);
      }
      await multi.exec();
    } catch (error) {
      this.#outage(error as Error);
    }
  }

  async evict(field: string, matches: (values: KeyValues) => boolean): Promise<number> {
    const fieldKey = this.#fieldKey(field);
    try {
      const digests = await this.#redis.smembers(fieldKey);
      if (digests.length === 0) return 0;
      const found = await this.#redis.mget(digests.map((digest) => `${this.#prefix}t:${digest}`));
      const gone: string[] = [];
      const evicted: string[] = [];
      digests.forEach((digest, i) => {
        const text = found[i];
        if (text === null || text === undefined) {
          gone.push(digest);
          return;
        }
        // As tagsJson wrote them: every tag with its values.
        const tags = JSON.parse(text) as Array<{ field: string; values: KeyValues }>;
        if (tags.some((tag) => tag.field === field && matches(tag.values))) evicted.push(digest);
      });
      if (evicted.length === 0 && gone.length === 0) return 0;
      const multi = this.#redis.multi();
      // Counted by the value keys that went; the tags keys go with them.
      if (evicted.length > 0) {
        multi.del(...evicted.map((digest) => `${this.#prefix}v:${digest}`));
        multi.del(...evicted.map((digest) => `${this.#prefix}t:${digest}`));
      }
      multi.srem(fieldKey, ...evicted, ...gone);
      const results = await multi.exec();
      return evicted.length > 0 ? Number(results?.[0]?.[1] ?? 0) : 0;
    } catch (error) {
      this.#outage(error as Error);
      return 0;
    }
  }

  async flush(): Promise<void> {
    // SCAN, not KEYS: other data on the same Redis may be large.
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${escapeGlob(this.#prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.#redis.del(...keys);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  #fieldKey(field: string): string {
    return `${this.#prefix}f:${field}`;
  }

  #back(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#logger.info('API cache: Redis is reachable again; answers are cached again');
  }

  #outage(error: Error): void {
    if (this.#down) return;
    this.#down = true;
    this.#logger.warn(`API cache: Redis cannot be reached (${error.message}); requests are answered uncached until it is back`);
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** The tags as JSON, `[{ field, values }…]`, with the values' text where the tag has it. */
function tagsJson(tags: readonly CacheTag[]): string {
  return `[${tags.map((tag) => `{"field":${JSON.stringify(tag.field)},"values":${tagValuesJson(tag)}}`).join(',')}]`;
}
