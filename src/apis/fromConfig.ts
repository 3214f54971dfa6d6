/**
 * The config file's API seen through the management API: its settings, data sources, functions,
 * resolvers and keys in AppSync's model, so GetGraphqlApi, ListResolvers and the like answer for it
 * as for an API built through the API. Code is read from its files each time the config loads.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_ACCOUNT_ID } from '../config/awsDefaults.js';
import type { NormalizedAuthentication, NormalizedConfig, NormalizedEvents } from '../config/types.js';
import type { ApiDefinition, AuthProviderModel, ChannelNamespaceModel, DataSourceModel, HandlerConfigsModel } from './model.js';

function readText(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    // The load that made this config read the same files; one gone since is shown as absent.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const JS_RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' };

/** The definition of the config file's API, with id `apiId`. */
export function definitionFromConfig(config: NormalizedConfig, apiId: string, region: string): ApiDefinition {
  const schema = [...config.schemaFiles.map((file) => readText(file) ?? ''), ...(config.schemaSdl ? [config.schemaSdl] : [])].join('\n');
  const dataSources = dataSourcesOf(config, region);
  const functions = Object.values(config.pipelineFunctions).map((fn) => ({
    functionId: fn.name,
    name: fn.name,
    dataSourceName: fn.dataSource,
    ...(fn.code ? { code: readText(fn.code), runtime: JS_RUNTIME } : {}),
    ...(fn.templates
      ? { requestMappingTemplate: readText(fn.templates.request), responseMappingTemplate: readText(fn.templates.response), functionVersion: '2018-05-29' }
      : {}),
    ...(fn.maxBatchSize ? { maxBatchSize: fn.maxBatchSize } : {}),
  }));
  const resolvers = config.resolvers.map((r) => ({
    typeName: r.typeName,
    fieldName: r.fieldName,
    kind: r.kind,
    ...(r.dataSource ? { dataSourceName: r.dataSource } : {}),
    ...(r.kind === 'PIPELINE' ? { pipelineConfig: { functions: r.functions } } : {}),
    ...(r.code ? { code: readText(r.code), runtime: JS_RUNTIME } : {}),
    ...(r.templates ? { requestMappingTemplate: readText(r.templates.request), responseMappingTemplate: readText(r.templates.response) } : {}),
    ...(r.maxBatchSize ? { maxBatchSize: r.maxBatchSize } : {}),
    // Keys are kept as `context.arguments.x`; AppSync spells them `$context.arguments.x`.
    ...(r.caching ? { cachingConfig: { ttl: r.caching.ttl, ...(r.caching.keys ? { cachingKeys: r.caching.keys.map((k) => `$${k}`) } : {}) } } : {}),
  }));
  const auth = (a: NormalizedConfig['authentication']) => a.type;
  return {
    apiId,
    name: config.name,
    authenticationType: auth(config.authentication),
    additionalAuthenticationProviders: config.additionalAuthentications.map((a) => ({ authenticationType: auth(a) })),
    tags: {},
    schema,
    schemaStatus: { status: 'SUCCESS' },
    dataSources,
    functions,
    resolvers,
    // Gateway choice: the keys of the config file stay in the file; ListApiKeys shows them with their values as ids.
    apiKeys: config.apiKeys.map((k) => ({ id: k.value, description: k.name, expires: k.expiresAt ?? 0, deletes: k.expiresAt ?? 0 })),
    environmentVariables: { ...config.environment },
    ...(config.queryDepthLimit ? { queryDepthLimit: config.queryDepthLimit } : {}),
    // Gateway choice: the plugin's `type` is not kept by the config's normalisation; SMALL is answered.
    ...(config.caching ? { apiCache: { ttl: config.caching.ttl, apiCachingBehavior: config.caching.behavior, type: 'SMALL' } } : {}),
    revision: 1,
  };
}

