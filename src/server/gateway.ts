/**
 * `createGateway`: loads the API, serves GraphQL over HTTP and WebSocket on one port, mounts the
 * Step Functions API, and swaps in a reloaded API without dropping the old one on failure.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig, NormalizedApiKey, NormalizedConfig } from '../config/types.js';
import { normalizeConfig } from '../config/index.js';
import { substituteGatewayUrl } from '../config/variables.js';
import { adminRefusalMessage, isAdminRequest, isLoopbackHost, verifiesSignatures } from './adminAccess.js';
import { BUILT_IN_DATA_SOURCE_TYPES, loadBuiltInDataSourceKinds, type DataSourceKinds, type Logger } from '../datasources/index.js';
import type { PubSub, PublishedEvent, Realtime } from '../realtime/types.js';
import { BodyTooLargeError, CORS_HEADERS, handleGraphQLHttp, MAX_BODY_BYTES, readBody, sendJson } from './httpHandler.js';
import { loadApi, type Api } from './loadApi.js';
import { createRealtimeHost } from './realtimeHost.js';
import { createConfigEventApis } from './configEventApis.js';
import { createConsoleLogger } from './logger.js';
import { createStepFunctionsDataSourceKind, type StepFunctionsStarter } from '../stepfunctions/resolverDataSource.js';
import { createEventBridgeDataSourceKind, type EventsPutter } from '../stepfunctions/eventBridgeDataSource.js';
import { isManagementPath } from '../management/index.js';
import { MANAGEMENT_MAX_BODY_BYTES, startManagement } from './managementSetup.js';
import { stepFunctionsStorePlace } from '../stepfunctions/storePlace.js';
import type { SnsDeliveryStats } from '../stepfunctions/services/sns.js';
import type { EventsDeliveryStats } from '../stepfunctions/services/eventbridge.js';
import { isInside, openDataFolder, resolveDataFolder, type OpenDataFolder } from './dataFolder.js';

/** Options of `createGateway` besides the config itself. */
export interface GatewayOptions {
  /** Folder relative paths in the config resolve from. @default process.cwd() */
  configDir?: string;
  /** The file the config came from (shown in messages, watched by the CLI). */
  configFile?: string;
  /** Where log lines go. @default a console logger at info level */
  logger?: Logger;
  /** Extra data-source kinds, keyed by the `type` name resolvers' data sources use. */
  dataSourceKinds?: DataSourceKinds;
  /** Treat code AppSync would refuse (unsupported APPSYNC_JS features) as a load error. @default false */
  strict?: boolean;
  /** Time limit for one resolver handler call, in ms. @default 1000 */
  handlerTimeoutMs?: number;
  /**
   * Limits of the resolver sandbox besides time: `memoryLimitMb` (heap of each sandbox process,
   * default 256), `processes` (how many run resolver code side by side, default 2),
   * `maxResultChars` (longest JSON a handler may return, default 5 MiB) and `maxLogChars`
   * (longest console line kept, default 256 KiB).
   */
  sandbox?: import('../resolvers/isolation/sandbox.js').SandboxLimits;
  /** Serve GraphiQL at `/`. @default true */
  graphiql?: boolean;
  /**
   * envelop plugins (`@envelop/core` and the envelop ecosystem) around parse, validate, context and
   * execute of GraphQL over HTTP. With plugins, each request is parsed and validated through them
   * (the built-in document cache is bypassed). Subscriptions over WebSocket do not go through them.
   */
  // any: envelop types each plugin by the context it adds, and those types do not widen to one.
  plugins?: readonly import('@envelop/core').Plugin<any>[];
  /**
   * Real-time fan-out across instances: `{ redisUrl }` shares events with every gateway on that
   * Redis (`channelPrefix` keeps several APIs apart); default is in-memory.
   */
  pubsub?: Omit<import('../realtime/index.js').PubSubOptions, 'onError'>;
  /**
   * Operations over HTTP that recur run as code graphql-jit compiled for them. `afterRuns`: how many
   * runs through graphql-js an operation gets first (0 compiles at the first run); `false` keeps
   * every operation on graphql-js. Requests through envelop plugins always use graphql-js.
   * @default { afterRuns: 1 }
   */
  compileQueries?: false | { afterRuns?: number };
  /**
   * Where `listen()` listens when not told otherwise (the CLI's `--port` / `--host`), over the
   * config's `server` block. `${self:server.url}` in the config names this address, so it is known
   * before the data sources are made. @default the config's `server`, else 4000 on 127.0.0.1
   */
  listen?: { port?: number; host?: string };
  /**
   * On a non-loopback host, the Step Functions API and page and AppSync's management API (`/v1/…`)
   * are refused unless the config declares AWS_IAM credentials (calls are then SigV4-verified). `true` accepts unsigned calls from anyone
   * who can reach the port, with a warning at start-up. @default false
   */
  allowUnsignedAdmin?: boolean;
  /**
   * Folder the embedded DynamoDB and Postgres and the Step Functions file store keep data in; one
   * gateway at a time uses it (a second is refused, naming the first).
   * @default the `APPSYNC_GATEWAY_DATA_DIR` variable, else `server.dataDir` of the config, else `<configDir>/.data`
   */
  dataDir?: string;
  /** Keep nothing: the embedded stores and Step Functions executions live in memory. @default false */
  inMemory?: boolean;
  /**
   * The gateway is made only to be checked (`appsync-gateway validate`): what serving loads on first
   * use is loaded at load too, so its faults are load errors. An in-process Lambda function's file is
   * imported (its top level runs, the function does not) and one without the configured export is a
   * `ConfigError`; serving imports it at the first call and says so then (docs/startup.md). @default false
   */
  validateOnly?: boolean;
}

