export {
  ApiCache,
  KeyDigest,
  MISS,
  type AnswerRun,
  type ApiCacheOptions,
  type CacheEviction,
  ResolverCacheEntry,
  type ResolverCachePolicy,
  type StoredAnswer,
} from './apiCache.js';
export { MemoryCacheStore } from './memory.js';
export { RedisCacheStore, type RedisCacheStoreOptions } from './redis.js';
export { parseKeyPath, type KeyPath } from './keys.js';
export type { CacheKey, CacheStore, CacheTag, KeyValues, SplitKey } from './types.js';
