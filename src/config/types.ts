/**
 * Config shapes. The user-facing `GatewayConfig` follows the `appSync:` block of the Serverless
 * Framework AppSync plugin v2 (DESIGN.md "Config"); `NormalizedConfig` is what the loader hands
 * the rest of the gateway: absolute paths, defaults filled in, lists flattened.
 */

export type AuthenticationType = 'API_KEY' | 'AWS_IAM' | 'OPENID_CONNECT' | 'AMAZON_COGNITO_USER_POOLS' | 'AWS_LAMBDA';

export const AUTHENTICATION_TYPES: readonly AuthenticationType[] = ['API_KEY', 'AWS_IAM', 'OPENID_CONNECT', 'AMAZON_COGNITO_USER_POOLS', 'AWS_LAMBDA'];

/** One auth provider: `{ type, config }` as in the Serverless plugin. */
export interface AuthenticationConfig {
  type: AuthenticationType;
  /** Mode-specific settings (userPoolId, issuer, functionName/handler, ...). */
  config?: Record<string, unknown>;
}

/** An API key. `value` is a local addition; without it a `da2-…` value is generated at start. */
export interface ApiKeyConfig {
  name: string;
  value?: string;
  description?: string;
  /** ISO date-time or epoch seconds. */
  expiresAt?: string | number;
  /** Duration such as `30d`, `12h`, `1y` (Serverless plugin form), counted from start. */
  expiresAfter?: string | number;
}

export interface DataSourceConfig {
  type: string;
  description?: string;
  config?: Record<string, unknown>;
}

export interface ResolverConfig {
  kind?: 'UNIT' | 'PIPELINE';
  /** Alternative to the `'Type.field'` key. */
  type?: string;
  field?: string;
  /** Data source name (UNIT resolvers). */
  dataSource?: string;
  /** Path to the `.js`/`.ts` APPSYNC_JS file, relative to the config file. */
  code?: string;
  /** Path to a VTL request mapping template (instead of `code`), relative to the config file. */
  request?: string;
  /** Path to a VTL response mapping template (instead of `code`), relative to the config file. */
  response?: string;
  /** `${name}` → value in this resolver's templates, over the top-level `substitutions`. */
  substitutions?: Record<string, string | number | boolean>;
  /** Pipeline function names (PIPELINE resolvers). */
  functions?: string[];
  /** Lambda BatchInvoke batch size. */
  maxBatchSize?: number;
  /** Conflict detection on versioned DynamoDB data sources (AppSync SyncConfig). */
  sync?: SyncConfig;
  /** This resolver's cache entries (AppSync CachingConfig; docs/caching.md): `true` or `{ ttl, keys }`. */
  caching?: boolean | { ttl?: number; keys?: string[] };
}

/** AppSync's SyncConfig as the Serverless AppSync plugin v2 spells it. */
export interface SyncConfig {
  conflictDetection?: 'VERSION' | 'NONE';
  conflictHandler?: 'OPTIMISTIC_CONCURRENCY' | 'AUTOMERGE' | 'LAMBDA' | 'NONE';
  /** LAMBDA: an inline function definition, a serverless.yml function name, or an ARN. */
  function?: { handler: string; timeout?: number };
  functionName?: string;
  functionArn?: string;
  lambdaConflictHandlerConfig?: { lambdaConflictHandlerArn?: string };
}

export interface PipelineFunctionConfig {
  dataSource: string;
  code?: string;
  /** VTL request mapping template file (instead of `code`). */
  request?: string;
  /** VTL response mapping template file (instead of `code`). */
  response?: string;
  /** `${name}` → value in this function's templates, over the top-level `substitutions`. */
  substitutions?: Record<string, string | number | boolean>;
  description?: string;
  maxBatchSize?: number;
  sync?: SyncConfig;
}

/** Local addition: where Step Functions keeps executions (default: a file log under `.data/`). */
export interface StepFunctionsStoreSettings {
  /** `postgres://…`: keep executions in this database, shared by several gateway instances. */
  connectionString?: string;
  /** Table of the Postgres store. @default appsync_gateway_sfn_log */
  table?: string;
  /**
   * This instance's id in the Postgres store: instances sharing a table each need their own, and
   * an instance restarted with the same id resumes its running executions. @default default
   */
  instanceId?: string;
  /** Folder of the file store, relative to the config file. @default .data/stepfunctions */
  dir?: string;
}

