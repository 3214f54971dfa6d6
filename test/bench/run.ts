/**
 * `npm run bench`: every server below runs in its own process, loaded in turn (round after round) by
 * the same autocannon settings; each row's ratio is to **lean** serving the same query in the same
 * round. The gateway runs as users run it: `bin/appsync-gateway.mjs serve` on the built dist/.
 * Then micro-benchmarks (resolver runtime) and start-up times, then the rows other areas add
 * (DynamoDB, Postgres, real-time, Step Functions). Writes test/bench/RESULTS.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ANSWER, BODY, ECHO_ANSWER, ECHO_BODY, ECHO_QUERY, QUERY } from './shared.js';
import { runResolverMicroBench } from './resolver-runtime.js';
import { runStartupBench } from './startup.js';
import { runHotPathBench } from './hotpath.js';
import { CONNECTIONS, DURATION_S, ROUNDS, WARMUP_S, load, median, post, settle, startGatewayCli, startServer, type ServerProcess } from './serverProcess.js';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baseline?: string;
  ratio?: number;
  note?: string;
}

export interface HttpRow {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU time per request (µs): the server process's CPU time (all threads) over requests answered. */
  cpuPerRequest: number;
  /** Median over rounds of this row's req/s over its baseline's in the same round. */
  ratioToLean: number;
  /** That ratio in each round. */
  ratios: number[];
  /** Median over rounds of this row's CPU µs/request over its baseline's in the same round. */
  cpuRatio: number;
}

/** A process the rows load. */
export interface BenchServer {
  name: string;
  start(storeDir: string): Promise<ServerProcess>;
}

/** One measured row: a server answering one request body. */
export interface LoadRow {
  name: string;
  server: string;
  body: string;
  /** What the server must answer first (a fast wrong server must not win). */
  answer: unknown;
  /** The row this one's ratio is to, in the same round (itself for a baseline). */
  baseline: string;
  connections?: number;
}

interface Round {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  cpuPerRequest: number;
}

/** Rounds of the HTTP rows: BENCH_ROUNDS, at least 5. */
const HTTP_ROUNDS = Math.max(ROUNDS, 5);

/**
 * Every server runs at once (idle ones cost nothing) and each row is loaded in turn, HTTP_ROUNDS times
 * over: whatever else the machine does drifts over a run, and a ratio taken within one round,
 * between loads a few seconds apart, is far steadier than one between rows measured a minute apart.
 * Each round starts the servers anew: processes of one build differ by up to a quarter in CPU per
 * request on this machine, so a process kept for the whole run would carry its bias into every round;
 * HTTP_ROUNDS (at least 5) rounds, for the median to leave such a process out.
 */
export async function measureRows(servers: BenchServer[], rows: LoadRow[]): Promise<HttpRow[]> {
  const storeDir = await mkdtemp(join(tmpdir(), 'appsync-bench-sfn-'));
  const running = new Map<string, ServerProcess>();
  const stopAll = async () => {
    await Promise.all([...running.values()].map((r) => r.stop()));
    running.clear();
  };
  try {
    const rounds: Round[][] = rows.map(() => []);
    for (let round = 0; round < HTTP_ROUNDS; round++) {
      await stopAll();
      for (const [i, s] of servers.entries()) {
        process.stderr.write(`bench: round ${round + 1}/${HTTP_ROUNDS}, starting ${s.name}…\n`);
        running.set(s.name, await s.start(join(storeDir, `${round}-${i}`)));
      }
      for (const row of rows) {
        const answer = await post(running.get(row.server)!.port, row.body);
        if (JSON.stringify(answer) !== JSON.stringify(row.answer)) throw new Error(`${row.name} answered ${JSON.stringify(answer)}`);
      }
      await settle();
      for (const [i, row] of rows.entries()) {
        process.stderr.write(`bench: round ${round + 1}/${HTTP_ROUNDS}, ${row.name}…\n`);
        const server = running.get(row.server)!;
        await load(server.port, WARMUP_S, row.body, row.connections);
        const cpuBefore = await server.cpuMicros();
        const r = await load(server.port, DURATION_S, row.body, row.connections);
        const cpuAfter = await server.cpuMicros();
        rounds[i]!.push({ reqPerSec: r.reqPerSec, p50: r.p50, p99: r.p99, errors: r.errors, cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, r.total) });
      }
    }
    return rows.map((row, i) => {
      const mine = rounds[i]!;
      const base = rounds[rows.findIndex((r) => r.name === row.baseline)]!;
      const ratios = mine.map((r, k) => r.reqPerSec / base[k]!.reqPerSec);
      return {
        name: row.name,
        reqPerSec: median(mine.map((r) => r.reqPerSec)),
        p50: median(mine.map((r) => r.p50)),
        p99: median(mine.map((r) => r.p99)),
        errors: mine.reduce((sum, r) => sum + r.errors, 0),
        cpuPerRequest: median(mine.map((r) => r.cpuPerRequest)),
        ratioToLean: median(ratios),
        ratios,
        cpuRatio: median(mine.map((r, k) => r.cpuPerRequest / base[k]!.cpuPerRequest)),
      };
    });
  } finally {
    await stopAll();
    await rm(storeDir, { recursive: true, force: true });
  }
}

