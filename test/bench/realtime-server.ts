/**
 * Child process for the real-time bench. MODE=gateway: a real gateway serving the real-time e2e
 * API (NONE data source, `@aws_subscribe`). MODE=raw: the baseline, a bare `ws` server speaking
 * just enough of the AppSync protocol (ack, start_ack) that broadcasts one prebuilt data frame per
 * subscription when POST /graphql arrives — the floor for fan-out over the same sockets.
 * Prints `LISTENING <port>`; answers IPC `memory` with `process.memoryUsage()` after a GC.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { createGateway } from '../../src/index.js';
import { files, realtimeConfig } from '../realtime/e2eApi.js';
import { silentLogger } from '../utils/logger.js';

process.on('message', (message) => {
  if (message !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ memory: process.memoryUsage() });
});

async function startGateway(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-rt-bench-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  const gateway = await createGateway(realtimeConfig('realtime-bench'), { configDir: dir, logger: silentLogger });
  const { port } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  return port;
}

async function startRaw(): Promise<number> {
  const subscriptions = new Map<WebSocket, string[]>();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'graphql-ws' });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { variables } = JSON.parse(body) as { variables: { id: string } };
      const payload = JSON.stringify({ data: { onCreatePost: { id: variables.id } } });
      for (const [ws, ids] of subscriptions) for (const id of ids) ws.send(`{"type":"data","id":${JSON.stringify(id)},"payload":${payload}}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { createPost: { id: variables.id } } }));
    });
  });
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      subscriptions.set(ws, []);
      ws.on('close', () => subscriptions.delete(ws));
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; id?: string };
        if (frame.type === 'connection_init') ws.send('{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}');
        if (frame.type === 'start') {
          subscriptions.get(ws)!.push(frame.id!);
          ws.send(JSON.stringify({ type: 'start_ack', id: frame.id }));
        }
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const port = process.env.MODE === 'raw' ? await startRaw() : await startGateway();
process.stdout.write(`LISTENING ${port}\n`);
