/**
 * appsync-gateway: a self-hostable GraphQL gateway that behaves like AWS AppSync.
 *
 * The public API is this file: `createGateway`, `defineConfig`, `loadConfig` and their types.
 * Everything else is internal.
 */
export { createGateway, createConsoleLogger } from './server/index.js';
export type { Gateway, GatewayOptions, ListenResult, LogLevel } from './server/index.js';
export { defineConfig } from './config/index.js';
export type {
  GatewayConfig,
  AuthenticationConfig,
  AuthenticationType,
  ApiKeyConfig,
  DataSourceConfig,
  ResolverConfig,
  PipelineFunctionConfig,
  StateMachineConfig,
  StepFunctionsStoreSettings,
  SyncConfig,
  NormalizedConfig,
  NormalizedApiKey,
} from './config/types.js';
export type { DataSource, DataSourceKind, DataSourceKinds, DataSourceInit, DataSourceResult, InvocationContext, Logger } from './datasources/types.js';
export type { AuthContext, AuthMode, Identity } from './auth/types.js';
export type { StepFunctionsDataSourceConfig } from './stepfunctions/resolverDataSource.js';
export {
  AppSyncError,
  RequestError,
  UnauthorizedError,
  FieldError,
  DataSourceError,
  NotSupportedError,
  ConfigError,
  ConfigErrors,
  SchemaError,
  CodeLoadError,
  ERROR_TYPES,
  ERROR_CATALOGUE,
  ERROR_FAMILIES,
  STARTUP_ERROR_CODES,
  type ErrorType,
  type ErrorCatalogueEntry,
  type PassedOnErrorType,
} from './errors.js';