export interface ListenResult {
  /** `http://host:port/graphql` */
  url: string;
  /** `ws://host:port/graphql/realtime` */
  realtimeUrl: string;
  port: number;
  host: string;
}

/** A running (or ready to run) gateway. */
export interface Gateway {
  /** The API keys in force, including generated values. */
  readonly apiKeys: readonly NormalizedApiKey[];
  /** The normalized config of the API being served. */
  readonly config: NormalizedConfig;
  /** Warnings from the last load (unsupported APPSYNC_JS features, ignored declarations). */
  readonly warnings: readonly string[];
  /**
   * The config's further GraphQL APIs (a CloudFormation input's other APIs), each served at
   * `/apis/<apiId>/graphql` and `/apis/<apiId>/graphql/realtime` (docs/cloudformation.md#several-apis).
   */
  readonly additionalApis: ReadonlyArray<{ apiId: string; config: NormalizedConfig }>;
  /** The data folder the gateway keeps data in; undefined when it runs in memory. */
  readonly dataDir: string | undefined;
  /** Starts listening. @default port from config (4000), host 127.0.0.1 */
  listen(options?: { port?: number; host?: string }): Promise<ListenResult>;
  /** Handles one HTTP request: mount the gateway inside your own `node:http` server. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Loads `config` (or the current one again, re-reading files) and swaps it in. If it fails, the
   * previous API keeps serving and the error is thrown.
   */
  reload(config?: GatewayConfig): Promise<void>;
  /**
   * Publishes a payload to every subscriber of a subscription field, as a mutation bound with
   * `@aws_subscribe` would (for back-end events).
   */
  publish(subscriptionField: string, payload: unknown): Promise<void>;
  /** Empties the API cache, as AppSync's FlushApiCache does (docs/caching.md#flushing); nothing when caching is off. */
  flushApiCache(): Promise<void>;
  /**
   * Resolves when every data source can answer. The gateway serves before that (an embedded
   * Postgres takes seconds to start); requests to a data source that is not ready wait for it.
   */
  ready(): Promise<void>;
  /** Stops listening, closes connections, data sources and embedded servers. */
  close(): Promise<void>;
}

interface StepFunctionsLike {
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean>;
  answerTooLarge(req: IncomingMessage, res: ServerResponse, limitBytes: number, head: Buffer): boolean;
  bodyLimit(req: IncomingMessage): number | undefined;
  readonly sns: { readonly stats: SnsDeliveryStats };
  readonly events: { readonly stats: EventsDeliveryStats };
  update(stateMachines: NormalizedConfig['stepFunctions']['stateMachines']): Promise<void>;
  close(): Promise<void>;
}

