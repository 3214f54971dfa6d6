/**
 * The APIs built through the management API, served beside the config file's: each at
 * `/apis/<apiId>/graphql` (GraphQL over HTTP, and graphql-ws on WebSocket) and
 * `/apis/<apiId>/graphql/realtime` (AppSync's real-time protocol), with its own auth, keys, data
 * sources, resolvers and pubsub channel (docs/management-api.md#several-apis).
 *
 * A change in the registry is applied as `--watch` applies an edited config: the API's files are
 * written out, a new version is loaded beside the one serving, and swapped in only when it loaded;
 * requests in flight finish on the version they started on. Changes that arrive while a version
 * loads are applied together by the next load, and a request waits for a pending load, so a
 * caller that changed a resolver and then queries sees its change.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { toGatewayConfig, type ApiDefinition, type ApiRegistry } from '../apis/index.js';
import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import { schemaOf } from '../management/context.js';
import type { PubSubOptions } from '../realtime/index.js';
import type { PubSub, Realtime } from '../realtime/types.js';
import type { EventsService } from '../events/index.js';
import { handleGraphQLHttp, sendJson } from './httpHandler.js';
import type { Api } from './loadApi.js';
import { createRealtimeHost } from './realtimeHost.js';

/** How long changes must stop arriving before they are applied without a request asking (see schedule). */
const QUIET_MS = 150;

/** The path prefix of the APIs built through the management API. */
export const APIS_PREFIX = '/apis/';

export interface HostedApisOptions {
  registry: ApiRegistry;
  logger: Logger;
  /** Loads one version of an API from a config whose relative paths start at `dir`. */
  load(config: GatewayConfig, dir: string): Promise<Api>;
  /** The gateway's pubsub settings: each API gets its own channel prefix on them. */
  pubsub?: Omit<PubSubOptions, 'onError'>;
  /** Where DynamoDB data sources go instead of the embedded store. @default process.env.AWS_ENDPOINT_URL_DYNAMODB */
  dynamodbEndpoint?: string;
}

interface RealtimeHandle {
  realtime: Realtime;
  pubsub: PubSub;
  close(): Promise<void>;
}

interface Hosted {
  apiId: string;
  /** The version serving requests; undefined before the API has a schema that loaded. */
  api?: Api;
  /** Set while a load runs; requests wait for it. */
  applying?: Promise<void>;
  again: boolean;
  deleted: boolean;
  realtime?: Promise<RealtimeHandle>;
  /** The version being loaded (an Event API's handlers are checked on it before it serves). */
  loading?: Api;
  /** An Event API's `/event` service, made on its first request. */
  events?: Promise<EventsService>;
  /** Why the last load failed (answered while nothing serves). */
  lastError?: string;
  /** Set while a change waits for the quiet period. */
  timer?: NodeJS.Timeout;
  /** The files last written to the API's folder: a change rewrites only what differs. */
  written: Map<string, string>;
  /** One of the config's own further APIs (setFixed): loaded by the gateway, not from the registry. */
  fixed?: boolean;
}

