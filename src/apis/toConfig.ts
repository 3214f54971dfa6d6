/**
 * An API built through the management API, as a config file the gateway loads: the same
 * `GatewayConfig` (Serverless AppSync plugin v2 shape, docs/config.md) a user writes, plus the
 * files it names (schema, resolver and function code, mapping templates). The server loads an API
 * from this, and `export` writes it out for a team to commit.
 */
import type { AuthenticationConfig, GatewayConfig, PipelineFunctionConfig, ResolverConfig } from '../config/types.js';
import type { ApiDefinition, AuthModeModel, DataSourceModel, EventApiModel, FunctionModel, GraphqlApiSettings, ResolverModel } from './model.js';

/** A config and the files (path relative to the config's folder → text) it names. */
export interface ApiFiles {
  config: GatewayConfig;
  files: Map<string, string>;
}

export interface ToConfigOptions {
  /**
   * Gateway choice (docs/management-api.md#data-sources): a DynamoDB data source reaches this
   * endpoint (`AWS_ENDPOINT_URL_DYNAMODB`, as the AWS SDKs read it); absent, the embedded store,
   * where a missing table is created with a string `id` partition key.
   */
  dynamodbEndpoint?: string;
  /** Field names per type of the schema in force: resolvers on fields it lacks are left out. */
  fields?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Builds the config and files of `def`. */
export function toGatewayConfig(def: ApiDefinition, options: ToConfigOptions = {}): ApiFiles {
  if (def.eventApi) return toEventsConfig(def, def.eventApi, options);
  const files = new Map<string, string>();
  const config: GatewayConfig = { name: def.name };
  if (def.schema !== undefined) {
    files.set('schema.graphql', def.schema);
    config.schema = 'schema.graphql';
  }
  config.authentication = toAuthentication(def.authenticationType, def);
  if (def.additionalAuthenticationProviders?.length) {
    config.additionalAuthentications = def.additionalAuthenticationProviders.map((p) =>
      toAuthentication(p.authenticationType, { ...p, userPoolConfig: p.userPoolConfig && { ...p.userPoolConfig, defaultAction: 'ALLOW' } }),
    );
  }
  config.apiKeys = def.apiKeys.map((key) => ({
    name: key.id,
    value: key.id,
    expiresAt: key.expires,
    ...(key.description ? { description: key.description } : {}),
  }));
  config.dataSources = Object.fromEntries(def.dataSources.map((ds) => [ds.name, toDataSource(ds, options)]));

  const functionKeys = functionKeysOf(def.functions);
  const pipelineFunctions: Record<string, PipelineFunctionConfig> = {};
  for (const fn of def.functions) {
    const key = functionKeys.get(fn.functionId)!;
    const entry: PipelineFunctionConfig = { dataSource: fn.dataSourceName };
    if (fn.description) entry.description = fn.description;
    if (fn.maxBatchSize) entry.maxBatchSize = fn.maxBatchSize;
    Object.assign(entry, codeFiles(files, `functions/${key}`, fn));
    pipelineFunctions[key] = entry;
  }
  if (def.functions.length > 0) config.pipelineFunctions = pipelineFunctions;

  const resolvers: Record<string, ResolverConfig> = {};
  for (const resolver of def.resolvers) {
    if (options.fields && !options.fields.get(resolver.typeName)?.has(resolver.fieldName)) continue;
    const key = `${resolver.typeName}.${resolver.fieldName}`;
    const entry: ResolverConfig = { kind: resolver.kind };
    if (resolver.kind === 'UNIT' && resolver.dataSourceName) entry.dataSource = resolver.dataSourceName;
    if (resolver.kind === 'PIPELINE') entry.functions = (resolver.pipelineConfig?.functions ?? []).map((id) => functionKeys.get(id) ?? id);
    if (resolver.maxBatchSize) entry.maxBatchSize = resolver.maxBatchSize;
    if (resolver.syncConfig) entry.sync = resolver.syncConfig as ResolverConfig['sync'];
    // A CachingConfig means something only under an API cache, as on AppSync.
    if (resolver.cachingConfig && def.apiCache)
      entry.caching = {
        ttl: resolver.cachingConfig.ttl,
        ...(resolver.cachingConfig.cachingKeys?.length ? { keys: [...resolver.cachingConfig.cachingKeys] } : {}),
      };
    Object.assign(entry, codeFiles(files, `resolvers/${key}`, resolver));
    resolvers[key] = entry;
  }
  if (def.resolvers.length > 0) config.resolvers = resolvers;
  if (Object.keys(def.environmentVariables).length > 0) config.environment = { ...def.environmentVariables };
  // AppSync: 0 (or absent) is no limit.
  if (def.queryDepthLimit) config.queryDepthLimit = def.queryDepthLimit;
  if (def.resolverCountLimit) config.resolverCountLimit = def.resolverCountLimit;
  if (def.apiCache) config.caching = { behavior: def.apiCache.apiCachingBehavior, ttl: def.apiCache.ttl };
  return { config, files };
}

/**
 * An Event API (CreateApi under `/v2/`) as a config holding only an `events:` block
 * (docs/events.md#an-event-api-alone): its auth providers, keys, mode lists and channel namespaces,
 * each namespace's `codeHandlers` as `namespaces/<name>.js`, and its data sources for the handlers.
 */
function toEventsConfig(def: ApiDefinition, eventApi: EventApiModel, options: ToConfigOptions): ApiFiles {
  const files = new Map<string, string>();
  const modes = (list: readonly AuthModeModel[] | undefined) => list?.map((m) => m.authType as AuthenticationConfig['type']);
  const apiKeys = def.apiKeys.map((key) => ({
    name: key.id,
    value: key.id,
    expiresAt: key.expires,
    ...(key.description ? { description: key.description } : {}),
  }));
  const namespaces: Record<string, Record<string, unknown>> = {};
  for (const ns of eventApi.channelNamespaces) {
    const entry: Record<string, unknown> = {};
    if (ns.codeHandlers !== undefined) {
      files.set(`namespaces/${ns.name}.js`, ns.codeHandlers);
      entry.code = `namespaces/${ns.name}.js`;
    }
    if (ns.publishAuthModes?.length) entry.publishAuthModes = modes(ns.publishAuthModes);
    if (ns.subscribeAuthModes?.length) entry.subscribeAuthModes = modes(ns.subscribeAuthModes);
    if (ns.handlerConfigs) entry.handlerConfigs = JSON.parse(JSON.stringify(ns.handlerConfigs));
    namespaces[ns.name] = entry;
  }
  const { eventConfig } = eventApi;
  const config: GatewayConfig = {
    name: def.name,
    apiKeys,
    dataSources: Object.fromEntries(def.dataSources.map((ds) => [ds.name, toDataSource(ds, options)])),
    events: {
      name: def.name,
      authProviders: eventConfig.authProviders.map((p) =>
        toAuthentication(p.authType, {
          userPoolConfig: p.cognitoConfig && { ...p.cognitoConfig, defaultAction: 'ALLOW' },
          openIDConnectConfig: p.openIDConnectConfig,
          lambdaAuthorizerConfig: p.lambdaAuthorizerConfig,
        }),
      ),
      apiKeys,
      connectionAuthModes: modes(eventConfig.connectionAuthModes),
      defaultPublishAuthModes: modes(eventConfig.defaultPublishAuthModes),
      defaultSubscribeAuthModes: modes(eventConfig.defaultSubscribeAuthModes),
      // An Event API with no namespace yet answers every channel with "namespace does not exist".
      namespaces,
    },
  };
  if (Object.keys(def.environmentVariables).length > 0) config.environment = { ...def.environmentVariables };
  return { config, files };
}

/** The key of each function in `pipelineFunctions`: its name, or `name_functionId` where names repeat (AppSync allows it). */
export function functionKeysOf(functions: readonly FunctionModel[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const fn of functions) counts.set(fn.name, (counts.get(fn.name) ?? 0) + 1);
  return new Map(functions.map((fn) => [fn.functionId, counts.get(fn.name)! > 1 ? `${fn.name}_${fn.functionId}` : fn.name]));
}

function codeFiles(
  files: Map<string, string>,
  base: string,
  source: Pick<ResolverModel, 'code' | 'requestMappingTemplate' | 'responseMappingTemplate'>,
): Pick<ResolverConfig, 'code' | 'request' | 'response'> {
  if (source.code !== undefined) {
    files.set(`${base}.js`, source.code);
    return { code: `${base}.js` };
  }
  const out: Pick<ResolverConfig, 'request' | 'response'> = {};
  if (source.requestMappingTemplate !== undefined) {
    files.set(`${base}.request.vtl`, source.requestMappingTemplate);
    out.request = `${base}.request.vtl`;
  }
  if (source.responseMappingTemplate !== undefined) {
    files.set(`${base}.response.vtl`, source.responseMappingTemplate);
    out.response = `${base}.response.vtl`;
  }
  return out;
}

function toAuthentication(
  type: string,
  settings: Pick<GraphqlApiSettings, 'userPoolConfig' | 'openIDConnectConfig' | 'lambdaAuthorizerConfig'>,
): AuthenticationConfig {
  const auth: AuthenticationConfig = { type: type as AuthenticationConfig['type'] };
  if (type === 'AMAZON_COGNITO_USER_POOLS' && settings.userPoolConfig) auth.config = { ...settings.userPoolConfig };
  if (type === 'OPENID_CONNECT' && settings.openIDConnectConfig) auth.config = { ...settings.openIDConnectConfig };
  if (type === 'AWS_LAMBDA' && settings.lambdaAuthorizerConfig) {
    auth.config = { ...settings.lambdaAuthorizerConfig };
  }
  return auth;
}

/** Gateway choice: the key schema of a table the embedded store creates for a data source that names none. */
export const DEFAULT_TABLE = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
};

