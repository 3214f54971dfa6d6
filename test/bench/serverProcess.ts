/**
 * A bench server (servers/<name>.ts) in its own process, and the autocannon load every server
 * gets: the same URL, headers, body and connection count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { API_KEY, BODY } from './shared.js';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /** The server's CPU time (user + system) so far, in µs (see shared.ts `announce`). */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

export function startServer(file: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  const path = fileURLToPath(new URL(`./servers/${file}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path], { env: { ...process.env, NODE_NO_WARNINGS: '1', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const cpuWaiters: Array<(micros: number) => void> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const listening = /LISTENING (\d+)\n/.exec(out);
      if (listening) {
        out = out.slice(listening.index + listening[0].length);
        resolve({
          port: Number(listening[1]),
          child,
          cpuMicros: () =>
            new Promise((resolveCpu) => {
              cpuWaiters.push(resolveCpu);
              child.kill('SIGUSR2');
            }),
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
            await exited;
          },
        });
      }
      for (let m = /CPU (\d+)\n/.exec(out); m; m = /CPU (\d+)\n/.exec(out)) {
        out = out.slice(m.index + m[0].length);
        cpuWaiters.shift()?.(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

export interface LoadResult {
  reqPerSec: number;
  total: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `seconds` of load at CONNECTIONS connections, every request the same POST /graphql. */
export async function load(port: number, seconds: number): Promise<LoadResult> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: BODY,
    connections: CONNECTIONS,
    duration: seconds,
  });
  return { reqPerSec: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}
