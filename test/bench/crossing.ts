/**
 * `node --import tsx test/bench/crossing.ts [rounds] [runs] [source root …]`: the sandbox crossing
 * alone, as the smallest query makes it (a UNIT resolver on NONE: open the run, then request,
 * NONE and response in one call), with 50 runs in flight as a loaded gateway has, and no HTTP. Prints
 * the CPU time per run of this process (the gateway's side: building the calls, writing them,
 * reading the answers) and of its sandbox processes, read from /proc, median of `rounds` rounds.
 *
 * With several source roots (checkouts, or copies of `src/` with a tsconfig.json and a
 * node_modules link beside it), each gets its own sandbox and the rounds alternate between them:
 * an A/B of two versions of src/resolvers/ within one run, less disturbed by the machine's other
 * load than the HTTP rows (no load generator shares the two cores).
 *
 * `CROSSING_CASE` picks the resolver (default `echo`, the smallest query). The others are the
 * resolvers that keep crossing once the gateway runs loop-free handlers itself, each on a field
 * with a selection set (`{ id title author { name } }`): `loop` (a `for…of` over an argument and a
 * stash write in the request, on NONE), `vtl` (the same as mapping templates, on NONE) and `ds`
 * (the echo handlers on a data source: open, request, then response with the run's end, the data
 * source's answer made up in between).
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { plainRunParts } from '../resolvers/plainRunParts.js';
import { processCpuMicros, median } from './serverProcess.js';

const [roundsArg, runsArg, ...rootArgs] = process.argv.slice(2);
const ROUNDS = Number(roundsArg ?? 8);
const RUNS = Number(runsArg ?? 20_000);
const roots = rootArgs.length > 0 ? rootArgs : [fileURLToPath(new URL('../..', import.meta.url))];

const CASE = process.env.CROSSING_CASE ?? 'echo';
const CODE = 'var __m = { request(ctx) { return { payload: ctx.args.msg }; }, response(ctx) { return ctx.result; } };';
const LOOP_CODE = `var __m = {
  request(ctx) {
    let total = 0;
    const names = [];
    for (const item of ctx.args.items) { total += item.n; names.push(item.name); }
    ctx.stash.total = total;
    return { payload: { msg: ctx.args.msg, total, names } };
  },
  response(ctx) { return ctx.result.msg; },
};`;
const VTL_REQUEST = `#set($total = 0)
#set($names = [])
#foreach($item in $ctx.args.items)
  #set($total = $total + $item.n)
  $util.qr($names.add($item.name))
#end
$util.qr($ctx.stash.put("total", $total))
{ "version": "2018-05-29", "payload": { "msg": $util.toJson($ctx.args.msg), "total": $total, "names": $util.toJson($names) } }`;
const VTL_RESPONSE = '$util.toJson($ctx.result.msg)';
const ITEMS = Array.from({ length: 5 }, (_, n) => ({ name: `item${n}`, n }));
// The field's fixed parts as runPartsOf makes them for `echo { id title author { name } }`.
const SELECTION = {
  selectionSetListJson: JSON.stringify(['id', 'title', 'author', 'author/name']),
  selectionSetGraphQL: '{\n  id\n  title\n  author {\n    name\n  }\n}',
};
// What autocannon sends in the HTTP rows, as ctx.request.headers.
const HEADERS_JSON = JSON.stringify({
  host: '127.0.0.1:43567',
  'content-type': 'application/json',
  'x-api-key': 'da2-benchbenchbenchbenchbench',
  'content-length': '33',
  connection: 'keep-alive',
});
const logger = { debug() {}, info() {}, warn: (line: string) => console.warn(line), error: (line: string) => console.error(line) };

interface Variant {
  root: string;
  close(): Promise<void>;
  one(): Promise<void>;
  total: number[];
  own: number[];
}

async function variantOf(root: string): Promise<Variant> {
  const { Sandbox } = (await import(
    `${root.replace(/\/$/, '')}/src/resolvers/isolation/sandbox.ts`
  )) as typeof import('../../src/resolvers/isolation/sandbox.js');
  const sandbox = await Sandbox.create({ logger, processes: 2 });
  const { id } =
    CASE === 'vtl'
      ? await sandbox.registerVtl({ request: VTL_REQUEST, response: VTL_RESPONSE }, 'echo.vtl')
      : await sandbox.register(CASE === 'loop' ? LOOP_CODE : CODE, 'echo.js');
  const args = CASE === 'echo' || CASE === 'ds' ? { msg: 'hi' } : { msg: 'hi', items: ITEMS };
  const open = () =>
    sandbox.openRunParts(
      { ...plainRunParts({ arguments: args }), headersJson: HEADERS_JSON, fieldName: 'echo', ...(CASE === 'echo' ? {} : SELECTION) },
      { sandboxAffinity: undefined },
    );
  const check = (value: unknown, what: unknown) => {
    if (value !== 'hi') throw new Error(`unexpected answer: ${JSON.stringify(what)}`);
  };
  const one =
    CASE === 'ds'
      ? async () => {
          const run = open();
          const request = await sandbox.invoke(run, id, 'request', 'query:request', '{"prev":null}', 'Query.echo');
          if (request.k !== 'ok') throw new Error(`unexpected answer: ${JSON.stringify(request)}`);
          // What a data source answers: its result, then the response handler ends the run.
          const step = JSON.stringify({ prev: null, hasResult: true, result: (request.v as { payload: unknown }).payload });
          const response = await sandbox.invokeAndClose(run, id, 'response', 'query:response', step, 'Query.echo');
          check(response.k === 'ok' && response.v, response);
        }
      : async () => {
          const unit = await sandbox.invokeUnit(open(), id, 'query:request', 'query:response', 'Query.echo');
          check(unit.outcome.k === 'ok' && unit.outcome.v, unit);
        };
  return { root, close: () => sandbox.close(0), one, total: [], own: [] };
}

async function round(one: () => Promise<void>): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (started < RUNS) {
        started += 1;
        await one();
      }
    }),
  );
}

const variants: Variant[] = [];
for (const root of roots) variants.push(await variantOf(root));
for (const v of variants) await round(v.one); // warm-up
const loads: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const v of r % 2 ? [...variants].reverse() : variants) {
    const total0 = processCpuMicros(process.pid);
    const own0 = process.cpuUsage();
    await round(v.one);
    const own = process.cpuUsage(own0);
    v.total.push((processCpuMicros(process.pid) - total0) / RUNS);
    v.own.push((own.user + own.system) / RUNS);
    loads.push(loadavg()[0]!);
  }
}
for (const v of variants) {
  const total = median(v.total);
  const own = median(v.own);
  process.stdout.write(
    `${v.root}: ${total.toFixed(1)} µs CPU per run (this process ${own.toFixed(1)}, sandbox processes ${(total - own).toFixed(1)}); ` +
      `rounds ${v.total.map((x) => x.toFixed(1)).join(' ')}\n`,
  );
}
// Each round's ratio to the first root's round next to it: less moved by the machine's load drifting over the run than the medians.
for (const v of variants.slice(1)) {
  const ratios = v.total.map((x, r) => x / variants[0]!.total[r]!);
  process.stdout.write(
    `${v.root} / ${variants[0]!.root}: median of the rounds' ratios ${median(ratios).toFixed(3)} (${ratios.map((x) => x.toFixed(2)).join(' ')})\n`,
  );
}
process.stdout.write(`case ${CASE}, ${ROUNDS} rounds of ${RUNS} runs; load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}\n`);
for (const v of variants) await v.close();
