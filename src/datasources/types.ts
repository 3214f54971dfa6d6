/**
 * The data-source plug point. Built-in kinds (NONE, AMAZON_DYNAMODB, RELATIONAL_DATABASE, HTTP,
 * AWS_LAMBDA) register through the same door as a library user's own kinds.
 */
import type { NormalizedConfig } from '../config/types.js';

/** Minimal logger every part of the gateway writes through. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * False when `debug` writes nothing: a caller on a hot path may skip building a debug line's
   * fields then. Absent: callers build them and `debug` decides.
   */
  readonly debugEnabled?: boolean;
}

/** What a data source is given when the gateway creates it. */
export interface DataSourceInit<C = Record<string, unknown>> {
  /** The data source's name in config. */
  name: string;
  /** Its `config` block, as written. */
  config: C;
  /** `dataSources.<name>.config`, for error messages. */
  configPath: string;
  /** Folder relative paths in config resolve from. */
  configDir: string;
  /** The whole normalized config (serverless resources, functions, ...). */
  gatewayConfig: NormalizedConfig;
  logger: Logger;
  /**
   * The gateway's data folder: a kind that keeps data itself (an embedded store) keeps it in a
   * folder of its own under it. Absent: nothing is kept unless the data source's config names a folder.
   */
  dataDir?: string;
  /** The gateway runs in memory (`--in-memory`): nothing is kept, whatever the config says. */
  inMemory?: boolean;
}

/** Facts about the field being resolved, for data sources that need them (Lambda events). */
export interface InvocationContext {
  /** `Type.field` of the resolver (or the pipeline function's name). */
  resolverName: string;
  fieldName: string;
  parentTypeName: string;
  /** The resolver's `maxBatchSize` (Lambda BatchInvoke). */
  maxBatchSize?: number;
  /**
   * A map that lives for one GraphQL request: data sources batch sibling calls through it
   * (Lambda BatchInvoke) or cache per-request state.
   */
  requestScope: Map<unknown, unknown>;
  /** The resolver's `ctx`, as the handler saw it (direct Lambda resolvers send it as the event). */
  resolverContext: Readonly<Record<string, unknown>>;
  /** Set when the whole request is cancelled (client gone, execution timeout). */
  signal?: AbortSignal;
}

/**
 * The answer of one data-source call. A failure is reported with `error`; AppSync then shows
 * `ctx.error = { message, type }` to the response handler, and `result` may still hold data
 * (docs/data-sources.md).
 */
export interface DataSourceResult {
  result?: unknown;
  error?: { message: string; type: string; data?: unknown; errorInfo?: unknown };
}

/** A created data source. */
export interface DataSource {
  readonly name: string;
  readonly type: string;
  /**
   * Turns the request object a resolver's `request(ctx)` returned into a call and returns the
   * answer. Throwing an `AppSyncError` is the same as returning `{ error }`; a request object the
   * kind cannot understand should be reported with errorType naming the bad field.
   */
  invoke(request: unknown, context: InvocationContext): Promise<DataSourceResult>;
  /**
   * Loads now what the data source otherwise loads on its first call (an in-process Lambda
   * function's file) and throws a `ConfigError` for what that call would meet (no such export).
   * `appsync-gateway validate` runs it (`GatewayOptions.validateOnly`); serving does not, so the
   * start stays as cheap (docs/startup.md).
   */
  check?(): Promise<void>;
  /**
   * Direct resolvers (no code): the data source gets the resolver context and returns the field
   * value. Only AWS_LAMBDA implements it on AppSync.
   */
  invokeDirect?(context: InvocationContext): Promise<DataSourceResult>;
  /**
   * Resolves once the data source can answer (an embedded database that starts in the background).
   * Requests wait for it anyway; `gateway.ready()` exposes it to callers who want to know.
   */
  ready?(): Promise<void>;
  /** Releases pools, sockets, embedded servers. */
  close?(): Promise<void>;
}

/** A data-source kind: validates its config block and creates instances. */
export interface DataSourceKind<C = Record<string, unknown>> {
  /**
   * Returns a list of problems with `config` (each a ConfigError naming the key path); empty when
   * valid. Called before anything starts, so a bad config refuses to start the gateway.
   */
  validate?(config: unknown, path: string): import('../errors.js').ConfigError[];
  /**
   * Whether a data source of this config keeps files in the gateway's data folder (an embedded
   * store on disk). The gateway locks the folder before it creates any data source when one does.
   */
  keepsData?(config: C): boolean;
  create(init: DataSourceInit<C>): Promise<DataSource> | DataSource;
}

export type DataSourceKinds = Record<string, DataSourceKind<any>>;
