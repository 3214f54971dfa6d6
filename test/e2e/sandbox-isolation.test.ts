/**
 * Resolver isolation against code written to defeat it, on the CLI (`bin/appsync-gateway.mjs
 * serve`, the built dist/ when it is current): each row is one resolver's request handler. For
 * every row the field fails with a clear error within the time limit + 1 s, a request sent while
 * it runs answers within 100 ms of its usual latency, and afterwards the gateway still serves with
 * its RSS within 50 MB of where it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../utils/freePort.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const API_KEY = 'da2-isolationtest00000000000';
/** The config file's sandbox limits (not the defaults, so the test sees them applied). */
const TIMEOUT_MS = 1500;
const MEMORY_MB = 320;

interface Row {
  name: string;
  /** The request handler's body. */
  code: string;
  /** What the field's error message must say. */
  error: RegExp;
  /** A second field that reads what the first may have left behind, and what it must answer. */
  after?: { code: string; data: unknown };
}

const TIMED_OUT = new RegExp(`timed out after ${TIMEOUT_MS} ms`);
const OUT_OF_MEMORY = new RegExp(`memory limit of ${MEMORY_MB} MB`);
const MEMORY_OR_TIME = new RegExp(`${OUT_OF_MEMORY.source}|${TIMED_OUT.source}`);

/**
 * The rows of the table, then the "what already holds" list. Rows that allocate without
 * bound may meet the clock first on a busy machine (V8 collects garbage near its heap limit);
 * test/resolvers/isolation.test.ts shows the memory limit alone.
 */
const ROWS: Row[] = [
  { name: 'promiseExecutorLoop', code: 'for(;;){ new Promise(function(){ for(;;){} }); }', error: TIMED_OUT },
  {
    name: 'asyncFunctionLoop',
    code: 'async function spin(){ for(;;){ new Promise(function(){ for(;;){} }); } } spin(); return { payload: 1 };',
    error: TIMED_OUT,
  },
  { name: 'microtaskAfterReturn', code: 'Promise.resolve().then(function(){ for(;;){} }); return { payload: 1 };', error: TIMED_OUT },
  { name: 'stringsWithoutBound', code: "var a=[]; for(;;){ a[a.length]=('x'.repeat(2**27)+a.length).toLowerCase(); }", error: MEMORY_OR_TIME },
  // Near the heap limit V8 collects garbage almost without pause, so the clock may stop this one first.
  { name: 'arraysWithoutBound', code: 'var a=[]; for(;;){ a.push(new Array(1e7).fill(1.5)); }', error: MEMORY_OR_TIME },
  { name: 'utilMatchesBacktracking', code: "return { payload: util.matches('^(a+)+$', 'a'.repeat(34)+'b') };", error: TIMED_OUT },
  { name: 'regExpBacktracking', code: "return { payload: new RegExp('^(a+)+$').test('a'.repeat(34)+'b') };", error: TIMED_OUT },
  { name: 'atomicsWait', code: 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,5000); return { payload: 1 };', error: /Atomics is not defined/ },
  {
    name: 'objectPrototypePollution',
    code: 'Object.prototype.polluted = 1; return { payload: 1 };',
    error: /TypeError: .*read.only|TypeError: .*not extensible/,
    after: { code: 'return { payload: String(({}).polluted) };', data: 'undefined' },
  },
  {
    name: 'stringPrototypeReplaced',
    code: "String.prototype.toUpperCase = function(){ return 'pwned'; }; return { payload: 1 };",
    error: /TypeError: .*read.only/,
    after: { code: "return { payload: 'a'.toUpperCase() };", data: 'A' },
  },
  {
    name: 'globalReplaced',
    code: 'JSON = null; globalThis.leak = ctx.args; return { payload: 1 };',
    error: /^$/,
    after: { code: 'return { payload: typeof JSON.stringify + "," + typeof globalThis.leak };', data: 'function,undefined' },
  },
  {
    name: 'hugeResult',
    code: "return { payload: 'x'.repeat(2**27) };",
    error: new RegExp(`result is \\d+ characters of JSON; at most 5242880|${MEMORY_OR_TIME.source}`),
  },
  {
    name: 'largeResult',
    code: "return { payload: 'x'.repeat(6 * 2**20) };",
    error: /the request handler's result is 6291470 characters of JSON; at most 5242880 are allowed/,
  },
  { name: 'hugeConsoleLine', code: "console.log('x'.repeat(100 * 2**20)); return { payload: 'logged' };", error: /^$/ },
  {
    name: 'threeMillionSort',
    code: 'var a=[]; for (var i=0;i<3e6;i++) a.push((i*7919)%3e6); a.sort(); a.sort(); a.sort(); return { payload: a.length };',
    error: TIMED_OUT,
  },
  // What already held and must keep holding.
  {
    name: 'functionConstructor',
    code: "return { payload: typeof ctx.constructor.constructor('return process')() };",
    error: /EvalError: Code generation from strings disallowed/,
  },
  { name: 'evalCall', code: "return { payload: typeof eval('1 + 1') };", error: /Cannot eval/ },
  { name: 'requireCall', code: "return { payload: typeof require(['f', 's'].join('')) };", error: /Dynamic require of "fs" is not supported/ },
  {
    name: 'hostGlobals',
    code: 'return { payload: [typeof process, typeof fetch, typeof setTimeout, typeof Buffer, typeof WebAssembly, typeof SharedArrayBuffer].join() };',
    error: /^$/,
    after: { code: 'return { payload: "-" };', data: '-' },
  },
  { name: 'whileTrue', code: 'while(true){}', error: TIMED_OUT },
  {
    name: 'deepRecursion',
    code: 'function down(n){ return down(n + 1) + 1; } return { payload: down(0) };',
    error: /RangeError: Maximum call stack size exceeded/,
  },
  { name: 'neverResolvingPromise', code: 'return new Promise(function(){});', error: /returned a Promise/ },
  { name: 'getterOnResult', code: 'return { get payload(){ for(;;){} } };', error: TIMED_OUT },
  { name: 'proxyResult', code: 'return new Proxy({}, { ownKeys(){ for(;;){} } });', error: TIMED_OUT },
];