/** The `type` of every data source a raw config declares (map or list-of-maps form). */
function declaredDataSourceTypes(config: GatewayConfig): string[] {
  const blocks = Array.isArray(config.dataSources) ? config.dataSources : [config.dataSources ?? {}];
  return blocks.flatMap((block) => Object.values(block ?? {}).map((ds) => (ds as { type?: unknown })?.type)).filter((t): t is string => typeof t === 'string');
}

async function normalize(config: GatewayConfig, options: GatewayOptions): Promise<{ normalized: NormalizedConfig; kinds: DataSourceKinds }> {
  const kinds: DataSourceKinds = { ...(await loadBuiltInDataSourceKinds(declaredDataSourceTypes(config))), ...options.dataSourceKinds };
  const normalized = normalizeConfig(config, {
    configDir: options.configDir ?? process.cwd(),
    configFile: options.configFile,
    knownDataSourceTypes: [...new Set([...BUILT_IN_DATA_SOURCE_TYPES, ...Object.keys(options.dataSourceKinds ?? {})])],
    validateDataSource: (type: string, dsConfig: unknown, path: string) => kinds[type]?.validate?.(dsConfig, path) ?? [],
  });
  return { normalized, kinds };
}

/** Gives each generated key the value it was generated with at an earlier load of the same gateway. */
function keepGeneratedKeys(normalized: NormalizedConfig, generated: Map<string, string>): void {
  for (const keys of [normalized.apiKeys, normalized.events?.apiKeys]) keepKeys(keys ?? [], generated);
  // A further Event API's keys are its own: a key named as another API's gets a value of its own.
  for (const { apiId, events } of normalized.additionalEventApis ?? []) keepKeys(events.apiKeys, generated, `event-api ${apiId}:`);
}

function keepKeys(keys: NormalizedApiKey[], generated: Map<string, string>, scope = ''): void {
  for (const key of keys) {
    if (!key.generated) continue;
    const earlier = generated.get(scope + key.name);
    if (earlier === undefined) generated.set(scope + key.name, key.value);
    else key.value = earlier;
  }
}

/**
 * Creates a gateway for one AppSync API. Throws `ConfigErrors`, `SchemaError` or
 * `CodeLoadError` when the API cannot load.
 */