/** The data sources of a config, in AppSync's model. */
function dataSourcesOf(config: NormalizedConfig, region: string): DataSourceModel[] {
  return Object.values(config.dataSources).map((ds) => {
    const c = ds.config as Record<string, unknown>;
    const model: DataSourceModel = { name: ds.name, type: ds.type };
    if (ds.description) model.description = ds.description;
    if (ds.type === 'AMAZON_DYNAMODB') model.dynamodbConfig = { tableName: String(c.tableName), awsRegion: typeof c.region === 'string' ? c.region : region };
    if (ds.type === 'AWS_LAMBDA') model.lambdaConfig = { lambdaFunctionArn: String(c.functionArn ?? c.functionName ?? c.handler ?? '') };
    if (ds.type === 'HTTP') model.httpConfig = { endpoint: String(c.endpoint ?? '') };
    if (ds.type === 'AMAZON_EVENTBRIDGE')
      model.eventBridgeConfig = {
        eventBusArn: typeof c.eventBusArn === 'string' ? c.eventBusArn : `arn:aws:events:${region}:${DEFAULT_ACCOUNT_ID}:event-bus/default`,
      };
    if (ds.type === 'RELATIONAL_DATABASE') model.relationalDatabaseConfig = { relationalDatabaseSourceType: 'RDS_HTTP_ENDPOINT' };
    return model;
  });
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const numeric = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** An Event API auth provider of the config, as AppSync's AuthProvider (with the settings the config gives). */
function authProviderOf(auth: NormalizedAuthentication, region: string): AuthProviderModel {
  const c = auth.config;
  const provider: AuthProviderModel = { authType: auth.type };
  if (auth.type === 'AMAZON_COGNITO_USER_POOLS')
    provider.cognitoConfig = {
      userPoolId: String(c.userPoolId ?? ''),
      awsRegion: text(c.awsRegion) ?? region,
      ...(text(c.appIdClientRegex) ? { appIdClientRegex: text(c.appIdClientRegex) } : {}),
    };
  if (auth.type === 'OPENID_CONNECT')
    provider.openIDConnectConfig = {
      issuer: String(c.issuer ?? ''),
      ...(text(c.clientId) ? { clientId: text(c.clientId) } : {}),
      ...(numeric(c.iatTTL) !== undefined ? { iatTTL: numeric(c.iatTTL) } : {}),
      ...(numeric(c.authTTL) !== undefined ? { authTTL: numeric(c.authTTL) } : {}),
    };
  if (auth.type === 'AWS_LAMBDA') {
    const name = text(c.functionName) ?? text(c.function) ?? text(c.handler);
    provider.lambdaAuthorizerConfig = {
      authorizerUri: text(c.authorizerUri) ?? text(c.functionArn) ?? `arn:aws:lambda:${region}:${DEFAULT_ACCOUNT_ID}:function:${name ?? 'authorizer'}`,
      ...(numeric(c.authorizerResultTtlInSeconds) !== undefined ? { authorizerResultTtlInSeconds: numeric(c.authorizerResultTtlInSeconds) } : {}),
      ...(text(c.identityValidationExpression) ? { identityValidationExpression: text(c.identityValidationExpression) } : {}),
    };
  }
  return provider;
}

/**
 * An Event API of the config (its `events:` block, docs/events.md#config) as the management API's
 * Api model, so ListApis, GetApi, ListChannelNamespaces and ListApiKeys answer for it as for one
 * made with CreateApi. Its data sources are the config's (the Event API's handlers use them).
 * `created` is when the gateway first read it (the file has no date of its own).
 */
export function definitionFromEvents(config: NormalizedConfig, events: NormalizedEvents, apiId: string, region: string, created: number): ApiDefinition {
  const modes = (list: readonly string[]) => list.map((authType) => ({ authType }));
  const channelNamespaces: ChannelNamespaceModel[] = Object.values(events.namespaces).map((ns) => ({
    name: ns.name,
    ...(ns.publishAuthModes ? { publishAuthModes: modes(ns.publishAuthModes) } : {}),
    ...(ns.subscribeAuthModes ? { subscribeAuthModes: modes(ns.subscribeAuthModes) } : {}),
    ...(ns.code ? { codeHandlers: readText(ns.code) } : {}),
    ...(Object.keys(ns.handlerConfigs).length > 0 ? { handlerConfigs: ns.handlerConfigs as HandlerConfigsModel } : {}),
    tags: {},
    created,
    lastModified: created,
  }));
  const authProviders = events.authProviders.map((auth) => authProviderOf(auth, region));
  return {
    apiId,
    name: events.name,
    authenticationType: authProviders[0]?.authType ?? 'API_KEY',
    tags: {},
    dataSources: dataSourcesOf(config, region),
    functions: [],
    resolvers: [],
    apiKeys: events.apiKeys.map((k) => ({ id: k.value, description: k.name, expires: k.expiresAt ?? 0, deletes: k.expiresAt ?? 0 })),
    environmentVariables: { ...config.environment },
    eventApi: {
      eventConfig: {
        authProviders,
        connectionAuthModes: modes(events.connectionAuthModes),
        defaultPublishAuthModes: modes(events.defaultPublishAuthModes),
        defaultSubscribeAuthModes: modes(events.defaultSubscribeAuthModes),
      },
      created,
      channelNamespaces,
    },
    revision: 1,
  };
}
