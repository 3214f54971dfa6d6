/**
 * One `aws-appsync-event-ws` connection (docs/events.md#websocket-protocol): `connection_init` is
 * authorized with the handshake headers (the `header-` subprotocol over the upgrade request's
 * own), then `subscribe`, `publish` and `unsubscribe` each carry their own `authorization`.
 * Messages that arrive while the handshake is being authorized wait for it.
 */
import type { AuthRequest } from '../auth/index.js';
import type { Logger } from '../datasources/types.js';
import type { RealtimeSocket, UpgradeInfo } from '../realtime/index.js';
import type { EventBus } from './bus.js';
import { authorizeSubscription, EventsRefusal, publishEvents, type EventsVersion } from './operations.js';
import { decodeHeaderSubprotocol, EventsCloseCode, LIMITS, validateMessage, type ClientMessage, type ServerMessage } from './protocol.js';

export interface ConnectionOptions {
  version(): Promise<EventsVersion | undefined>;
  bus: EventBus;
  logger: Logger;
  connectionTimeoutMs: number;
  keepAliveIntervalMs: number;
  maxSubscriptions: number;
  /** Unsent bytes a socket may hold before it is closed as a slow consumer (1013). */
  maxBufferedBytes: number;
  onClosed(connection: EventsConnection): void;
}

/** Where Amplify signs IAM requests of the socket: the HTTP endpoint's path. */
const SIGNED_PATH = '/event';
const UNAUTHORIZED = 'You are not authorized to make this call.';

export class EventsConnection {
  readonly #socket: RealtimeSocket;
  readonly #upgrade: UpgradeInfo;
  readonly #options: ConnectionOptions;
  readonly #handshake: Record<string, string>;
  readonly #subscriptions = new Map<string, { remove?: () => void; cancelled: boolean }>();
  #state: 'new' | 'authorizing' | 'ready' | 'closed' = 'new';
  #waiting: ClientMessage[] = [];
  #keepAlive: NodeJS.Timeout | undefined;
  #idle: NodeJS.Timeout | undefined;
  readonly #lifetime: NodeJS.Timeout;

