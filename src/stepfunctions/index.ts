/**
 * Step Functions front door: `createStepFunctionsService` builds the service (state machines,
 * executions, store), serves the JSON 1.0 API on the gateway's port and the console page at
 * `/stepfunctions`, and follows config reloads.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { NormalizedConfig, StateMachineConfig } from '../config/types.js';
import type { DataSource, Logger } from '../datasources/index.js';
import { answerPeerCall, answerTooLarge, handleApiCall, isStepFunctionsCall } from './api/handler.js';
import { handleRoute, routeFor } from './api/routes.js';
import type { AuthProvider } from '../auth/types.js';
import { DEFAULT_SCOPE, type ArnScope } from './service/arns.js';
import { loadEngine, loadTaskRunner } from './service/engine.js';
import { StepFunctionsService } from './service/service.js';
import { configMachineReport, type ConfigMachineReport } from './service/applyConfigMachines.js';
import { createFileStore } from './store/fileStore.js';
import { createMemoryStore } from './store/memoryStore.js';
import { createPostgresStore } from './store/postgresStore.js';
import { MAX_REQUEST_BYTES as SQS_MAX_REQUEST_BYTES, SqsQueues, answerSqsTooLarge, handleSqsCall, isSqsCall } from './services/sqs.js';
import { MAX_REQUEST_BYTES as SNS_MAX_REQUEST_BYTES, SnsTopics, answerSnsTooLarge, handleSnsCall, isSnsCall, mayBeSnsCall } from './services/sns.js';
import { applyDeclared } from './services/declared.js';
import { PersistedServices } from './services/persisted.js';
import { EventRules, answerEventsTooLarge, handleEventsCall, isEventsCall } from './services/eventbridge.js';
import { stepFunctionsStorePlace, storeSettings } from './storePlace.js';
import { stateMachineArnOf } from './resolverDataSource.js';
import type { ExecutionStore, StorePeers } from './store/types.js';

export { StepFunctionsService } from './service/service.js';
export { SfnApiError } from './service/errors.js';
export type { ExecutionStore, StoreRecord } from './store/types.js';
export { createFileStore } from './store/fileStore.js';
export { createPostgresStore } from './store/postgresStore.js';
export { stepFunctionsStorePlace } from './storePlace.js';
export { checkLambdaTasks } from './tasks/checkLambdaTasks.js';

/**
 * What CreateStateMachine would refuse in the config's machines (an invalid definition, name, type
 * or `loggingConfig`), one `ConfigError` per problem at its key, which the gateway's load refuses
 * (docs/stepfunctions.md#declaring-state-machines); and a warning per reference the config's loader
 * could not resolve, whose machine the gateway skips (docs/stepfunctions.md#references-the-gateway-cannot-resolve).
 */
export async function checkConfigMachines(config: NormalizedConfig): Promise<ConfigMachineReport> {
  return configMachineReport(config.stepFunctions.stateMachines, await loadEngine());
}

/** Where executions are kept: the embedded file log (default) or PostgreSQL. */
export interface StepFunctionsStoreConfig {
  /** `postgres://…`: keep the log in this database (table created on first use). */
  connectionString?: string;
  /** Table name for the Postgres store. @default appsync_gateway_sfn_log */
  table?: string;
  /** This instance's id in the Postgres store (one per instance sharing the table). @default default */
  instanceId?: string;
  /**
   * Folder of the file store; one gateway at a time uses it (a lock file refuses a second).
   * @default the `APPSYNC_GATEWAY_SFN_STORE_DIR` variable, else `<configDir>/.data/stepfunctions`
   */
  dir?: string;
}

export interface StepFunctionsServiceOptions {
  /** Machines declared in the config (Serverless Step Functions plugin shape). */
  stateMachines: Record<string, StateMachineConfig>;
  /** Folder of the embedded file store. */
  storeDir: string;
  /** Keep executions in memory only (`--in-memory`), unless a PostgreSQL store is configured. */
  inMemory?: boolean;
  logger: Logger;
  /** The config in force now (it changes on reload). */
  config(): NormalizedConfig;
  /** The data sources in force now (Task states reach them). */
  dataSources(): ReadonlyMap<string, DataSource>;
  /** The API's auth providers in force now, for `stepFunctions.routes` (absent: only `auth: NONE` routes answer). */
  authProviders?: () => readonly AuthProvider[];
  /** Overrides the store (tests, embedding). */
  store?: ExecutionStore | StepFunctionsStoreConfig;
  /** Region and account in ARNs. @default us-east-1 / 123456789012 */
  scope?: Partial<ArnScope>;
  /** Closed Standard executions kept with their history. @default 50000 */
  maxClosedExecutions?: number;
  /** Rewrite the store's log once this many records were appended (at least). @default 1000000 */
  compactAfterRecords?: number;
  /**
   * How often a gateway on a shared Postgres store looks for instances that stopped, to take
   * over their executions; 0 turns it off. @default 10000
   */
  takeoverIntervalMs?: number;
}

