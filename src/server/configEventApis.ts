/**
 * The config's further Event APIs (an `events:` list, or a template with several
 * `AWS::AppSync::Api`; docs/events.md#several-event-apis): each after the first is served at
 * `/apis/<id>/event` and `/apis/<id>/event/realtime` with its own keys, auth, namespaces, handlers
 * and subscriptions. They share the config's API version (its sandbox and data sources) and the
 * gateway's pubsub, each on its own channel (`$events:<name>`; names differ, normalize.ts checks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NormalizedConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import type { EventsHost, EventsService } from '../events/index.js';
import type { PubSub } from '../realtime/types.js';
import type { Api } from './loadApi.js';

export interface ConfigEventApisOptions {
  /** The API version in force. */
  current(): Api;
  pubsub(): Promise<PubSub>;
  logger: Logger;
  strict?: boolean;
}

export interface ConfigEventApis {
  /** Whether `path` is `/apis/<id>/event` of one of the config's further Event APIs. */
  owns(path: string): boolean;
  /** Answers `POST /apis/<id>/event` of a further Event API (its body unread); false when `path` names none. */
  handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  /** Takes an upgrade on `/apis/<id>/event/realtime` of a further Event API; false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Loads the handlers of every further Event API of `api` (a start or a reload, before it serves); rejects with the first load error. */
  ready(api: Api): Promise<void>;
  /** Closes what the version of `config` held (its auth providers), and the services of APIs the version in force no longer has. */
  retire(config: NormalizedConfig): Promise<void>;
  close(): Promise<void>;
}

const EVENT_PATH = /^\/apis\/([^/]+)\/event(\/realtime)?\/?$/;

export function createConfigEventApis(options: ConfigEventApisOptions): ConfigEventApis {
  const { logger } = options;
  const services = new Map<string, Promise<EventsService>>();
  // One derived config per API version and Event API, kept as long as the version: the Events
  // service keys its loaded versions (auth providers, compiled handlers) by config object.
  const views = new WeakMap<NormalizedConfig, Map<string, NormalizedConfig>>();
  const viewOf = (api: Api, apiId: string): ReturnType<EventsHost['current']> => {
    let byId = views.get(api.config);
    if (!byId) views.set(api.config, (byId = new Map()));
    let config = byId.get(apiId);
    if (!config) {
      const events = api.config.additionalEventApis?.find((e) => e.apiId === apiId)?.events;
      // Without `events` (the API is gone from the version in force) the service answers as for an unknown path.
      config = { ...api.config, events, additionalEventApis: undefined };
      byId.set(apiId, config);
    }
    return { config, sandbox: api.runtime.sandbox, dataSources: api.dataSources };
  };
  const serviceOf = (apiId: string, name: string): Promise<EventsService> => {
    let service = services.get(apiId);
    if (!service) {
      service = import('../events/index.js').then((m) =>
        m.createEventsService({
          current: () => viewOf(options.current(), apiId),
          pubsub: options.pubsub,
          logger,
          strict: options.strict,
          channelName: name,
        }),
      );
      services.set(apiId, service);
    }
    return service;
  };
  const known = (path: string): { apiId: string; name: string; realtime: boolean } | undefined => {
    const match = EVENT_PATH.exec(path);
    if (!match) return undefined;
    const apiId = decodeURIComponent(match[1]!);
    const entry = options.current().config.additionalEventApis?.find((e) => e.apiId === apiId);
    return entry ? { apiId, name: entry.events.name, realtime: !!match[2] } : undefined;
  };

  return {
    owns: (path) => path.startsWith('/apis/') && known(path)?.realtime === false,
    async handleHttp(req, res, path) {
      const found = known(path);
      if (!found || found.realtime) return false;
      return (await serviceOf(found.apiId, found.name)).handleHttp(req, res);
    },
    handleUpgrade(req, socket, head) {
      const found = known((req.url ?? '/').split('?', 1)[0]!);
      if (!found?.realtime) return false;
      serviceOf(found.apiId, found.name)
        .then((service) => service.handleUpgrade(req, socket, head))
        .then(
          (taken) => taken || socket.destroy(),
          (error: Error) => {
            logger.error(`the Event API ${found.apiId} failed to take a WebSocket`, { error: error.message });
            socket.destroy();
          },
        );
      return true;
    },
    async ready(api) {
      const loaded: Array<[EventsService, string]> = [];
      try {
        for (const { apiId, events } of api.config.additionalEventApis ?? []) {
          const service = await serviceOf(apiId, events.name);
          loaded.push([service, apiId]);
          await service.ready(viewOf(api, apiId));
        }
      } catch (error) {
        // The version that failed never serves: what it loaded is closed now.
        const current = new Set((options.current().config.additionalEventApis ?? []).map((e) => e.apiId));
        for (const [service, apiId] of loaded) {
          await service.retire(viewOf(api, apiId).config);
          if (current.has(apiId)) continue;
          services.delete(apiId);
          await service.close();
        }
        throw error;
      }
    },
    async retire(config) {
      const byId = views.get(config);
      const current = new Set((options.current().config.additionalEventApis ?? []).map((e) => e.apiId));
      for (const [apiId, service] of [...services]) {
        const view = byId?.get(apiId);
        if (view) await (await service).retire(view);
        if (!current.has(apiId)) {
          // The API left the config: its connections close, as a deleted Event API's do.
          services.delete(apiId);
          await (await service.catch(() => undefined))?.close();
        }
      }
    },
    async close() {
      const all = [...services.values()];
      services.clear();
      await Promise.all(all.map(async (service) => (await service.catch(() => undefined))?.close()));
    },
  };
}