export interface StateMachineConfig {
  name?: string;
  type?: 'STANDARD' | 'EXPRESS';
  definition: unknown;
  /**
   * The Serverless Step Functions plugin's `loggingConfig` (docs/stepfunctions.md#execution-logs):
   * `level` ALL / ERROR / FATAL / OFF (@default ERROR when the block is there), `includeExecutionData`,
   * `destinations` (accepted, not used); local addition `stdout: true` prints the lines too.
   */
  loggingConfig?: { level?: 'ALL' | 'ERROR' | 'FATAL' | 'OFF'; includeExecutionData?: boolean; destinations?: unknown[]; stdout?: boolean };
}

/** The config file's shape (`appsync.config.yml`, or the `appSync:` block of `serverless.yml`). */
export interface GatewayConfig {
  name?: string;
  /** One SDL file or several (merged), relative to the config file. Globs are not expanded. */
  schema?: string | string[];
  /** Local addition: SDL given inline (library use, tests). Merged after `schema` files. */
  schemaSdl?: string;
  authentication?: AuthenticationConfig;
  additionalAuthentications?: AuthenticationConfig[];
  apiKeys?: Array<ApiKeyConfig | string>;
  dataSources?: Record<string, DataSourceConfig> | Array<Record<string, DataSourceConfig>>;
  resolvers?: Record<string, ResolverConfig> | Array<Record<string, ResolverConfig>>;
  pipelineFunctions?: Record<string, PipelineFunctionConfig> | Array<Record<string, PipelineFunctionConfig>>;
  /** Environment variables for resolvers (`ctx.env`). */
  environment?: Record<string, string>;
  /** `${name}` → value in every VTL mapping template (the Serverless AppSync plugin's substitutions). */
  substitutions?: Record<string, string | number | boolean>;
  /**
   * Local addition: where the gateway listens, and `dataDir`, the folder the embedded DynamoDB
   * and Postgres and the Step Functions file store keep their data in (relative to the config
   * file; one gateway at a time). @default dataDir `.data`
   */
  server?: { port?: number; host?: string; dataDir?: string; redis?: string };
  /** AppSync's API cache, in the Serverless AppSync plugin's shape (docs/caching.md). */
  caching?: CachingConfig;
  /** `false`: introspection queries are refused, as AppSync's `introspectionConfig: DISABLED` (docs/caching.md#api-settings). @default true */
  introspection?: boolean;
  /**
   * Step Functions state machines, in the Serverless Step Functions plugin's shape; `queues` and
   * `topics` (local additions) declare queues and topics of the in-process SQS and SNS.
   */
  stepFunctions?: {
    stateMachines?: Record<string, StateMachineConfig>;
    store?: StepFunctionsStoreSettings;
    queues?: Record<string, QueueConfig>;
    topics?: Record<string, TopicConfig>;
    services?: StepFunctionsServicesConfig;
    routes?: Array<Omit<StepFunctionsRouteConfig, 'method' | 'action' | 'auth'> & Partial<StepFunctionsRouteConfig>>;
    rules?: Record<string, EventRuleConfig>;
    /** Local addition: `ecs:runTask` task definitions (by family, `family:revision` or ARN) run as local commands. */
    taskDefinitions?: Record<string, LocalCommandConfig>;
    /** Local addition: `batch:submitJob` job definitions (by name, `name:revision` or ARN) run as local commands. */
    jobDefinitions?: Record<string, LocalCommandConfig>;
  };
  /** AppSync request limits. */
  queryDepthLimit?: number;
  resolverCountLimit?: number;
  /**
   * Local addition: limits of the resolver sandbox (docs/resolvers.md, The sandbox): `timeoutMs` per handler
   * call (default 1000), `memoryLimitMb` heap of each sandbox process (default 256), `processes`
   * running resolver code side by side (default 2), `maxResultChars` longest JSON a handler returns
   * (default 5 MiB), `maxLogChars` longest console line kept (default 256 KiB).
   */
  sandbox?: SandboxSettings;
  /**
   * AppSync Events (docs/events.md): an Event API on `/event` and `/event/realtime`; a list of them
   * serves the first there and each other one at `/apis/<id>/event` (docs/events.md#several-event-apis).
   */
  events?: EventsConfig | EventsConfig[];
  /** Set by the loader from a serverless.yml: `resources.Resources` (CloudFormation). */
  cloudFormationResources?: NormalizedConfig['cloudFormationResources'];
  /** Set by the loader from a serverless.yml: `functions:` (name → handler). */
  serverlessFunctions?: NormalizedConfig['serverlessFunctions'];
  /** Set by the CloudFormation loader: the input's other GraphQL APIs (docs/cloudformation.md#several-apis). */
  additionalApis?: AdditionalApiConfig[];
}

