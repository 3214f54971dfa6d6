/**
 * AppSync Event API resources (`AWS::AppSync::Api` with `EventConfig`, `AWS::AppSync::ChannelNamespace`,
 * the `AWS::AppSync::ApiKey`s of that API) → the `events:` block of the gateway's config
 * (docs/cloudformation.md#event-apis), which normalize.ts then reads as it reads a config file's.
 */
import { ConfigError } from '../../errors.js';
import { AUTHENTICATION_TYPES as AUTH_TYPES, type AuthenticationType, type EventNamespaceConfig, type EventsConfig } from '../types.js';
import { authentication } from './auth.js';
import type { LocalFunctions } from './functions.js';
import { apiKeysOf, required, type Located, type Problems } from './resources.js';
import { scratchFile } from './scratch.js';
import { urlIdOf } from '../apiIds.js';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `EventConfig` keys the gateway reads; `LogConfig` means nothing locally. */
const EVENT_CONFIG_READ = ['AuthProviders', 'ConnectionAuthModes', 'DefaultPublishAuthModes', 'DefaultSubscribeAuthModes'];
const EVENT_CONFIG_IGNORED = ['LogConfig'];
const AUTH_PROVIDER_KEYS = ['AuthType', 'CognitoConfig', 'OpenIDConnectConfig', 'LambdaAuthorizerConfig'];
/** `HandlerConfigs` shape (CloudFormation reference), each key → the camelCase key of the `events:` block. */
const HANDLER_CONFIG_KEYS: Record<string, string[]> = {
  '': ['OnPublish', 'OnSubscribe'],
  handler: ['Behavior', 'Integration'],
  integration: ['DataSourceName', 'LambdaConfig'],
  lambda: ['InvokeType'],
};

/** The Event API resources of the input and what they translate to. */
export interface TranslatedEvents {
  /** The Event API's logical id (what its `ApiId` evaluates to locally). */
  apiId: string;
  events: EventsConfig;
  warnings: string[];
}

/**
 * Translates the input's Event APIs, in the input's order, each into an `events:` block: the first
 * is served at `/event`, each other one at `/apis/<id>/event` (docs/cloudformation.md#event-apis).
 * Two whose names give one URL id are an error naming both.
 */
export function eventsConfig(resources: readonly Located[], problems: Problems, functions: LocalFunctions, scratchDir: string | undefined): TranslatedEvents[] {
  const apis = resources.filter((r) => r.type === 'AWS::AppSync::Api');
  const translated: TranslatedEvents[] = [];
  const ids = new Map<string, Located>();
  for (const api of apis) {
    const one = eventApiConfig(api, apis, resources, problems, functions, scratchDir);
    if (!one) continue;
    const id = urlIdOf(one.events.name ?? '');
    const earlier = ids.get(id);
    if (earlier) {
      problems.errors.push(
        api.stack.evaluator.error(
          `Resources.${api.logicalId}.Properties.Name`,
          `the Event API ${one.events.name} gives the URL id "${id}", as ${earlier.logicalId} in ${earlier.stack.name} does: ` +
            'the gateway serves each further Event API at /apis/<id>/event, so their names must differ',
        ),
      );
      continue;
    }
    ids.set(id, api);
    translated.push(one);
  }
  return translated;
}

