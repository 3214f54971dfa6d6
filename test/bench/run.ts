/**
 * `npm run bench`: every server below runs in its own process, one after another, loaded by the
 * same autocannon settings with the same query; the table gives each row's ratio to **lean**.
 * Then micro-benchmarks (resolver runtime) and start-up times, then the rows other areas add
 * (DynamoDB, Postgres, real-time, Step Functions). Writes test/bench/RESULTS.md.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
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

const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const WARMUP_S = 2;

export interface HttpRow {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU time per request (µs), measured inside the server process. */
  cpuPerRequest: number;
}

async function measure(name: string, file: string, env?: Record<string, string>): Promise<HttpRow> {
  const server = await startServer(file, env);
  try {
    // Check the answer first: a fast wrong server must not win.
    const res = await fetch(`http://127.0.0.1:${server.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': API_KEY }, body: BODY });
    const answer = await res.json();
    if (answer?.data?.getPost?.title !== 'Hello') throw new Error(`${name} answered ${JSON.stringify(answer)}`);
    await load(server.port, WARMUP_S);
    const cpuBefore = await server.cpuMicros();
    const r = await load(server.port, DURATION_S);
    const cpuAfter = await server.cpuMicros();
    return { name, reqPerSec: r.reqPerSec, p50: r.p50, p99: r.p99, errors: r.errors, cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, r.total) };
  } finally {
    await server.stop();
  }
}

function table(rows: HttpRow[]): string {
  const lean = rows.find((r) => r.name === 'lean')!;
  const lines = [
    '| server | req/s | p50 ms | p99 ms | ratio to lean | server CPU µs/req | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${Math.round(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${(r.reqPerSec / lean.reqPerSec).toFixed(2)} | ${Math.round(r.cpuPerRequest)} | ${r.errors} |`);
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
    const rows: HttpRow[] = [];
    for (const [name, file, env] of [
      ['raw', 'raw.ts', {}],
      ['lean', 'lean.ts', {}],
      ['yoga', 'yoga.ts', {}],
      ['gateway (NONE)', 'gateway.ts', {}],
      ['gateway (DynamoDB GetItem)', 'gateway.ts', { BENCH_DATA_SOURCE: 'dynamodb' }],
    ] as const) {
      process.stderr.write(`bench: ${name}…\n`);
      rows.push(await measure(name, file, env));
    }
    const gatewayRow = rows.find((r) => r.name === 'gateway (NONE)')!;
    const yoga = rows.find((r) => r.name === 'yoga')!;
    const lean = rows.find((r) => r.name === 'lean')!;
    sections.push(
      `## GraphQL over HTTP (${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up)\n\n` +
        `Query \`{ getPost(id: "1") { id title views } }\`; every server runs alone in its own process. ` +
        `"server CPU µs/req" is the server process's CPU time divided by the requests it answered.\n\n` +
        table(rows) +
        `\n\nTargets for gateway (NONE): ≥ 2× yoga (measured ${(gatewayRow.reqPerSec / yoga.reqPerSec).toFixed(2)}×), ` +
        `≥ 0.7× lean (measured ${(gatewayRow.reqPerSec / lean.reqPerSec).toFixed(2)}×), p99 < 10 ms (measured ${gatewayRow.p99} ms).`,
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
