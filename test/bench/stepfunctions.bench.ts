/**
 * Step Functions bench (issue #11), all rows in one run:
 * - Express StartSyncExecution of a 10-state Pass chain over HTTP at 16 connections, the gateway
 *   in its own process, next to a bare node:http canned reply under the same load;
 * - the in-process engine (`runExecution` in a loop) against npm `aws-local-stepfunctions` on the
 *   same chain;
 * - Standard executions with full history (StartExecution over HTTP, counted once all finished);
 * - the JSONata version of the chain against the JSONPath one, in-process.
 *
 * Run alone: `BENCH_ONLY=stepfunctions npm run bench`. This file is also the gateway's process:
 * started with `SFN_BENCH_ROLE=server` it serves the machines and prints `LISTENING <port>`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { StateMachineDefinition } from '../../src/stepfunctions/engine/types.js';
import type { BenchRow } from './run.js';
import { silentLogger } from '../utils/logger.js';

const CONNECTIONS = 16;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const WARMUP_S = 2;
/** Turns each HTTP server gets under load (best one kept). */
const ROUNDS = 3;
const ENGINE_MS = Number(process.env.BENCH_SFN_ENGINE_MS ?? 3000);
const ARN = (name: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;

/** Ten Pass states, each adding 1 to `count` and carrying `name` (an intrinsic and a path per state). */
export function passChain(): StateMachineDefinition {
  const states: Record<string, Record<string, unknown>> = {};
  for (let i = 1; i <= 10; i++) {
    states[`Step${i}`] = {
      Type: 'Pass',
      Parameters: { 'count.$': 'States.MathAdd($.count, 1)', 'name.$': '$.name' },
      ...(i < 10 ? { Next: `Step${i + 1}` } : { End: true }),
    };
  }
  return { StartAt: 'Step1', States: states };
}

/** The same chain in JSONata. */
export function jsonataChain(): StateMachineDefinition {
  const states: Record<string, Record<string, unknown>> = {};
  for (let i = 1; i <= 10; i++) {
    states[`Step${i}`] = {
      Type: 'Pass',
      Output: { count: '{% $states.input.count + 1 %}', name: '{% $states.input.name %}' },
      ...(i < 10 ? { Next: `Step${i + 1}` } : { End: true }),
    };
  }
  return { QueryLanguage: 'JSONata', StartAt: 'Step1', States: states };
}

const INPUT = { count: 0, name: 'bench' };
const EXPECTED = JSON.stringify({ count: 10, name: 'bench' });

// ------------------------------------------------------------------ the gateway's process

async function serve(): Promise<void> {
  const { createGateway } = await import('../../src/index.js');
  const { announce } = await import('./shared.js');
  const dir = await mkdtemp(join(tmpdir(), 'appsync-bench-sfn-'));
  const gateway = await createGateway(
    {
      schemaSdl: 'type Query { ok: Boolean }',
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'bench', value: 'da2-benchstepfunctionsbench01' }],
      stepFunctions: { stateMachines: { Chain: { type: 'EXPRESS', definition: passChain() }, StandardChain: { type: 'STANDARD', definition: passChain() } } },
    },
    { configDir: dir, logger: silentLogger, graphiql: false },
  );
  const { port } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  process.once('exit', () => void rm(dir, { recursive: true, force: true }));
  announce(port);
}

// ------------------------------------------------------------------ measurements