function eventApiConfig(
  api: Located,
  apis: readonly Located[],
  resources: readonly Located[],
  problems: Problems,
  functions: LocalFunctions,
  scratchDir: string | undefined,
): TranslatedEvents | undefined {
  const ev = api.stack.evaluator;
  const at = (r: Located, path: string) => `Resources.${r.logicalId}.Properties.${path}`;
  const p = (r: Located, name: string) => r.stack.evaluator.property(r.logicalId, name);
  const warnings: string[] = [];
  const events: EventsConfig = {};

  problems.attempt(() => {
    events.name = required(api, 'Name');
  });
  const eventConfig = problems.attempt(() => p(api, 'EventConfig'));
  if (!isObject(eventConfig)) {
    problems.errors.push(ev.error(at(api, 'EventConfig'), 'AWS::AppSync::Api needs EventConfig (the gateway serves Event APIs)'));
    return undefined;
  }
  for (const key of Object.keys(eventConfig)) {
    if (EVENT_CONFIG_IGNORED.includes(key)) warnings.push(`${api.logicalId}: EventConfig.${key} is ignored locally`);
    else if (!EVENT_CONFIG_READ.includes(key))
      problems.errors.push(ev.error(at(api, `EventConfig.${key}`), `EventConfig property ${key} is not supported by the gateway`));
  }

  const providers = eventConfig.AuthProviders;
  if (!Array.isArray(providers) || providers.length === 0) {
    problems.errors.push(ev.error(at(api, 'EventConfig.AuthProviders'), 'expected a non-empty list of auth providers'));
  } else {
    events.authProviders = providers.flatMap(
      (provider, i) =>
        problems.attempt(() => {
          const path = `EventConfig.AuthProviders.${i}`;
          if (!isObject(provider)) throw ev.error(at(api, path), `expected { AuthType, … }, got ${JSON.stringify(provider)}`);
          for (const key of Object.keys(provider))
            if (!AUTH_PROVIDER_KEYS.includes(key)) throw ev.error(at(api, `${path}.${key}`), `auth provider property ${key} is not supported by the gateway`);
          if (!AUTH_TYPES.includes(provider.AuthType as AuthenticationType))
            throw ev.error(at(api, `${path}.AuthType`), `expected one of ${AUTH_TYPES.join(', ')}, got ${JSON.stringify(provider.AuthType)}`);
          // The Event API names Cognito's block CognitoConfig where a GraphQL API says UserPoolConfig; the settings are the same.
          const block = {
            UserPoolConfig: provider.CognitoConfig,
            OpenIDConnectConfig: provider.OpenIDConnectConfig,
            LambdaAuthorizerConfig: provider.LambdaAuthorizerConfig,
          };
          return authentication(api, provider.AuthType, block, `${path}.`, functions, 'AuthType');
        }) ?? [],
    );
  }
  const modes = (r: Located, value: unknown, path: string): AuthenticationType[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw r.stack.evaluator.error(at(r, path), `expected a list of { AuthType }, got ${JSON.stringify(value)}`);
    return value.map((mode, i) => {
      if (!isObject(mode) || typeof mode.AuthType !== 'string' || Object.keys(mode).some((k) => k !== 'AuthType'))
        throw r.stack.evaluator.error(at(r, `${path}.${i}`), `expected { AuthType }, got ${JSON.stringify(mode)}`);
      return mode.AuthType as AuthenticationType;
    });
  };
  problems.attempt(() => {
    const connection = modes(api, eventConfig.ConnectionAuthModes, 'EventConfig.ConnectionAuthModes');
    const publish = modes(api, eventConfig.DefaultPublishAuthModes, 'EventConfig.DefaultPublishAuthModes');
    const subscribe = modes(api, eventConfig.DefaultSubscribeAuthModes, 'EventConfig.DefaultSubscribeAuthModes');
    if (connection) events.connectionAuthModes = connection;
    if (publish) events.defaultPublishAuthModes = publish;
    if (subscribe) events.defaultSubscribeAuthModes = subscribe;
  });

  // Where two stacks' Event APIs share a logical id (`new EventApi(this, 'Events')` in each), a resource belongs to the one of its own stack.
  const shared = apis.filter((r) => r.logicalId === api.logicalId).length > 1;
  const ofApi = (type: string) =>
    resources.filter((r) => r.type === type && problems.attempt(() => p(r, 'ApiId')) === api.logicalId && (!shared || r.root === api.root));

  // Keys of the Event API only: the GraphQL API's keys do not open it, as on AWS.
  events.apiKeys = apiKeysOf(ofApi('AWS::AppSync::ApiKey'), problems);

  const namespaces: Record<string, EventNamespaceConfig> = {};
  for (const r of ofApi('AWS::AppSync::ChannelNamespace')) {
    problems.attempt(() => {
      const name = required(r, 'Name');
      const ns: EventNamespaceConfig = {};
      const inline = p(r, 'CodeHandlers');
      const location = p(r, 'CodeS3Location');
      if (typeof inline === 'string') ns.code = scratchFile(scratchDir, `${r.logicalId}.js`, inline);
      else if (typeof location === 'string') ns.code = r.stack.locate(location, at(r, 'CodeS3Location'));
      const publish = modes(r, p(r, 'PublishAuthModes'), 'PublishAuthModes');
      const subscribe = modes(r, p(r, 'SubscribeAuthModes'), 'SubscribeAuthModes');
      if (publish) ns.publishAuthModes = publish;
      if (subscribe) ns.subscribeAuthModes = subscribe;
      const handlerConfigs = p(r, 'HandlerConfigs');
      if (handlerConfigs !== undefined) ns.handlerConfigs = camelHandlerConfigs(r, handlerConfigs, 'HandlerConfigs', '') as Record<string, unknown>;
      if (namespaces[name]) throw r.stack.evaluator.error(at(r, 'Name'), `a second channel namespace named ${name}`);
      namespaces[name] = ns;
    });
  }
  if (Object.keys(namespaces).length > 0) events.namespaces = namespaces;
  else
    warnings.push(
      `${api.logicalId}: the Event API has no AWS::AppSync::ChannelNamespace; ` +
        'the gateway gives it the namespace "default", as for an events: block without namespaces',
    );
  return { apiId: api.logicalId, events, warnings };
}

/** `HandlerConfigs` in CloudFormation's PascalCase → the `events:` block's camelCase, unknown keys refused. */
function camelHandlerConfigs(r: Located, value: unknown, path: string, level: string): unknown {
  const known = HANDLER_CONFIG_KEYS[level];
  if (!known) return value;
  if (!isObject(value)) throw r.stack.evaluator.error(`Resources.${r.logicalId}.Properties.${path}`, `expected a mapping, got ${JSON.stringify(value)}`);
  const next: Record<string, string> = { OnPublish: 'handler', OnSubscribe: 'handler', Integration: 'integration', LambdaConfig: 'lambda' };
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (!known.includes(key))
        throw r.stack.evaluator.error(
          `Resources.${r.logicalId}.Properties.${path}.${key}`,
          `${key} is not a property the gateway reads here (${known.join(', ')})`,
        );
      return [key[0]!.toLowerCase() + key.slice(1), next[key] ? camelHandlerConfigs(r, v, `${path}.${key}`, next[key]) : v];
    }),
  );
}