export async function createGateway(config: GatewayConfig, givenOptions: GatewayOptions = {}): Promise<Gateway> {
  // AWS_STEP_FUNCTIONS data sources start executions on this gateway's service, created below.
  let stepFunctionsStarter: StepFunctionsStarter | undefined;
  // AMAZON_EVENTBRIDGE data sources put events on the same service's in-process bus.
  let eventsPutter: EventsPutter | undefined;
  const options: GatewayOptions = {
    ...givenOptions,
    dataSourceKinds: {
      AWS_STEP_FUNCTIONS: createStepFunctionsDataSourceKind(() => stepFunctionsStarter),
      AMAZON_EVENTBRIDGE: createEventBridgeDataSourceKind(() => eventsPutter),
      ...givenOptions.dataSourceKinds,
    },
  };
  const logger = options.logger ?? createConsoleLogger();
  const compileAfterRuns = options.compileQueries === false ? Infinity : (options.compileQueries?.afterRuns ?? 1);
  const loadOptions = {
    logger,
    validateOnly: options.validateOnly,
    strict: options.strict,
    handlerTimeoutMs: options.handlerTimeoutMs,
    sandbox: options.sandbox,
    plugins: options.plugins,
    compileAfterRuns,
  };
  // The data folder is settled (and locked) by the first load, before any store starts; a reload
  // keeps it.
  let data: OpenDataFolder | undefined;
  // `${self:server.url}`: the address the gateway listens on (or will), put in before the config
  // is read; `selfUrlUsed` says whether the API in force was made with it.
  let listening: ListenResult | undefined;
  let selfUrlUsed: string | undefined;
  const wantedAddress = (raw: GatewayConfig) => {
    const server = (raw.server ?? {}) as { port?: unknown; host?: unknown };
    const port = options.listen?.port ?? (typeof server.port === 'number' ? server.port : 4000);
    const host = options.listen?.host ?? (typeof server.host === 'string' ? server.host : '127.0.0.1');
    return { port, host };
  };
  // Port 0 and `${self:server.url}` in the config: the port is bound before the first load, so the
  // API is made once with its real address. Made before listen() instead, it had to be made again
  // after it, and that reload waited for the first load's embedded Postgres to finish starting
  // (seconds of start-up; docs/startup.md).
  let reserved: { server: Server; port: number; host: string; requestedHost: string } | undefined;
  let reservedTaken: (() => void) | undefined;
  const reservePort = async (raw: GatewayConfig) => {
    const wanted = wantedAddress(raw);
    if (listening || reserved || wanted.port !== 0 || !substituteGatewayUrl(raw, '').used) return;
    const early = createServer({ keepAliveTimeout: 65_000 });
    // Nobody knows the port before listen() returns it; a request that still comes earlier waits for it.
    const taken = new Promise<void>((resolve) => (reservedTaken = resolve));
    early.on('request', (req: IncomingMessage, res: ServerResponse) => void taken.then(() => handle(req, res)));
    await new Promise<void>((resolve, reject) => {
      early.once('error', reject);
      early.listen(0, wanted.host, () => resolve());
    });
    const address = early.address() as AddressInfo;
    reserved = { server: early, port: address.port, host: address.address, requestedHost: wanted.host };
  };
  const selfUrl = (raw: GatewayConfig) => {
    if (listening) return originOf(listening.host, listening.port);
    if (reserved) return originOf(reserved.host, reserved.port);
    const { port, host } = wantedAddress(raw);
    return originOf(host, port);
  };
  const releaseReservedPort = async () => {
    const early = reserved?.server;
    reserved = undefined;
    if (!early) return;
    early.closeAllConnections();
    await new Promise<void>((resolve) => early.close(() => resolve()));
  };
  // A key the config names without a value is generated once per gateway, not once per load: a
  // --watch reload (or a template whose keys never carry a value) must not lock clients out.
  const generatedKeys = new Map<string, string>();
  const additionalKeys = new Map<string, Map<string, string>>();
  const load = async (given: GatewayConfig) => {
    await reservePort(given);
    const url = selfUrl(given);
    const { config: raw, used } = substituteGatewayUrl(given, url);
    const { normalized, kinds } = await normalize(raw, options);
    keepGeneratedKeys(normalized, generatedKeys);
    selfUrlUsed = used ? url : undefined;
    const folder = resolveDataFolder(normalized.configDir, normalized.server.dataDir, options);
    if (data && folder.dir !== data.folder.dir)
      logger.warn(`server.dataDir changed to ${folder.dir ?? 'memory'}; the gateway keeps ${data.folder.dir ?? 'memory'} until it restarts`);
    data ??= openDataFolder(folder, dataUsers(normalized, kinds, options), logger);
    return loadApi(normalized, { ...loadOptions, kinds, dataFolder: data.folder });
  };
  /** The config's further APIs (docs/cloudformation.md#several-apis), loaded as the API is; one failing closes those loaded. */
  const loadAdditional = async (primary: Api): Promise<Map<string, Api>> => {
    const loaded = new Map<string, Api>();
    try {
      for (const { apiId, config: raw } of primary.config.additionalApis ?? []) {
        // Gateway choice: one sandbox process per further API, as for an API built through the management API.
        const dir = { configDir: primary.config.configDir, configFile: primary.config.configFile };
        const { normalized, kinds } = await normalize({ ...raw, sandbox: { processes: 1, ...raw.sandbox } }, { ...options, ...dir });
        if (!additionalKeys.has(apiId)) additionalKeys.set(apiId, new Map());
        keepGeneratedKeys(normalized, additionalKeys.get(apiId)!);
        const api = await loadApi(normalized, { ...loadOptions, kinds, dataFolder: data!.folder });
        loaded.set(apiId, api);
        for (const warning of api.warnings) logger.warn(`API ${apiId}: ${warning}`);
      }
    } catch (error) {
      await Promise.allSettled([...loaded.values()].map((api) => api.close()));
      throw error;
    }
    return loaded;
  };
  let rawConfig = config;
  let api: Api;
  let additional: Map<string, Api>;
  try {
    api = await load(config);
  } catch (error) {
    data?.release();
    await releaseReservedPort();
    throw error;
  }
  try {
    additional = await loadAdditional(api);
  } catch (error) {
    await api.close();
    data!.release();
    throw error;
  }
  for (const warning of api.warnings) logger.warn(warning);

  // Real-time (WebSocket servers, graphql-ws and its copy of graphql: ~150 ms of start-up) loads on
  // the first WebSocket upgrade or publish, or in the background soon after the server listens.
  // With Redis it starts at once, so an unreachable Redis still fails the start.
  let realtimeStarting: Promise<{ realtime: Realtime; pubsub: PubSub }> | undefined;
  let closing = false;
  const startRealtime = () =>
    (realtimeStarting ??= (async () => {
      const realtimeModule = await import('../realtime/index.js');
      const pubsub = await realtimeModule.createPubSub({
        ...options.pubsub,
        onError: (error) => logger.error('pubsub error', { error: error.message }),
      });
      const realtime: Realtime = realtimeModule.createRealtime(
        createRealtimeHost(() => api, pubsub),
        { logger },
      );
      return { realtime, pubsub };
    })());
  if (options.pubsub?.redisUrl) await startRealtime();
  const publish = async (event: PublishedEvent) => (await startRealtime()).realtime.publish(event);

  // AppSync Events (docs/events.md): `POST /event` and `WS /event/realtime` of the config's `events:`
  // block, loaded on first use; events fan out through the same pubsub as subscriptions.
  let eventsStarting: Promise<import('../events/index.js').EventsService> | undefined;
  const eventsService = () =>
    (eventsStarting ??= import('../events/index.js').then((m) =>
      m.createEventsService({
        current: () => ({ config: api.config, sandbox: api.runtime.sandbox, dataSources: api.dataSources }),
        pubsub: async () => (await startRealtime()).pubsub,
        logger,
        strict: options.strict,
      }),
    ));
  // The further Event APIs of an `events:` list (or a template with several), at `/apis/<id>/event`.
  const furtherEvents = createConfigEventApis({ current: () => api, pubsub: async () => (await startRealtime()).pubsub, logger, strict: options.strict });
  // Handler code of the `events:` block that does not load refuses the start, as resolver code does.
  if (api.config.events) {
    try {
      await (await eventsService()).ready();
      await furtherEvents.ready(api);
    } catch (error) {
      await furtherEvents.close();
      await (await eventsStarting?.catch(() => undefined))?.close();
      await Promise.allSettled([...additional.values()].map((a) => a.close()));
      await api.close();
      data!.release();
      await releaseReservedPort();
      throw error;
    }
  }

  const stepFunctionsModule = await import('../stepfunctions/index.js');
  let stepFunctionsHandle;
  try {
    stepFunctionsHandle = await stepFunctionsModule.createStepFunctionsService(stepFunctionsOptions(api.config, logger, () => api, data!.folder));
  } catch (error) {
    // Nothing may keep running (an embedded Postgres worker) when the gateway cannot start.
    await Promise.allSettled([...additional.values()].map((a) => a.close()));
    await api.close();
    data!.release();
    await releaseReservedPort();
    throw error;
  }
  const stepFunctions: StepFunctionsLike = stepFunctionsHandle;
  stepFunctionsStarter = stepFunctionsHandle;
  eventsPutter = stepFunctionsHandle;
  const sfnPlace = stepFunctionsStorePlace(stepFunctionsOptions(api.config, logger, () => api, data!.folder));
  logger.info('Step Functions executions', { data: sfnPlace.url ? 'PostgreSQL (stepFunctions.store)' : (sfnPlace.dir ?? 'in memory — nothing is kept') });

  // AppSync's management API (/v1/…) and the APIs built through it (/apis/<id>/…): docs/management-api.md.
  let managementSetup;
  try {
    managementSetup = await startManagement({
      logger,
      folder: data!.folder,
      api: () => api,
      additionalApis: () => additional,
      rawConfig: () => rawConfig,
      origin: () => (listening ? originOf(listening.host, listening.port) : selfUrl(rawConfig)),
      load: async (raw, dir) => {
        const { normalized, kinds } = await normalize(raw, { ...options, configDir: dir, configFile: `${dir}/appsync.config.json` });
        return loadApi(normalized, { ...loadOptions, kinds, dataFolder: data!.folder });
      },
      pubsub: options.pubsub,
      handlerTimeoutMs: options.handlerTimeoutMs,
      sandbox: options.sandbox,
    });
  } catch (error) {
    await stepFunctions.close();
    await Promise.allSettled([...additional.values()].map((a) => a.close()));
    await api.close();
    data!.release();
    await releaseReservedPort();
    throw error;
  }
  const { management, hosted } = managementSetup;
  await hosted.setFixed(additional);

  let server: Server | undefined;
  /** Set while listening on a non-loopback address without `allowUnsignedAdmin`. */
  let adminLockedHost: string | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS_HEADERS).end();
        return;
      }
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const path = queryAt < 0 ? url : url.slice(0, queryAt);
      if (req.method === 'GET' && path === '/health') {
        // compiledQueries: whether recurring operations run as compiled code (src/server/compiledQueries.ts);
        // sandbox: the resolver sandbox processes (src/resolvers/isolation/pool.ts).
        // sandbox.evaluatedInGateway: resolvers that skip it; handedOver: runs of theirs it took over part way
        // (docs/resolvers.md#handlers-the-gateway-evaluates).
        const { runtime } = api;
        const sandbox = { ...runtime.sandbox.stats(), evaluatedInGateway: runtime.evaluatedInGateway, handedOver: runtime.handedOver };
        // sns, events: the in-process SNS's and EventBridge's failed deliveries (docs/stepfunctions.md#sns, #eventbridge).
        const { sns, events } = stepFunctions;
        sendJson(res, 200, { status: 'ok', name: api.config.name, compiledQueries: api.compiledQueries.stats, sandbox, sns: sns.stats, events: events.stats });
        return;
      }
      if (req.method === 'GET' && options.graphiql !== false && !req.headers['x-amz-target'] && !api.eventsOnly) {
        // A browser navigating to /graphql lists text/html in Accept; GraphQL clients ask for JSON
        // or send no Accept, and keep getting GraphQL over HTTP.
        if (path === '/' || (path === '/graphql' && req.headers.accept?.includes('text/html'))) {
          // Loaded on first use: most requests never need the page.
          const { renderGraphiQLPage } = await import('./graphiql.js');
          const query = path === '/graphql' ? (new URL(req.url ?? '/', 'http://localhost').searchParams.get('query') ?? undefined) : undefined;
          const html = renderGraphiQLPage({ title: `${api.config.name} — appsync-gateway`, endpoint: '/graphql', query });
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(html);
          return;
        }
        if (path.startsWith('/graphiql/')) {
          const { graphiqlAsset } = await import('./graphiql.js');
          const asset = graphiqlAsset(path.slice('/graphiql/'.length));
          if (asset) {
            res
              .writeHead(200, { 'content-type': asset.contentType, 'content-length': String(asset.body.length), 'cache-control': 'public, max-age=3600' })
              .end(asset.body);
            return;
          }
        }
      }
      // Read by the Events service itself: a publish may carry five 240 KB events, past the 1 MB limit below.
      if (path === '/event' && api.config.events && (await (await eventsService()).handleHttp(req, res))) return;
      if (furtherEvents.owns(path) && (await furtherEvents.handleHttp(req, res, path))) return;
      if (hosted.ownsEvents(path)) {
        await hosted.handleHttp(req, res, undefined, path);
        return;
      }
      let body: Buffer;
      const bodyLimit = isManagementPath(path) ? MANAGEMENT_MAX_BODY_BYTES : (stepFunctions.bodyLimit(req) ?? MAX_BODY_BYTES);
      try {
        body = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, bodyLimit);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          // A Step Functions, SQS, SNS or EventBridge call gets its service's own error, which its SDK client reads as a typed exception.
          if (stepFunctions.answerTooLarge(req, res, bodyLimit, error.head)) return;
          sendJson(
            res,
            413,
            { errors: [{ errorType: 'MalformedHttpRequestException', message: 'Request body is too large.' }] },
            undefined,
            'MalformedHttpRequestException',
          );
          return;
        }
        throw error;
      }
      // A config holding only an Event API serves no GraphQL API: /graphql is an unknown path there.
      if (path === '/graphql' && !api.eventsOnly) {
        await handleGraphQLHttp(req, res, body, api, publish);
        return;
      }
      if (hosted.owns(path)) {
        await hosted.handleHttp(req, res, body, path);
        return;
      }
      if (adminLockedHost && isAdminRequest(req, path) && !verifiesSignatures(api.config)) {
        const message = adminRefusalMessage(adminLockedHost, isManagementPath(path) ? 'AppSync management API calls' : undefined);
        sendJson(res, 403, { __type: 'MissingAuthenticationTokenException', message }, undefined, 'MissingAuthenticationTokenException');
        return;
      }
      if (isManagementPath(path)) {
        await management.handle(req, res, body);
        return;
      }
      if (await stepFunctions.handle(req, res, body)) return;
      // docs/errors.md: unknown paths answer with AppSync's UnknownOperationException body.
      sendJson(res, 404, { Output: { __type: 'com.amazon.coral.service#UnknownOperationException' }, Version: '1.0' });
    } catch (error) {
      logger.error('request failed', { error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) {
        sendJson(res, 500, { errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }] }, undefined, 'InternalFailure');
      } else {
        res.destroy();
      }
    }
  };

  const gateway: Gateway = {
    get apiKeys() {
      return api.config.apiKeys;
    },
    get config() {
      return api.config;
    },
    get warnings() {
      return api.warnings;
    },
    get dataDir() {
      return data!.folder.dir;
    },
    get additionalApis() {
      return [...additional].map(([apiId, a]) => ({ apiId, config: a.config }));
    },
    handle,
    async listen(listenOptions = {}) {
      if (listening) return listening;
      const port = listenOptions.port ?? options.listen?.port ?? api.config.server.port;
      const host = listenOptions.host ?? options.listen?.host ?? api.config.server.host;
      const early = reserved && (port === 0 || port === reserved.port) && host === reserved.requestedHost ? reserved.server : undefined;
      if (early) {
        reserved = undefined;
        early.removeAllListeners('request');
        early.on('request', (req: IncomingMessage, res: ServerResponse) => void handle(req, res));
        reservedTaken?.();
        server = early;
      } else {
        await releaseReservedPort();
        server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void handle(req, res));
      }
      server.on('upgrade', (req, socket, head) => {
        if (furtherEvents.handleUpgrade(req, socket, head)) return;
        if (hosted.handleUpgrade(req, socket, head)) return;
        if ((req.url ?? '/').split('?', 1)[0] === '/event/realtime' && api.config.events) {
          eventsService()
            .then((events) => (closing ? false : events.handleUpgrade(req, socket, head)))
            .then(
              (taken) => taken || socket.destroy(),
              (error: Error) => {
                logger.error('AppSync Events failed to start', { error: error.message });
                socket.destroy();
              },
            );
          return;
        }
        if (api.eventsOnly) {
          socket.destroy();
          return;
        }
        startRealtime().then(
          ({ realtime }) => {
            if (closing || !realtime.handleUpgrade(req, socket, head)) socket.destroy();
          },
          (error: Error) => {
            logger.error('real-time failed to start', { error: error.message });
            socket.destroy();
          },
        );
      });
      if (!early) {
        await new Promise<void>((resolve, reject) => {
          server!.once('error', reject);
          server!.listen(port, host, () => resolve());
        });
      }
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      listening = {
        url: `http://${shownHost}:${address.port}/graphql`,
        realtimeUrl: `ws://${shownHost}:${address.port}/graphql/realtime`,
        port: address.port,
        host: address.address,
      };
      if (!isLoopbackHost(address.address)) {
        if (options.allowUnsignedAdmin) {
          logger.warn(
            `the Step Functions API and page at ${listening.url.replace(/\/graphql$/, '')} accept unsigned calls from anyone who can reach this ` +
              'address, and so does the AppSync management API under /v1/ (allowUnsignedAdmin / --allow-unsigned-admin)',
          );
        } else {
          adminLockedHost = address.address;
          if (!verifiesSignatures(api.config)) {
            logger.info(
              `listening on ${address.address}: the Step Functions API and page are refused to every caller, and so is the AppSync management API; ` +
                'declare AWS_IAM credentials to sign calls with, or pass --allow-unsigned-admin',
            );
          }
        }
      }
      // Port 0: the API was made before the port was known; make it again with the real address.
      if (selfUrlUsed !== undefined && selfUrlUsed !== originOf(address.address, address.port)) await gateway.reload();
      // Warm real-time up once the start-up work is done, so the first subscriber does not wait.
      setTimeout(() => {
        if (!closing) startRealtime().catch((error: Error) => logger.error('real-time failed to start', { error: error.message }));
      }, 1_000).unref();
      return listening;
    },
    async reload(next) {
      const candidate = next ?? rawConfig;
      const loaded = await load(candidate);
      let loadedAdditional: Map<string, Api>;
      try {
        loadedAdditional = await loadAdditional(loaded);
      } catch (error) {
        await loaded.close();
        throw error;
      }
      if (loaded.config.events) {
        // Handler code of the new `events:` block that does not load keeps the previous API serving.
        try {
          await (await eventsService()).ready({ config: loaded.config, sandbox: loaded.runtime.sandbox, dataSources: loaded.dataSources });
          await furtherEvents.ready(loaded);
        } catch (error) {
          await (await eventsService()).retire(loaded.config);
          await Promise.allSettled([...loadedAdditional.values()].map((a) => a.close()));
          await loaded.close();
          throw error;
        }
      }
      for (const warning of loaded.warnings) logger.warn(warning);
      const previous = api;
      api = loaded;
      rawConfig = candidate;
      additional = loadedAdditional;
      await hosted.setFixed(loadedAdditional);
      managementSetup.refreshConfigApi();
      await stepFunctions.update(loaded.config.stepFunctions.stateMachines);
      // The swapped-out Event API's auth providers go with its API version.
      await (await eventsStarting?.catch(() => undefined))?.retire(previous.config);
      await furtherEvents.retire(previous.config);
      await previous.close();
    },
    ready: () => api.ready(),
    flushApiCache: async () => {
      await api.cache?.flush();
    },
    publish(subscriptionField, payload) {
      return publish({ subscriptionField, mutationField: null, payload });
    },
    async close() {
      closing = true;
      await furtherEvents.close();
      await (await eventsStarting?.catch(() => undefined))?.close();
      const started = await realtimeStarting?.catch(() => undefined);
      await started?.realtime.close();
      await stepFunctions.close();
      await managementSetup.close();
      await releaseReservedPort();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await started?.pubsub.close();
      await api.close();
      data!.release();
    },
  };
  return gateway;
}