function toDataSource(ds: DataSourceModel, options: ToConfigOptions): { type: string; description?: string; config?: Record<string, unknown> } {
  const out: { type: string; description?: string; config?: Record<string, unknown> } = { type: ds.type };
  if (ds.description) out.description = ds.description;
  if (ds.type === 'AMAZON_DYNAMODB' && ds.dynamodbConfig) {
    const c = ds.dynamodbConfig;
    const config: Record<string, unknown> = { tableName: c.tableName, region: c.awsRegion };
    if (options.dynamodbEndpoint) config.endpoint = options.dynamodbEndpoint;
    else config.table = DEFAULT_TABLE;
    if (c.versioned) config.versioned = true;
    if (c.deltaSyncConfig?.deltaSyncTableName) config.deltaSyncConfig = { ...c.deltaSyncConfig };
    out.config = config;
  } else if (ds.type === 'AWS_LAMBDA' && ds.lambdaConfig) {
    out.config = { functionArn: ds.lambdaConfig.lambdaFunctionArn };
  } else if (ds.type === 'HTTP' && ds.httpConfig) {
    out.config = { endpoint: ds.httpConfig.endpoint, ...(ds.httpConfig.authorizationConfig ? { authorizationConfig: ds.httpConfig.authorizationConfig } : {}) };
  } else if (ds.type === 'AMAZON_EVENTBRIDGE' && ds.eventBridgeConfig) {
    out.config = { eventBusArn: ds.eventBridgeConfig.eventBusArn };
  } else if (ds.type === 'RELATIONAL_DATABASE') {
    // The embedded Postgres (or the PG* variables' server): the Data API cluster it names is not reachable from here.
    const rds = ds.relationalDatabaseConfig?.rdsHttpEndpointConfig;
    out.config = rds?.databaseName ? { databaseName: rds.databaseName } : {};
  }
  return out;
}