const sfnHeaders = (action: string) => ({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${action}` });

async function call(port: number, action: string, body: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: sfnHeaders(action), body: JSON.stringify(body) });
  return res.json();
}

async function loadSfn(port: number, action: string, body: unknown, seconds: number) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    method: 'POST',
    headers: sfnHeaders(action),
    body: JSON.stringify(body),
    connections: CONNECTIONS,
    duration: seconds,
  });
  return { reqPerSec: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

/**
 * Executions per second of `runOnce` run back to back for `ms` (after a short warm-up), and the
 * CPU time each took (µs; other load on the machine disturbs it much less than the rate).
 */
async function rate(runOnce: () => Promise<unknown>, ms = ENGINE_MS): Promise<{ perSecond: number; cpuMicros: number }> {
  const warmUntil = performance.now() + Math.min(500, ms / 4);
  while (performance.now() < warmUntil) await runOnce();
  let n = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    await runOnce();
    n++;
  }
  const used = process.cpuUsage(cpu);
  return { perSecond: n / ((performance.now() - start) / 1000), cpuMicros: (used.user + used.system) / n };
}

async function engineRows(): Promise<BenchRow[]> {
  const { runExecution } = await import('../../src/stepfunctions/engine/run.js');
  const { StateMachine } = await import('aws-local-stepfunctions');
  const host = { invokeTask: async () => Promise.reject(new Error('no tasks')), recordEvent: () => 0, newTaskToken: () => 't', recordsHistory: false };
  const context = {
    Execution: {
      Id: 'arn:aws:states:us-east-1:123456789012:express:Chain:bench',
      Input: INPUT,
      Name: 'bench',
      RoleArn: 'arn:aws:iam::123456789012:role/bench',
      StartTime: new Date().toISOString(),
      RedriveCount: 0,
    },
    StateMachine: { Id: ARN('Chain'), Name: 'Chain' },
  };
  const signal = new AbortController().signal;
  const engineRun = (definition: StateMachineDefinition) => async () => {
    const outcome = await runExecution({ definition, input: INPUT, context, host, signal });
    if (outcome.status !== 'SUCCEEDED' || JSON.stringify(outcome.output) !== EXPECTED) throw new Error(`engine answered ${JSON.stringify(outcome)}`);
  };
  const jsonPath = passChain();
  const jsonata = jsonataChain();
  const local = new StateMachine(passChain() as never, { validationOptions: { checkPaths: false } });
  const localRun = async () => {
    const result = await local.run(INPUT).result;
    if (JSON.stringify(result) !== EXPECTED) throw new Error(`aws-local-stepfunctions answered ${JSON.stringify(result)}`);
  };
  // Interleaved rounds, best of each: other load on the machine disturbs both sides alike.
  const best = { engine: { perSecond: 0, cpuMicros: Infinity }, local: { perSecond: 0, cpuMicros: Infinity }, jsonata: { perSecond: 0, cpuMicros: Infinity } };
  const keep = (key: keyof typeof best, r: { perSecond: number; cpuMicros: number }) => {
    best[key] = { perSecond: Math.max(best[key].perSecond, r.perSecond), cpuMicros: Math.min(best[key].cpuMicros, r.cpuMicros) };
  };
  for (let round = 0; round < 3; round++) {
    keep('engine', await rate(engineRun(jsonPath)));
    keep('local', await rate(localRun));
    keep('jsonata', await rate(engineRun(jsonata)));
  }
  const cpu = (r: { cpuMicros: number }) => `${r.cpuMicros.toFixed(1)} µs CPU/execution`;
  return [
    {
      name: 'aws-local-stepfunctions 3, 10-state Pass chain (StateMachine.run loop)',
      value: Math.round(best.local.perSecond),
      unit: 'executions/s',
      note: cpu(best.local),
    },
    {
      name: 'in-process engine, same chain (runExecution loop, no history)',
      value: Math.round(best.engine.perSecond),
      unit: 'executions/s',
      baseline: 'aws-local-stepfunctions',
      ratio: best.engine.perSecond / best.local.perSecond,
      note: `${cpu(best.engine)}; CPU ratio ${(best.local.cpuMicros / best.engine.cpuMicros).toFixed(2)}× (target ≥ 2×)`,
    },
    {
      name: 'in-process engine, the chain in JSONata',
      value: Math.round(best.jsonata.perSecond),
      unit: 'executions/s',
      baseline: 'JSONPath chain',
      ratio: best.jsonata.perSecond / best.engine.perSecond,
      note: `${cpu(best.jsonata)}; CPU ratio ${(best.engine.cpuMicros / best.jsonata.cpuMicros).toFixed(2)} (target ≥ 0.5 of the JSONPath chain)`,
    },
  ];
}

async function httpRows(): Promise<BenchRow[]> {
  const { startServer } = await import('./serverProcess.js');
  const rows: BenchRow[] = [];
  const syncBody = { stateMachineArn: ARN('Chain'), input: JSON.stringify(INPUT) };

  // Both servers run side by side and take turns under load; each keeps its best round, so a
  // burst of other load on the machine does not decide the ratio.
  const raw = await startServer('raw.ts');
  const gateway = await startServer('../stepfunctions.bench.ts', { SFN_BENCH_ROLE: 'server' });
  try {
    // Check the answer first: a fast wrong server must not win.
    const answer = await call(gateway.port, 'StartSyncExecution', syncBody);
    if (answer.status !== 'SUCCEEDED' || answer.output !== EXPECTED) throw new Error(`StartSyncExecution answered ${JSON.stringify(answer)}`);
    await loadSfn(raw.port, 'StartSyncExecution', syncBody, WARMUP_S);
    await loadSfn(gateway.port, 'StartSyncExecution', syncBody, WARMUP_S);
    type Load = Awaited<ReturnType<typeof loadSfn>>;
    let bare: Load | undefined;
    let sync: (Load & { cpu: number }) | undefined;
    const roundSeconds = Math.max(2, Math.round(DURATION_S / ROUNDS));
    for (let round = 0; round < ROUNDS; round++) {
      const b = await loadSfn(raw.port, 'StartSyncExecution', syncBody, roundSeconds);
      if (!bare || b.reqPerSec > bare.reqPerSec) bare = b;
      const cpuBefore = await gateway.cpuMicros();
      const g = await loadSfn(gateway.port, 'StartSyncExecution', syncBody, roundSeconds);
      const cpu = ((await gateway.cpuMicros()) - cpuBefore) / Math.max(1, g.total);
      if (!sync || g.reqPerSec > sync.reqPerSec) sync = { ...g, cpu: Math.min(cpu, sync?.cpu ?? Infinity) };
    }
    await raw.stop();
    if (!bare || !sync) throw new Error('no load rounds ran');
    rows.push(
      {
        name: `bare node:http canned reply, POST / (${CONNECTIONS} connections)`,
        value: Math.round(bare.reqPerSec),
        unit: 'req/s',
        note: `p50 ${bare.p50} ms, p99 ${bare.p99} ms`,
      },
      {
        name: `Express StartSyncExecution, 10-state Pass chain over HTTP (${CONNECTIONS} connections)`,
        value: Math.round(sync.reqPerSec),
        unit: 'executions/s',
        baseline: 'bare node:http',
        ratio: sync.reqPerSec / bare.reqPerSec,
        note: `p50 ${sync.p50} ms, p99 ${sync.p99} ms, server CPU ${Math.round(sync.cpu)} µs/execution, ${sync.errors} errors (target ≥ 8,000/s, p99 ≤ 5 ms)`,
      },
    );

    // Standard: StartExecution under load, then wait until every execution has finished; the
    // rate counts the whole time, so it is executions completed with their full history stored.
    const stdBody = { stateMachineArn: ARN('StandardChain'), input: JSON.stringify(INPUT) };
    const first = await call(gateway.port, 'StartExecution', stdBody);
    if (typeof first.executionArn !== 'string') throw new Error(`StartExecution answered ${JSON.stringify(first)}`);
    const started = performance.now();
    const stdCpuBefore = await gateway.cpuMicros();
    const std = await loadSfn(gateway.port, 'StartExecution', stdBody, DURATION_S);
    for (;;) {
      const running = await call(gateway.port, 'ListExecutions', { stateMachineArn: ARN('StandardChain'), statusFilter: 'RUNNING', maxResults: 1 });
      if (!running.executions?.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const stdCpu = ((await gateway.cpuMicros()) - stdCpuBefore) / Math.max(1, std.total);
    const history = await call(gateway.port, 'GetExecutionHistory', { executionArn: first.executionArn, maxResults: 1000 });
    const events = history.events?.length ?? 0;
    const done = await call(gateway.port, 'DescribeExecution', { executionArn: first.executionArn });
    if (done.status !== 'SUCCEEDED' || events < 22) throw new Error(`Standard execution ended ${done.status} with ${events} events`);
    rows.push({
      name: `Standard executions with full history (StartExecution over HTTP, ${CONNECTIONS} connections, until all finished)`,
      value: Math.round(std.total / seconds),
      unit: 'executions/s',
      note: `${std.total} executions of ${events} events each in ${seconds.toFixed(1)} s, server CPU ${Math.round(stdCpu)} µs/execution (incl. the polling); StartExecution p99 ${std.p99} ms, ${std.errors} errors (target ≥ 4,000/s)`,
    });
  } finally {
    await raw.stop();
    await gateway.stop();
  }
  return rows;
}

/** The Step Functions rows of `npm run bench`. */
export async function runStepFunctionsBench(): Promise<BenchRow[]> {
  const http = await httpRows();
  const engine = await engineRows();
  return [...http, ...engine];
}

if (process.env.SFN_BENCH_ROLE === 'server') await serve();