function table(rows: HttpRow[]): string {
  const lines = [
    '| row | req/s | p50 ms | p99 ms | ratio to lean | ratio in each round | server CPU µs/req | CPU / lean | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${Math.round(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${r.ratioToLean.toFixed(2)} | ${r.ratios.map((x) => x.toFixed(2)).join(', ')} | ${Math.round(r.cpuPerRequest)} | ${r.cpuRatio.toFixed(2)} | ${r.errors} |`,
    );
  }
  return lines.join('\n');
}

function rowsTable(rows: BenchRow[]): string {
  const lines = ['| measurement | value | baseline | ratio | note |', '| --- | ---: | --- | ---: | --- |'];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${Number.isInteger(r.value) ? r.value : r.value.toFixed(2)} ${r.unit} | ${r.baseline ?? ''} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}

/** Benches other areas contribute: module path → exported function name. */
const CONTRIBUTED: Array<[string, string]> = [
  ['./dynamodb.bench.js', 'runDynamoDbBench'],
  ['./dynamodb-transactions.bench.js', 'runDynamoDbTransactionBench'],
  ['./postgres.bench.js', 'runPostgresBench'],
  ['./realtime.bench.js', 'runRealtimeBench'],
  ['./events.bench.js', 'runEventsBench'],
  ['./stepfunctions.bench.js', 'runStepFunctionsBench'],
  ['./restart.bench.js', 'runRestartBench'],
  ['./vtl.bench.js', 'runVtlBench'],
  ['./caching.bench.js', 'runCachingBench'],
  ['./management.bench.js', 'runManagementBench'],
];

