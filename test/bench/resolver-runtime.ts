/**
 * APPSYNC_JS request+response evaluations in the sandbox processes against the same two functions
 * called as plain JS in the gateway's own realm (the floor: no isolation at all). The sandbox rows
 * keep 50 runs in flight, as a loaded gateway does, and count the gateway process's CPU and the
 * wall time per run (the sandbox processes' CPU runs on other cores).
 */
import { fileURLToPath } from 'node:url';
import { Sandbox } from '../../src/resolvers/isolation/sandbox.js';
import type { BenchRow } from './run.js';
import { silentLogger } from '../utils/logger.js';

const CODE = `var __m = (() => ({
  request(ctx) { return { payload: { id: ctx.args.id, title: 'Hello', views: 42 } }; },
  response(ctx) { return ctx.result; },
}))();`;

const plain = {
  request(ctx: { args: { id: string } }) {
    return { payload: { id: ctx.args.id, title: 'Hello', views: 42 } };
  },
  response(ctx: { result: unknown }) {
    return ctx.result;
  },
};

/** This process's CPU time in ns: unlike wall time, it stops while other processes run. */
export function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** ns per call: the best of 5 rounds of CPU time, since other load on the machine only ever adds time. */
function timeIt(iterations: number, fn: () => void): number {
  for (let i = 0; i < Math.min(iterations, 5000); i++) fn(); // warm-up
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = cpuNow();
    for (let i = 0; i < iterations; i++) fn();
    best = Math.min(best, (cpuNow() - start) / iterations);
  }
  return best;
}

/** Runs `one` `total` times with `inFlight` at once; the best of 3 rounds, in ns per run (gateway CPU and wall). */
async function timeConcurrent(total: number, inFlight: number, one: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const round = async () => {
    let started = 0;
    const cpu0 = cpuNow();
    const wall0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (started < total) {
          started += 1;
          await one();
        }
      }),
    );
    return { cpu: (cpuNow() - cpu0) / total, wall: Number(process.hrtime.bigint() - wall0) / total };
  };
  await round(); // warm-up
  let best = { cpu: Infinity, wall: Infinity };
  for (let i = 0; i < 3; i++) {
    const r = await round();
    if (r.wall < best.wall) best = r;
  }
  return best;
}

export async function runResolverMicroBench(): Promise<BenchRow[]> {
  const sandbox = await Sandbox.create({ logger: silentLogger, timeoutMs: 1000 });
  const { id } = await sandbox.register(CODE, 'bench.js');
  const base = JSON.stringify({
    arguments: { id: '1' },
    identity: null,
    source: null,
    request: { headers: {}, domainName: null },
    info: {
      fieldName: 'getPost',
      parentTypeName: 'Query',
      variables: {},
      selectionSetList: ['id', 'title', 'views'],
      selectionSetGraphQL: '{\n  id\n  title\n  views\n}',
    },
    env: {},
    authMode: 'API_KEY',
  });
  const general = await timeConcurrent(20_000, 50, async () => {
    const run = sandbox.openRun(base);
    const req = await sandbox.invoke(run, id, 'request', 'query:request', '{"prev":null}', 'bench');
    const payload = req.k === 'ok' ? (req.v as { payload: unknown }).payload : null;
    await sandbox.invoke(run, id, 'response', 'query:response', JSON.stringify({ hasResult: true, result: payload }), 'bench');
    await sandbox.closeRun(run);
  });
  // What the gateway does for a UNIT resolver on NONE: the base context in pieces (the per-request
  // pieces already JSON, as the request context holds them), then request, response and the
  // run's end in one call.
  const parts = {
    argumentsJson: '{"id":"1"}',
    identityJson: 'null',
    sourceJson: 'null',
    headersJson: '{}',
    fieldName: 'getPost',
    parentTypeName: 'Query',
    variablesJson: '{}',
    selectionSetListJson: '["id","title","views"]',
    selectionSetGraphQL: '{\n  id\n  title\n  views\n}',
    envJson: '{}',
    authMode: 'API_KEY',
    operation: 'query',
  };
  const unit = await timeConcurrent(50_000, 50, () => sandbox.invokeUnit(sandbox.openRunParts(parts), id, 'query:request', 'query:response', 'bench'));
  await sandbox.close();
  const direct = timeIt(2_000_000, () => {
    const ctx = { args: { id: '1' }, stash: {}, result: undefined as unknown };
    const req = plain.request(ctx);
    ctx.result = req.payload;
    plain.response(ctx);
  });
  return [
    { name: 'APPSYNC_JS request+response in a sandbox process (3 calls), 50 in flight: gateway CPU', value: general.cpu / 1000, unit: 'µs' },
    { name: '… wall time per run', value: general.wall / 1000, unit: 'µs' },
    {
      name: "the gateway's NONE path (context in pieces, one call), 50 in flight: gateway CPU",
      value: unit.cpu / 1000,
      unit: 'µs',
      baseline: 'three calls',
      ratio: unit.cpu / general.cpu,
    },
    { name: '… wall time per run', value: unit.wall / 1000, unit: 'µs' },
    { name: 'same functions as plain JS (no isolation)', value: direct / 1000, unit: 'µs' },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await runResolverMicroBench()) process.stdout.write(`${row.name}: ${row.value.toFixed(3)} ${row.unit}\n`);
}
