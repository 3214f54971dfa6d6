/**
 * Global setup: one real Redis server per test run (Debian's `redis-server`, random port, no
 * persistence). Tests read its URL with `inject('redisUrl')`; an empty string means it could not
 * start, with the reason in `redisSkipReason`. With CI=true a failure fails the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisSkipReason: string;
  }
}

let child: ChildProcess | undefined;
let dir: string | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'appsync-gw-redis-'));
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s: ${output}`)), 10_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        };
        proc.stdout!.on('data', onData);
        proc.stderr!.on('data', onData);
        proc.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        proc.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with code ${code}: ${output.trim().split('\n').slice(-3).join(' ')}`));
        });
      });
      proc.stdout!.resume();
      proc.stderr!.resume();
      child = proc;
      return `redis://127.0.0.1:${port}`;
    } catch (err) {
      proc.kill('SIGKILL');
      lastError = err as Error;
    }
  }
  throw lastError ?? new Error('redis-server did not start');
}

export async function setup(project: TestProject): Promise<void> {
  try {
    project.provide('redisUrl', await startRedis());
    project.provide('redisSkipReason', '');
  } catch (err) {
    const reason = `Redis server could not start: ${(err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(reason, { cause: err });
    project.provide('redisUrl', '');
    project.provide('redisSkipReason', reason);
  }
}

export async function teardown(): Promise<void> {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
}
