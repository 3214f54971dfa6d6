/**
 * AppSync Events bench (`runEventsBench`, collected by test/bench/run.ts; `BENCH_ONLY=events`):
 * - fan-out: time from sending one `POST /event` to the moment its `data` frame has reached all N
 *   subscriptions on one instance (100 subscriptions per connection, AppSync's quota), median of
 *   5 runs after warm-up;
 * - publishes per second over HTTP (20 requests in flight) and over one socket (50 publishes in
 *   flight), one event each, no subscribers, 3 s each;
 * - memory per idle connection (one subscription each): heap + external growth of the gateway
 *   process after GC over 2,000 connections (compare: the GraphQL real-time row).
 * Clients run in this process, the gateway in a child process: the built CLI (dist/), as users run it. Prints nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startCliProject } from './serverProcess.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  baseline?: string;
  ratio?: number;
}

/** Answers IPC `memory` with `process.memoryUsage()` after a GC, inside the CLI's process. */
const PROBE = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));
const KEY = 'da2-eventsbench01';
/** The Event API users run: an `events:` block (API key, the `default` namespace, no handlers) served by the built CLI. */
const CONFIG = `name: events-bench\nschemaSdl: "type Query { ok: Boolean }"\napiKeys: [{ name: k, value: ${KEY} }]\nevents: {}\n`;
const PER_CONNECTION = 100;
const RUNS = 5;
const auth = { 'x-api-key': KEY };

interface Child {
  child: ChildProcess;
  port: number;
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

/** The built CLI (`appsync-gateway serve` from dist/, as `npm start` runs it) on the bench config. */
async function startChild(): Promise<Child> {
  const server = await startCliProject('events', { 'appsync.config.yml': CONFIG }, ['--expose-gc', '--import', PROBE], {}, { ipc: true });
  return {
    child: server.child,
    port: server.port,
    memory: () =>
      new Promise((resolve) => {
        server.child.once('message', (msg) => resolve((msg as { memory: NodeJS.MemoryUsage }).memory));
        server.child.send('memory');
      }),
    stop: () => server.stop(),
  };
}

const protocols = () => ['aws-appsync-event-ws', `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`];

/** Opens `connections` sockets with `perConnection` subscriptions on `/default/bench` each. */
async function openSubscribers(port: number, connections: number, perConnection: number, onData: (frame: Buffer) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < connections; i += 50) {
    const opened = await Promise.all(
      Array.from(
        { length: Math.min(50, connections - i) },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/event/realtime`, protocols());
            let acks = 0;
            ws.on('error', reject);
            ws.on('message', (data: Buffer) => {
              if (data.includes('"type":"data"')) return onData(data);
              const text = data.toString();
              if (text.includes('connection_ack')) {
                for (let s = 0; s < perConnection; s++)
                  ws.send(JSON.stringify({ type: 'subscribe', id: `s${s}`, channel: '/default/bench', authorization: auth }));
              } else if (text.includes('subscribe_success') && ++acks === perConnection) resolve(ws);
              else if (text.includes('_error')) reject(new Error(text));
            });
            ws.on('open', () => ws.send('{"type":"connection_init"}'));
          }),
      ),
    );
    sockets.push(...opened);
  }
  return sockets;
}

const publish = (port: number, events: string[], channel = '/default/bench') =>
  fetch(`http://127.0.0.1:${port}/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ channel, events }),
  });

async function fanOut(subscribers: number): Promise<number> {
  const server = await startChild();
  let marker = '';
  let received = 0;
  let done: (() => void) | undefined;
  const sockets = await openSubscribers(server.port, Math.ceil(subscribers / PER_CONNECTION), PER_CONNECTION, (frame) => {
    if (marker && frame.includes(marker) && ++received === subscribers) done?.();
  });
  const once = async (id: string): Promise<number> => {
    marker = id;
    received = 0;
    const delivered = new Promise<void>((resolve) => (done = resolve));
    const started = performance.now();
    const response = publish(server.port, [JSON.stringify({ id })]);
    await delivered;
    const elapsed = performance.now() - started;
    await response;
    return elapsed;
  };
  try {
    for (let w = 0; w < 3; w++) await once(`warm-${w}`);
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) times.push(await once(`run-${r}`));
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

async function httpPublishRate(port: number, seconds: number, inFlight: number): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const res = await publish(port, ['{"n":1}'], '/default/rate');
        if (res.status !== 200) throw new Error(`publish answered ${res.status}`);
        await res.arrayBuffer();
        done++;
      }
    }),
  );
  return done / seconds;
}

async function socketPublishRate(port: number, seconds: number, inFlight: number): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/event/realtime`, protocols());
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.once('message', () => resolve());
    ws.on('open', () => ws.send('{"type":"connection_init"}'));
  });
  let sent = 0;
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const frame = (n: number) => JSON.stringify({ type: 'publish', id: `p${n}`, channel: '/default/rate', events: ['{"n":1}'], authorization: auth });
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      if (data.includes('publish_error')) return reject(new Error(data.toString()));
      if (!data.includes('publish_success')) return;
      done++;
      if (performance.now() < until) ws.send(frame(sent++));
      else if (done === sent) resolve();
    });
    for (let i = 0; i < inFlight; i++) ws.send(frame(sent++));
  });
  ws.terminate();
  return done / seconds;
}

async function memoryPerConnection(port: number, memory: () => Promise<NodeJS.MemoryUsage>, connections: number): Promise<number> {
  const warm = await openSubscribers(port, 10, 1, () => undefined);
  for (const ws of warm) ws.terminate();
  await new Promise((r) => setTimeout(r, 200));
  const before = await memory();
  const sockets = await openSubscribers(port, connections, 1, () => undefined);
  await new Promise((r) => setTimeout(r, 200));
  const after = await memory();
  for (const ws of sockets) ws.terminate();
  return (after.heapUsed + after.external - (before.heapUsed + before.external)) / connections;
}

export async function runEventsBench(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of [1_000, 10_000]) {
    rows.push({
      name: `Events fan-out: POST /event → ${n.toLocaleString('en-US')} subscriptions (${n / PER_CONNECTION} connections × ${PER_CONNECTION})`,
      value: Math.round((await fanOut(n)) * 10) / 10,
      unit: 'ms',
    });
  }
  const server = await startChild();
  try {
    await httpPublishRate(server.port, 1, 20); // warm-up
    rows.push({
      name: 'Events publishes/s over HTTP (1 event each, 20 in flight)',
      value: Math.round(await httpPublishRate(server.port, 3, 20)),
      unit: 'publishes/s',
    });
    await socketPublishRate(server.port, 1, 50);
    rows.push({
      name: 'Events publishes/s over one socket (1 event each, 50 in flight)',
      value: Math.round(await socketPublishRate(server.port, 3, 50)),
      unit: 'publishes/s',
    });
    const perConnection = await memoryPerConnection(server.port, server.memory, 2_000);
    rows.push({
      name: 'Events memory per idle connection (1 subscription, heap + external, 2,000 connections)',
      value: Math.round(perConnection / 102.4) / 10,
      unit: 'KiB',
    });
  } finally {
    await server.stop();
  }
  return rows;
}
