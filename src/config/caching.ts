/**
 * The `caching:` block (the Serverless AppSync plugin's, AppSync's ApiCache) and a resolver's
 * `caching:` (AppSync's CachingConfig), checked and normalised (docs/caching.md).
 */
import { ConfigError } from '../errors.js';
import type { CachingBehavior, NormalizedCaching, NormalizedResolverCaching } from './types.js';

export const CACHING_BEHAVIORS: readonly CachingBehavior[] = ['FULL_REQUEST_CACHING', 'PER_RESOLVER_CACHING', 'OPERATION_LEVEL_CACHING'];
/** AppSync's ttl range for the API cache and a resolver's CachingConfig, in seconds. */
const TTL_RANGE = [1, 3600] as const;
const CACHING_KEYS = ['behavior', 'ttl', 'enabled', 'maxSizeMb'];
/** The plugin's keys about the ElastiCache instance: no local meaning. */
const IGNORED_CACHING_KEYS = ['type', 'atRestEncryption', 'transitEncryption', 'healthMetricsConfig'];
const RESOLVER_CACHING_KEYS = ['ttl', 'keys'];
/** Gateway choice: the in-memory cache holds up to 64 MB of entries unless told otherwise. */
const DEFAULT_MAX_SIZE_MB = 64;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const shown = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

function unknownKeys(value: Record<string, unknown>, path: string, known: readonly string[], ignored: readonly string[] = []): ConfigError[] {
  return Object.keys(value)
    .filter((k) => !known.includes(k) && !ignored.includes(k))
    .map((k) => new ConfigError(`${path}.${k}`, `unknown key; expected one of ${known.join(', ')}`));
}

function ttlOf(value: unknown, path: string, problems: ConfigError[]): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < TTL_RANGE[0] || value > TTL_RANGE[1]) {
    problems.push(new ConfigError(path, `expected an integer from ${TTL_RANGE[0]} to ${TTL_RANGE[1]} (seconds), got ${shown(value)}`));
    return undefined;
  }
  return value;
}

/** The top-level `caching:` block; undefined when absent or `enabled: false`. */
export function normalizeCaching(value: unknown, problems: ConfigError[]): NormalizedCaching | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push(new ConfigError('caching', `expected { behavior, ttl, enabled }, got ${shown(value)}`));
    return undefined;
  }
  problems.push(...unknownKeys(value, 'caching', CACHING_KEYS, IGNORED_CACHING_KEYS));
  if (value.enabled !== undefined && typeof value.enabled !== 'boolean') {
    problems.push(new ConfigError('caching.enabled', `expected true or false, got ${shown(value.enabled)}`));
  }
  if (!CACHING_BEHAVIORS.includes(value.behavior as CachingBehavior)) {
    problems.push(new ConfigError('caching.behavior', `expected one of ${CACHING_BEHAVIORS.join(', ')}, got ${shown(value.behavior)}`));
  }
  // The plugin's default ttl is AppSync's longest, 3,600 s.
  const ttl = value.ttl === undefined ? 3600 : ttlOf(value.ttl, 'caching.ttl', problems);
  let maxSizeMb = DEFAULT_MAX_SIZE_MB;
  if (value.maxSizeMb !== undefined) {
    if (typeof value.maxSizeMb !== 'number' || !(value.maxSizeMb > 0) || value.maxSizeMb > 65_536) {
      problems.push(new ConfigError('caching.maxSizeMb', `expected a number of megabytes from above 0 to 65536, got ${shown(value.maxSizeMb)}`));
    } else maxSizeMb = value.maxSizeMb;
  }
  if (value.enabled === false || ttl === undefined || !CACHING_BEHAVIORS.includes(value.behavior as CachingBehavior)) return undefined;
  return { behavior: value.behavior as CachingBehavior, ttl, maxSizeMb };
}

/**
 * A caching key as AWS spells it (`$context.arguments.id`, `$ctx.identity.sub`, `context.source.id`)
 * in one form, `context.<map>[.<path>]`; undefined when it names none of the three maps.
 */
export function normalizeCachingKey(key: string): string | undefined {
  const m = /^\$?(?:context|ctx)\.(arguments|args|source|identity)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(key.trim());
  if (!m) return undefined;
  return `context.${m[1] === 'args' ? 'arguments' : m[1]}${m[2]}`;
}

/**
 * A resolver's `caching:`: `true` (the API's ttl, AppSync's default keys) or `{ ttl, keys }`.
 * `apiTtl` is the `caching:` block's ttl.
 */
export function normalizeResolverCaching(value: unknown, path: string, apiTtl: number, problems: ConfigError[]): NormalizedResolverCaching | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { ttl: apiTtl };
  if (!isObject(value)) {
    problems.push(new ConfigError(path, `expected true or { ttl, keys }, got ${shown(value)}`));
    return undefined;
  }
  problems.push(...unknownKeys(value, path, RESOLVER_CACHING_KEYS));
  const ttl = value.ttl === undefined ? apiTtl : ttlOf(value.ttl, `${path}.ttl`, problems);
  let keys: string[] | undefined;
  if (value.keys !== undefined) {
    if (!Array.isArray(value.keys)) {
      problems.push(new ConfigError(`${path}.keys`, `expected a list of caching keys, got ${shown(value.keys)}`));
    } else {
      keys = [];
      value.keys.forEach((k, i) => {
        const normalized = typeof k === 'string' ? normalizeCachingKey(k) : undefined;
        if (normalized === undefined) {
          problems.push(
            new ConfigError(
              `${path}.keys.${i}`,
              `expected an entry of $context.arguments, $context.source or $context.identity (like $context.arguments.id), got ${shown(k)}`,
            ),
          );
        } else keys!.push(normalized);
      });
    }
  }
  if (ttl === undefined) return undefined;
  return keys && keys.length > 0 ? { ttl, keys } : { ttl };
}
