/**
 * The `events:` block (docs/events.md#config): an AppSync Event API's auth providers, keys, the
 * auth modes of connect / publish / subscribe and its channel namespaces. Kept apart from
 * normalize.ts, which calls {@link normalizeEvents} with its own readers so the block's
 * `authProviders` and `apiKeys` are checked exactly as the top-level `authentication` and `apiKeys`.
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import {
  AUTHENTICATION_TYPES,
  type AdditionalEventApi,
  type AuthenticationType,
  type NormalizedApiKey,
  type NormalizedAuthentication,
  type NormalizedEvents,
} from './types.js';
import { urlIdOf } from './apiIds.js';

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

/**
 * Normalises `events:`: one mapping, or a list of them (docs/events.md#several-event-apis), whose
 * first entry is served at `/event` and each other one at `/apis/<id>/event`. Nothing when the file
 * has no Event API. Problems go to `context.problems`.
 */
export function normalizeEvents(raw: unknown, context: EventsNormalizeContext): { events?: NormalizedEvents; additionalEventApis?: AdditionalEventApi[] } {
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) return { events: normalizeEventApi(raw, 'events', context) };
  const { problems } = context;
  if (raw.length === 0) {
    problems.push(new ConfigError('events', 'expected an Event API mapping or a non-empty list of them, got an empty list'));
    return {};
  }
  const apis = raw.map((entry, i) => normalizeEventApi(entry, `events.${i}`, context));
  // Names must differ: each Event API's pubsub channel (`$events:<name>`) and URL id come from its name.
  const taken = new Map<string, number>();
  raw.forEach((entry, i) => {
    const api = apis[i];
    if (!api) return;
    if (i > 0 && !(isObject(entry) && typeof entry.name === 'string')) {
      problems.push(new ConfigError(`events.${i}.name`, 'each Event API after the first needs a name: it is served at /apis/<name>/event'));
      return;
    }
    const id = urlIdOf(api.name);
    const earlier = taken.get(id);
    if (earlier !== undefined) {
      problems.push(
        new ConfigError(
          `events.${i}.name`,
          `"${api.name}" gives the URL id "${id}", as events.${earlier}.name "${apis[earlier]!.name}" does; give each Event API its own name`,
        ),
      );
    } else taken.set(id, i);
  });
  const [first, ...rest] = apis;
  return {
    ...(first ? { events: first } : {}),
    additionalEventApis: rest.flatMap((events) => (events ? [{ apiId: urlIdOf(events.name), events }] : [])),
  };
}

