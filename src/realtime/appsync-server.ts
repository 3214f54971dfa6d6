/**
 * The AppSync real-time protocol server (docs/realtime.md#endpoints and #behaviour): drives one
 * `RealtimeSocket` per connection through connection_init → connection_ack, `ka` keep-alives,
 * start → start_ack / error, data, stop → complete and invalidation.
 */
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { AuthContext, AuthRequest } from '../auth/types.js';
import { AppSyncError } from '../errors.js';
import { parseQuery } from '../schema/index.js';
import {
  APPSYNC_SUBPROTOCOL,
  CloseCode,
  HEADER_SUBPROTOCOL_PREFIX,
  MessageType,
  decodeHeaderObject,
  parseStartData,
  validateMessage,
  type HeaderObject,
  type RealtimeErrorEntry,
  type ServerMessage,
  type StartMessage,
} from './appsync-protocol.js';
import type { Fanout, RenderedEvent } from './fanout.js';
import { validateFilter } from './filter.js';
import type { RealtimeSocket, UpgradeInfo } from './socket.js';
import type { RealtimeHost, SubscriptionRequest } from './types.js';

/** Settings of the AppSync protocol server; all have AppSync's values by default. */
export interface AppSyncServerOptions {
  /** Advertised in `connection_ack`; also how long a connection may sit without client traffic and without subscriptions. @default 300000 */
  connectionTimeoutMs: number;
  /** Interval of `ka` frames. @default 60000 */
  keepAliveIntervalMs: number;
  /** Connections are closed after this long. @default 86400000 (24 h) */
  maxConnectionLifetimeMs: number;
  /** @default 100 */
  maxSubscriptionsPerConnection: number;
  /** Largest `start` message `payload.data` accepted. @default 245760 (240 KB) */
  maxPayloadBytes: number;
  /** A socket holding more unsent bytes than this when a frame is due is closed (slow consumer). @default 1048576 */
  maxBufferedBytes: number;
  logger?: { warn(message: string, meta?: Record<string, unknown>): void; debug?(message: string, meta?: Record<string, unknown>): void };
}

const UNAUTHORIZED_MESSAGE = 'You are not authorized to make this call.';

/** Serves the AppSync protocol on sockets handed to `opened`. */
export interface AppSyncServer {
  opened(socket: RealtimeSocket, upgrade: UpgradeInfo): void;
  /** Closes every connection (gateway shutdown). */
  closeAll(code?: number, reason?: string): void;
  /** Open connections. */
  readonly connections: number;
}

interface ActiveSubscription {
  stop?: () => Promise<void>;
  /** Set when a `stop` arrives while the start is still being processed. */
  stopped: boolean;
}