/** A further GraphQL API of one input, served at `/apis/<apiId>/graphql` beside the config's own. */
export interface AdditionalApiConfig {
  /** The path segment it is served under. */
  apiId: string;
  /** Its config, normalised when the gateway loads it (relative paths from the same folder). */
  config: GatewayConfig;
}

export interface NormalizedAuthentication {
  type: AuthenticationType;
  config: Record<string, unknown>;
}

export interface NormalizedApiKey {
  name: string;
  value: string;
  /** Epoch seconds; undefined = never expires. */
  expiresAt?: number;
  /** True when the value was generated at start (printed in the startup log). */
  generated: boolean;
}

export interface NormalizedDataSource {
  name: string;
  type: string;
  description?: string;
  config: Record<string, unknown>;
}

export interface NormalizedResolver {
  typeName: string;
  fieldName: string;
  kind: 'UNIT' | 'PIPELINE';
  dataSource?: string;
  /** Absolute path of the code file; absent for direct Lambda resolvers and default pipelines. */
  code?: string;
  /** VTL mapping templates (absolute paths), instead of `code`. */
  templates?: MappingTemplates;
  functions: string[];
  maxBatchSize?: number;
  /** As written in config; read by the DynamoDB data source (src/datasources/dynamodb/versioning.ts). */
  sync?: SyncConfig;
  /** Set when this resolver's results are cached (per-resolver caching, docs/caching.md). */
  caching?: NormalizedResolverCaching;
}

/** A resolver's or function's VTL templates; without `response`, `$util.toJson($ctx.result)` is used. */
export interface MappingTemplates {
  request: string;
  response?: string;
  /** `${name}` → value, from the top-level and the resolver's own `substitutions` (the latter win). */
  substitutions?: Record<string, string>;
}

export interface NormalizedPipelineFunction {
  name: string;
  dataSource: string;
  code?: string;
  /** VTL mapping templates (absolute paths), instead of `code`. */
  templates?: MappingTemplates;
  maxBatchSize?: number;
  sync?: SyncConfig;
}

/** What the rest of the gateway reads. Produced by `normalizeConfig`. */
export interface NormalizedConfig {
  name: string;
  /** Folder relative paths were resolved from. */
  configDir: string;
  /** The file it came from, if any (watched under `--watch`). */
  configFile?: string;
  /** Absolute SDL file paths. */
  schemaFiles: string[];
  schemaSdl?: string;
  authentication: NormalizedAuthentication;
  additionalAuthentications: NormalizedAuthentication[];
  apiKeys: NormalizedApiKey[];
  dataSources: Record<string, NormalizedDataSource>;
  resolvers: NormalizedResolver[];
  pipelineFunctions: Record<string, NormalizedPipelineFunction>;
  environment: Record<string, string>;
  /** `dataDir`: the configured data folder, absolute (absent: `<configDir>/.data` unless moved by the environment). */
  server: { port: number; host: string; dataDir?: string; redis?: string };
  /** Set when the API cache is on (docs/caching.md). */
  caching?: NormalizedCaching;
  /** False when introspection is disabled. */
  introspection: boolean;
  stepFunctions: {
    stateMachines: Record<string, StateMachineConfig>;
    store?: StepFunctionsStoreSettings;
    queues?: Record<string, QueueConfig>;
    topics?: Record<string, TopicConfig>;
    services?: StepFunctionsServicesConfig;
    routes?: StepFunctionsRouteConfig[];
    rules?: Record<string, EventRuleConfig>;
    /** `cwd` absolute (absent in the file: the config folder). */
    taskDefinitions?: Record<string, LocalCommandConfig>;
    jobDefinitions?: Record<string, LocalCommandConfig>;
  };
  queryDepthLimit?: number;
  resolverCountLimit: number;
  sandbox: SandboxSettings;
  /** The `events:` block (docs/events.md), or the first entry of its list; absent: no Event API. */
  events?: NormalizedEvents;
  /** The other entries of an `events:` list, each served at `/apis/<apiId>/event` (docs/events.md#several-event-apis). */
  additionalEventApis?: AdditionalEventApi[];
  /** From a serverless.yml: `resources.Resources` (CloudFormation), used to create DynamoDB tables. */
  cloudFormationResources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
  /** From a serverless.yml: `functions:` (name → handler), for Lambda data sources and authorizers. */
  serverlessFunctions?: Record<string, { handler: string }>;
  /** From CloudFormation input: its other GraphQL APIs, each served at `/apis/<apiId>/graphql`. */
  additionalApis?: AdditionalApiConfig[];
}

