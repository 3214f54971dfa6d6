/**
 * The objects of AppSync's management API as the gateway keeps them: the members and names of the
 * API reference (GraphqlApi, DataSource, Resolver, FunctionConfiguration, ApiKey), so an object read
 * back through GetX is what CreateX was given, plus the schema and the environment variables.
 * Everything is plain JSON: it is written to `<data folder>/apis/<apiId>/api.json` as is.
 */

/** `{ name: 'APPSYNC_JS', runtimeVersion: '1.0.0' }` */
export interface AppSyncRuntime {
  name: string;
  runtimeVersion: string;
}

/** API reference: DataSource (without its ARN, derived when answered). */
export interface DataSourceModel {
  name: string;
  type: string;
  description?: string;
  serviceRoleArn?: string;
  dynamodbConfig?: {
    tableName: string;
    awsRegion: string;
    useCallerCredentials?: boolean;
    versioned?: boolean;
    deltaSyncConfig?: { baseTableTTL?: number; deltaSyncTableName?: string; deltaSyncTableTTL?: number };
  };
  lambdaConfig?: { lambdaFunctionArn: string };
  httpConfig?: {
    endpoint?: string;
    authorizationConfig?: { authorizationType: string; awsIamConfig?: { signingRegion?: string; signingServiceName?: string } };
  };
  relationalDatabaseConfig?: {
    relationalDatabaseSourceType?: string;
    rdsHttpEndpointConfig?: { awsRegion?: string; dbClusterIdentifier?: string; databaseName?: string; schema?: string; awsSecretStoreArn?: string };
  };
  /** EventBridgeDataSourceConfig: only the default bus exists in-process. */
  eventBridgeConfig?: { eventBusArn: string };
  metricsConfig?: string;
}

/** API reference: FunctionConfiguration (without its ARN). */
export interface FunctionModel {
  functionId: string;
  name: string;
  description?: string;
  dataSourceName: string;
  requestMappingTemplate?: string;
  responseMappingTemplate?: string;
  functionVersion?: string;
  syncConfig?: Record<string, unknown>;
  maxBatchSize?: number;
  runtime?: AppSyncRuntime;
  code?: string;
}

/** API reference: Resolver (without its ARN). */
export interface ResolverModel {
  typeName: string;
  fieldName: string;
  dataSourceName?: string;
  requestMappingTemplate?: string;
  responseMappingTemplate?: string;
  kind: 'UNIT' | 'PIPELINE';
  pipelineConfig?: { functions: string[] };
  syncConfig?: Record<string, unknown>;
  cachingConfig?: { ttl: number; cachingKeys?: string[] };
  maxBatchSize?: number;
  runtime?: AppSyncRuntime;
  code?: string;
  metricsConfig?: string;
}

/** API reference: ApiKey. `id` is the key's value (`da2-…`); `expires`/`deletes` are epoch seconds. */
export interface ApiKeyModel {
  id: string;
  description?: string;
  expires: number;
  deletes: number;
}

/** Where GetSchemaCreationStatus stands. */
export interface SchemaStatus {
  status: 'PROCESSING' | 'ACTIVE' | 'DELETING' | 'FAILED' | 'SUCCESS' | 'NOT_APPLICABLE';
  details?: string;
  /** The revision that brought this schema: once the server has applied it, PROCESSING ends. */
  revision?: number;
}

