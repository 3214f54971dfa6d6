/**
 * `node --import tsx test/bench/profile.ts [server] [seconds] [query]`: runs one bench server under
 * `node --cpu-prof`, loads it as `npm run bench` does, and prints the profile's top self-time
 * entries by function and by file/package. `server` is `gateway` (default: the built CLI on the
 * NONE API, as `npm start` runs it), `gateway-dynamodb`, `gateway-cached` / `gateway-cached-op` (the caching bench's
 * API with FULL_REQUEST_CACHING / OPERATION_LEVEL_CACHING: every request a hit), or one of servers/ (`lean`, `raw`, `yoga`);
 * `query` is `getPost` (default) or `echo` (the smallest query). `gateway-postgres` is the Postgres bench's API
 * (one-row select through RDS utils) at 16 connections against a PostgreSQL started for it.
 * The .cpuprofile stays in BENCH_PROFILE_DIR (default: a temp folder) for Chrome DevTools.
 * Prints the server's CPU time per request too (less disturbed by other load than req/s).
 * Env: BENCH_CONNECTIONS (50).
 */
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPgServer } from '../datasources/postgres/pgServer.js';
import { startCachingGateway } from './caching.bench.js';
import { POSTGRES_API_KEY, POSTGRES_BODY, seedBenchTable, startPostgresBenchGateway } from './postgres.bench.js';
import { CONNECTIONS, load, processCpuMicros, startGatewayCli, startServer } from './serverProcess.js';
import { API_KEY, BODY, ECHO_BODY } from './shared.js';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time per function and per file (node_modules collapsed to the package), in ms. */
export function summarizeProfile(profile: CpuProfile, top = 20): string {
  const selfTime = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    selfTime.set(profile.samples[i]!, (selfTime.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const shorten = (url: string) => url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+)\//, '$1:').replace(/^file:\/\/.*?\/(src|test|dist)\//, '$1/');
  for (const node of profile.nodes) {
    const ms = (selfTime.get(node.id) ?? 0) / 1000;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const fnKey = `${functionName || '(anonymous)'} ${url ? `${shorten(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + ms);
    const fileKey = url ? shorten(url).replace(/:.*$/, '') : functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + ms);
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(6)} ms  ${key}`)
      .join('\n');
  return `profile ${total.toFixed(0)} ms\n\nself time by function:\n${list(byFunction)}\n\nself time by file:\n${list(byFile)}\n`;
}

async function main(): Promise<void> {
  const server = process.argv[2] ?? 'gateway';
  const seconds = Number(process.argv[3] ?? 8);
  const dir = process.env.BENCH_PROFILE_DIR ?? (await mkdtemp(join(tmpdir(), 'appsync-bench-prof-')));
  const postgres = server === 'gateway-postgres';
  const body = postgres ? POSTGRES_BODY : process.argv[4] === 'echo' ? ECHO_BODY : BODY;
  const apiKey = postgres ? POSTGRES_API_KEY : API_KEY;
  const connections = postgres ? Number(process.env.BENCH_CONNECTIONS ?? 16) : CONNECTIONS;
  const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  // BENCH_PROFILE_SANDBOX=1 profiles the sandbox processes too (their profiles land in the same folder).
  const env: Record<string, string> = process.env.BENCH_PROFILE_SANDBOX ? { APPSYNC_GATEWAY_SANDBOX_NODE_OPTIONS: nodeArgs.join(' ') } : {};
  const pgServer = postgres ? await startPgServer() : undefined;
  if (pgServer) await seedBenchTable(pgServer.url);
  const running = pgServer
    ? await startPostgresBenchGateway(pgServer.url, nodeArgs, env)
    : server === 'gateway-cached' || server === 'gateway-cached-op'
      ? await startCachingGateway(server === 'gateway-cached' ? 'FULL_REQUEST_CACHING' : 'OPERATION_LEVEL_CACHING', nodeArgs, env)
      : server === 'gateway' || server === 'gateway-dynamodb'
        ? await startGatewayCli(server === 'gateway' ? 'none' : 'dynamodb', nodeArgs, env)
        : await startServer(`${server}.ts`, {}, nodeArgs);
  await load(running.port, 1, body, connections, apiKey);
  const pid = running.child.pid!;
  const cpuBefore = await running.cpuMicros();
  const mainBefore = processCpuMicros(pid, false);
  const r = await load(running.port, seconds, body, connections, apiKey);
  const per = (micros: number) => (micros / Math.max(1, r.total)).toFixed(0);
  const cpu = (await running.cpuMicros()) - cpuBefore;
  const main = processCpuMicros(pid, false) - mainBefore;
  process.stdout.write(
    `${server}: ${Math.round(r.reqPerSec)} req/s at ${connections} connections, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
      `server CPU ${per(cpu)} µs/req (gateway process ${per(main)}, sandbox processes ${per(cpu - main)}), errors ${r.errors}\n`,
  );
  await running.stop();
  await pgServer?.destroy();
  // One profile per thread (tsx's loader, worker threads): the main thread's is the largest.
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
  const file = files[sizes.indexOf(Math.max(...sizes))];
  if (!file) throw new Error(`no profile written in ${dir}`);
  process.stdout.write(`${join(dir, file)}\n${summarizeProfile(JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
