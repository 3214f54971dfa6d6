/**
 * The `events:` block (docs/events.md#config): an AppSync Event API's auth providers, keys, the
 * auth modes of connect / publish / subscribe and its channel namespaces. Kept apart from
 * normalize.ts, which calls {@link normalizeEvents} with its own readers so the block's
 * `authProviders` and `apiKeys` are checked exactly as the top-level `authentication` and `apiKeys`.
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { AUTHENTICATION_TYPES, type AuthenticationType, type NormalizedApiKey, type NormalizedAuthentication, type NormalizedEvents } from './types.js';

const EVENTS_KEYS = ['name', 'authProviders', 'apiKeys', 'connectionAuthModes', 'defaultPublishAuthModes', 'defaultSubscribeAuthModes', 'namespaces'];
const NAMESPACE_KEYS = ['code', 'publishAuthModes', 'subscribeAuthModes', 'handlerConfigs'];
/** AWS `ChannelNamespace.name` (API reference): 1-50 characters, letters, digits and inner dashes. */
export const NAMESPACE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;

/** What normalize.ts lends the events block. */
export interface EventsNormalizeContext {
  configDir: string;
  problems: ConfigError[];
  /** The file's providers and keys: the defaults of `authProviders` and `apiKeys`. */
  authentication: NormalizedAuthentication | undefined;
  additionalAuthentications: NormalizedAuthentication[];
  apiKeys: NormalizedApiKey[];
  checkKeys(value: object, path: string, known: readonly string[]): unknown;
  readAuth(value: unknown, path: string): NormalizedAuthentication | undefined;
  readApiKeys(value: unknown, path: string): NormalizedApiKey[];
}

/**
 * Whether `config` holds only an Event API: an `events:` block and no schema (docs/events.md#an-event-api-alone).
 * The gateway then serves `/event` and `/event/realtime`, and no GraphQL API.
 */
export function isEventsOnly(config: { events?: unknown; schemaFiles: readonly string[]; schemaSdl?: string }): boolean {
  return !!config.events && config.schemaFiles.length === 0 && !config.schemaSdl;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const shown = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

/** Normalises `events:`; undefined when the file has none. Problems go to `context.problems`. */
export function normalizeEvents(raw: unknown, context: EventsNormalizeContext): NormalizedEvents | undefined {
  if (raw === undefined || raw === null) return undefined;
  const { problems } = context;
  if (!isObject(raw)) {
    problems.push(new ConfigError('events', `expected a mapping, got ${shown(raw)}`));
    return undefined;
  }
  context.checkKeys(raw, 'events', EVENTS_KEYS);
  if (raw.name !== undefined && typeof raw.name !== 'string') problems.push(new ConfigError('events.name', `expected string, got ${shown(raw.name)}`));

  let authProviders: NormalizedAuthentication[];
  if (raw.authProviders === undefined) {
    authProviders = [...(context.authentication ? [context.authentication] : []), ...context.additionalAuthentications];
  } else if (!Array.isArray(raw.authProviders) || raw.authProviders.length === 0) {
    problems.push(new ConfigError('events.authProviders', `expected a non-empty list of { type, config }, got ${shown(raw.authProviders)}`));
    authProviders = [];
  } else {
    authProviders = raw.authProviders.flatMap((entry, i) => context.readAuth(entry, `events.authProviders.${i}`) ?? []);
  }
  const apiKeys = raw.apiKeys === undefined ? context.apiKeys : context.readApiKeys(raw.apiKeys, 'events.apiKeys');
  const providerTypes = [...new Set(authProviders.map((a) => a.type))];

  const modes = (value: unknown, path: string): AuthenticationType[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0) {
      problems.push(new ConfigError(path, `expected a non-empty list of auth modes (${AUTHENTICATION_TYPES.join(', ')}), got ${shown(value)}`));
      return undefined;
    }
    const out: AuthenticationType[] = [];
    value.forEach((entry, i) => {
      const type = isObject(entry) ? entry.authType : entry;
      if (!AUTHENTICATION_TYPES.includes(type as AuthenticationType)) {
        problems.push(new ConfigError(`${path}.${i}`, `expected one of ${AUTHENTICATION_TYPES.join(', ')}, got ${shown(type)}`));
      } else if (!providerTypes.includes(type as AuthenticationType)) {
        // AWS refuses an auth mode the API has no provider for (CreateApi: BadRequestException).
        problems.push(new ConfigError(`${path}.${i}`, `${String(type)} is not one of events.authProviders (${providerTypes.join(', ') || 'none'})`));
      } else out.push(type as AuthenticationType);
    });
    return out;
  };
  // Gateway choice (docs/events.md#config): an omitted mode list allows every provider of the API.
  const connectionAuthModes = modes(raw.connectionAuthModes, 'events.connectionAuthModes') ?? providerTypes;
  const defaultPublishAuthModes = modes(raw.defaultPublishAuthModes, 'events.defaultPublishAuthModes') ?? providerTypes;
  const defaultSubscribeAuthModes = modes(raw.defaultSubscribeAuthModes, 'events.defaultSubscribeAuthModes') ?? providerTypes;

  const namespaces: NormalizedEvents['namespaces'] = {};
  // Gateway choice: without `namespaces` the API has AWS console's `default` namespace.
  const rawNamespaces = raw.namespaces === undefined ? { default: {} } : raw.namespaces;
  // An empty mapping is an API with no namespace yet (as a created Event API is): every channel is refused.
  if (!isObject(rawNamespaces)) {
    problems.push(new ConfigError('events.namespaces', `expected a mapping of namespace names, got ${shown(rawNamespaces)}`));
  } else {
    for (const [name, value] of Object.entries(rawNamespaces)) {
      const path = `events.namespaces.${name}`;
      if (!NAMESPACE_NAME.test(name)) {
        problems.push(new ConfigError(path, 'a namespace name is 1-50 letters, digits and dashes, starting and ending with a letter or digit'));
        continue;
      }
      const ns = value ?? {};
      if (!isObject(ns)) {
        problems.push(new ConfigError(path, `expected a mapping, got ${shown(ns)}`));
        continue;
      }
      context.checkKeys(ns, path, NAMESPACE_KEYS);
      if (ns.code !== undefined && (typeof ns.code !== 'string' || ns.code === ''))
        problems.push(new ConfigError(`${path}.code`, `expected a file path, got ${shown(ns.code)}`));
      if (ns.handlerConfigs !== undefined && !isObject(ns.handlerConfigs))
        problems.push(new ConfigError(`${path}.handlerConfigs`, `expected a mapping, got ${shown(ns.handlerConfigs)}`));
      namespaces[name] = {
        name,
        ...(typeof ns.code === 'string' && ns.code ? { code: isAbsolute(ns.code) ? ns.code : resolve(context.configDir, ns.code) } : {}),
        publishAuthModes: modes(ns.publishAuthModes, `${path}.publishAuthModes`),
        subscribeAuthModes: modes(ns.subscribeAuthModes, `${path}.subscribeAuthModes`),
        handlerConfigs: isObject(ns.handlerConfigs) ? ns.handlerConfigs : {},
      };
    }
  }
  return {
    name: typeof raw.name === 'string' ? raw.name : 'events',
    authProviders,
    apiKeys,
    connectionAuthModes,
    defaultPublishAuthModes,
    defaultSubscribeAuthModes,
    namespaces,
  };
}
