/**
 * `npm run bench`: every server below runs in its own process, loaded in turn (round after round) by
 * the same autocannon settings with the same query; the table gives each row's ratio to **lean**.
 * Then micro-benchmarks (resolver runtime) and start-up times, then the rows other areas add
 * (DynamoDB, Postgres, real-time, Step Functions). Writes test/bench/RESULTS.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { API_KEY, BODY } from './shared.js';
import { runResolverMicroBench } from './resolver-runtime.js';
import { runStartupBench } from './startup.js';
import { runHotPathBench } from './hotpath.js';
import { CONNECTIONS, load, startServer } from './serverProcess.js';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baseline?: string;
  ratio?: number;
  note?: string;
}

const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const WARMUP_S = 1;

export interface HttpRow {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU time per request (µs), measured inside the server process. */
  cpuPerRequest: number;
  /** Median over rounds of this server's req/s over lean's in the same round. */
  ratioToLean: number;
  /** That ratio in each round. */
  ratios: number[];
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface HttpServer {
  name: string;
  file: string;
  env: Record<string, string>;
}

interface Round {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  cpuPerRequest: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Every server runs at once (idle ones cost nothing) and is loaded in turn, ROUNDS times over:
 * whatever else the machine does drifts over a run, and a ratio taken within one round, between
 * loads a few seconds apart, is far steadier than one between servers measured a minute apart.
 */
async function measureAll(servers: HttpServer[]): Promise<HttpRow[]> {
  const storeDir = await mkdtemp(join(tmpdir(), 'appsync-bench-sfn-'));
  const running = [];
  try {
    for (const [i, s] of servers.entries()) {
      process.stderr.write(`bench: starting ${s.name}…\n`);
      // Each gateway keeps its Step Functions log in its own folder (one gateway per folder).
      running.push(await startServer(s.file, { ...s.env, APPSYNC_GATEWAY_SFN_STORE_DIR: join(storeDir, String(i)) }));
    }
    for (const [i, server] of running.entries()) {
      // Check the answer first: a fast wrong server must not win.
      const res = await fetch(`http://127.0.0.1:${server.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': API_KEY }, body: BODY });
      const answer = await res.json();
      if (answer?.data?.getPost?.title !== 'Hello') throw new Error(`${servers[i]!.name} answered ${JSON.stringify(answer)}`);
    }
    const rounds: Round[][] = servers.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, server] of running.entries()) {
        process.stderr.write(`bench: round ${round + 1}/${ROUNDS}, ${servers[i]!.name}…\n`);
        await load(server.port, WARMUP_S);
        const cpuBefore = await server.cpuMicros();
        const r = await load(server.port, DURATION_S);
        const cpuAfter = await server.cpuMicros();
        rounds[i]!.push({ reqPerSec: r.reqPerSec, p50: r.p50, p99: r.p99, errors: r.errors, cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, r.total) });
      }
    }
    const leanIndex = servers.findIndex((s) => s.name === 'lean');
    return servers.map((s, i) => {
      const mine = rounds[i]!;
      return {
        name: s.name,
        reqPerSec: median(mine.map((r) => r.reqPerSec)),
        p50: median(mine.map((r) => r.p50)),
        p99: median(mine.map((r) => r.p99)),
        errors: mine.reduce((sum, r) => sum + r.errors, 0),
        cpuPerRequest: median(mine.map((r) => r.cpuPerRequest)),
        ratioToLean: median(mine.map((r, k) => r.reqPerSec / rounds[leanIndex]![k]!.reqPerSec)),
        ratios: mine.map((r, k) => r.reqPerSec / rounds[leanIndex]![k]!.reqPerSec),
      };
    });
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    await rm(storeDir, { recursive: true, force: true });
  }
}

function table(rows: HttpRow[]): string {
  const lines = [
    '| server | req/s | p50 ms | p99 ms | ratio to lean | ratio in each round | server CPU µs/req | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${Math.round(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${r.ratioToLean.toFixed(2)} | ${r.ratios.map((x) => x.toFixed(2)).join(', ')} | ${Math.round(r.cpuPerRequest)} | ${r.errors} |`,
    );
  }
  return lines.join('\n');
}

function rowsTable(rows: BenchRow[]): string {
  const lines = ['| measurement | value | baseline | ratio | note |', '| --- | ---: | --- | ---: | --- |'];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${Number.isInteger(r.value) ? r.value : r.value.toFixed(2)} ${r.unit} | ${r.baseline ?? ''} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.note ?? ''} |`);
  }
  return lines.join('\n');
}

/** Benches other areas contribute: module path → exported function name. */
const CONTRIBUTED: Array<[string, string]> = [
  ['./dynamodb.bench.js', 'runDynamoDbBench'],
  ['./postgres.bench.js', 'runPostgresBench'],
  ['./realtime.bench.js', 'runRealtimeBench'],
  ['./stepfunctions.bench.js', 'runStepFunctionsBench'],
];

async function main(): Promise<void> {
  const started = Date.now();
  const only = process.env.BENCH_ONLY?.split(',');
  const want = (name: string) => !only || only.includes(name);
  const sections: string[] = [];

  if (want('http')) {
    const rows = await measureAll([
      { name: 'raw', file: 'raw.ts', env: {} },
      { name: 'lean', file: 'lean.ts', env: {} },
      { name: 'yoga', file: 'yoga.ts', env: {} },
      { name: 'gateway (NONE)', file: 'gateway.ts', env: {} },
      { name: 'gateway (DynamoDB GetItem)', file: 'gateway.ts', env: { BENCH_DATA_SOURCE: 'dynamodb' } },
    ]);
    const gatewayRow = rows.find((r) => r.name === 'gateway (NONE)')!;
    const yoga = rows.find((r) => r.name === 'yoga')!;
    const overYoga = gatewayRow.ratioToLean / yoga.ratioToLean;
    sections.push(
      `## GraphQL over HTTP (${CONNECTIONS} connections; ${ROUNDS} rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s per server)\n\n` +
        `Query \`{ getPost(id: "1") { id title views } }\`; every server runs in its own process, all started first and loaded one at a time, ` +
        `round after round. Figures are medians over the rounds; "ratio to lean" is the median of the ratios taken within each round. ` +
        `"server CPU µs/req" is the server process's CPU time divided by the requests it answered.\n\n` +
        table(rows) +
        `\n\nTargets for gateway (NONE): ≥ 2× yoga (measured ${overYoga.toFixed(2)}×), ` +
        `≥ 0.7× lean (measured ${gatewayRow.ratioToLean.toFixed(2)}×), p99 < 10 ms (measured ${gatewayRow.p99} ms).`,
    );
    process.stderr.write('bench: in-process request handling…\n');
    sections.push(`## Request handling without the network\n\n${rowsTable(await runHotPathBench())}`);
  }

  if (want('resolver')) {
    process.stderr.write('bench: resolver runtime…\n');
    sections.push(`## Resolver runtime\n\n${rowsTable(await runResolverMicroBench())}`);
  }
  if (want('startup')) {
    process.stderr.write('bench: start-up…\n');
    sections.push(`## Start-up (process start → first answered query)\n\n${rowsTable(await runStartupBench())}`);
  }

  for (const [module, fn] of CONTRIBUTED) {
    const area = module.replace(/^\.\/|\.bench\.js$/g, '');
    if (!want(area)) continue;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(module)) as Record<string, unknown>;
    } catch {
      continue; // that area has no bench yet
    }
    process.stderr.write(`bench: ${area}…\n`);
    try {
      const rows = await (mod[fn] as () => Promise<BenchRow[]>)();
      sections.push(`## ${area}\n\n${rowsTable(rows)}`);
    } catch (error) {
      sections.push(`## ${area}\n\nfailed: ${(error as Error).message}`);
    }
  }

  const header = [
    '# Benchmark results',
    '',
    `Taken by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. Load: autocannon from the bench process; ` +
      `each server in its own process on 127.0.0.1. Total run ${Math.round((Date.now() - started) / 1000)} s.`,
    '',
  ].join('\n');
  const text = `${header}\n${sections.join('\n\n')}\n`;
  if (!only) await writeFile(new URL('./RESULTS.md', import.meta.url), text);
  process.stdout.write(text);
}

await main();
