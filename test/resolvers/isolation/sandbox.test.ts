/**
 * The sandbox processes (src/resolvers/isolation/): limits end the process that hit them and
 * nothing else; a replacement holds every registered module; runs caught in a stopped process
 * fail with a message that says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../../src/resolvers/isolation/sandbox.js';
import { plainRunParts } from '../plainRunParts.js';

const lines: string[] = [];
const logger = { debug() {}, info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
const sandboxes: Sandbox[] = [];
afterAll(() => Promise.all(sandboxes.map((s) => s.close())));

async function sandboxWith(limits: Parameters<typeof Sandbox.create>[0] extends infer O ? Omit<O, 'logger'> : never): Promise<Sandbox> {
  const sandbox = await Sandbox.create({ logger, ...limits });
  sandboxes.push(sandbox);
  return sandbox;
}

const parts = plainRunParts();
const moduleOf = (body: string) => `var __m = { request(ctx) { ${body} }, response(ctx) { return ctx.result; } };`;

async function requestOf(sandbox: Sandbox, id: number) {
  const run = sandbox.openRunParts(parts);
  const outcome = await sandbox.invoke(run, id, 'request', 'query:request', '{"prev":null}', 'test');
  await sandbox.closeRun(run);
  return outcome;
}

/** The pid of this process's sandbox child started with `--max-old-space-size=<memoryLimitMb>` (a value no other test uses). */
function sandboxPid(memoryLimitMb: number): number {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && name !== String(process.pid));
  const found = pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(`--max-old-space-size=${memoryLimitMb}\0`);
    } catch {
      return false; // ended while we looked
    }
  });
  expect(found).toHaveLength(1);
  return Number(found[0]);
}

async function untilReady(sandbox: Sandbox): Promise<void> {
  for (let i = 0; i < 200 && sandbox.stats().ready < sandbox.stats().processes; i++) await new Promise((r) => setTimeout(r, 25));
}