export function createAppSyncServer(host: RealtimeHost, fanout: Fanout, options: AppSyncServerOptions): AppSyncServer {
  const open = new Set<Connection>();

  class Connection {
    private readonly subscriptions = new Map<string, ActiveSubscription>();
    private readonly handshakeHeaders: Record<string, string>;
    private readonly sourceIp: string;
    private auth: Promise<AuthContext> | undefined;
    private initialized = false;
    private acked = false;
    /** Between `connection_init` and `connection_ack`. */
    private awaitingAck = false;
    private closed = false;
    private keepAlive: NodeJS.Timeout | undefined;
    private idleTimer: NodeJS.Timeout | undefined;
    private readonly lifetimeTimer: NodeJS.Timeout;

    constructor(
      private readonly socket: RealtimeSocket,
      private readonly upgrade: UpgradeInfo,
    ) {
      this.sourceIp = upgrade.remoteAddress;
      this.handshakeHeaders = handshakeHeaderObject(upgrade);
      socket.onMessage((data) => this.onMessage(data));
      socket.onClose(() => this.cleanup());
      this.lifetimeTimer = setTimeout(() => this.close(CloseCode.Normal, 'Connection lifetime exceeded'), options.maxConnectionLifetimeMs);
      this.lifetimeTimer.unref?.();
      this.touch();
    }

    /** Gateway choice: a connection with no subscriptions and no client traffic for `connectionTimeoutMs` is closed. */
    private touch(): void {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      if (this.closed || this.subscriptions.size > 0) return;
      this.idleTimer = setTimeout(() => this.close(CloseCode.ConnectionTimeout, 'Connection timeout'), options.connectionTimeoutMs);
      this.idleTimer.unref?.();
    }

    send(message: ServerMessage | string): void {
      if (this.closed) return;
      // Delivery policy (docs/realtime.md): a consumer that cannot keep up is disconnected rather
      // than buffered without bound; its client reconnects and resubscribes.
      if (this.socket.bufferedAmount > options.maxBufferedBytes) {
        options.logger?.warn('closing slow real-time consumer', { bufferedAmount: this.socket.bufferedAmount });
        this.close(CloseCode.TryAgainLater, 'Slow consumer');
        return;
      }
      this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    }

    close(code: number, reason: string): void {
      if (this.closed) return;
      this.socket.close(code, reason);
      this.cleanup();
    }

    private cleanup(): void {
      if (this.closed) return;
      this.closed = true;
      open.delete(this);
      clearInterval(this.keepAlive);
      clearTimeout(this.idleTimer);
      clearTimeout(this.lifetimeTimer);
      for (const sub of this.subscriptions.values()) {
        sub.stopped = true;
        void sub.stop?.();
      }
      this.subscriptions.clear();
    }

    private onMessage(data: string): void {
      if (this.closed) return;
      this.touch();
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        // Gateway choice: unparseable frames get the same reply as an unknown type.
        this.send(unsupported());
        return;
      }
      const result = validateMessage(parsed);
      if (!result.ok) {
        const type = (parsed as { type?: unknown } | null)?.type;
        if (type !== MessageType.Start && type !== MessageType.Stop && type !== MessageType.ConnectionInit) {
          // docs/realtime.md#behaviour (observed): the literal word "unknown", no id.
          this.send(unsupported());
          return;
        }
        this.send(errorFrame(result.id, [{ errorType: 'BadRequestException', message: result.reason }]));
        return;
      }
      const message = result.message;
      switch (message.type) {
        case MessageType.ConnectionInit:
          void this.init(true);
          return;
        case MessageType.Start:
          // docs/realtime.md#behaviour: messages sent after connection_init but before connection_ack are ignored.
          if (this.awaitingAck) return;
          void this.start(message).catch((error: unknown) => {
            options.logger?.warn('real-time start failed', { error: error instanceof Error ? error.stack : String(error) });
            // Free the id (duplicates return before registering, so the entry is this start's).
            this.subscriptions.delete(message.id);
            this.touch();
            this.send(errorFrame(message.id, [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }]));
          });
          return;
        case MessageType.Stop:
          if (this.awaitingAck) return;
          void this.stop(message.id);
          return;
      }
    }

    /** Authenticates the handshake once; `connection_init` gets the ack, an implicit init does not. */
    private async init(explicit: boolean): Promise<boolean> {
      if (explicit && !this.acked) this.awaitingAck = true;
      const first = !this.auth;
      this.auth ??= host.authenticate(this.authRequest(this.handshakeHeaders, '/graphql/connect', '{}'));
      try {
        await this.auth;
      } catch (error) {
        if (first || explicit) {
          // docs/realtime.md#behaviour: connection auth failure → connection_error, then close.
          this.send({ type: MessageType.ConnectionError, payload: { errors: [{ ...toErrorEntry(error), errorCode: 401 }] } });
          this.close(CloseCode.Unauthorized, 'Unauthorized');
        }
        return false;
      }
      if (this.closed) return false;
      if (explicit && !this.acked) {
        this.acked = true;
        this.awaitingAck = false;
        this.send({ type: MessageType.ConnectionAck, payload: { connectionTimeoutMs: options.connectionTimeoutMs } });
      }
      if (!this.initialized) {
        this.initialized = true;
        // docs/realtime.md#behaviour Gateway choice: `ka` right after the ack, then at a fixed interval.
        this.send({ type: MessageType.KeepAlive });
        this.keepAlive = setInterval(() => this.send({ type: MessageType.KeepAlive }), options.keepAliveIntervalMs);
        this.keepAlive.unref?.();
      }
      return true;
    }

    private async start(message: StartMessage): Promise<void> {
      const { id } = message;
      if (this.subscriptions.has(id)) {
        // docs/realtime.md#behaviour: a duplicate id is answered with an error; the first subscription stays.
        this.send(errorFrame(id, [{ errorType: 'BadRequestException', message: `Subscription id '${id}' is already in use on this connection.` }]));
        return;
      }
      if (this.subscriptions.size >= options.maxSubscriptionsPerConnection) {
        this.send(
          errorFrame(id, [
            { errorType: 'LimitExceededError', message: `A connection can hold at most ${options.maxSubscriptionsPerConnection} subscriptions.` },
          ]),
        );
        return;
      }
      if (Buffer.byteLength(message.payload.data) > options.maxPayloadBytes) {
        this.send(
          errorFrame(id, [
            { errorType: 'BadRequestException', message: `Subscription payload exceeds the ${Math.floor(options.maxPayloadBytes / 1024)} KB limit.` },
          ]),
        );
        return;
      }
      const state: ActiveSubscription = { stopped: false };
      this.subscriptions.set(id, state);
      this.touch();
      const fail = (errors: RealtimeErrorEntry[]) => {
        if (this.subscriptions.get(id) === state) this.subscriptions.delete(id);
        this.touch();
        this.send(errorFrame(id, errors));
      };

      // A start without connection_init is accepted (docs/realtime.md#behaviour Gateway choice).
      if (!(await this.init(false))) return;

      const data = parseStartData(message.payload.data);
      if (!data.ok) return fail([{ errorType: 'BadRequestException', message: data.reason }]);
      const operation = operationType(data.query, data.operationName);
      if (operation && operation !== 'subscription') {
        // docs/realtime.md#behaviour (observed): `query not supported through the realtime channel`.
        return fail([{ errorType: 'UnsupportedOperation', message: `${operation} not supported through the realtime channel` }]);
      }

      const headers = lowerCaseKeys(message.payload.extensions.authorization);
      let auth: AuthContext;
      try {
        // docs/realtime.md#behaviour: per-start authorization; IAM signs POST /graphql with the data string.
        auth = await host.authenticate(this.authRequest(headers, '/graphql', message.payload.data));
      } catch (error) {
        return fail([toErrorEntry(error)]);
      }
      const request: SubscriptionRequest = { query: data.query, variables: data.variables, operationName: data.operationName, auth, headers };
      const prepared = await host.prepareSubscription(request);
      if (!prepared.ok) return fail(prepared.errors);
      for (const filter of [prepared.filter, prepared.invalidationFilter]) {
        const reason = filter ? validateFilter(filter) : null;
        if (reason) return fail([{ errorType: 'BadRequestException', message: reason }]);
      }
      if (state.stopped || this.closed) return;

      const stop = await fanout.add({
        fieldName: prepared.fieldName,
        args: prepared.args,
        filter: prepared.filter,
        invalidationFilter: prepared.invalidationFilter,
        request,
        deliver: (event: RenderedEvent) => this.send(`{"type":"data","id":${JSON.stringify(id)},"payload":${event.json}}`),
        invalidate: () => {
          // docs/realtime.md#behaviour Gateway choice: confirm, then close the connection.
          this.send({ type: MessageType.Complete, id, payload: { message: 'Subscription complete.' } });
          this.close(CloseCode.Normal, 'Subscription invalidated');
        },
        overflow: () => this.close(CloseCode.TryAgainLater, 'Slow consumer'),
      });
      if (state.stopped || this.closed) {
        await stop();
        return;
      }
      state.stop = stop;
      this.send({ type: MessageType.StartAck, id });
    }

    private async stop(id: string): Promise<void> {
      const state = this.subscriptions.get(id);
      this.subscriptions.delete(id);
      this.touch();
      if (state) {
        state.stopped = true;
        await state.stop?.();
      }
      // Gateway choice: a stop for an unknown id is confirmed too (stop is idempotent).
      this.send({ type: MessageType.Complete, id });
    }

    private authRequest(headers: Record<string, string>, path: string, body: string): AuthRequest {
      const forwarded = this.upgrade.headers['x-forwarded-for'];
      const merged: Record<string, string | string[] | undefined> = { ...headers };
      if (forwarded !== undefined && merged['x-forwarded-for'] === undefined) merged['x-forwarded-for'] = forwarded;
      return { headers: merged, method: 'POST', url: path, body, sourceIp: this.sourceIp, host: headers.host };
    }
  }

  return {
    opened(socket, upgrade) {
      open.add(new Connection(socket, upgrade));
    },
    closeAll(code = CloseCode.GoingAway, reason = 'Server shutting down') {
      for (const connection of [...open]) connection.close(code, reason);
    },
    get connections() {
      return open.size;
    },
  };
}