/** Fields whose value the row itself returns when it does not fail. */
const PASSES: Record<string, unknown> = {
  globalReplaced: '1',
  hugeConsoleLine: 'logged',
  hostGlobals: 'undefined,undefined,undefined,undefined,undefined,undefined',
};

/** Resident memory of a process in MB (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

let dir: string;
let child: ChildProcess;
let origin: string;
let output = '';

async function query(
  field: string,
): Promise<{ ms: number; body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; errorType?: string }> } }> {
  const started = performance.now();
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({ query: `{ ${field} }` }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string }> };
  return { ms: performance.now() - started, body };
}

/** Waits until every sandbox process started is ready (a row before may have had one replaced; the others start on use). */
async function allSandboxesReady(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { sandbox } = (await (await fetch(`${origin}/health`)).json()) as { sandbox: { processes: number; ready: number; deferred: number } };
    if (sandbox.ready === sandbox.processes - sandbox.deferred) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the sandbox processes did not all get ready within 5 s');
}

/** Median latency of the plain field over `n` requests, in ms. */
async function usualLatency(n = 21): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await query('ok')).ms);
  times.sort((a, b) => a - b);
  return times[n >> 1]!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'appsync-isolation-'));
  const fields = ['ok: String', ...ROWS.flatMap((r) => [`${r.name}: String`, ...(r.after ? [`${r.name}After: String`] : [])])];
  await writeFile(join(dir, 'schema.graphql'), `type Query {\n  ${fields.join('\n  ')}\n}\n`);
  const resolvers: string[] = [];
  const file = async (name: string, body: string) => {
    await writeFile(
      join(dir, `${name}.js`),
      `import { util } from '@aws-appsync/utils';\nexport function request(ctx) { ${body} }\nexport function response(ctx) { return ctx.result; }\n`,
    );
    resolvers.push(`  Query.${name}:\n    kind: UNIT\n    dataSource: none\n    code: ${name}.js`);
  };
  await file('ok', "return { payload: 'fine' };");
  for (const row of ROWS) {
    await file(row.name, row.code);
    if (row.after) await file(`${row.name}After`, row.after.code);
  }
  await writeFile(
    join(dir, 'appsync.config.yml'),
    `name: isolation\nschema: schema.graphql\nauthentication:\n  type: API_KEY\napiKeys:\n  - name: test\n    value: ${API_KEY}\ndataSources:\n  none:\n    type: NONE\nsandbox:\n  timeoutMs: ${TIMEOUT_MS}\n  memoryLimitMb: ${MEMORY_MB}\nresolvers:\n${resolvers.join('\n')}\n`,
  );
  const port = await freePort();
  child = spawn(
    process.execPath,
    [join(ROOT, 'bin/appsync-gateway.mjs'), 'serve', '--config', join(dir, 'appsync.config.yml'), '--port', String(port), '--in-memory'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, APPSYNC_GATEWAY_CACHE_DIR: 'off' },
    },
  );
  child.stdout!.on('data', (d) => (output = (output + d).slice(-2_000_000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-2_000_000)));
  origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${output.slice(-2000)}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway did not start: ${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('resolver isolation on the CLI gateway', () => {
  let startRss = 0;
  let usual = 0;

  it('serves the plain field and measures its usual latency and the starting RSS', async () => {
    expect((await query('ok')).body).toEqual({ data: { ok: 'fine' } });
    usual = await usualLatency();
    startRss = rssMb(child.pid!);
    expect(usual).toBeLessThan(200);
  });

  it.each(ROWS.map((row) => [row.name, row] as const))(
    '%s: fails alone, in time, and the gateway keeps serving',
    async (_name, row) => {
      await allSandboxesReady();
      // The usual latency right now: the suite's other files load the same two cores.
      const usualNow = await usualLatency(7);
      const attack = query(row.name);
      // The plain request goes out while the row's handler runs.
      await new Promise((r) => setTimeout(r, 150));
      const plain = await query('ok');
      const { ms, body } = await attack;
      const seen = JSON.stringify({ plain, attack: { ms, body } }).slice(0, 2000);
      expect(plain.body, seen).toEqual({ data: { ok: 'fine' } });
      expect(plain.ms, seen).toBeLessThan(usualNow + 100);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
      if (row.name in PASSES) {
        expect(body).toEqual({ data: { [row.name]: PASSES[row.name] } });
      } else {
        expect(body.data).toEqual({ [row.name]: null });
        expect(body.errors?.[0]?.message).toMatch(row.error);
      }
      if (row.after) expect((await query(`${row.name}After`)).body).toEqual({ data: { [`${row.name}After`]: row.after.data } });
      expect(child.exitCode).toBeNull();
      // The gateway's own memory: what the row allocated lived (and died) in a sandbox process.
      expect(rssMb(child.pid!) - startRss).toBeLessThan(50);
      // One retry: the bounds are wall-clock times, and the suite's other file shares the two cores.
    },
    { retry: 1 },
  );

  it('kept the gateway up, its RSS near where it started, and cut the console line', async () => {
    expect((await query('ok')).body).toEqual({ data: { ok: 'fine' } });
    expect(child.exitCode).toBeNull();
    // Give the allocator a moment after the last replaced sandbox process.
    await new Promise((r) => setTimeout(r, 500));
    expect(rssMb(child.pid!) - startRss).toBeLessThan(50);
    expect(output).toContain('xxx… (cut: the line was 104857600 characters, at most 262144 are kept)');
    expect(Math.max(...output.split('\n').map((line) => line.length))).toBeLessThan(300_000);
  });
});
