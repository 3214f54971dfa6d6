/**
 * The GraphQL APIs one gateway serves (docs/management-api.md): their definitions in AppSync's
 * model, kept under the data folder, and their translation into the config the server loads.
 */
export type {
  ApiCacheModel,
  ApiDefinition,
  AuthModeModel,
  AuthProviderModel,
  ChannelNamespaceModel,
  EventApiModel,
  EventConfigModel,
  HandlerConfigsModel,
  ApiKeyModel,
  AppSyncRuntime,
  DataSourceModel,
  FunctionModel,
  GraphqlApiSettings,
  ResolverModel,
  SchemaStatus,
} from './model.js';
export { ApiRegistry, RegistryError, configApiIdOf, newId, type ApiRegistryOptions, type RegistryListener } from './registry.js';
export { DEFAULT_TABLE, functionKeysOf, toGatewayConfig, type ApiFiles, type ToConfigOptions } from './toConfig.js';
export { definitionFromConfig, definitionFromEvents } from './fromConfig.js';
export { exportApi, type ExportOptions, type ExportResult } from './exportApi.js';
export { createPostgresRegistryStore, type PostgresRegistryOptions, type RegistryStore } from './postgresStore.js';