export interface HostedApis {
  /** Whether `path` is under `/apis/`. */
  owns(path: string): boolean;
  /** Answers a request under `/apis/`; `body` undefined: not read yet (an Event API's `/event` reads its own, past the GraphQL 1 MB limit). */
  handleHttp(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, path: string): Promise<void>;
  /** Whether `path` is an Event API's `/apis/<id>/event` (the gateway leaves its body unread). */
  ownsEvents(path: string): boolean;
  /** Takes a WebSocket upgrade under `/apis/`; false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Serves the config's further APIs (a CloudFormation input's other GraphQL APIs,
   * docs/cloudformation.md#several-apis), already loaded, each at `/apis/<apiId>/`: a version
   * serving under an id is swapped for the new one and closed once its requests drain; ids no
   * longer given stop serving.
   */
  setFixed(apis: ReadonlyMap<string, Api>): Promise<void>;
  /** Empties the cache of the version serving `apiId` once pending changes are applied (FlushApiCache); nothing without one. */
  flushCache(apiId: string): Promise<void>;
  /** Resolves when every pending change is applied. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** `/apis/<id>/graphql[/realtime]` or `/apis/<id>/event[/realtime]` → the id and the path the API's own handlers know. */
function splitPath(path: string): { apiId: string; rest: string } | undefined {
  const match = /^\/apis\/([^/]+)(\/graphql(?:\/realtime)?|\/event(?:\/realtime)?)\/?$/.exec(path);
  return match ? { apiId: decodeURIComponent(match[1]!), rest: match[2]! } : undefined;
}

export async function createHostedApis(options: HostedApisOptions): Promise<HostedApis> {
  const { registry, logger } = options;
  // In memory: the files to load from go to a temporary folder, made when the first built API
  // loads (most gateways never build one) and removed at close.
  let temporary: Promise<string> | undefined;
  const root = () => registry.dir ?? (temporary ??= mkdtemp(join(tmpdir(), 'appsync-gateway-apis-')));
  const dynamodbEndpoint = options.dynamodbEndpoint ?? (process.env.AWS_ENDPOINT_URL_DYNAMODB || undefined);
  const hosted = new Map<string, Hosted>();
  /** Previous versions still closing (draining their requests in flight); the gateway's close waits for them. */
  const retiring = new Set<Promise<void>>();
  let closing = false;

  const startRealtime = (entry: Hosted): Promise<RealtimeHandle> =>
    (entry.realtime ??= (async () => {
      const realtimeModule = await import('../realtime/index.js');
      const prefix = options.pubsub?.channelPrefix ?? 'appsync-gateway:';
      const pubsub = await realtimeModule.createPubSub({
        ...options.pubsub,
        channelPrefix: `${prefix}apis:${entry.apiId}:`,
        onError: (error) => logger.error(`pubsub error (API ${entry.apiId})`, { error: error.message }),
      });
      const realtime = realtimeModule.createRealtime(
        createRealtimeHost(() => {
          if (!entry.api) throw new Error(`the GraphQL API ${entry.apiId} has no schema loaded`);
          return entry.api;
        }, pubsub),
        { logger },
      );
      return {
        realtime,
        pubsub,
        async close() {
          await realtime.close();
          await pubsub.close();
        },
      };
    })());

  /** An Event API's service (docs/management-api.md#event-apis): `/event` and `/event/realtime` of the version in force. */
  const eventsOf = (entry: Hosted): Promise<EventsService> =>
    (entry.events ??= import('../events/index.js').then((m) =>
      m.createEventsService({
        current: () => {
          // Before the first version is swapped in, the one being checked stands for it.
          const api = entry.api ?? entry.loading;
          if (!api) throw new Error(`the Event API ${entry.apiId} has not loaded`);
          return { config: api.config, sandbox: api.runtime.sandbox, dataSources: api.dataSources };
        },
        pubsub: async () => (await startRealtime(entry)).pubsub,
        logger,
        apiId: entry.apiId,
      }),
    ));

  const applyOnce = async (entry: Hosted): Promise<void> => {
    if (!registry.has(entry.apiId)) return;
    const def: ApiDefinition = registry.get(entry.apiId);
    if (def.schema === undefined && !def.eventApi) return;
    try {
      // The management handlers built this schema when it was uploaded (cached by its text); an Event API has none.
      const fields = def.eventApi ? undefined : schemaOf(def).fields;
      const { config, files } = toGatewayConfig(def, { dynamodbEndpoint, fields });
      // Gateway choice: one sandbox process per built API (the config file's API has two by default).
      config.sandbox = { processes: 1 };
      const dir = join(await root(), entry.apiId);
      // An Event API without code has no file besides its config: the folder is made here.
      await mkdir(dir, { recursive: true });
      await writeChanged(dir, files, entry.written);
      await writeFile(join(dir, 'appsync.config.json'), `${JSON.stringify(config, null, 2)}\n`);
      if (entry.deleted || closing) return;
      const api = await options.load(config, dir);
      if (entry.deleted || closing) {
        await api.close();
        return;
      }
      if (def.eventApi) {
        // Namespace handler code that does not load keeps the previous version serving.
        try {
          entry.loading = api;
          await (await eventsOf(entry)).ready({ config: api.config, sandbox: api.runtime.sandbox, dataSources: api.dataSources });
        } catch (error) {
          await (await eventsOf(entry)).retire(api.config);
          await api.close();
          throw error;
        } finally {
          entry.loading = undefined;
        }
      }
      for (const warning of api.warnings) logger.warn(`API ${entry.apiId}: ${warning}`);
      const previous = entry.api;
      entry.api = api;
      entry.lastError = undefined;
      registry.noteSchemaApplied(entry.apiId, def.revision);
      // Closed beside the next change's load, not before it: the old version drains its requests in flight (up to 30 s).
      if (previous && entry.events) await (await entry.events).retire(previous.config);
      if (previous) {
        const closing = previous
          .close()
          .catch((error: Error) => logger.warn(`closing a previous version of the GraphQL API ${entry.apiId} failed: ${error.message}`));
        retiring.add(closing);
        void closing.finally(() => retiring.delete(closing));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      entry.lastError = message;
      logger.warn(
        `the ${def.eventApi ? 'Event' : 'GraphQL'} API ${entry.apiId} (${def.name}) did not load; ` +
          (entry.api ? 'its previous version keeps serving' : 'it does not serve yet'),
        {
          error: message,
        },
      );
      registry.noteSchemaApplied(entry.apiId, def.revision, message);
    }
  };

  /** Starts applying now (a quiet-period timer is dropped); a load in progress is followed by one more. */
  const applyNow = (entry: Hosted): void => {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.applying) {
      entry.again = true;
      return;
    }
    entry.applying = (async () => {
      do {
        entry.again = false;
        await applyOnce(entry);
      } while (entry.again && !entry.deleted && !closing);
    })().finally(() => {
      entry.applying = undefined;
    });
  };

  /**
   * Gateway choice: a change is applied once changes stop arriving for QUIET_MS (a script creating
   * 1,000 resolvers loads the API a few times, not 1,000), or at once when a request to the API
   * arrives first or a schema is waiting in PROCESSING.
   */
  const schedule = (entry: Hosted, urgent: boolean): void => {
    if (urgent || entry.applying) return applyNow(entry);
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => applyNow(entry), QUIET_MS);
    entry.timer.unref();
  };
  const pending = (entry: Hosted): Promise<void> | undefined => {
    if (entry.timer) applyNow(entry);
    return entry.applying;
  };

