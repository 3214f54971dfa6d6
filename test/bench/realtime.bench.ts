/**
 * Real-time bench (`runRealtimeBench`, collected by test/bench/run.ts):
 * - fan-out: time from sending one mutation (HTTP POST) to the moment its data frame has reached
 *   all N subscribers on one gateway instance (N = 1,000 and 10,000; 100 subscriptions per
 *   connection, AppSync's per-connection quota), median of 5 runs after warm-up; baseline: a bare
 *   `ws` server broadcasting a prebuilt frame to the same sockets;
 * - memory per idle connection (one subscription each): heap + external growth of the gateway
 *   process after GC, measured over 2,000 connections.
 * Clients run in this process, the server in a child process. Prints nothing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { API_KEY, CREATE_POST } from '../realtime/e2eApi.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  baseline?: string;
  ratio?: number;
}

const SERVER = fileURLToPath(new URL('./realtime-server.ts', import.meta.url));
const PER_CONNECTION = 100;
const RUNS = 5;

interface Child {
  child: ChildProcess;
  port: number;
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

function startChild(mode: 'gateway' | 'raw'): Promise<Child> {
  const child = fork(SERVER, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, MODE: mode },
    stdio: ['ignore', 'pipe', 'ignore', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (!m) return;
      resolve({
        child,
        port: Number(m[1]),
        memory: () =>
          new Promise((res) => {
            child.once('message', (msg) => res((msg as { memory: NodeJS.MemoryUsage }).memory));
            child.send('memory');
          }),
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGKILL');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`realtime bench server exited with ${code}`)));
  });
}

const header = (port: number) => Buffer.from(JSON.stringify({ host: `127.0.0.1:${port}`, 'x-api-key': API_KEY })).toString('base64');

/** Opens `connections` sockets with `perConnection` subscriptions each; calls onData for every data frame. */
async function openSubscribers(port: number, connections: number, perConnection: number, onData: (frame: Buffer) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const batch = 50;
  for (let i = 0; i < connections; i += batch) {
    const opened = await Promise.all(
      Array.from(
        { length: Math.min(batch, connections - i) },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql/realtime?header=${header(port)}&payload=e30=`, ['graphql-ws']);
            let acks = 0;
            ws.on('error', reject);
            ws.on('message', (data: Buffer) => {
              if (data.includes('"data"')) return onData(data);
              const text = data.toString();
              if (text.includes('connection_ack')) {
                for (let s = 0; s < perConnection; s++) {
                  ws.send(
                    JSON.stringify({
                      id: `s${s}`,
                      type: 'start',
                      payload: {
                        data: JSON.stringify({ query: 'subscription { onCreatePost { id } }' }),
                        extensions: { authorization: { 'x-api-key': API_KEY } },
                      },
                    }),
                  );
                }
              } else if (text.includes('start_ack') && ++acks === perConnection) {
                resolve(ws);
              } else if (text.includes('"error"')) {
                reject(new Error(text));
              }
            });
            ws.on('open', () => ws.send('{"type":"connection_init"}'));
          }),
      ),
    );
    sockets.push(...opened);
  }
  return sockets;
}

async function fanOut(mode: 'gateway' | 'raw', subscribers: number): Promise<number> {
  const server = await startChild(mode);
  let marker = '';
  let received = 0;
  let done: (() => void) | undefined;
  const sockets = await openSubscribers(server.port, Math.ceil(subscribers / PER_CONNECTION), PER_CONNECTION, (frame) => {
    if (marker && frame.includes(marker) && ++received === subscribers) done?.();
  });
  const once = async (id: string): Promise<number> => {
    marker = `"${id}"`;
    received = 0;
    const delivered = new Promise<void>((resolve) => (done = resolve));
    const started = performance.now();
    const response = fetch(`http://127.0.0.1:${server.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ query: CREATE_POST, variables: { id } }),
    });
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

async function memoryPerConnection(connections: number): Promise<number> {
  const server = await startChild('gateway');
  try {
    // Warm the code paths once so compiled code and caches are not counted per connection.
    const warm = await openSubscribers(server.port, 10, 1, () => undefined);
    for (const ws of warm) ws.terminate();
    await new Promise((r) => setTimeout(r, 200));
    const before = await server.memory();
    const sockets = await openSubscribers(server.port, connections, 1, () => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const after = await server.memory();
    for (const ws of sockets) ws.terminate();
    return (after.heapUsed + after.external - (before.heapUsed + before.external)) / connections;
  } finally {
    await server.stop();
  }
}

export async function runRealtimeBench(): Promise<Row[]> {
  const rows: Row[] = [];
  // Throwaway round: warms this process's client code so the first measured row is not penalised.
  await fanOut('raw', 1_000);
  for (const n of [1_000, 10_000]) {
    const raw = await fanOut('raw', n);
    const gateway = await fanOut('gateway', n);
    rows.push({
      name: `real-time fan-out: mutation → ${n.toLocaleString('en-US')} subscribers (${n / PER_CONNECTION} connections × ${PER_CONNECTION})`,
      value: Math.round(gateway * 10) / 10,
      unit: 'ms',
      baseline: `bare ws broadcast ${Math.round(raw * 10) / 10} ms`,
      ratio: gateway / raw,
    });
  }
  const perConnection = await memoryPerConnection(2_000);
  rows.push({
    name: 'real-time memory per idle connection (1 subscription, heap + external, 2,000 connections)',
    value: Math.round(perConnection / 102.4) / 10,
    unit: 'KiB',
  });
  return rows;
}