/** One Event API's mapping at `path` (`events`, or `events.<i>` in a list); undefined when it is not a mapping. */
function normalizeEventApi(raw: unknown, path: string, context: EventsNormalizeContext): NormalizedEvents | undefined {
  const { problems } = context;
  if (!isObject(raw)) {
    problems.push(new ConfigError(path, `expected a mapping, got ${shown(raw)}`));
    return undefined;
  }
  context.checkKeys(raw, path, EVENTS_KEYS);
  if (raw.name !== undefined && typeof raw.name !== 'string') problems.push(new ConfigError(`${path}.name`, `expected string, got ${shown(raw.name)}`));

  let authProviders: NormalizedAuthentication[];
  if (raw.authProviders === undefined) {
    authProviders = [...(context.authentication ? [context.authentication] : []), ...context.additionalAuthentications];
  } else if (!Array.isArray(raw.authProviders) || raw.authProviders.length === 0) {
    problems.push(new ConfigError(`${path}.authProviders`, `expected a non-empty list of { type, config }, got ${shown(raw.authProviders)}`));
    authProviders = [];
  } else {
    authProviders = raw.authProviders.flatMap((entry, i) => context.readAuth(entry, `${path}.authProviders.${i}`) ?? []);
  }
  const apiKeys = raw.apiKeys === undefined ? context.apiKeys : context.readApiKeys(raw.apiKeys, `${path}.apiKeys`);
  const providerTypes = [...new Set(authProviders.map((a) => a.type))];

  const modes = (value: unknown, at: string): AuthenticationType[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0) {
      problems.push(new ConfigError(at, `expected a non-empty list of auth modes (${AUTHENTICATION_TYPES.join(', ')}), got ${shown(value)}`));
      return undefined;
    }
    const out: AuthenticationType[] = [];
    value.forEach((entry, i) => {
      const type = isObject(entry) ? entry.authType : entry;
      if (!AUTHENTICATION_TYPES.includes(type as AuthenticationType)) {
        problems.push(new ConfigError(`${at}.${i}`, `expected one of ${AUTHENTICATION_TYPES.join(', ')}, got ${shown(type)}`));
      } else if (!providerTypes.includes(type as AuthenticationType)) {
        // AWS refuses an auth mode the API has no provider for (CreateApi: BadRequestException).
        problems.push(new ConfigError(`${at}.${i}`, `${String(type)} is not one of ${path}.authProviders (${providerTypes.join(', ') || 'none'})`));
      } else out.push(type as AuthenticationType);
    });
    return out;
  };
  // Gateway choice (docs/events.md#config): an omitted mode list allows every provider of the API.
  const connectionAuthModes = modes(raw.connectionAuthModes, `${path}.connectionAuthModes`) ?? providerTypes;
  const defaultPublishAuthModes = modes(raw.defaultPublishAuthModes, `${path}.defaultPublishAuthModes`) ?? providerTypes;
  const defaultSubscribeAuthModes = modes(raw.defaultSubscribeAuthModes, `${path}.defaultSubscribeAuthModes`) ?? providerTypes;

  const namespaces: NormalizedEvents['namespaces'] = {};
  // Gateway choice: without `namespaces` the API has AWS console's `default` namespace.
  const rawNamespaces = raw.namespaces === undefined ? { default: {} } : raw.namespaces;
  // An empty mapping is an API with no namespace yet (as a created Event API is): every channel is refused.
  if (!isObject(rawNamespaces)) {
    problems.push(new ConfigError(`${path}.namespaces`, `expected a mapping of namespace names, got ${shown(rawNamespaces)}`));
  } else {
    for (const [name, value] of Object.entries(rawNamespaces)) {
      const at = `${path}.namespaces.${name}`;
      if (!NAMESPACE_NAME.test(name)) {
        problems.push(new ConfigError(at, 'a namespace name is 1-50 letters, digits and dashes, starting and ending with a letter or digit'));
        continue;
      }
      const ns = value ?? {};
      if (!isObject(ns)) {
        problems.push(new ConfigError(at, `expected a mapping, got ${shown(ns)}`));
        continue;
      }
      context.checkKeys(ns, at, NAMESPACE_KEYS);
      if (ns.code !== undefined && (typeof ns.code !== 'string' || ns.code === ''))
        problems.push(new ConfigError(`${at}.code`, `expected a file path, got ${shown(ns.code)}`));
      if (ns.handlerConfigs !== undefined && !isObject(ns.handlerConfigs))
        problems.push(new ConfigError(`${at}.handlerConfigs`, `expected a mapping, got ${shown(ns.handlerConfigs)}`));
      namespaces[name] = {
        name,
        ...(typeof ns.code === 'string' && ns.code ? { code: isAbsolute(ns.code) ? ns.code : resolve(context.configDir, ns.code) } : {}),
        publishAuthModes: modes(ns.publishAuthModes, `${at}.publishAuthModes`),
        subscribeAuthModes: modes(ns.subscribeAuthModes, `${at}.subscribeAuthModes`),
        handlerConfigs: isObject(ns.handlerConfigs) ? ns.handlerConfigs : {},
      };
    }
  }
  return {
    name: typeof raw.name === 'string' ? raw.name : 'events',
    authProviders,
    ...(raw.authProviders === undefined ? {} : { authProvidersAt: `${path}.authProviders` }),
    apiKeys,
    connectionAuthModes,
    defaultPublishAuthModes,
    defaultSubscribeAuthModes,
    namespaces,
  };
}
