/**
 * The AppSync Events WebSocket protocol (`aws-appsync-event-ws`, docs/events.md#websocket-protocol):
 * one interface per frame, the limits, and a validator whose errors name the field. The
 * discriminator of every frame is `type`; events travel as JSON text.
 */

/** The subprotocol a client must offer; `header-<base64url(JSON)>` carries its auth headers beside it. */
export const EVENTS_SUBPROTOCOL = 'aws-appsync-event-ws';
export const HEADER_SUBPROTOCOL_PREFIX = 'header-';

/** AWS AppSync Events limits (docs/events.md#limits). */
export const LIMITS = {
  /** Events in one publish, over HTTP or the socket. */
  eventsPerPublish: 5,
  /** Bytes of one event's JSON text. */
  eventBytes: 240 * 1024,
  /** Segments of a channel path, the namespace included. */
  channelSegments: 5,
  /** Characters of one segment (the namespace-name rule). */
  segmentLength: 50,
  /** Subscriptions one connection may hold. */
  subscriptionsPerConnection: 100,
  /** Advertised in `connection_ack`; a silent connection closes after it. */
  connectionTimeoutMs: 300_000,
  keepAliveIntervalMs: 60_000,
  /** A connection's longest life. */
  connectionLifetimeMs: 24 * 60 * 60 * 1000,
} as const;

/** One entry of a frame's `errors`. */
export interface EventsErrorEntry {
  errorType: string;
  message: string;
  errorCode?: number;
}

export interface ConnectionInitMessage {
  type: 'connection_init';
}
export interface SubscribeMessage {
  type: 'subscribe';
  id: string;
  channel: string;
  authorization?: Record<string, string>;
}
export interface PublishMessage {
  type: 'publish';
  id: string;
  channel: string;
  events: unknown[];
  authorization?: Record<string, string>;
}
export interface UnsubscribeMessage {
  type: 'unsubscribe';
  id: string;
}
export type ClientMessage = ConnectionInitMessage | SubscribeMessage | PublishMessage | UnsubscribeMessage;

/** The outcome of one event of a publish: `successful` and `failed` entries, over HTTP and the socket. */
export interface PublishedEntry {
  identifier: string;
  index: number;
}
export interface FailedEntry extends PublishedEntry {
  code: number;
  message: string;
}

export type ServerMessage =
  | { type: 'connection_ack'; connectionTimeoutMs: number }
  | { type: 'connection_error'; errors: EventsErrorEntry[] }
  | { type: 'ka' }
  | { type: 'subscribe_success'; id: string }
  | { type: 'subscribe_error'; id: string; errors: EventsErrorEntry[] }
  | { type: 'unsubscribe_success'; id: string }
  | { type: 'unsubscribe_error'; id: string; errors: EventsErrorEntry[] }
  | { type: 'publish_success'; id: string; successful: PublishedEntry[]; failed: FailedEntry[] }
  | { type: 'publish_error'; id: string; errors: EventsErrorEntry[] }
  | { type: 'error'; id?: string; errors: EventsErrorEntry[] };

/** Close codes besides the standard ones (the GraphQL real-time side's numbering). */
export enum EventsCloseCode {
  Normal = 1000,
  GoingAway = 1001,
  /** A slow consumer's send buffer passed the limit. */
  TryAgainLater = 1013,
  Unauthorized = 4401,
  ConnectionTimeout = 4408,
}

export type Validation = { ok: true; message: ClientMessage } | { ok: false; id?: string; type?: string; reason: string; errorType: string };

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks one parsed frame; a refusal names the field at fault. Unknown or missing `type`s are
 * `UnsupportedOperation` (as the GraphQL real-time channel answers them), a known type with a bad
 * field is `BadRequestException`.
 */
export function validateMessage(value: unknown): Validation {
  if (!isObject(value)) return { ok: false, reason: 'A message must be a JSON object.', errorType: 'UnsupportedOperation' };
  const { type } = value;
  const id = typeof value.id === 'string' ? value.id : undefined;
  const bad = (reason: string): Validation => ({ ok: false, id, type: type as string, reason, errorType: 'BadRequestException' });
  switch (type) {
    case 'connection_init':
      return { ok: true, message: { type } };
    case 'subscribe':
    case 'publish':
    case 'unsubscribe': {
      if (typeof value.id !== 'string' || value.id === '') return bad(`${type}: "id" must be a non-empty string, got ${shown(value.id)}.`);
      if (type === 'unsubscribe') return { ok: true, message: { type, id: value.id } };
      if (typeof value.channel !== 'string') return bad(`${type}: "channel" must be a string, got ${shown(value.channel)}.`);
      if (value.authorization !== undefined && !isStringRecord(value.authorization))
        return bad(`${type}: "authorization" must be an object of header strings, got ${shown(value.authorization)}.`);
      const authorization = value.authorization as Record<string, string> | undefined;
      if (type === 'subscribe') return { ok: true, message: { type, id: value.id, channel: value.channel, authorization } };
      if (!Array.isArray(value.events)) return bad(`publish: "events" must be a list of JSON strings, got ${shown(value.events)}.`);
      return { ok: true, message: { type, id: value.id, channel: value.channel, events: value.events, authorization } };
    }
    default:
      return {
        ok: false,
        id,
        type: typeof type === 'string' ? type : undefined,
        reason: `${typeof type === 'string' ? type : 'unknown'} not supported through the realtime channel`,
        errorType: 'UnsupportedOperation',
      };
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Decodes the JSON header object of a `header-` subprotocol (base64url, padding optional); null when it is not one. */
export function decodeHeaderSubprotocol(protocols: readonly string[]): Record<string, string> | null {
  const entry = protocols.find((p) => p.startsWith(HEADER_SUBPROTOCOL_PREFIX));
  if (!entry) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(entry.slice(HEADER_SUBPROTOCOL_PREFIX.length), 'base64url').toString('utf8'));
    if (!isObject(parsed)) return null;
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(parsed)) if (typeof v === 'string') out[key.toLowerCase()] = v;
    return out;
  } catch (error) {
    // Not base64url JSON: the connection goes on with the upgrade request's own headers.
    void error;
    return null;
  }
}