function unsupported(): ServerMessage {
  return {
    type: MessageType.Error,
    payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'unknown not supported through the realtime channel' }] },
  };
}

function errorFrame(id: string | undefined, errors: readonly RealtimeErrorEntry[]): ServerMessage {
  return id === undefined ? { type: MessageType.Error, payload: { errors } } : { type: MessageType.Error, id, payload: { errors } };
}

/** Any thrown value as a real-time error entry (`errorType` + `message`). */
function toErrorEntry(error: unknown): RealtimeErrorEntry {
  if (AppSyncError.is(error)) return { errorType: error.errorType, message: error.message };
  return { errorType: 'UnauthorizedException', message: UNAUTHORIZED_MESSAGE };
}

/**
 * docs/realtime.md#endpoints: the handshake header object comes from the `header` query parameter (base64),
 * the `header-<base64url>` subprotocol, or plain request headers — first found wins, all merged
 * over the upgrade request's own headers. Keys are lower-cased.
 */
function handshakeHeaderObject(upgrade: UpgradeInfo): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [key, value] of Object.entries(upgrade.headers)) {
    if (key.startsWith('sec-websocket-') || key === 'upgrade' || key === 'connection') continue;
    if (typeof value === 'string') plain[key] = value;
    else if (Array.isArray(value) && value.length > 0) plain[key] = value[0]!;
  }
  let object: HeaderObject | null = null;
  const query = upgrade.url.includes('?') ? new URLSearchParams(upgrade.url.slice(upgrade.url.indexOf('?') + 1)) : null;
  const header = query?.get('header');
  if (header) object = decodeHeaderObject(header);
  if (!object) {
    const sub = upgrade.protocols.find((p) => p.startsWith(HEADER_SUBPROTOCOL_PREFIX));
    if (sub) object = decodeHeaderObject(sub.slice(HEADER_SUBPROTOCOL_PREFIX.length));
  }
  return { ...plain, ...lowerCaseKeys(object ?? {}) };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}

/** The operation type `start` asks for, or null when the document does not parse (the host reports that). */
function operationType(query: string, operationName: string | null): string | null {
  let document: DocumentNode;
  try {
    document = parseQuery(query, { noLocation: true });
  } catch {
    return null;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  return operation?.operation ?? null;
}

export { APPSYNC_SUBPROTOCOL };