  const drop = async (entry: Hosted): Promise<void> => {
    entry.deleted = true;
    clearTimeout(entry.timer);
    hosted.delete(entry.apiId);
    await entry.applying;
    await (await entry.events?.catch(() => undefined))?.close();
    const realtime = await entry.realtime?.catch(() => undefined);
    await realtime?.close();
    await entry.api?.close();
    entry.api = undefined;
  };

  const retire = (apiId: string, previous: Api) => {
    const closing = previous.close().catch((error: Error) => logger.warn(`closing a previous version of the GraphQL API ${apiId} failed: ${error.message}`));
    retiring.add(closing);
    void closing.finally(() => retiring.delete(closing));
  };

  const changed = (apiId: string, definition: ApiDefinition | undefined) => {
    if (registry.isConfigApi(apiId) || hosted.get(apiId)?.fixed) return;
    const entry = hosted.get(apiId);
    if (!definition) {
      if (entry) drop(entry).catch((error: Error) => logger.warn(`closing the deleted GraphQL API ${apiId} failed: ${error.message}`));
      return;
    }
    const urgent = definition.schemaStatus?.status === 'PROCESSING';
    if (entry) schedule(entry, urgent);
    else {
      const created: Hosted = { apiId, again: false, deleted: false, written: new Map() };
      hosted.set(apiId, created);
      schedule(created, urgent || restoring);
    }
  };
  const unsubscribe = registry.onChange(changed);
  let restoring = true;
  for (const def of registry.built()) changed(def.apiId, def);
  restoring = false;

  const notFound = (res: ServerResponse) => sendJson(res, 404, { Output: { __type: 'com.amazon.coral.service#UnknownOperationException' }, Version: '1.0' });