export interface StepFunctionsServiceHandle {
  /** Answers Step Functions API calls and the console page; false for anything else. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean>;
  /**
   * Answers a Step Functions, SQS, SNS or EventBridge API call whose body was over `limitBytes` in
   * that service's protocol and error shape (docs/stepfunctions.md); false for other requests.
   * `head` is the body's first bytes (an SNS call is known by them).
   */
  answerTooLarge(req: IncomingMessage, res: ServerResponse, limitBytes: number, head: Buffer): boolean;
  /**
   * The body limit of a call these services read past the gateway's usual one, known by its headers
   * (an SQS call: a batch of 1 MiB messages, docs/stepfunctions.md#sqs; a form post, which may be
   * an SNS call of a 1 MiB message, docs/stepfunctions.md#sns); undefined for others.
   */
  bodyLimit(req: IncomingMessage): number | undefined;
  /** Applies the machines of a reloaded config. */
  update(stateMachines: Record<string, StateMachineConfig>): Promise<void>;
  /** Starts an execution (resolver shorthand, nested machines). */
  startExecution(stateMachineArn: string, input: unknown, name?: string, waitForCompletion?: boolean): Promise<unknown>;
  /** The service itself (for in-process use and tests). */
  readonly service: StepFunctionsService;
  /** The in-process SQS queues (served on the gateway's port as the SQS API). */
  readonly sqs: SqsQueues;
  /** The in-process SNS topics (served on the gateway's port as the SNS API). */
  readonly sns: SnsTopics;
  /** The in-process EventBridge rules (served on the gateway's port as the EventBridge API). */
  readonly events: EventRules;
  close(): Promise<void>;
}

/**
 * The store settings: `options.store`, else `stepFunctions.store` of the config if the loader
 * kept it (a local addition: `{ connectionString }` for Postgres), else the env variable
 * `APPSYNC_GATEWAY_SFN_STORE_URL`, else memory when `inMemory`, else the file store under `dir`,
 * `APPSYNC_GATEWAY_SFN_STORE_DIR` or `storeDir`.
 */
function pickStore(options: StepFunctionsServiceOptions): ExecutionStore {
  const onError = (error: unknown) => options.logger.error('Step Functions store write failed', { error: (error as Error)?.message ?? String(error) });
  const given = options.store;
  if (given && typeof (given as ExecutionStore).append === 'function') return given as ExecutionStore;
  const place = stepFunctionsStorePlace(options);
  if (place.url) {
    const settings = storeSettings(options);
    return createPostgresStore({
      connectionString: place.url,
      table: settings.table,
      instanceId: settings.instanceId ?? process.env.APPSYNC_GATEWAY_SFN_INSTANCE_ID,
      onError,
    });
  }
  if (!place.dir) return createMemoryStore();
  return createFileStore(place.dir, onError);
}

type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** The console page's handler, if `ui/` is part of this build. */
async function loadConsole(logger: Logger): Promise<ConsoleHandler | undefined> {
  try {
    const mod = (await import('./ui/index.js')) as { handleConsoleRequest?: ConsoleHandler };
    return mod.handleConsoleRequest;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND')
      logger.warn('Step Functions console could not load', { error: (error as Error).message });
    return undefined;
  }
}

