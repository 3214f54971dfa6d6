/**
 * src/realtime/websocket.ts: upgrade routing by path and subprotocol (realtime.md §1) and the
 * heartbeat that drops dead peers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { createWebSocketAdapter, selectProtocol } from '../../src/realtime/websocket.js';
import type { RealtimeSocket } from '../../src/realtime/socket.js';

describe('selectProtocol', () => {
  const cases: Array<[string, string[], ReturnType<typeof selectProtocol>]> = [
    ['/graphql/realtime', ['graphql-ws'], 'appsync'],
    ['/graphql/realtime', ['graphql-ws', 'header-eyJ4IjoxfQ'], 'appsync'],
    ['/graphql/realtime', ['graphql-transport-ws'], 'reject'],
    ['/graphql/realtime', [], 'reject'],
    ['/graphql', ['graphql-transport-ws'], 'graphql-transport-ws'],
    ['/graphql', ['graphql-ws'], 'appsync'],
    ['/graphql', [], 'reject'],
    ['/other', ['graphql-ws'], null],
  ];
  for (const [path, offered, expected] of cases) {
    it(`${path} offering [${offered.join(', ')}] → ${expected}`, () => expect(selectProtocol(path, offered)).toBe(expected));
  }
});

describe('heartbeat', () => {
  it('drops a peer that does not answer pings and keeps one that does', async () => {
    const accepted: RealtimeSocket[] = [];
    const adapter = createWebSocketAdapter({ heartbeatIntervalMs: 250, onConnection: (socket) => accepted.push(socket) });
    const server = createServer();
    server.on('upgrade', (req, socket, head) => {
      if (!adapter.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql/realtime`;
    try {
      const open = (autoPong: boolean) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, ['graphql-ws'], { autoPong });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        });
      const healthy = await open(true);
      const dead = await open(false);
      const deadClosed = new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)));
      expect(await deadClosed).toBe(1006);
      expect(healthy.readyState).toBe(WebSocket.OPEN);
      expect(accepted.map((s) => s.protocol)).toEqual(['graphql-ws', 'graphql-ws']);
      healthy.close();
    } finally {
      await adapter.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