  return {
    owns: (path) => path.startsWith(APIS_PREFIX),
    ownsEvents: (path) => path.startsWith(APIS_PREFIX) && splitPath(path)?.rest === '/event',
    async handleHttp(req, res, body, path) {
      const parts = splitPath(path);
      const entry = parts && (parts.rest === '/graphql' || parts.rest === '/event') ? hosted.get(parts.apiId) : undefined;
      if (!entry) return notFound(res);
      await pending(entry);
      if (entry.deleted) return notFound(res);
      const api = entry.api;
      // `/event` answers for an Event API only, `/graphql` for a GraphQL API only.
      const isEvents = !!registry.has(entry.apiId) && !!registry.get(entry.apiId).eventApi;
      if ((parts!.rest === '/event') !== isEvents) return notFound(res);
      if (isEvents) {
        if (!api) {
          const why = entry.lastError ? `it did not load: ${entry.lastError}` : 'it has not loaded yet';
          sendJson(
            res,
            400,
            { errors: [{ errorType: 'BadRequestException', message: `The Event API ${entry.apiId} cannot serve requests: ${why}.` }] },
            undefined,
            'BadRequestException',
          );
          return;
        }
        // The Events service reads the body itself; the gateway has read it already, so it is handed over.
        if (!(await (await eventsOf(entry)).handleHttp(req, res, body))) notFound(res);
        return;
      }
      if (!api) {
        const why = entry.lastError ? `its schema did not load: ${entry.lastError}` : 'it has no schema yet: upload one with StartSchemaCreation';
        sendJson(
          res,
          400,
          { errors: [{ errorType: 'BadRequestException', message: `The GraphQL API ${entry.apiId} cannot serve requests: ${why}.` }] },
          undefined,
          'BadRequestException',
        );
        return;
      }
      await handleGraphQLHttp(req, res, body ?? Buffer.alloc(0), api, async (event) => (await startRealtime(entry)).realtime.publish(event));
    },
    handleUpgrade(req, socket, head) {
      const [path, search] = (req.url ?? '/').split('?', 2) as [string, string?];
      if (!path.startsWith(APIS_PREFIX)) return false;
      const parts = splitPath(path);
      const entry = parts ? hosted.get(parts.apiId) : undefined;
      if (!parts || !entry || closing) {
        socket.destroy();
        return true;
      }
      if (parts.rest === '/event/realtime') {
        Promise.resolve(pending(entry))
          .then(() => (closing || entry.deleted || !entry.api ? false : eventsOf(entry).then((events) => events.handleUpgrade(req, socket, head))))
          .then(
            (taken) => taken || socket.destroy(),
            (error: Error) => {
              logger.error(`the Event API ${entry.apiId} failed to take a WebSocket`, { error: error.message });
              socket.destroy();
            },
          );
        return true;
      }
      // The real-time layer routes by the paths of one API: it sees this API's as those.
      req.url = `${parts.rest}${search !== undefined ? `?${search}` : ''}`;
      Promise.resolve(pending(entry))
        .then(() => startRealtime(entry))
        .then(
          ({ realtime }) => {
            if (closing || entry.deleted || !entry.api || !realtime.handleUpgrade(req, socket, head)) socket.destroy();
          },
          (error: Error) => {
            logger.error(`real-time of the GraphQL API ${entry.apiId} failed to start`, { error: error.message });
            socket.destroy();
          },
        );
      return true;
    },
    async setFixed(apis) {
      for (const entry of [...hosted.values()]) if (entry.fixed && !apis.has(entry.apiId)) await drop(entry);
      for (const [apiId, api] of apis) {
        const entry = hosted.get(apiId);
        if (entry && !entry.fixed) {
          // A built API's random id cannot be a name-derived one; refused rather than shadowed all the same.
          await api.close();
          throw new Error(`the GraphQL API id ${apiId} is taken by an API built through the management API`);
        }
        if (!entry) {
          hosted.set(apiId, { apiId, api, again: false, deleted: false, written: new Map(), fixed: true });
          continue;
        }
        const previous = entry.api;
        entry.api = api;
        if (previous) retire(apiId, previous);
      }
    },
    async flushCache(apiId) {
      const entry = hosted.get(apiId);
      if (!entry) return;
      await pending(entry);
      await entry.api?.cache?.flush();
    },
    async settled() {
      while ([...hosted.values()].some((e) => e.applying || e.timer)) await Promise.all([...hosted.values()].map((e) => pending(e)));
    },
    async close() {
      closing = true;
      unsubscribe();
      await Promise.allSettled([...hosted.values()].map((entry) => drop(entry)));
      await Promise.allSettled([...retiring]);
      if (temporary) await rm(await temporary, { recursive: true, force: true });
    },
  };
}

/**
 * Writes the files that differ from what was last written and removes those no longer named, so a
 * schema upload to an API with 1,000 resolvers writes one file, not 1,000.
 */
async function writeChanged(dir: string, files: ReadonlyMap<string, string>, written: Map<string, string>): Promise<void> {
  const gone = [...written.keys()].filter((file) => !files.has(file));
  await Promise.all(gone.map((file) => rm(join(dir, file), { force: true })));
  for (const file of gone) written.delete(file);
  const changed = [...files].filter(([file, text]) => written.get(file) !== text);
  const folders = new Set(changed.map(([file]) => dirname(join(dir, file))));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  await Promise.all(changed.map(([file, text]) => writeFile(join(dir, file), text)));
  for (const [file, text] of changed) written.set(file, text);
}
