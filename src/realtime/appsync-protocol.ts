/**
 * AppSync's real-time WebSocket protocol (subprotocol `graphql-ws`), written down as types:
 * one interface per frame (docs/realtime.md#behaviour), the close codes the gateway uses, and
 * `validateMessage`, which checks a client frame and names the offending field.
 *
 * Not to be confused with the `graphql-transport-ws` protocol of the graphql-ws library, which
 * the gateway serves on `/graphql` (see graphql-ws.ts).
 */
import type { ErrorEntry } from './types.js';

/** The subprotocol AppSync speaks (and the only one it answers with). */
export const APPSYNC_SUBPROTOCOL = 'graphql-ws';
/** Prefix of the subprotocol that carries the base64url header object (docs/realtime.md#endpoints). */
export const HEADER_SUBPROTOCOL_PREFIX = 'header-';

/** docs/realtime.md#behaviour: `connectionTimeoutMs` advertised in `connection_ack`. */
export const CONNECTION_TIMEOUT_MS = 300_000;
/** Gateway choice (docs/realtime.md#behaviour): `ka` right after the ack, then every 60 s. */
export const KEEP_ALIVE_INTERVAL_MS = 60_000;
/** docs/realtime.md#behaviour: connections are closed after 24 hours. */
export const MAX_CONNECTION_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** docs/realtime.md#behaviour: subscriptions per connection (adjustable on AppSync). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
/** docs/realtime.md#behaviour / docs/errors.md#request-limits: subscription payload size, 240 KB. */
export const MAX_PAYLOAD_BYTES = 240 * 1024;

/** Message types of the protocol. */
export enum MessageType {
  ConnectionInit = 'connection_init',
  ConnectionAck = 'connection_ack',
  ConnectionError = 'connection_error',
  KeepAlive = 'ka',
  Start = 'start',
  StartAck = 'start_ack',
  Data = 'data',
  Error = 'error',
  Stop = 'stop',
  Complete = 'complete',
}

/**
 * Close codes. AppSync does not document the codes it closes with; these are **Gateway choice**
 * (1000 for orderly closes as the invalidation walkthrough implies, 4xxx for protocol failures,
 * mirroring graphql-ws's `CloseCode` numbering).
 */
export enum CloseCode {
  /** Normal close: invalidation (docs/realtime.md#behaviour), server shutdown, 24 h lifetime. */
  Normal = 1000,
  /** The server is going away (gateway closing). */
  GoingAway = 1001,
  /** A slow consumer's send buffer passed the limit (delivery policy, see docs/realtime.md). */
  TryAgainLater = 1013,
  /** Handshake/connection authorization failed (after a `connection_error` frame). */
  Unauthorized = 4401,
  /** No `connection_init`/`start` within the connection timeout, or no traffic for `connectionTimeoutMs`. */
  ConnectionTimeout = 4408,
}

/** An error entry inside real-time `error`/`connection_error` frames. */
export interface RealtimeErrorEntry extends Partial<ErrorEntry> {
  errorType?: string | null;
  message: string;
  /** Present on connection errors (`401`), as AppSync sends it. */
  errorCode?: number;
}

/** The header object (docs/realtime.md#endpoints): `host` plus the credentials of one auth mode. */
export type HeaderObject = Record<string, string>;

// ----- client → server -----

export interface ConnectionInitMessage {
  readonly type: MessageType.ConnectionInit;
  readonly payload?: Record<string, unknown>;
}

export interface StartMessage {
  readonly id: string;
  readonly type: MessageType.Start;
  readonly payload: {
    /** Stringified `{ query, variables?, operationName? }`. */
    readonly data: string;
    readonly extensions: { readonly authorization: HeaderObject };
  };
}

export interface StopMessage {
  readonly id: string;
  readonly type: MessageType.Stop;
}

export type ClientMessage = ConnectionInitMessage | StartMessage | StopMessage;

// ----- server → client -----

export interface ConnectionAckMessage {
  readonly type: MessageType.ConnectionAck;
  readonly payload: { readonly connectionTimeoutMs: number };
}

export interface ConnectionErrorMessage {
  readonly type: MessageType.ConnectionError;
  readonly payload: { readonly errors: readonly RealtimeErrorEntry[] };
}

export interface KeepAliveMessage {
  readonly type: MessageType.KeepAlive;
}

export interface StartAckMessage {
  readonly type: MessageType.StartAck;
  readonly id: string;
}

export interface DataMessage {
  readonly type: MessageType.Data;
  readonly id: string;
  readonly payload: { readonly data: unknown; readonly errors?: readonly ErrorEntry[] };
}

export interface ErrorMessage {
  readonly type: MessageType.Error;
  /** Absent for errors not tied to a subscription (unknown message type). */
  readonly id?: string;
  readonly payload: { readonly errors: readonly RealtimeErrorEntry[] };
}

