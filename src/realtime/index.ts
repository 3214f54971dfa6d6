/**
 * Real-time front door: `createRealtime(host, options)` serves both subscription protocols over
 * one fan-out, and `createPubSub(options)` picks the in-memory or Redis pubsub.
 */
import { AppSyncError } from '../errors.js';
import { createWebSocketAdapter } from './websocket.js';
import {
  CONNECTION_TIMEOUT_MS,
  KEEP_ALIVE_INTERVAL_MS,
  MAX_CONNECTION_LIFETIME_MS,
  MAX_PAYLOAD_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
} from './appsync-protocol.js';
import { createAppSyncServer } from './appsync-server.js';
import { createFanout } from './fanout.js';
import { createGraphqlWsServer } from './graphql-ws.js';
import { createMemoryPubSub } from './pubsub-memory.js';
import { createRedisPubSub } from './pubsub-redis.js';
import type { PubSub, PublishedEvent, Realtime, RealtimeHost } from './types.js';

export type * from './types.js';
export { createMemoryPubSub } from './pubsub-memory.js';
export { createRedisPubSub, type RedisPubSubOptions } from './pubsub-redis.js';
export { matchesArguments, matchesFilter, matchesInvalidation, validateFilter } from './filter.js';
export type { RealtimeSocket, UpgradeInfo } from './socket.js';
export { toSubscriptionFilter } from './toSubscriptionFilter.js';

interface LoggerLike {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info?(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error?(message: string, meta?: Record<string, unknown>): void;
}

/** Options of `createRealtime`; the defaults are AppSync's values (docs/realtime.md#behaviour). */
export interface RealtimeOptions {
  logger?: LoggerLike;
  /** Advertised in `connection_ack`; idle connections without subscriptions close after it. @default 300000 */
  connectionTimeoutMs?: number;
  /** @default 60000 */
  keepAliveIntervalMs?: number;
  /** @default 86400000 (24 h) */
  maxConnectionLifetimeMs?: number;
  /** @default 100 */
  maxSubscriptionsPerConnection?: number;
  /** Largest subscription request and delivered payload, in bytes. @default 245760 (240 KB) */
  maxPayloadBytes?: number;
  /** Unsent bytes a socket may hold before it is closed as a slow consumer (1013). @default 1048576 */
  maxBufferedBytes?: number;
  /** Renders that may wait per subscription before it counts as a slow consumer. @default 1000 */
  maxPendingEvents?: number;
}

/** Options of `createPubSub` (the gateway's `pubsub` option). */
export interface PubSubOptions {
  /** `redis://host:port`: share events with every gateway instance on this Redis. Absent → in-memory. */
  redisUrl?: string;
  /** Redis channel prefix. @default 'appsync-gateway:' */
  channelPrefix?: string;
  onError?: (error: Error) => void;
}

/** In-memory pubsub, or Redis when `redisUrl` is given. */
export async function createPubSub(options: PubSubOptions = {}): Promise<PubSub> {
  if (options.redisUrl) return createRedisPubSub({ redisUrl: options.redisUrl, channelPrefix: options.channelPrefix, onError: options.onError });
  return createMemoryPubSub();
}

/**
 * Creates the real-time layer over the core's `RealtimeHost`: route HTTP upgrades to
 * `handleUpgrade`, publish mutation results and library events with `publish`.
 */
export function createRealtime(host: RealtimeHost, options: RealtimeOptions = {}): Realtime {
  const logger = options.logger;
  const maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const maxPendingEvents = options.maxPendingEvents ?? 1000;
  const fanout = createFanout(host, host.pubsub, {
    maxPayloadBytes,
    maxPendingEvents,
    // docs/realtime.md#behaviour / Observed (aws-appsync-community#33): oversized events are not delivered.
    onDrop: (reason, sub) => logger?.warn(`subscription event to ${sub.fieldName} dropped: ${reason}`),
    onError: (error) => logger?.warn('rendering a subscription event failed', { error: error instanceof Error ? error.stack : String(error) }),
  });
  const appsync = createAppSyncServer(host, fanout, {
    connectionTimeoutMs: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? KEEP_ALIVE_INTERVAL_MS,
    maxConnectionLifetimeMs: options.maxConnectionLifetimeMs ?? MAX_CONNECTION_LIFETIME_MS,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? MAX_SUBSCRIPTIONS_PER_CONNECTION,
    maxPayloadBytes,
    maxBufferedBytes,
    logger,
  });
  const graphqlWs = createGraphqlWsServer(host, fanout, {
    connectionInitWaitTimeoutMs: 10_000,
    maxBufferedBytes,
    maxPendingEvents,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? MAX_SUBSCRIPTIONS_PER_CONNECTION,
  });
  const adapter = createWebSocketAdapter({
    // A start frame holds at most maxPayloadBytes of data plus its authorization headers.
    maxFrameBytes: Math.max(maxPayloadBytes * 2, 64 * 1024),
    onConnection(socket, upgrade, protocol) {
      if (protocol === 'appsync') appsync.opened(socket, upgrade);
      else graphqlWs.opened(socket, upgrade);
    },
  });

  return {
    handleUpgrade: (req, socket, head) => adapter.handleUpgrade(req, socket, head),
    publish: (event) => publishEvent(host, event),
    async close() {
      appsync.closeAll();
      graphqlWs.closeAll();
      await fanout.close();
      await adapter.close();
    },
  };
}

/**
 * Publishes one event to every subscriber of `event.subscriptionField`, on every instance that
 * shares the pubsub. This is what `gateway.publish(subscriptionField, payload)` calls for
 * back-end events (the equivalent of a NONE-data-source mutation bound with `@aws_subscribe`):
 * subscribers receive `payload` shaped by their own selection set and filtered by their
 * arguments or enhanced filters. Throws `BadRequestException` when the Subscription type has no
 * such field.
 */
async function publishEvent(host: Pick<RealtimeHost, 'schema' | 'pubsub'>, event: PublishedEvent): Promise<void> {
  const fields = host.schema.getSubscriptionType()?.getFields();
  if (!fields || !fields[event.subscriptionField]) {
    throw new AppSyncError(`Subscription field '${event.subscriptionField}' is not defined on the Subscription type.`, 'BadRequestException');
  }
  await host.pubsub.publish(event);
}