async function main(): Promise<void> {
  const started = Date.now();
  const only = process.env.BENCH_ONLY?.split(',');
  const want = (name: string) => !only || only.includes(name);
  const sections: string[] = [];
  // A section that fails is reported as failed, and every finished section is printed to stderr at
  // once: one broken area must not take a long run's other figures with it.
  const section = async (title: string, body: () => Promise<string>) => {
    let text: string;
    try {
      text = `## ${title}\n\n${await body()}`;
    } catch (error) {
      text = `## ${title}\n\nfailed: ${(error as Error).message}`;
    }
    sections.push(text);
    process.stderr.write(`${text}\n\n`);
  };

  if (want('http')) {
    const sfn = (storeDir: string) => ({ APPSYNC_GATEWAY_SFN_STORE_DIR: storeDir });
    const servers: BenchServer[] = [
      { name: 'raw', start: () => startServer('raw.ts') },
      { name: 'lean', start: () => startServer('lean.ts') },
      { name: 'yoga', start: () => startServer('yoga.ts') },
      { name: 'gateway', start: (dir) => startGatewayCli('none', [], sfn(dir)) },
      { name: 'gateway-dynamodb', start: (dir) => startGatewayCli('dynamodb', [], sfn(dir)) },
    ];
    const getPost = { body: BODY, answer: ANSWER, baseline: 'lean' };
    const echo = { body: ECHO_BODY, answer: ECHO_ANSWER, baseline: 'lean, smallest query' };
    const rows = await measureRows(servers, [
      { name: 'raw', server: 'raw', ...getPost },
      { name: 'lean', server: 'lean', ...getPost },
      { name: 'yoga', server: 'yoga', ...getPost },
      { name: 'gateway (NONE)', server: 'gateway', ...getPost },
      { name: 'gateway (DynamoDB GetItem)', server: 'gateway-dynamodb', ...getPost },
      { name: 'lean, smallest query', server: 'lean', ...echo },
      { name: 'gateway, smallest query (NONE)', server: 'gateway', ...echo },
    ]);
    const row = (name: string) => rows.find((r) => r.name === name)!;
    const gatewayRow = row('gateway (NONE)');
    const smallest = row('gateway, smallest query (NONE)');
    const dynamodb = row('gateway (DynamoDB GetItem)');
    const overYoga = gatewayRow.ratioToLean / row('yoga').ratioToLean;
    await section(
      `GraphQL over HTTP (${CONNECTIONS} connections; ${HTTP_ROUNDS} rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s per row)`,
      async () =>
        `Queries \`${QUERY}\` and, for the smallest-query rows, \`${ECHO_QUERY}\`. The gateway runs as \`npm start\` runs it ` +
        `(\`bin/appsync-gateway.mjs serve\` on the built dist/, API_KEY auth, APPSYNC_JS UNIT resolvers); the other servers are ` +
        `in test/bench/servers/. Every server runs in its own process, all started anew each round; the rows are loaded one at a time, ` +
        `round after round. Figures are medians over the rounds; "ratio to lean" is the median of the ratios to lean serving the ` +
        `same query within each round. "server CPU µs/req" is the server process's CPU time (all its threads and child processes, from /proc) ` +
        `divided by the requests it answered; "CPU / lean" is that over lean's in the same round.\n\n` +
        table(rows) +
        `\n\nTargets: smallest query ≥ 0.75× lean (measured ${smallest.ratioToLean.toFixed(2)}×) with CPU ≤ 1.3× lean's ` +
        `(measured ${smallest.cpuRatio.toFixed(2)}×); getPost ≥ 0.85× lean (measured ${gatewayRow.ratioToLean.toFixed(2)}×); ` +
        `≥ 4× yoga (measured ${overYoga.toFixed(2)}×); p99 < 6 ms (measured ${gatewayRow.p99} ms getPost, ${smallest.p99} ms smallest); ` +
        `DynamoDB GetItem ≥ 0.5× the NONE row (measured ${(dynamodb.reqPerSec / gatewayRow.reqPerSec).toFixed(2)}×) at ≤ 150 µs CPU/req ` +
        `(measured ${Math.round(dynamodb.cpuPerRequest)}).`,
    );
    process.stderr.write('bench: in-process request handling…\n');
    await section('Request handling without the network', async () => rowsTable(await runHotPathBench()));
  }

  if (want('resolver')) {
    process.stderr.write('bench: resolver runtime…\n');
    await section('Resolver runtime', async () => rowsTable(await runResolverMicroBench()));
  }
  if (want('startup')) {
    process.stderr.write('bench: start-up…\n');
    await section('Start-up (process start → first answered query)', async () => rowsTable(await runStartupBench()));
  }

  for (const [module, fn] of CONTRIBUTED) {
    const area = module.replace(/^\.\/|\.bench\.js$/g, '');
    if (!want(area)) continue;
    // Every listed area has its bench: one that does not load is a failure of the run, not a skip.
    const mod = (await import(module)) as Record<string, unknown>;
    process.stderr.write(`bench: ${area}…\n`);
    await section(area, async () => rowsTable(await (mod[fn] as () => Promise<BenchRow[]>)()));
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