/** The GraphqlApi members CreateGraphqlApi takes and GetGraphqlApi answers (ARN, uris derived). */
export interface GraphqlApiSettings {
  name: string;
  authenticationType: string;
  logConfig?: Record<string, unknown>;
  userPoolConfig?: { userPoolId: string; awsRegion: string; defaultAction: string; appIdClientRegex?: string };
  openIDConnectConfig?: { issuer: string; clientId?: string; iatTTL?: number; authTTL?: number };
  lambdaAuthorizerConfig?: { authorizerUri: string; authorizerResultTtlInSeconds?: number; identityValidationExpression?: string };
  additionalAuthenticationProviders?: Array<{
    authenticationType: string;
    openIDConnectConfig?: GraphqlApiSettings['openIDConnectConfig'];
    userPoolConfig?: { userPoolId: string; awsRegion: string; appIdClientRegex?: string };
    lambdaAuthorizerConfig?: GraphqlApiSettings['lambdaAuthorizerConfig'];
  }>;
  xrayEnabled?: boolean;
  visibility?: string;
  apiType?: string;
  mergedApiExecutionRoleArn?: string;
  ownerContact?: string;
  introspectionConfig?: string;
  queryDepthLimit?: number;
  resolverCountLimit?: number;
  enhancedMetricsConfig?: Record<string, unknown>;
}

/** API reference: ApiCache (status derived: the local cache is AVAILABLE as soon as it exists). */
export interface ApiCacheModel {
  ttl: number;
  apiCachingBehavior: 'FULL_REQUEST_CACHING' | 'PER_RESOLVER_CACHING' | 'OPERATION_LEVEL_CACHING';
  type: string;
  transitEncryptionEnabled?: boolean;
  atRestEncryptionEnabled?: boolean;
  healthMetricsConfig?: string;
}

/** API reference: AuthMode (`{ authType }`). */
export interface AuthModeModel {
  authType: string;
}

/** API reference: AuthProvider of an Event API. */
export interface AuthProviderModel {
  authType: string;
  cognitoConfig?: { userPoolId: string; awsRegion: string; appIdClientRegex?: string };
  openIDConnectConfig?: { issuer: string; clientId?: string; iatTTL?: number; authTTL?: number };
  lambdaAuthorizerConfig?: { authorizerUri: string; authorizerResultTtlInSeconds?: number; identityValidationExpression?: string };
}

/** API reference: EventConfig. */
export interface EventConfigModel {
  authProviders: AuthProviderModel[];
  connectionAuthModes: AuthModeModel[];
  defaultPublishAuthModes: AuthModeModel[];
  defaultSubscribeAuthModes: AuthModeModel[];
  logConfig?: Record<string, unknown>;
}

/** API reference: HandlerConfigs (`onPublish` / `onSubscribe`: `{ behavior, integration }`). */
export type HandlerConfigsModel = Record<string, { behavior: string; integration: { dataSourceName: string; lambdaConfig?: { invokeType?: string } } }>;

/** API reference: ChannelNamespace (without its ARN and apiId, derived when answered). */
export interface ChannelNamespaceModel {
  name: string;
  subscribeAuthModes?: AuthModeModel[];
  publishAuthModes?: AuthModeModel[];
  codeHandlers?: string;
  handlerConfigs?: HandlerConfigsModel;
  tags: Record<string, string>;
  /** Epoch seconds. */
  created: number;
  lastModified: number;
}

/** What makes an API an Event API (CreateApi under `/v2/`): it has no schema, resolvers or functions. */
export interface EventApiModel {
  eventConfig: EventConfigModel;
  ownerContact?: string;
  /** Epoch seconds. */
  created: number;
  channelNamespaces: ChannelNamespaceModel[];
}

/** One API: its settings and everything built on it. */
export interface ApiDefinition extends GraphqlApiSettings {
  apiId: string;
  tags: Record<string, string>;
  /** The SDL in force (the last schema StartSchemaCreation accepted). */
  schema?: string;
  schemaStatus?: SchemaStatus;
  dataSources: DataSourceModel[];
  functions: FunctionModel[];
  resolvers: ResolverModel[];
  apiKeys: ApiKeyModel[];
  environmentVariables: Record<string, string>;
  /** The API cache (CreateApiCache), served as the API's `caching:` block (docs/caching.md). */
  apiCache?: ApiCacheModel;
  /** Set on an Event API (docs/management-api.md#event-apis): served at `/apis/<apiId>/event`, not as a GraphQL API. */
  eventApi?: EventApiModel;
  /** Bumped by every change; the served version names the one it was built from. */
  revision: number;
}