export interface CompleteMessage {
  readonly type: MessageType.Complete;
  readonly id: string;
  /** Only on invalidation: `{ message: "Subscription complete." }` (docs/realtime.md#behaviour). */
  readonly payload?: { readonly message: string };
}

export type ServerMessage = ConnectionAckMessage | ConnectionErrorMessage | KeepAliveMessage | StartAckMessage | DataMessage | ErrorMessage | CompleteMessage;

/** Result of `validateMessage`. */
export type ValidationResult = { ok: true; message: ClientMessage } | { ok: false; reason: string; id?: string };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks one parsed client frame. Unknown `type`s are not validated here (the server answers them
 * with `UnsupportedOperation`); the reason of a failure names the property and what it got, e.g.
 * `"start" message expects 'payload.data' to be a string, got object`.
 */
export function validateMessage(value: unknown): ValidationResult {
  if (!isObject(value)) return { ok: false, reason: `message expects an object, got ${describe(value)}` };
  const type = value.type;
  if (typeof type !== 'string') return { ok: false, reason: `message expects 'type' to be a string, got ${describe(type)}` };
  const id = typeof value.id === 'string' ? value.id : undefined;
  switch (type) {
    case MessageType.ConnectionInit:
      if (value.payload !== undefined && value.payload !== null && !isObject(value.payload)) {
        return { ok: false, reason: `"connection_init" message expects 'payload' to be an object, got ${describe(value.payload)}` };
      }
      return { ok: true, message: { type: MessageType.ConnectionInit } };
    case MessageType.Start: {
      if (typeof value.id !== 'string' || value.id === '') {
        return { ok: false, reason: `"start" message expects 'id' to be a non-empty string, got ${describe(value.id)}` };
      }
      const payload = value.payload;
      if (!isObject(payload)) return { ok: false, id, reason: `"start" message expects 'payload' to be an object, got ${describe(payload)}` };
      if (typeof payload.data !== 'string') {
        return { ok: false, id, reason: `"start" message expects 'payload.data' to be a string, got ${describe(payload.data)}` };
      }
      const extensions = payload.extensions;
      if (!isObject(extensions)) {
        return { ok: false, id, reason: `"start" message expects 'payload.extensions' to be an object, got ${describe(extensions)}` };
      }
      const authorization = extensions.authorization;
      if (!isObject(authorization)) {
        return { ok: false, id, reason: `"start" message expects 'payload.extensions.authorization' to be an object, got ${describe(authorization)}` };
      }
      const headers: HeaderObject = {};
      for (const [key, v] of Object.entries(authorization)) {
        if (typeof v === 'string') headers[key] = v;
        else if (typeof v === 'number' || typeof v === 'boolean') headers[key] = String(v);
      }
      return { ok: true, message: { id: value.id, type: MessageType.Start, payload: { data: payload.data, extensions: { authorization: headers } } } };
    }
    case MessageType.Stop:
      if (typeof value.id !== 'string' || value.id === '') {
        return { ok: false, reason: `"stop" message expects 'id' to be a non-empty string, got ${describe(value.id)}` };
      }
      return { ok: true, message: { id: value.id, type: MessageType.Stop } };
    default:
      return { ok: false, reason: `unknown message type '${type}'`, id };
  }
}

/**
 * Parses a start message's `payload.data` string (`{"query": "...", "variables": {...}}`).
 * Returns a reason naming the field on failure.
 */
export function parseStartData(
  data: string,
): { ok: true; query: string; variables: Record<string, unknown> | null; operationName: string | null } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { ok: false, reason: `'payload.data' is not valid JSON` };
  }
  if (!isObject(parsed)) return { ok: false, reason: `'payload.data' expects an object, got ${describe(parsed)}` };
  if (typeof parsed.query !== 'string') return { ok: false, reason: `'payload.data.query' expects a string, got ${describe(parsed.query)}` };
  const variables = parsed.variables;
  if (variables !== undefined && variables !== null && !isObject(variables)) {
    return { ok: false, reason: `'payload.data.variables' expects an object, got ${describe(variables)}` };
  }
  const operationName = parsed.operationName;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return { ok: false, reason: `'payload.data.operationName' expects a string, got ${describe(operationName)}` };
  }
  return {
    ok: true,
    query: parsed.query,
    variables: (variables as Record<string, unknown> | undefined) ?? null,
    operationName: (operationName as string | undefined) ?? null,
  };
}

/** Decodes a header object from base64 or base64url JSON; null when it is not a JSON object. */
export function decodeHeaderObject(encoded: string): HeaderObject | null {
  try {
    const normalized = encoded.replace(/-/g, '+').replace(/_/g, '/');
    const text = Buffer.from(normalized, 'base64').toString('utf8');
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) return null;
    const headers: HeaderObject = {};
    for (const [key, v] of Object.entries(parsed)) {
      if (typeof v === 'string') headers[key] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') headers[key] = String(v);
    }
    return headers;
  } catch {
    return null;
  }
}