/** `http://host:port` for the gateway's own calls: a wildcard address is reached over loopback. */
function originOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable}:${port}`;
}

/** What keeps data in the gateway's data folder (names for the start-up log); empty: nothing does. */
function dataUsers(config: NormalizedConfig, kinds: DataSourceKinds, options: GatewayOptions): string[] {
  const folder = resolveDataFolder(config.configDir, config.server.dataDir, options);
  if (folder.inMemory) return [];
  const users = Object.values(config.dataSources)
    .filter((ds) => kinds[ds.type]?.keepsData?.(ds.config as never))
    .map((ds) => `dataSources.${ds.name}`);
  const sfn = stepFunctionsStorePlace({ config: () => config, storeDir: `${folder.dir}/stepfunctions` });
  if (sfn.dir && isInside(sfn.dir, folder.dir)) users.push('stepFunctions');
  // APIs built through the management API (src/server/managementSetup.ts) are kept in <data>/apis.
  if (existsSync(`${folder.dir}/apis`)) users.push('apis');
  return users;
}

function stepFunctionsOptions(config: NormalizedConfig, logger: Logger, currentApi: () => Api, folder: { dir?: string; inMemory: boolean }) {
  return {
    stateMachines: config.stepFunctions.stateMachines,
    storeDir: `${folder.dir ?? `${config.configDir}/.data`}/stepfunctions`,
    inMemory: folder.inMemory,
    logger,
    /** The config in force now (it changes on reload). */
    config: () => currentApi().config,
    /** The data sources in force now: Task states reach Lambda and DynamoDB through them. */
    dataSources: () => currentApi().dataSources,
    /** The auth providers in force now: `stepFunctions.routes` check their requests with them. */
    authProviders: () => currentApi().providers,
  };
}