  constructor(socket: RealtimeSocket, upgrade: UpgradeInfo, options: ConnectionOptions) {
    this.#socket = socket;
    this.#upgrade = upgrade;
    this.#options = options;
    this.#handshake = handshakeHeaders(upgrade);
    socket.onMessage((data) => this.#onMessage(data));
    socket.onClose(() => this.#cleanup());
    this.#lifetime = setTimeout(() => this.close(EventsCloseCode.Normal, 'Connection lifetime exceeded'), LIMITS.connectionLifetimeMs);
    this.#lifetime.unref();
    this.#touch();
  }

  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#socket.close(code, reason);
    this.#cleanup();
  }

  #send(message: ServerMessage | string): void {
    if (this.#state === 'closed') return;
    if (this.#socket.bufferedAmount > this.#options.maxBufferedBytes) {
      // Delivery policy (docs/events.md#gateway-choices): a consumer that cannot keep up is closed, not buffered without bound.
      this.#options.logger.warn('closing slow Events consumer', { bufferedAmount: this.#socket.bufferedAmount });
      this.close(EventsCloseCode.TryAgainLater, 'Slow consumer');
      return;
    }
    this.#socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Gateway choice: a connection without subscriptions and without traffic for `connectionTimeoutMs` is closed. */
  #touch(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
    if (this.#state === 'closed' || this.#subscriptions.size > 0) return;
    this.#idle = setTimeout(() => this.close(EventsCloseCode.ConnectionTimeout, 'Connection timeout'), this.#options.connectionTimeoutMs);
    this.#idle.unref();
  }

  #cleanup(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearInterval(this.#keepAlive);
    clearTimeout(this.#idle);
    clearTimeout(this.#lifetime);
    for (const sub of this.#subscriptions.values()) {
      sub.cancelled = true;
      sub.remove?.();
    }
    this.#subscriptions.clear();
    this.#waiting = [];
    this.#options.onClosed(this);
  }

  #onMessage(data: string): void {
    if (this.#state === 'closed') return;
    this.#touch();
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.#send({ type: 'error', errors: [{ errorType: 'UnsupportedOperation', message: 'unknown not supported through the realtime channel' }] });
      return;
    }
    const result = validateMessage(parsed);
    if (!result.ok) {
      const errors = [{ errorType: result.errorType, message: result.reason }];
      if (result.id !== undefined && (result.type === 'subscribe' || result.type === 'publish' || result.type === 'unsubscribe'))
        this.#send({ type: `${result.type}_error`, id: result.id, errors });
      else this.#send(result.id === undefined ? { type: 'error', errors } : { type: 'error', id: result.id, errors });
      return;
    }
    this.#dispatch(result.message);
  }

  #dispatch(message: ClientMessage): void {
    if (message.type === 'connection_init') {
      void this.#init();
      return;
    }
    if (this.#state === 'authorizing') {
      this.#waiting.push(message);
      return;
    }
    if (this.#state !== 'ready') {
      // Gateway choice (docs/events.md#gateway-choices): operations before connection_init are refused, the connection stays.
      this.#send({
        type: `${message.type}_error`,
        id: message.id,
        errors: [{ errorType: 'BadRequestException', message: 'Send connection_init and wait for connection_ack first.' }],
      });
      return;
    }
    const failed = (error: unknown) => {
      this.#options.logger.warn(`Events ${message.type} failed`, { error: error instanceof Error ? error.stack : String(error) });
      this.#send({ type: `${message.type}_error`, id: message.id, errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }] });
    };
    if (message.type === 'subscribe') this.#subscribe(message.id, message.channel, message.authorization).catch(failed);
    else if (message.type === 'publish') this.#publish(message.id, message.channel, message.events, message.authorization).catch(failed);
    else this.#unsubscribe(message.id);
  }

  async #init(): Promise<void> {
    if (this.#state === 'ready') {
      // Gateway choice: a repeated connection_init is acknowledged again.
      this.#send({ type: 'connection_ack', connectionTimeoutMs: this.#options.connectionTimeoutMs });
      return;
    }
    if (this.#state !== 'new') return;
    this.#state = 'authorizing';
    try {
      // A version that failed to load (logged where it loads) refuses the handshake.
      const version = await this.#options.version().catch(() => undefined);
      if (!version) throw new EventsRefusal('UnauthorizedException', UNAUTHORIZED, 401);
      await version.auth.authorize('connect', undefined, this.#authRequest(this.#handshake, '{}'));
    } catch (error) {
      // The socket may have closed while the handshake was checked.
      if ((this.#state as string) === 'closed') return;
      const message = error instanceof Error && 'errorType' in error ? error.message : UNAUTHORIZED;
      this.#send({ type: 'connection_error', errors: [{ errorType: 'UnauthorizedException', message, errorCode: 401 }] });
      this.close(EventsCloseCode.Unauthorized, 'Unauthorized');
      return;
    }
    if (this.#state !== 'authorizing') return;
    this.#state = 'ready';
    this.#send({ type: 'connection_ack', connectionTimeoutMs: this.#options.connectionTimeoutMs });
    // Gateway choice: `ka` right after the ack, then at a fixed interval (as on the GraphQL channel).
    this.#send({ type: 'ka' });
    this.#keepAlive = setInterval(() => this.#send({ type: 'ka' }), this.#options.keepAliveIntervalMs);
    this.#keepAlive.unref();
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const message of waiting) this.#dispatch(message);
  }

  async #subscribe(id: string, channelText: string, authorization: Record<string, string> | undefined): Promise<void> {
    if (this.#subscriptions.has(id)) {
      this.#send({
        type: 'subscribe_error',
        id,
        errors: [{ errorType: 'BadRequestException', message: `Subscription id '${id}' is already in use on this connection.` }],
      });
      return;
    }
    if (this.#subscriptions.size >= this.#options.maxSubscriptions) {
      this.#send({
        type: 'subscribe_error',
        id,
        errors: [{ errorType: 'LimitExceededError', message: `A connection can hold at most ${this.#options.maxSubscriptions} subscriptions.` }],
      });
      return;
    }
    const state: { remove?: () => void; cancelled: boolean } = { cancelled: false };
    this.#subscriptions.set(id, state);
    this.#touch();
    const fail = (refusal: EventsRefusal) => {
      if (this.#subscriptions.get(id) === state) this.#subscriptions.delete(id);
      this.#touch();
      this.#send({ type: 'subscribe_error', id, errors: [refusal.entry] });
    };
    const version = await this.#options.version();
    if (!version) return fail(new EventsRefusal('UnauthorizedException', UNAUTHORIZED, 401));
    if (!authorization) return fail(new EventsRefusal('UnauthorizedException', UNAUTHORIZED, 401));
    const headers = lowerCase(authorization);
    let key: string;
    try {
      const channel = await authorizeSubscription(version, {
        channel: channelText,
        request: this.#authRequest(headers, JSON.stringify({ channel: channelText })),
        headers,
      });
      key = channel.path;
    } catch (error) {
      if (error instanceof EventsRefusal) return fail(error);
      throw error;
    }
    if (state.cancelled) return;
    const idJson = JSON.stringify(id);
    const remove = await this.#options.bus.subscribe(key, { idJson, send: (frame) => this.#send(frame) });
    if (state.cancelled || this.#state === 'closed') {
      remove();
      return;
    }
    state.remove = remove;
    this.#send({ type: 'subscribe_success', id });
  }

  async #publish(id: string, channel: string, events: unknown[], authorization: Record<string, string> | undefined): Promise<void> {
    const version = await this.#options.version();
    try {
      if (!version || !authorization) throw new EventsRefusal('UnauthorizedException', UNAUTHORIZED, 401);
      const headers = lowerCase(authorization);
      const result = await publishEvents(version, this.#options.bus, {
        channel,
        events,
        request: this.#authRequest(headers, JSON.stringify({ channel, events })),
        headers,
      });
      this.#send({ type: 'publish_success', id, successful: result.successful, failed: result.failed });
    } catch (error) {
      if (!(error instanceof EventsRefusal)) throw error;
      this.#send({ type: 'publish_error', id, errors: [error.entry] });
    }
  }

  #unsubscribe(id: string): void {
    const state = this.#subscriptions.get(id);
    if (!state) {
      this.#send({
        type: 'unsubscribe_error',
        id,
        errors: [{ errorType: 'BadRequestException', message: `No subscription with id '${id}' on this connection.` }],
      });
      return;
    }
    state.cancelled = true;
    state.remove?.();
    this.#subscriptions.delete(id);
    this.#touch();
    this.#send({ type: 'unsubscribe_success', id });
  }

  /** Credentials as the auth modes read them; IAM checks the signature over `POST /event` with `body`. */
  #authRequest(headers: Record<string, string>, body: string): AuthRequest {
    const forwarded = this.#upgrade.headers['x-forwarded-for'];
    const merged: Record<string, string | string[] | undefined> = { ...headers };
    if (forwarded !== undefined && merged['x-forwarded-for'] === undefined) merged['x-forwarded-for'] = forwarded;
    return { headers: merged, method: 'POST', url: SIGNED_PATH, body, sourceIp: this.#upgrade.remoteAddress, host: headers.host };
  }
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}

/** The `header-` subprotocol's object over the upgrade request's own headers (WebSocket ones left out). */
function handshakeHeaders(upgrade: UpgradeInfo): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [key, value] of Object.entries(upgrade.headers)) {
    if (key.startsWith('sec-websocket-') || key === 'upgrade' || key === 'connection') continue;
    if (typeof value === 'string') plain[key] = value;
    else if (Array.isArray(value) && value.length > 0) plain[key] = value[0]!;
  }
  return { ...plain, ...(decodeHeaderSubprotocol(upgrade.protocols) ?? {}) };
}