describe('sandbox processes', () => {
  it('an allocation without bound ends its process with a memory error; the replacement serves the same modules', async () => {
    // A long time limit: the heap limit, not the clock, has to stop this one.
    const sandbox = await sandboxWith({ processes: 1, memoryLimitMb: 64, timeoutMs: 30_000 });
    const hog = (await sandbox.register(moduleOf('var a = []; for (;;) a.push(new Array(1e6).fill(1.5));'), 'hog.js')).id;
    const fine = (await sandbox.register(moduleOf("return { payload: 'fine' };"), 'fine.js')).id;
    const outcome = await requestOf(sandbox, hog);
    expect(outcome).toMatchObject({ k: 'fault', name: 'MemoryLimitExceeded', message: expect.stringContaining('memory limit of 64 MB') });
    expect(sandbox.stats().restarts).toBe(1);
    expect(await requestOf(sandbox, fine)).toEqual({ k: 'ok', v: { payload: 'fine' } });
  }, 60_000);

  it('a call past the time limit is stopped; a run waiting on the same process is lost with a message that says so', async () => {
    const sandbox = await sandboxWith({ processes: 1, timeoutMs: 300 });
    const spin = (await sandbox.register(moduleOf('for (;;) {}'), 'spin.js')).id;
    const fine = (await sandbox.register(moduleOf("return { payload: 'fine' };"), 'fine.js')).id;
    const waiting = sandbox.openRunParts(parts);
    const started = Date.now();
    const [spun, queued] = await Promise.all([requestOf(sandbox, spin), sandbox.invoke(waiting, fine, 'request', 'query:request', '{"prev":null}', 'waiting')]);
    expect(Date.now() - started).toBeLessThan(1300);
    expect(spun).toEqual({ k: 'timeout', message: 'Execution of the request handler timed out after 300 ms.' });
    expect(queued).toMatchObject({ k: 'fault', name: 'SandboxError', message: expect.stringContaining('its sandbox process was stopped') });
    // The run's process is gone, so it is gone too; closing it reports nothing.
    expect(await sandbox.closeRun(waiting)).toEqual({ errors: [], headers: {}, invalidations: [], stash: {} });
    await untilReady(sandbox);
    expect(await requestOf(sandbox, fine)).toEqual({ k: 'ok', v: { payload: 'fine' } });
  });

  it('with two processes, a stuck one does not hold up new runs', async () => {
    const sandbox = await sandboxWith({ processes: 2, timeoutMs: 2000 });
    const spin = (await sandbox.register(moduleOf('for (;;) {}'), 'spin.js')).id;
    const fine = (await sandbox.register(moduleOf("return { payload: 'fine' };"), 'fine.js')).id;
    // The second process starts a second after the first answered call, with no call waiting for it, and holds both modules.
    expect(await requestOf(sandbox, fine)).toEqual({ k: 'ok', v: { payload: 'fine' } });
    await untilReady(sandbox);
    expect(sandbox.stats()).toEqual({ processes: 2, ready: 2, restarts: 0, deferred: 0 });
    const stuck = requestOf(sandbox, spin);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    expect(await requestOf(sandbox, fine)).toEqual({ k: 'ok', v: { payload: 'fine' } });
    expect(Date.now() - started).toBeLessThan(500);
    expect((await stuck).k).toBe('timeout');
  });

  it('a pool starts with one process; a run that finds it busy starts the others, which take the next runs with every module', async () => {
    const sandbox = await sandboxWith({ processes: 3, timeoutMs: 2000 });
    const spin = (await sandbox.register(moduleOf('for (;;) {}'), 'spin.js')).id;
    const fine = (await sandbox.register(moduleOf("return { payload: 'fine' };"), 'fine.js')).id;
    // The other two start a second after the first answered call (what a start-up does not wait for); /health counts them.
    expect(sandbox.stats()).toEqual({ processes: 3, ready: 1, restarts: 0, deferred: 2 });
    const stuck = requestOf(sandbox, spin);
    await new Promise((r) => setTimeout(r, 100));
    const [a, b] = await Promise.all([requestOf(sandbox, fine), requestOf(sandbox, fine)]);
    expect([a, b]).toEqual([
      { k: 'ok', v: { payload: 'fine' } },
      { k: 'ok', v: { payload: 'fine' } },
    ]);
    expect(sandbox.stats()).toEqual({ processes: 3, ready: 3, restarts: 0, deferred: 0 });
    expect((await stuck).k).toBe('timeout');
  });

  it('control characters, quotes and newlines in every part of a call and its answer arrive as they were, in reads cut anywhere', async () => {
    const sandbox = await sandboxWith({ processes: 1 });
    const awkward = `a\u001eb\u001fc\nd"e\u0000`;
    const echo = (
      await sandbox.register(
        moduleOf(
          'console.log(ctx.args.msg); return { payload: [ctx.args.msg, ctx.request.headers.x, ctx.info.fieldName, ctx.info.selectionSetGraphQL, ctx.source] };',
        ),
        'echo.js',
      )
    ).id;
    lines.length = 0;
    const big = 'x'.repeat(200_000);
    const runs = [awkward, big, awkward].map((msg) => {
      const run = sandbox.openRunParts({
        ...parts,
        argumentsJson: JSON.stringify({ msg }),
        headersJson: JSON.stringify({ x: awkward }),
        sourceJson: JSON.stringify({ s: awkward }),
        fieldName: '"f',
        selectionSetGraphQL: `{\n  ${awkward}\n}`,
      });
      return sandbox.invokeAndClose(run, echo, 'request', 'query:request', '{"prev":null}', 'echo');
    });
    const outcomes = await Promise.all(runs);
    expect(outcomes.map((o) => (o as { v: { payload: unknown[] } }).v.payload)).toEqual(
      [awkward, big, awkward].map((msg) => [msg, awkward, '"f', `{\n  ${awkward}\n}`, { s: awkward }]),
    );
    expect(lines.filter((l) => l.includes('[echo]')).map((l) => l.slice(l.indexOf(': ') + 2))).toEqual([awkward, big, awkward]);
  });

  it('results past maxResultChars and console lines past maxLogChars are cut down to size', async () => {
    const sandbox = await sandboxWith({ processes: 1, maxResultChars: 2048, maxLogChars: 100 });
    const big = (await sandbox.register(moduleOf("console.log('y'.repeat(5000)); return { payload: 'x'.repeat(4000) };"), 'big.js')).id;
    lines.length = 0;
    expect(await requestOf(sandbox, big)).toMatchObject({
      k: 'fault',
      name: 'ResultTooLarge',
      message: "the request handler's result is 4014 characters of JSON; at most 2048 are allowed",
    });
    expect(lines).toEqual([`resolver console.log [test]: ${'y'.repeat(100)}… (cut: the line was 5000 characters, at most 100 are kept)`]);
  });

  it('close waits for the runs already open (a reload lets requests in flight finish), then stops the processes', async () => {
    const sandbox = await Sandbox.create({ logger, processes: 1 });
    const { id } = await sandbox.register(moduleOf("return { payload: 'first' };"), 'r.js');
    const run = sandbox.openRunParts(parts);
    expect(await sandbox.invoke(run, id, 'request', 'query:request', '{"prev":null}', 'r')).toMatchObject({ k: 'ok' });
    let closed = false;
    const closing = sandbox.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    // The data source answered meanwhile: the response handler still runs on the same code.
    expect(await sandbox.invokeAndClose(run, id, 'response', 'query:response', '{"prev":null,"hasResult":true,"result":"from the data source"}', 'r')).toEqual({
      k: 'ok',
      v: 'from the data source',
    });
    await closing;
    expect(closed).toBe(true);
    expect(sandbox.stats().ready).toBe(0);
  });

  it('code that does not compile in the sandbox is a load error and still takes its id: the modules after it keep theirs', async () => {
    const sandbox = await sandboxWith({ processes: 1 });
    await expect(sandbox.register('var __m = { request( };', 'broken.js')).rejects.toThrow(/SyntaxError/);
    const fine = (await sandbox.register(moduleOf("return { payload: 'fine' };"), 'fine.js')).id;
    expect(await requestOf(sandbox, fine)).toEqual({ k: 'ok', v: { payload: 'fine' } });
  });

  it('loading a module is not held to the handler time limit (a large API’s templates parse past it on a busy machine)', async () => {
    const sandbox = await sandboxWith({ processes: 1, timeoutMs: 250 });
    // 600 lines of conditionals: parsing takes well over 250 ms (velocityjs's parser; ~1 ms a line),
    // and well under the 10 s load limit even on a busy machine; rendering does not matter here.
    const lines = Array.from({ length: 600 }, (_, i) => `#if($ctx.args.x${i % 7} == ${i})$util.qr($ctx.stash.put("k${i}", [${i}, "v"]))#end`);
    const large = await sandbox.registerVtl({ request: `${lines.join('\n')}\n{}`, response: null }, 'large.vtl');
    const small = await sandbox.registerVtl({ request: '{ "payload": "served" }', response: null }, 'small.vtl');
    expect(large.id).toBe(small.id - 1);
    expect(await requestOf(sandbox, small.id)).toEqual({ k: 'ok', v: { payload: 'served' } });
    expect(sandbox.stats().restarts).toBe(0);
  });

  it('a process that dies while loading a module is replaced, and modules loaded after it keep the gateway’s ids', async () => {
    // The replacement replays only the modules that loaded; the failed load's id stays unused.
    const sandbox = await sandboxWith({ processes: 1, memoryLimitMb: 64, timeoutMs: 30_000 });
    const before = (await sandbox.register(moduleOf("return { payload: 'before' };"), 'before.js')).id;
    await expect(sandbox.register('var a = []; for (;;) a.push(new Array(1e6).fill(1.5));\nvar __m = {};', 'hog-at-load.js')).rejects.toThrow();
    await untilReady(sandbox);
    const after = (await sandbox.register(moduleOf("return { payload: 'after' };"), 'after.js')).id;
    expect(sandbox.stats().restarts).toBe(1);
    expect(await requestOf(sandbox, before)).toEqual({ k: 'ok', v: { payload: 'before' } });
    expect(await requestOf(sandbox, after)).toEqual({ k: 'ok', v: { payload: 'after' } });
  }, 60_000);

  it('module code that throws at evaluation is a load error, and the process keeps serving', async () => {
    const sandbox = await sandboxWith({ processes: 1 });
    await expect(sandbox.register("throw new Error('top-level');\nvar __m = {};", 'throws.js')).rejects.toThrow(/Error: top-level/);
    const fine = (await sandbox.register(moduleOf("return { payload: 'fine' };"), 'fine.js')).id;
    expect(await requestOf(sandbox, fine)).toEqual({ k: 'ok', v: { payload: 'fine' } });
  });
  it('a module gets the globals its code names; a global named by a \\u escape is its own too, never the shared global object', async () => {
    const sandbox = await sandboxWith({ processes: 1 });
    // Each module replaces a global for its own evaluation only.
    const plain = (await sandbox.register(moduleOf('JSON = null; return { payload: String(JSON) };'), 'plain.js')).id;
    const escaped = (await sandbox.register(moduleOf('\\u004aSON = null; return { payload: String(\\u004aSON) };'), 'escaped.js')).id;
    // Without its name in its text: had `escaped.js` replaced the shared global, this would read it.
    const reader = (await sandbox.register(moduleOf('return { payload: String(\\u004aSON) };'), 'reader.js')).id;
    const unnamed = (await sandbox.register(moduleOf('return { payload: typeof globalThis.Math.max };'), 'unnamed.js')).id;
    expect(await requestOf(sandbox, plain)).toEqual({ k: 'ok', v: { payload: 'null' } });
    expect(await requestOf(sandbox, escaped)).toEqual({ k: 'ok', v: { payload: 'null' } });
    expect(await requestOf(sandbox, reader)).toEqual({ k: 'ok', v: { payload: '[object JSON]' } });
    expect(await requestOf(sandbox, unnamed)).toEqual({ k: 'ok', v: { payload: 'function' } });
  });

  it('a pipeline on NONE in one call has the time limit of each handler it runs: a slow one passes, a spinning one is stopped', async () => {
    const sandbox = await sandboxWith({ processes: 1, timeoutMs: 400 });
    // Busy for 250 ms: each handler is within the limit, the three functions together are not (the call may take 6 × 400 ms).
    const slow = (await sandbox.register(moduleOf('const t = Date.now(); for (;;) { if (Date.now() - t > 250) break; } return { payload: 1 };'), 'slow.js')).id;
    const spin = (await sandbox.register(moduleOf('for (;;) {}'), 'spin.js')).id;
    const passed = await sandbox.invokePipeline(sandbox.openRunParts(parts), -1, [slow, slow, slow], 'query', 'Query.slow');
    expect(passed).toMatchObject({ index: -1, handler: 'response', outcome: { k: 'ok', v: 1 } });
    const started = Date.now();
    const stopped = await sandbox.invokePipeline(sandbox.openRunParts(parts), -1, [slow, spin], 'query', 'Query.spin');
    expect(stopped.outcome).toEqual({ k: 'timeout', message: "Execution of the pipeline's 4 handlers timed out after 1600 ms (400 ms each)." });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1600);
    expect(sandbox.stats().restarts).toBe(1);
  }, 30_000);

  it('a call that waits past 50 ms keeps its CPU priority; one that computes for 50 ms of CPU drops to the lowest until it answers', async (ctx) => {
    // Elsewhere the pool judges a long call by the clock, and says so once.
    if (process.platform !== 'linux') return ctx.skip('reads CPU time and finds the sandbox process in /proc, which only Linux has');
    // A limit no other test uses finds the process; a long time limit, so the clock stops nothing here.
    const sandbox = await sandboxWith({ processes: 1, memoryLimitMb: 97, timeoutMs: 30_000 });
    const fine = (await sandbox.register(moduleOf("return { payload: 'fine' };"), 'fine.js')).id;
    // About 0.3 s of CPU on the bench machine, whatever the load.
    const work = (await sandbox.register(moduleOf('let x = 0; for (let i = 0; i < 8e7; i++) x = (x + i) % 1000003; return { payload: x };'), 'work.js')).id;
    await untilReady(sandbox);
    const pid = sandboxPid(97);
    const usual = getPriority(pid);
    // Stopped, the process gets no CPU while its call's time on the clock runs, as on a machine busy with other work.
    process.kill(pid, 'SIGSTOP');
    let waited: Promise<unknown>;
    try {
      waited = requestOf(sandbox, fine);
      await new Promise((r) => setTimeout(r, 400));
      expect(getPriority(pid)).toBe(usual);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await waited).toEqual({ k: 'ok', v: { payload: 'fine' } });
    const computing = requestOf(sandbox, work);
    let answered = false;
    void computing.finally(() => (answered = true));
    const seen = new Set<number>();
    while (!answered) {
      seen.add(getPriority(pid));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await computing).k).toBe('ok');
    expect(seen).toContain(19);
  }, 60_000);
});
