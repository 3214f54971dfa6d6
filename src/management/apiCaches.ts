/**
 * ApiCache operations of the management API (API reference: CreateApiCache, GetApiCache,
 * UpdateApiCache, DeleteApiCache, FlushApiCache). A built API's cache is kept in its definition and
 * served as its `caching:` block (docs/caching.md); the config file's answers from its `caching:` block.
 */
import type { ApiCacheModel, ApiDefinition } from '../apis/index.js';
import type { Handler, ManagementContext } from './context.js';
import { optionalBoolean, optionalEnum, optionalInteger, parseJsonBody, type Body } from './members.js';
import { ManagementApiError } from './restJson.js';

const BEHAVIORS = ['FULL_REQUEST_CACHING', 'PER_RESOLVER_CACHING', 'OPERATION_LEVEL_CACHING'] as const;
/** AppSync's ApiCacheType values: the instance size has no local meaning, but the value is kept and answered. */
const TYPES = [
  'T2_SMALL',
  'T2_MEDIUM',
  'R4_LARGE',
  'R4_XLARGE',
  'R4_2XLARGE',
  'R4_4XLARGE',
  'R4_8XLARGE',
  'SMALL',
  'MEDIUM',
  'LARGE',
  'XLARGE',
  'LARGE_2X',
  'LARGE_4X',
  'LARGE_8X',
  'LARGE_12X',
] as const;

/** ApiCache as AppSync answers it: the local cache is AVAILABLE from its creation. */
function apiCacheShape(cache: ApiCacheModel): Record<string, unknown> {
  return {
    ttl: cache.ttl,
    apiCachingBehavior: cache.apiCachingBehavior,
    transitEncryptionEnabled: cache.transitEncryptionEnabled ?? false,
    atRestEncryptionEnabled: cache.atRestEncryptionEnabled ?? false,
    type: cache.type,
    status: 'AVAILABLE',
    healthMetricsConfig: cache.healthMetricsConfig ?? 'DISABLED',
  };
}

function cacheOf(def: ApiDefinition): ApiCacheModel {
  if (!def.apiCache) throw ManagementApiError.notFound(`No API cache found for GraphQL API ${def.apiId}.`);
  return def.apiCache;
}

/** The members CreateApiCache and UpdateApiCache share; `current` fills what an update leaves out. */
function readCache(body: Body, current?: ApiCacheModel): ApiCacheModel {
  const ttl = optionalInteger(body, 'ttl', 1, 3600) ?? current?.ttl;
  const apiCachingBehavior = optionalEnum(body, 'apiCachingBehavior', BEHAVIORS) ?? current?.apiCachingBehavior;
  const type = optionalEnum(body, 'type', TYPES) ?? current?.type;
  if (ttl === undefined) throw ManagementApiError.badRequest('ttl is required: 1 to 3600 seconds.');
  if (!apiCachingBehavior) throw ManagementApiError.badRequest(`apiCachingBehavior is required: one of ${BEHAVIORS.join(', ')}.`);
  if (!type) throw ManagementApiError.badRequest(`type is required: one of ${TYPES.join(', ')}.`);
  const cache: ApiCacheModel = { ...current, ttl, apiCachingBehavior, type };
  for (const member of ['transitEncryptionEnabled', 'atRestEncryptionEnabled'] as const) {
    const value = optionalBoolean(body, member);
    if (value !== undefined) cache[member] = value;
  }
  const health = optionalEnum(body, 'healthMetricsConfig', ['ENABLED', 'DISABLED']);
  if (health) cache.healthMetricsConfig = health;
  return cache;
}

export function apiCacheRoutes(ctx: ManagementContext): Record<string, Handler> {
  const { registry } = ctx;
  return {
    'POST /v1/apis/{apiId}/ApiCaches': async ({ params, body }) => {
      const input = parseJsonBody(body);
      const { definition } = registry.update(params.apiId!, (draft) => {
        // Gateway choice: AppSync documents no error for a second cache; one API has one cache, so it is refused.
        if (draft.apiCache) throw ManagementApiError.badRequest(`GraphQL API ${draft.apiId} already has an API cache: change it with UpdateApiCache.`);
        draft.apiCache = readCache(input);
      });
      await registry.flush(definition.apiId);
      return { apiCache: apiCacheShape(definition.apiCache!) };
    },
    'GET /v1/apis/{apiId}/ApiCaches': async ({ params }) => ({ apiCache: apiCacheShape(cacheOf(registry.get(params.apiId!))) }),
    'POST /v1/apis/{apiId}/ApiCaches/update': async ({ params, body }) => {
      const input = parseJsonBody(body);
      const { definition } = registry.update(params.apiId!, (draft) => {
        const current = cacheOf(draft);
        // AppSync's update takes no encryption members: they are fixed at creation.
        draft.apiCache = readCache({ ...input, transitEncryptionEnabled: undefined, atRestEncryptionEnabled: undefined }, current);
      });
      await registry.flush(definition.apiId);
      return { apiCache: apiCacheShape(definition.apiCache!) };
    },
    'DELETE /v1/apis/{apiId}/ApiCaches': async ({ params }) => {
      const { definition } = registry.update(params.apiId!, (draft) => {
        cacheOf(draft);
        delete draft.apiCache;
      });
      await registry.flush(definition.apiId);
      return {};
    },
    'DELETE /v1/apis/{apiId}/FlushCache': async ({ params }) => {
      cacheOf(registry.get(params.apiId!));
      await ctx.flushApiCache(params.apiId!);
      return {};
    },
  };
}