/** Limits of the resolver sandbox, as the config file gives them (every member optional). */
export interface SandboxSettings {
  timeoutMs?: number;
  memoryLimitMb?: number;
  processes?: number;
  maxResultChars?: number;
  maxLogChars?: number;
  /** Unit resolvers whose handlers are in the small subset are evaluated in the gateway (docs/resolvers.md#handlers-the-gateway-evaluates); default true. */
  evaluateSimpleHandlers?: boolean;
}

/**
 * AppSync Events (docs/events.md): one Event API, served at `/event` and `/event/realtime` (or, after the
 * first of a list, at `/apis/<id>/event`). Names
 * follow AWS's `EventConfig` and `ChannelNamespace`; auth-mode lists take `API_KEY` or `{ authType: API_KEY }`.
 */
export interface EventsConfig {
  name?: string;
  /** Entries as in `authentication`. @default the file's authentication + additionalAuthentications */
  authProviders?: AuthenticationConfig[];
  /** @default the file's apiKeys */
  apiKeys?: Array<ApiKeyConfig | string>;
  connectionAuthModes?: Array<AuthenticationType | { authType: AuthenticationType }>;
  defaultPublishAuthModes?: Array<AuthenticationType | { authType: AuthenticationType }>;
  defaultSubscribeAuthModes?: Array<AuthenticationType | { authType: AuthenticationType }>;
  /** Channel namespaces by name. @default { default: {} } */
  namespaces?: Record<string, EventNamespaceConfig>;
}

/** One channel namespace (AWS `ChannelNamespace`). */
export interface EventNamespaceConfig {
  /** APPSYNC_JS file exporting `onPublish` and/or `onSubscribe`, relative to the config file. */
  code?: string;
  publishAuthModes?: Array<AuthenticationType | { authType: AuthenticationType }>;
  subscribeAuthModes?: Array<AuthenticationType | { authType: AuthenticationType }>;
  /** AWS `HandlerConfigs` (`onPublish` / `onSubscribe`: `{ behavior, integration }`). */
  handlerConfigs?: Record<string, unknown>;
}

/** The `events:` block after normalisation. */
export interface NormalizedEvents {
  name: string;
  authProviders: NormalizedAuthentication[];
  /**
   * The config key of `authProviders` (`events.authProviders`, `events.1.authProviders`) when the block
   * gives its own; absent when they are the file's `authentication` + `additionalAuthentications`.
   */
  authProvidersAt?: string;
  apiKeys: NormalizedApiKey[];
  connectionAuthModes: AuthenticationType[];
  defaultPublishAuthModes: AuthenticationType[];
  defaultSubscribeAuthModes: AuthenticationType[];
  namespaces: Record<string, NormalizedEventNamespace>;
}

/** A further Event API of one config: its URL id (its name, lower-cased, other characters as `-`) and its block. */
export interface AdditionalEventApi {
  apiId: string;
  events: NormalizedEvents;
}

export interface NormalizedEventNamespace {
  name: string;
  /** Absolute path of the handler code. */
  code?: string;
  publishAuthModes?: AuthenticationType[];
  subscribeAuthModes?: AuthenticationType[];
  handlerConfigs: Record<string, unknown>;
}

/** AppSync's API caching behaviours (docs/caching.md). */
export type CachingBehavior = 'FULL_REQUEST_CACHING' | 'PER_RESOLVER_CACHING' | 'OPERATION_LEVEL_CACHING';

/** The `caching:` block of the Serverless AppSync plugin (v2), with one local addition. */
export interface CachingConfig {
  behavior: CachingBehavior;
  /** Seconds an entry lives, 1–3,600. @default 3600 */
  ttl?: number;
  /** @default true when the block is present */
  enabled?: boolean;
  /** Local addition: the in-memory cache's size bound (least recently used entries go first). @default 64 */
  maxSizeMb?: number;
  /** The ElastiCache instance's settings (`type`, `atRestEncryption`, `transitEncryption`): no local meaning. */
  [ignored: string]: unknown;
}

