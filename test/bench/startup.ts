/**
 * Time from process start to the first answered query: the example API, and a generated API of
 * 200 types and 1,000 resolvers. `appsync-gateway serve` runs as a user runs it after
 * `npm install` (whose `prepare` builds dist/, see scripts/build.mjs); the same start through tsx
 * (no build) is shown for comparison. Each figure is the median of a few starts.
 *
 * The first start of each API runs with an empty resolver compile cache (src/resolvers/appsync-js/compileCache.ts)
 * and is shown on its own ("cold"); the later ones find their compiled code on disk, as every start
 * after the first does for a user. The bench process loads its own HTTP client before the first
 * start, so its load time is not counted as the server's.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';

const BIN = fileURLToPath(new URL('../../bin/appsync-gateway.mjs', import.meta.url));
const BUILD = fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);

interface Start {
  /** Process start → the CLI printed its URL. */
  listening: number;
  /** Process start → the first query answered. */
  answered: number;
  /** Process start → the optional second query answered. */
  second?: number;
}

async function timeToFirstAnswer(cwd: string, query: string, apiKey: string, options: { from?: 'src' | 'dist'; secondQuery?: string } = {}): Promise<Start> {
  // A fresh data folder per start, as on a fresh clone (and never the repo's, which `npm start` may hold).
  const dataDir = await mkdtemp(join(tmpdir(), 'appsync-bench-start-data-'));
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, APPSYNC_GATEWAY_DATA_DIR: dataDir, ...(options.from ? { APPSYNC_GATEWAY_FROM: options.from } : {}) },
  });
  const ask = async (url: string, q: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query: q }) });
    const body = await res.json();
    if (!body.data || body.errors) throw new Error(`${q}: ${JSON.stringify(body)}`);
    return performance.now() - started;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d;
        const m = /GraphQL:\s+(http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const listening = performance.now() - started;
    const answered = await ask(url, query);
    const second = options.secondQuery ? await ask(url, options.secondQuery) : undefined;
    return { listening, answered, second };
  } finally {
    child.kill();
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Loads this process's fetch (undici) with one request, so the first timed start does not pay for it. */
async function warmClient(): Promise<void> {
  const server = createServer((_req, res) => res.end('{}')).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' })).text();
  await new Promise((resolve) => server.close(resolve));
}

/** The compile cache of the API in `dir` (the default location), removed so the next start is cold. */
async function clearCompileCache(dir: string): Promise<void> {
  await rm(join(dir, '.data', 'cache', 'resolvers'), { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function medianStart(runs: number, start: () => Promise<Start>): Promise<{ answered: number; listening: number; second?: number; all: number[] }> {
  const results: Start[] = [];
  for (let i = 0; i < runs; i++) results.push(await start());
  const seconds = results.map((r) => r.second).filter((s): s is number => s !== undefined);
  return {
    answered: median(results.map((r) => r.answered)),
    listening: median(results.map((r) => r.listening)),
    second: seconds.length ? median(seconds) : undefined,
    all: results.map((r) => Math.round(r.answered)),
  };
}

/** `npm run build` (what `prepare` runs after `npm install`); returns its wall time. */
async function build(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [BUILD], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed: ${err}`))));
  });
  return performance.now() - started;
}

/** 200 types × 5 fields, 1,000 resolvers on a NONE data source sharing 10 code files. */
async function generateLargeApi(dir: string): Promise<void> {
  const types: string[] = [];
  const queryFields: string[] = [];
  const resolvers: string[] = [];
  for (let t = 0; t < 200; t++) {
    types.push(`type T${t} {\n  id: ID!\n${[1, 2, 3, 4].map((f) => `  f${f}: String`).join('\n')}\n}`);
    for (let f = 0; f < 5; f++) {
      queryFields.push(`  q${t}_${f}(id: ID!): T${t}`);
      resolvers.push(`  Query.q${t}_${f}:\n    kind: UNIT\n    dataSource: none\n    code: resolvers/r${(t * 5 + f) % 10}.js`);
    }
  }
  await mkdir(join(dir, 'resolvers'), { recursive: true });
  for (let i = 0; i < 10; i++) {
    await writeFile(
      join(dir, 'resolvers', `r${i}.js`),
      `export function request(ctx) { return { payload: { id: ctx.args.id, f1: '${i}' } }; }\nexport function response(ctx) { return ctx.result; }\n`,
    );
  }
  await writeFile(join(dir, 'schema.graphql'), `${types.join('\n\n')}\n\ntype Query {\n${queryFields.join('\n')}\n}\n`);
  await writeFile(
    join(dir, 'appsync.config.yml'),
    `name: large\nschema: schema.graphql\nauthentication:\n  type: API_KEY\napiKeys:\n  - name: k\n    value: da2-largelargelargelarge0000\ndataSources:\n  none:\n    type: NONE\nresolvers:\n${resolvers.join('\n')}\n`,
  );
}

const ms = (n: number) => `${Math.round(n)} ms`;

export async function runStartupBench(): Promise<BenchRow[]> {
  const buildMs = await build();
  await warmClient();
  const exampleKey = 'da2-exampleexampleexample00';
  await clearCompileCache(REPO);
  const example = await medianStart(RUNS, () => timeToFirstAnswer(REPO, '{ hello }', exampleKey, { secondQuery: '{ listBooks(limit: 1) { id } }' }));
  const exampleTsx = await medianStart(1, () => timeToFirstAnswer(REPO, '{ hello }', exampleKey, { from: 'src' }));
  const dir = await mkdtemp(join(tmpdir(), 'appsync-bench-large-'));
  try {
    await generateLargeApi(dir);
    const largeQuery = '{ q199_4(id: "x") { id f1 } }';
    const largeKey = 'da2-largelargelargelarge0000';
    const large = await medianStart(RUNS, () => timeToFirstAnswer(dir, largeQuery, largeKey));
    const largeTsx = await medianStart(1, () => timeToFirstAnswer(dir, largeQuery, largeKey, { from: 'src' }));
    return [
      {
        name: 'example API (`npm start`), first answer',
        value: example.answered,
        unit: 'ms',
        note: `target < 1,000 ms; listening at ${ms(example.listening)}; runs ${example.all.join(', ')} ms (the first with an empty compile cache)`,
      },
      ...(example.second !== undefined
        ? [
            {
              name: 'example API, first Postgres-backed answer (listBooks)',
              value: example.second,
              unit: 'ms',
              note: 'embedded Postgres (PGlite) in a fresh data folder, started from the initdb snapshot',
            },
          ]
        : []),
      { name: 'example API through tsx (no build)', value: exampleTsx.answered, unit: 'ms', baseline: 'dist/', ratio: exampleTsx.answered / example.answered },
      {
        name: '200 types / 1,000 resolvers, first answer',
        value: large.answered,
        unit: 'ms',
        note: `target < 3,000 ms; listening at ${ms(large.listening)}; runs ${large.all.join(', ')} ms (the first with an empty compile cache)`,
      },
      { name: '200 types / 1,000 resolvers through tsx', value: largeTsx.answered, unit: 'ms', baseline: 'dist/', ratio: largeTsx.answered / large.answered },
      { name: 'build of dist/ (`npm run build`, run by `prepare`)', value: buildMs, unit: 'ms' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
