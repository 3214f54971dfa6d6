/**
 * AppSync Events front door (docs/events.md): `createEventsService` serves the config's Event API
 * at `POST /event` and `WS /event/realtime` (`aws-appsync-event-ws`). The server hands it requests
 * and upgrades on those paths; it reads the API version in force at each operation, so a config
 * reload takes effect without dropping connections.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { NormalizedConfig } from '../config/types.js';
import type { DataSource, Logger } from '../datasources/types.js';
import type { PubSub, UpgradeInfo } from '../realtime/index.js';
import { adaptWebSocket } from '../realtime/socket.js';
import type { Sandbox } from '../resolvers/index.js';
import { createEventBus } from './bus.js';
import { EventsConnection } from './connection.js';
import { EventsRefusal, loadEventsVersion, publishEvents, type EventsVersion } from './operations.js';
import { EVENTS_SUBPROTOCOL, EventsCloseCode, LIMITS } from './protocol.js';

export { EVENTS_SUBPROTOCOL, LIMITS as EVENTS_LIMITS } from './protocol.js';
export { parseChannel, type Channel } from './channels.js';
export { createEventsAuthProviders } from './auth.js';

/** The HTTP path of publishing and the socket's path below it. */
export const EVENTS_HTTP_PATH = '/event';
export const EVENTS_REALTIME_PATH = '/event/realtime';

/** Largest `POST /event` body: five 240 KB events, escaped as JSON strings, and the channel. */
const MAX_HTTP_BODY_BYTES = 3 * 1024 * 1024;

/** What the gateway gives the Events service. */
export interface EventsHost {
  /** The API in force: its config and its resolver sandbox (handlers run there). */
  current(): { config: NormalizedConfig; sandbox: Sandbox; dataSources: ReadonlyMap<string, DataSource> };
  /** The gateway's pubsub (in memory, or Redis shared by instances). */
  pubsub(): Promise<PubSub>;
  logger: Logger;
  /** Refuse handler code AppSync would refuse (lint findings). */
  strict?: boolean;
  /** The Event API's id, as its Lambda authorizer is told it. @default its name */
  apiId?: string;
  /** Its pubsub channel is `$events:<channelName>`. @default the name of the Event API in force when the service is made */
  channelName?: string;
}

export interface EventsServiceOptions {
  /** @default 300000 */
  connectionTimeoutMs?: number;
  /** @default 60000 */
  keepAliveIntervalMs?: number;
  /** @default 100 */
  maxSubscriptionsPerConnection?: number;
  /** @default 1048576 */
  maxBufferedBytes?: number;
}