export interface NormalizedCaching {
  behavior: CachingBehavior;
  /** Seconds. */
  ttl: number;
  maxSizeMb: number;
}

/** A resolver's CachingConfig: ttl in seconds; `keys` in the form `context.arguments.id` (absent: AppSync's defaults). */
export interface NormalizedResolverCaching {
  ttl: number;
  keys?: string[];
}

/** A queue of the in-process SQS (docs/stepfunctions.md, SQS): its SQS attributes (`VisibilityTimeout`, `DelaySeconds`, …). */
export type QueueConfig = Record<string, string | number>;

/**
 * Local addition: `stepFunctions.services` sends `sqs:sendMessage`, `sns:publish` and
 * `events:putEvents` tasks to a remote AWS-compatible endpoint through the AWS SDK instead of the
 * in-process defaults (docs/stepfunctions.md#remote-endpoints). A service left out stays in-process.
 */
export interface StepFunctionsServicesConfig {
  sqs?: ServiceEndpointConfig;
  sns?: ServiceEndpointConfig;
  eventBridge?: ServiceEndpointConfig;
}

/** Where one service's calls go: `endpoint` (an http(s) URL; absent: AWS's own endpoint of `region`) and `region` (@default us-east-1). */
export interface ServiceEndpointConfig {
  endpoint?: string;
  region?: string;
}

/**
 * Local addition: an HTTP route on the gateway's port that starts an execution with the request
 * body as input, as an API Gateway Step Functions integration does (docs/stepfunctions.md#http-routes).
 */
export interface StepFunctionsRouteConfig {
  /** @default POST */
  method: string;
  /** Matched exactly (no query string, no path parameters). */
  path: string;
  /** A key of `stepFunctions.stateMachines`, a machine's name or its ARN. */
  stateMachine: string;
  /** @default StartExecution */
  action: 'StartExecution' | 'StartSyncExecution';
  /** One of the API's auth modes, or NONE. @default NONE */
  auth: 'NONE' | 'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT';
}

/** Local addition: an EventBridge rule of the in-process default bus (docs/stepfunctions.md#rules-in-the-config). */
export interface EventRuleConfig {
  eventPattern: Record<string, unknown>;
  /** @default ENABLED */
  state?: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: EventRuleTargetConfig[];
}

/** A rule's target: `arn` (state machine, Lambda function, queue, topic) or `stateMachine` (a key or name). */
export interface EventRuleTargetConfig {
  /** @default the target's position, `target0`, … */
  id?: string;
  arn?: string;
  stateMachine?: string;
  /** JSON text sent instead of the event. */
  input?: string;
  /** A JSONPath of the event whose value is sent. */
  inputPath?: string;
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
  /** EventBridge's DeadLetterConfig: where an event this target cannot take goes (an in-process queue's ARN). */
  deadLetterConfig?: { arn: string };
}

/**
 * Local addition: the command an ECS task definition or a Batch job definition runs on this
 * machine instead of a container image (docs/stepfunctions.md#ecs-and-batch).
 */
export interface LocalCommandConfig {
  /** The program and its arguments (no shell: use `[sh, -c, '…']` for one). */
  command: string[];
  /** Variables added to the gateway's environment (the task's `Environment` overrides add to and replace these). */
  env?: Record<string, string>;
  /** Working folder, relative to the config file. @default the config file's folder */
  cwd?: string;
  /** ECS: the container's name, which `ContainerOverrides[].Name` refers to. @default the family name */
  containerName?: string;
  /** Batch: default values of `Ref::<name>` placeholders in `command` (SubmitJob's `Parameters` override them). */
  parameters?: Record<string, string>;
}

/** A topic of the in-process SNS (docs/stepfunctions.md, SNS) and its subscriptions. */
export interface TopicConfig {
  subscriptions?: Array<{
    protocol: 'sqs' | 'http' | 'https' | 'lambda';
    endpoint: string;
    rawMessageDelivery?: boolean;
    /** SNS's FilterPolicy, as an object. */
    filterPolicy?: Record<string, unknown>;
    /** @default MessageAttributes */
    filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
    /** SNS's RedrivePolicy: where a message that cannot be delivered goes (an in-process queue's ARN). */
    redrivePolicy?: { deadLetterTargetArn: string };
  }>;
}
