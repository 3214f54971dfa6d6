/**
 * The minimal socket both protocol servers drive (as graphql-ws's server drives its `WebSocket`
 * interface). `adaptWebSocket` turns a real `ws` socket into one (for both real-time protocols and
 * AppSync Events); tests can pass any object with these members.
 */
import type { WebSocket } from 'ws';

/** One accepted WebSocket connection. */
export interface RealtimeSocket {
  /** The subprotocol the server answered with (`graphql-ws` or `graphql-transport-ws`). */
  readonly protocol: string;
  /** Bytes queued for sending but not yet written to the network (slow-consumer detection). */
  readonly bufferedAmount: number;
  /** Sends one text frame; a no-op once the socket is closing. */
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Registers the handler for incoming text frames (one handler). */
  onMessage(listener: (data: string) => void): void;
  /** Registers the handler for the end of the connection (one handler). */
  onClose(listener: (code: number, reason: string) => void): void;
}

/** What the upgrade request told us, kept after the HTTP request is gone. */
export interface UpgradeInfo {
  /** Path and query string as received (`/graphql/realtime?header=...&payload=e30=`). */
  url: string;
  /** Lower-case request headers. */
  headers: Record<string, string | string[] | undefined>;
  /** Every subprotocol the client offered, in order. */
  protocols: string[];
  /** TCP peer address. */
  remoteAddress: string;
}

/** A `ws` socket as a `RealtimeSocket` (both real-time protocols and AppSync Events drive one). */
export function adaptWebSocket(ws: WebSocket): RealtimeSocket {
  let onClose: ((code: number, reason: string) => void) | undefined;
  ws.on('error', () => ws.terminate());
  ws.on('close', (code, reason) => onClose?.(code, reason.toString()));
  return {
    get protocol() {
      return ws.protocol;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(data) {
      if (ws.readyState === ws.OPEN) ws.send(data);
    },
    close(code, reason) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    },
    onMessage(listener) {
      ws.on('message', (data, isBinary) => listener(isBinary ? '' : data.toString()));
    },
    onClose(listener) {
      onClose = listener;
    },
  };
}