export interface EventsService {
  /** Answers `POST /event` (and OPTIONS/other methods on it); false when the config has no `events:` block. */
  handleHttp(req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<boolean>;
  /** Takes an upgrade on `/event/realtime`; false when the config has no `events:` block. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean>;
  /**
   * Loads the Event API of `api` (default: the one in force): compiles and registers its handlers;
   * rejects with the load error. A reload calls it before swapping the new API in.
   */
  ready(api?: ReturnType<EventsHost['current']>): Promise<void>;
  /**
   * Closes the auth providers of the version loaded for `config` (a reload swapped it out, or its
   * load was refused); operations already past their auth check finish on it.
   */
  retire(config: NormalizedConfig): Promise<void>;
  /** How many loaded versions are kept (one in steady state; a test checks reloads do not grow it). */
  versionCount(): number;
  /** Open connections and their subscriptions on this instance. */
  stats(): { connections: number; subscriptions: number };
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*, authorization',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-max-age': '86400',
};

export function createEventsService(host: EventsHost, options: EventsServiceOptions = {}): EventsService {
  const { logger } = host;
  // Every loaded version until the gateway retires it (a reload swapped it out, or it failed to
  // load): its auth providers hold authorizer invokers and JWKS clients, closed when it goes.
  const versions = new Map<NormalizedConfig, Promise<EventsVersion | undefined>>();
  const version = (api: ReturnType<EventsHost['current']> = host.current()): Promise<EventsVersion | undefined> => {
    const { config, sandbox, dataSources } = api;
    let loaded = versions.get(config);
    if (!loaded) {
      loaded = loadEventsVersion(config, sandbox, { logger, strict: host.strict, dataSources, apiId: host.apiId });
      versions.set(config, loaded);
      loaded.catch((error: Error) => logger.error(`the Event API failed to load: ${error.message}`));
    }
    return loaded;
  };
  const closeVersion = async (loaded: Promise<EventsVersion | undefined>) => {
    const v = await loaded.catch(() => undefined);
    await v?.auth.close();
  };
  const bus = createEventBus(host.pubsub, `$events:${host.channelName ?? host.current().config.events?.name ?? 'events'}`, (error) =>
    logger.error('Events pubsub failed', { error: error instanceof Error ? error.message : String(error) }),
  );
  const connections = new Set<EventsConnection>();
  const connectionOptions = {
    version,
    bus,
    logger,
    connectionTimeoutMs: options.connectionTimeoutMs ?? LIMITS.connectionTimeoutMs,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? LIMITS.keepAliveIntervalMs,
    maxSubscriptions: options.maxSubscriptionsPerConnection ?? LIMITS.subscriptionsPerConnection,
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
    onClosed: (c: EventsConnection) => connections.delete(c),
  };

  // `ws` loads on the first WebSocket upgrade: an Event API that is only published to over HTTP,
  // and every start until its first connection, does without it.
  let wss: WebSocketServer | undefined;
  let wssLoading: Promise<WebSocketServer> | undefined;
  const webSocketServer = () =>
    (wssLoading ??= import('ws').then(
      ({ WebSocketServer }) =>
        (wss = new WebSocketServer({
          noServer: true,
          // A publish frame holds five 240 KB events as JSON strings and its authorization headers.
          maxPayload: MAX_HTTP_BODY_BYTES,
          perMessageDeflate: false,
          handleProtocols: (protocols) => (protocols.has(EVENTS_SUBPROTOCOL) ? EVENTS_SUBPROTOCOL : false),
        })),
    ));
  // Dead peers (no pong to the last ping) are dropped, so they do not hold subscriptions for 24 h.
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const client of wss?.clients ?? []) {
      if (alive.get(client) === false) {
        client.terminate();
        continue;
      }
      alive.set(client, false);
      client.ping();
    }
  }, 60_000);
  heartbeat.unref();

  return {
    async handleHttp(req, res, given) {
      if (!host.current().config.events) return false;
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS).end();
        return true;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST, OPTIONS', ...CORS }).end();
        return true;
      }
      const body = given ? (given.length > MAX_HTTP_BODY_BYTES ? undefined : given.toString('utf8')) : await readBody(req, MAX_HTTP_BODY_BYTES);
      if (body === undefined) {
        sendJson(res, 413, { errors: [{ errorType: 'BadRequestException', message: 'Request body is too large.' }] });
        return true;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        sendJson(res, 400, {
          errors: [{ errorType: 'BadRequestException', message: 'The request body must be JSON: { "channel": "/namespace/...", "events": ["<JSON>"] }.' }],
        });
        return true;
      }
      const input = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as { channel?: unknown; events?: unknown }) : {};
      const v = await version();
      if (!v) return false;
      try {
        const result = await publishEvents(v, bus, {
          channel: input.channel,
          events: input.events,
          request: {
            headers: req.headers,
            method: 'POST',
            url: req.url ?? EVENTS_HTTP_PATH,
            body,
            sourceIp: req.socket.remoteAddress ?? '',
            host: req.headers.host,
          },
          headers: plainHeaders(req.headers),
        });
        sendJson(res, 200, result);
      } catch (error) {
        if (!(error instanceof EventsRefusal)) throw error;
        sendJson(res, error.status, { errors: [error.entry] }, error.errorType);
      }
      return true;
    },
    async handleUpgrade(req, socket, head) {
      if (!host.current().config.events) return false;
      const offered = (req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      if (!offered.includes(EVENTS_SUBPROTOCOL)) {
        socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nOffer the ${EVENTS_SUBPROTOCOL} subprotocol.\n`);
        return true;
      }
      // Handlers compile before the first frame needs them.
      version().catch(() => undefined);
      (await webSocketServer()).handleUpgrade(req, socket, head, (ws) => {
        alive.set(ws, true);
        ws.on('pong', () => alive.set(ws, true));
        const upgrade: UpgradeInfo = { url: req.url ?? '/', headers: { ...req.headers }, protocols: offered, remoteAddress: req.socket.remoteAddress ?? '' };
        connections.add(new EventsConnection(adaptWebSocket(ws), upgrade, connectionOptions));
      });
      return true;
    },
    async ready(api) {
      await version(api);
    },
    async retire(config) {
      const loaded = versions.get(config);
      if (!loaded) return;
      versions.delete(config);
      await closeVersion(loaded);
    },
    versionCount: () => versions.size,
    stats() {
      let subscriptions = 0;
      for (const c of connections) subscriptions += c.subscriptionCount;
      return { connections: connections.size, subscriptions };
    },
    async close() {
      clearInterval(heartbeat);
      for (const c of [...connections]) c.close(EventsCloseCode.GoingAway, 'Server shutting down');
      const server = await wssLoading;
      for (const client of server?.clients ?? []) client.terminate();
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.close();
      const all = [...versions.values()];
      versions.clear();
      await Promise.all(all.map(closeVersion));
    },
  };
}

/** The body as text, or undefined past `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...CORS,
    'content-type': 'application/json; charset=UTF-8',
    'content-length': String(Buffer.byteLength(text)),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  res.end(text);
}

function plainHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (typeof value === 'string') out[key] = value;
  return out;
}
