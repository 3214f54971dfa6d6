/**
 * The `ws` adapter: accepts HTTP upgrades with a `WebSocketServer({ noServer: true })`, picks the
 * protocol from the path and offered subprotocols, and turns each `ws` socket into the minimal
 * `RealtimeSocket` the protocol servers in src/realtime drive.
 *
 * Routing (docs/realtime.md#endpoints):
 * - `/graphql/realtime` or `/graphql` offering `graphql-ws` → AppSync protocol (AppSync serves it
 *   at `/graphql` on its realtime host and at `/graphql/realtime` on custom domains); answered
 *   with `Sec-WebSocket-Protocol: graphql-ws`. The `header-<base64url>` subprotocol is read, never
 *   selected.
 * - `/graphql` offering `graphql-transport-ws` → the graphql-ws library's server.
 * - `/graphql/realtime` without `graphql-ws` → 400 (Gateway choice: rejected, as the spec says).
 * - anything else → not ours (`false`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { adaptWebSocket, type RealtimeSocket, type UpgradeInfo } from './socket.js';

export type RealtimeProtocol = 'appsync' | 'graphql-transport-ws';

export interface WebSocketAdapterOptions {
  /** Largest incoming frame; bigger frames close the socket with 1009. @default 1048576 */
  maxFrameBytes?: number;
  /**
   * Interval of WebSocket pings; a peer that has not answered the previous ping is dropped, so
   * dead TCP connections do not hold subscriptions until the 24 h lifetime. @default 60000
   */
  heartbeatIntervalMs?: number;
  /** Called with each accepted socket and the protocol it speaks. */
  onConnection(socket: RealtimeSocket, upgrade: UpgradeInfo, protocol: RealtimeProtocol): void;
}

export interface WebSocketAdapter {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

const APPSYNC = 'graphql-ws';
const TRANSPORT = 'graphql-transport-ws';

/** Which protocol an upgrade asks for, or why it is refused. */
export function selectProtocol(path: string, offered: readonly string[]): RealtimeProtocol | 'reject' | null {
  if (path === '/graphql/realtime') return offered.includes(APPSYNC) ? 'appsync' : 'reject';
  if (path === '/graphql') {
    if (offered.includes(TRANSPORT)) return 'graphql-transport-ws';
    if (offered.includes(APPSYNC)) return 'appsync';
    return 'reject';
  }
  return null;
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function createWebSocketAdapter(options: WebSocketAdapterOptions): WebSocketAdapter {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxFrameBytes ?? 1024 * 1024,
    perMessageDeflate: false,
    handleProtocols(protocols: Set<string>, req: IncomingMessage) {
      const selected = selectProtocol(pathOf(req), [...protocols]);
      if (selected === 'appsync') return APPSYNC;
      if (selected === 'graphql-transport-ws') return TRANSPORT;
      return false;
    },
  });

  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const client of wss.clients) {
      if (alive.get(client) === false) {
        client.terminate();
        continue;
      }
      alive.set(client, false);
      client.ping();
    }
  }, options.heartbeatIntervalMs ?? 60_000);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      const path = pathOf(req);
      const offered = offeredProtocols(req);
      const protocol = selectProtocol(path, offered);
      if (protocol === null) return false;
      if (protocol === 'reject') {
        socket.end(
          'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nUnsupported WebSocket subprotocol; ' +
            'offer graphql-ws or graphql-transport-ws.\n',
        );
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.set(ws, true);
        ws.on('pong', () => alive.set(ws, true));
        const upgrade: UpgradeInfo = {
          url: req.url ?? '/',
          headers: { ...req.headers },
          protocols: offered,
          remoteAddress: req.socket.remoteAddress ?? '',
        };
        options.onConnection(adaptWebSocket(ws), upgrade, protocol);
      });
      return true;
    },
    async close() {
      clearInterval(heartbeat);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?', 1)[0]!;
}