export async function createStepFunctionsService(options: StepFunctionsServiceOptions): Promise<StepFunctionsServiceHandle> {
  const store = pickStore(options);
  // Queues, topics, rules and execution logs are kept beside the executions of a file store (memory and PostgreSQL stores: memory only).
  const storeDir = stepFunctionsStorePlace(options).dir;
  const sqs = new SqsQueues();
  // Lambda subscriptions run the gateway's functions; the invokers load on the first delivery.
  let snsLambdas: Promise<import('./tasks/lambda.js').LambdaFunctions> | undefined;
  const invokeLambda = async (name: string, event: unknown) => {
    snsLambdas ??= import('./tasks/lambda.js').then((m) => new m.LambdaFunctions(options.config, options.logger, service.scope));
    return (await snsLambdas).invoke(name, event);
  };
  const sns = new SnsTopics({ sqs, logger: options.logger, invokeLambda });
  const events = new EventRules({
    sqs,
    sns,
    invokeLambda,
    logger: options.logger,
    startExecution: async (arn, input) => {
      await service.load();
      const started = await service.startNested(arn, input, undefined, false);
      await service.durable();
      return started;
    },
  });
  const service: StepFunctionsService = new StepFunctionsService({
    engine: loadEngine,
    taskRunner: () =>
      loadTaskRunner({
        config: options.config,
        dataSources: options.dataSources as () => ReadonlyMap<string, unknown>,
        logger: options.logger,
        startExecution: (arn, input, name, wait) => service.startNested(arn, input, name, wait),
        arnScope: service.scope,
        sqs,
        sns,
        events,
      }),
    store,
    scope: { ...DEFAULT_SCOPE, ...options.scope },
    logger: options.logger,
    maxClosedExecutions: options.maxClosedExecutions,
    compactAfterRecords: options.compactAfterRecords,
    ...(storeDir ? { logsDir: join(storeDir, 'logs') } : {}),
  });
  await service.open(options.stateMachines);
  const persisted = storeDir ? new PersistedServices(storeDir, { sqs, sns, events }, options.logger) : undefined;
  persisted?.load();
  const declaredIn = { sqs, sns, events, machineArn: (ref: string) => stateMachineArnOf(ref, options.config(), service.scope) };
  applyDeclared(options.config().stepFunctions, declaredIn, options.logger);
  // The page's module loads on its first request: most gateways never serve it.
  let consoleHandler: Promise<ConsoleHandler | undefined> | undefined;
  const apiOptions = { service, config: options.config, logger: options.logger, peers: store.peers };
  const routeOptions = { service, config: options.config, logger: options.logger, authProviders: options.authProviders };
  store.peers?.serve(async (action, input) => {
    if (!service.ready) await service.load();
    return answerPeerCall(service, action, input);
  });
  const stopTakeovers = store.peers ? takeOverStoppedInstances(store.peers, service, options) : undefined;

  return {
    service,
    sqs,
    sns,
    events,
    bodyLimit: (req) => (isSqsCall(req) ? SQS_MAX_REQUEST_BYTES : mayBeSnsCall(req) ? SNS_MAX_REQUEST_BYTES : undefined),
    answerTooLarge(req, res, limitBytes, head) {
      if (answerTooLarge(req, res, limitBytes)) return true;
      if (isSqsCall(req)) answerSqsTooLarge(req, res, limitBytes);
      else if (isEventsCall(req)) answerEventsTooLarge(req, res, limitBytes);
      else if (isSnsCall(req, head)) answerSnsTooLarge(res, head, limitBytes);
      else return false;
      return true;
    },
    async handle(req, res, body) {
      const route = routeFor(options.config(), req);
      if (route) {
        await handleRoute(route, req, res, body, routeOptions);
        return true;
      }
      if (isStepFunctionsCall(req)) {
        if (!service.ready) await service.load();
        await handleApiCall(apiOptions, req, res, body);
        return true;
      }
      if (isSqsCall(req)) {
        await handleSqsCall(sqs, req, res, body, options.config());
        persisted?.flush();
        return true;
      }
      if (isEventsCall(req)) {
        await handleEventsCall(events, req, res, body, options.config());
        persisted?.flush();
        return true;
      }
      if (isSnsCall(req, body)) {
        await handleSnsCall(sns, req, res, body, options.config());
        persisted?.flush();
        return true;
      }
      if ((req.method === 'GET' || req.method === 'HEAD') && (req.url ?? '').startsWith('/stepfunctions')) {
        const handler = await (consoleHandler ??= loadConsole(options.logger));
        return handler ? await handler(req, res) : false;
      }
      return false;
    },
    async update(stateMachines) {
      if (Object.keys(stateMachines ?? {}).length > 0) await service.load();
      service.applyConfig(stateMachines);
      applyDeclared(options.config().stepFunctions, declaredIn, options.logger);
    },
    async startExecution(arn, input, name, waitForCompletion = false) {
      await service.load();
      const started = await service.startNested(arn, input, name, waitForCompletion);
      // A resolver's caller is told the execution started: it must survive a crash, as through the API.
      await service.durable();
      return started;
    },
    close: () => {
      stopTakeovers?.();
      void snsLambdas?.then((lambdas) => lambdas.close());
      persisted?.close();
      return service.close();
    },
  };
}

/**
 * Every `takeoverIntervalMs`, the executions of instances sharing the store that stopped running
 * move to this one, and the running ones resume here. Returns the function that stops it.
 */
function takeOverStoppedInstances(peers: StorePeers, service: StepFunctionsService, options: StepFunctionsServiceOptions): () => void {
  const every = options.takeoverIntervalMs ?? 10_000;
  if (every <= 0) return () => undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    peers
      .claimAbandoned()
      .then(async (claims) => {
        for (const claim of claims) await service.adopt(claim.records, claim.from);
      })
      .catch((error: unknown) =>
        options.logger.error('Step Functions takeover of a stopped instance failed', { error: (error as Error)?.message ?? String(error) }),
      )
      .finally(() => (busy = false));
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}
