/**
 * `node --import tsx test/bench/profile.ts [server] [seconds] [query]`: runs one bench server under
 * `node --cpu-prof`, loads it as `npm run bench` does, and prints the profile's top self-time
 * entries by function and by file/package. `server` is `gateway` (default: the built CLI on the
 * NONE API, as `npm start` runs it), `gateway-dynamodb`, or one of servers/ (`lean`, `raw`, `yoga`);
 * `query` is `getPost` (default) or `echo` (the smallest query).
 * The .cpuprofile stays in BENCH_PROFILE_DIR (default: a temp folder) for Chrome DevTools.
 * Prints the server's CPU time per request too (less disturbed by other load than req/s).
 * Env: BENCH_CONNECTIONS (50).
 */
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, startGatewayCli, startServer } from './serverProcess.js';
import { BODY, ECHO_BODY } from './shared.js';

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
  const body = process.argv[4] === 'echo' ? ECHO_BODY : BODY;
  const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  const running =
    server === 'gateway' || server === 'gateway-dynamodb'
      ? await startGatewayCli(server === 'gateway' ? 'none' : 'dynamodb', nodeArgs)
      : await startServer(`${server}.ts`, {}, nodeArgs);
  await load(running.port, 1, body);
  const cpuBefore = await running.cpuMicros();
  const r = await load(running.port, seconds, body);
  const cpu = ((await running.cpuMicros()) - cpuBefore) / Math.max(1, r.total);
  process.stdout.write(
    `${server}: ${Math.round(r.reqPerSec)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${cpu.toFixed(0)} µs/req, errors ${r.errors}\n`,
  );
  await running.stop();
  // One profile per thread (tsx's loader, worker threads): the main thread's is the largest.
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
  const file = files[sizes.indexOf(Math.max(...sizes))];
  if (!file) throw new Error(`no profile written in ${dir}`);
  process.stdout.write(`${join(dir, file)}\n${summarizeProfile(JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
