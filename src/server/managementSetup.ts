/**
 * The management API's side of `createGateway`: the registry of APIs (kept in
 * `<data folder>/apis`, or in memory), the APIs built through it served under `/apis/`, and the
 * `/v1/…` routes (docs/management-api.md).
 */
import { join } from 'node:path';
import { ApiRegistry, configApiIdOf, createPostgresRegistryStore, definitionFromConfig, definitionFromEvents, type ApiDefinition } from '../apis/index.js';
import type { GatewayConfig, NormalizedConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import { createManagementApi, type ManagementApi } from '../management/index.js';
import type { PubSubOptions } from '../realtime/index.js';
import type { SandboxLimits } from '../resolvers/index.js';
import type { DataFolder } from './dataFolder.js';
import { createHostedApis, type HostedApis } from './hostedApis.js';
import type { Api } from './loadApi.js';
import { DEFAULT_REGION } from '../config/awsDefaults.js';

/** Gateway choice: management calls may carry bodies up to 4 MiB (a 1 MB schema is ~1.4 MB of base64); GraphQL keeps its 1 MB. */
export const MANAGEMENT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ManagementSetupOptions {
  logger: Logger;
  folder: DataFolder;
  /** The config file's API in force, and the config it was loaded from (its `apiId`, if any, is its id). */
  api(): Api;
  /** The config's further GraphQL APIs in force (a CloudFormation input's, docs/cloudformation.md#several-apis), by id. */
  additionalApis?(): ReadonlyMap<string, Api>;
  rawConfig(): GatewayConfig;
  /** `http://host:port` the gateway is reached at. */
  origin(): string;
  /** Loads one version of a built API from its config and folder. */
  load(config: GatewayConfig, dir: string): Promise<Api>;
  pubsub?: Omit<PubSubOptions, 'onError'>;
  handlerTimeoutMs?: number;
  sandbox?: SandboxLimits;
}

export interface ManagementSetup {
  management: ManagementApi;
  hosted: HostedApis;
  registry: ApiRegistry;
  /** Tells the registry about the config file's API again (after a reload). */
  refreshConfigApi(): void;
  close(): Promise<void>;
}

export async function startManagement(options: ManagementSetupOptions): Promise<ManagementSetup> {
  const { logger } = options;
  // Where the Step Functions store is shared in PostgreSQL, so is the registry (a table beside it).
  const shared = options.api().config.stepFunctions.store;
  const store = shared?.connectionString
    ? createPostgresRegistryStore({
        connectionString: shared.connectionString,
        table: `${shared.table ?? 'appsync_gateway'}_apis`,
        onError: (error) => logger.warn(`API registry (PostgreSQL): ${error.message}`),
      })
    : undefined;
  let registry: ApiRegistry;
  try {
    registry = await ApiRegistry.open({
      dir: options.folder.dir ? join(options.folder.dir, 'apis') : undefined,
      store,
      warn: (message) => logger.warn(message),
    });
  } catch (error) {
    await store?.close();
    throw error;
  }
  const configApiId = () => configApiIdOf(options.api().config.name, (options.rawConfig() as { apiId?: unknown }).apiId);
  /** When each Event API of the input was first read: its `created` (a file has no date of its own). */
  const firstRead = new Map<string, number>();
  /** The path each Event API of the input is served under, by its id: `` for the one at `/event`, `/apis/<url id>` for the others. */
  const eventPaths = new Map<string, string>();
  /**
   * Tells the registry about the APIs of the input again (after a reload): the config file's
   * GraphQL API, its further GraphQL APIs and its Event APIs, each read-only through the management API.
   */
  const refreshConfigApi = () => {
    const config: NormalizedConfig = options.api().config;
    const apis: Array<{ definition: ApiDefinition; file?: string }> = [];
    const add = (describe: () => ApiDefinition, what: string) => {
      try {
        apis.push({ definition: describe(), file: config.configFile });
      } catch (error) {
        logger.warn(`${what} is not shown by the management API: ${(error as Error).message}`);
      }
    };
    // A config holding only an Event API has no GraphQL API to list.
    if (!options.api().eventsOnly) add(() => definitionFromConfig(config, configApiId(), DEFAULT_REGION), "the config file's API");
    for (const [apiId, api] of options.additionalApis?.() ?? []) add(() => definitionFromConfig(api.config, apiId, DEFAULT_REGION), `the GraphQL API ${apiId}`);
    eventPaths.clear();
    // Gateway choice (docs/management-api.md#event-apis): an Event API's id is the URL id of its name, as a
    // GraphQL API's is made; where a GraphQL API of the input has that id, `-events` is added (its paths keep the URL id).
    const eventApis = [...(config.events ? [{ events: config.events, path: '' }] : [])];
    for (const { apiId, events } of config.additionalEventApis ?? []) eventApis.push({ events, path: `/apis/${encodeURIComponent(apiId)}` });
    for (const { events, path } of eventApis) {
      let apiId = configApiIdOf(events.name);
      while (apis.some((a) => a.definition.apiId === apiId)) apiId = `${apiId}-events`;
      if (!firstRead.has(apiId)) firstRead.set(apiId, Math.floor(Date.now() / 1000));
      eventPaths.set(apiId, path);
      add(() => definitionFromEvents(config, events, apiId, DEFAULT_REGION, firstRead.get(apiId)!), `the Event API ${apiId}`);
    }
    registry.setConfigApis(apis);
  };
  refreshConfigApi();
  if (registry.built().length > 0) {
    const where = store ? 'PostgreSQL (stepFunctions.store)' : (registry.dir ?? 'in memory');
    logger.info(`GraphQL APIs built through the management API: ${registry.built().length}`, { data: where });
  }
  const hosted = await createHostedApis({ registry, logger, load: options.load, pubsub: options.pubsub });
  const uris = (apiId: string) => {
    const origin = options.origin();
    const ws = origin.replace(/^http/, 'ws');
    const base = apiId === registry.configApiId ? '' : `/apis/${encodeURIComponent(apiId)}`;
    return { GRAPHQL: `${origin}${base}/graphql`, REALTIME: `${ws}${base}/graphql/realtime` };
  };
  // Its evaluation sandboxes start on the first EvaluateCode / EvaluateMappingTemplate call.
  const management = createManagementApi({
    logger,
    config: () => options.api().config,
    handlerTimeoutMs: options.handlerTimeoutMs,
    sandbox: options.sandbox,
    registry,
    uris,
    // Gateway choice (docs/management-api.md#event-apis): an Event API's dns is this host and its path
    // prefix, so `https://${dns.HTTP}/event` and `wss://${dns.REALTIME}/event/realtime` work as against AWS.
    // The config file's (first) Event API is served at /event itself: its dns is the bare host.
    eventDns: (apiId) => {
      const host = new URL(options.origin()).host;
      const prefixed = `${host}${eventPaths.get(apiId) ?? `/apis/${encodeURIComponent(apiId)}`}`;
      return { HTTP: prefixed, REALTIME: prefixed };
    },
    // The config file's API flushes as gateway.flushApiCache does; a built API flushes its serving version.
    flushApiCache: async (apiId) => (apiId === registry.configApiId ? await options.api().cache?.flush() : await hosted.flushCache(apiId)),
    region: DEFAULT_REGION,
  });
  return {
    management,
    hosted,
    registry,
    refreshConfigApi,
    async close() {
      await management.close();
      await hosted.close();
      await registry.flush().catch((error: Error) => logger.warn(`the API registry could not write its last change: ${error.message}`));
      await registry.close();
    },
  };
}
