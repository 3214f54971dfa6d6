/**
 * Sandbox.openRunParts keeps parsed copies of recurring pieces of the base context: every run
 * must still see exactly what `openRun` with the whole JSON text gives it (same values, keys,
 * key order and property attributes; its own mutable copies; nothing leaking between runs).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox, type RunHandle, type RunParts } from '../../src/resolvers/isolation/sandbox.js';
import { silentLogger } from '../utils/logger.js';

/** Describes ctx in full, then mutates every piece of it; the response handler shows what stayed. */
const PROBE = `var __m = (() => {
  const describe = (o) => Object.getOwnPropertyNames(o).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    return [k, d.writable, d.enumerable, d.configurable, 'get' in d];
  });
  const shape = (v) => v === null || typeof v !== 'object' ? [typeof v, v] : [Array.isArray(v), Object.getPrototypeOf(v) === (Array.isArray(v) ? Array.prototype : Object.prototype), describe(v), Object.keys(v).map((k) => shape(v[k]))];
  const mutate = (v) => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) { v.forEach(mutate); v.push('added'); return; }
    for (const k of Object.keys(v)) mutate(v[k]);
    v.added = 1;
  };
  return {
    request(ctx) {
      const seen = {
        json: JSON.stringify(ctx),
        keys: Object.keys(ctx),
        ctx: describe(ctx),
        info: describe(ctx.info),
        request: describe(ctx.request),
        list: ctx.info.selectionSetList,
        graphql: ctx.info.selectionSetGraphQL,
        shapes: ['args', 'identity', 'source', 'request', 'env'].map((k) => shape(ctx[k])).concat([shape(ctx.info.variables), shape(ctx.info.selectionSetList)]),
      };
      const copy = JSON.parse(JSON.stringify(seen));
      mutate(ctx.args); mutate(ctx.identity); mutate(ctx.source); mutate(ctx.request); mutate(ctx.env);
      mutate(ctx.info.variables); mutate(ctx.info.selectionSetList);
      return copy;
    },
    response(ctx) {
      return { json: JSON.stringify(ctx), list: ctx.info.selectionSetList, variables: ctx.info.variables };
    },
  };
})();`;

const base = {
  arguments: { id: '1', filter: { tags: ['a', { deep: [1, 2] }] } },
  identity: JSON.parse('{"sub":"u1","claims":{"groups":["admin",{"x":null}],"__proto__":{"polluted":true},"2":"two","1":"one"},"flag":false,"n":-0.5}'),
  source: { parent: { id: 'p', list: [[], {}] } },
  request: {
    headers: JSON.parse('{"host":"h","x-api-key":"k","10":"ten","__proto__":"p","multi":["a","b"]}'),
    domainName: null,
  },
  info: {
    fieldName: 'getPost',
    parentTypeName: 'Query',
    variables: { v: [{ w: 'é\u2028' }] },
    selectionSetList: ['id', 'author', 'author/name'],
    selectionSetGraphQL: '{\n  id\n  author {\n    name\n  }\n}',
  },
  env: { STAGE: 'dev', '0': 'zero' },
  authMode: 'API_KEY',
  operation: 'query',
};

const parts = (): RunParts => ({
  argumentsJson: JSON.stringify(base.arguments),
  identityJson: JSON.stringify(base.identity),
  sourceJson: JSON.stringify(base.source),
  headersJson: JSON.stringify(base.request.headers),
  fieldName: base.info.fieldName,
  parentTypeName: base.info.parentTypeName,
  variablesJson: JSON.stringify(base.info.variables),
  selectionSetListJson: JSON.stringify(base.info.selectionSetList),
  selectionSetGraphQL: base.info.selectionSetGraphQL,
  envJson: JSON.stringify(base.env),
  authMode: base.authMode,
  operation: base.operation,
});

const sandboxes: Sandbox[] = [];
afterAll(() => Promise.all(sandboxes.map((s) => s.close())));
async function newSandbox(): Promise<Sandbox> {
  const sandbox = await Sandbox.create({ logger: silentLogger, processes: 1 });
  sandboxes.push(sandbox);
  return sandbox;
}

/** Four runs of the probe (first use, template made, copies), request then response each. */
async function runProbe(open: (sandbox: Sandbox) => RunHandle): Promise<unknown[]> {
  const sandbox = await newSandbox();
  const { id } = await sandbox.register(PROBE, 'probe.js');
  const seen: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    const run = open(sandbox);
    seen.push(await sandbox.invoke(run, id, 'request', 'query:request', '{"prev":null}', 'probe'));
    seen.push(await sandbox.invoke(run, id, 'response', 'query:response', '{"prev":null,"hasResult":true,"result":null}', 'probe'));
    seen.push(await sandbox.closeRun(run));
  }
  return seen;
}

describe('Sandbox.openRunParts', () => {
  it('gives every run what openRun with the whole JSON gives it', async () => {
    const whole = await runProbe((s) => s.openRun(JSON.stringify(base)));
    const pieces = await runProbe((s) => s.openRunParts(parts()));
    expect((whole[0] as { k: string }).k).toBe('ok');
    expect(pieces).toEqual(whole);
  });

  it('the same JSON text objects from run to run (one request, many resolvers)', async () => {
    const shared = parts();
    const whole = await runProbe((s) => s.openRun(JSON.stringify(base)));
    const pieces = await runProbe((s) => s.openRunParts(shared));
    expect(pieces).toEqual(whole);
  });

  it("a carried stash (a hand-over's after a data source call) is the run's first stash, as openRun's `stash` member makes it", async () => {
    const stash = JSON.parse('{"carried":{"list":[1,"two",null,{"k":[]}],"__proto__":{"own":true}},"n":-0.5}');
    const whole = await runProbe((s) => s.openRun(JSON.stringify({ ...base, stash })));
    const pieces = await runProbe((s) => s.openRunParts({ ...parts(), stashJson: JSON.stringify(stash) }));
    expect((whole[0] as { v: { json: string } }).v.json).toContain('"stash":{"carried":{"list":[1,"two",null,{"k":[]}],"__proto__":{"own":true}},"n":-0.5}');
    expect(pieces).toEqual(whole);
    // A stash that is not an object is no stash, both ways.
    const listed = await runProbe((s) => s.openRunParts({ ...parts(), stashJson: '[1]' }));
    expect(listed).toEqual(await runProbe((s) => s.openRun(JSON.stringify({ ...base, stash: [1] }))));
    expect((listed[0] as { v: { json: string } }).v.json).toContain('"stash":{}');
  });

  it('members JSON.stringify leaves out stay left out', async () => {
    const partial = { ...parts(), identityJson: undefined, sourceJson: undefined, headersJson: undefined, variablesJson: undefined, envJson: undefined };
    const { identity: _i, source: _s, env: _e, ...rest } = base;
    const wholeBase = { ...rest, request: { domainName: null }, info: { ...base.info, variables: undefined } };
    const whole = await runProbe((s) => s.openRun(JSON.stringify(wholeBase)));
    const pieces = await runProbe((s) => s.openRunParts(partial));
    expect(pieces).toEqual(whole);
  });
});

/**
 * Runs `spy` (resolver code that tries to patch built-ins so that it sees what later requests
 * pass through them) in one request, `writer` in a second, and asks from a third what the spy
 * collected and whether the built-ins are still the originals.
 */
async function leakedToAnotherRequest(spy: string, writer: string): Promise<unknown[]> {
  const sandbox = await newSandbox();
  const spyId = (await sandbox.register(`var __m = { request(ctx) { globalThis.leaked = []; ${spy} return {}; } };`, 'spy.js')).id;
  const writerId = (await sandbox.register(`var __m = { request(ctx) { ${writer} return {}; } };`, 'writer.js')).id;
  const readerId = (
    await sandbox.register(
      'var __m = { request(ctx) { return { leaked: typeof leaked, global: typeof globalThis.leaked, pushed: [].push.toString().includes("native"), json: JSON.stringify.toString().includes("native"), get: Map.prototype.get.toString().includes("native") }; } };',
      'reader.js',
    )
  ).id;
  const outcomes: unknown[] = [];
  for (const id of [spyId, writerId, readerId]) {
    const run = sandbox.openRunParts(parts());
    outcomes.push(await sandbox.invoke(run, id, 'request', 'query:request', '{"prev":null}', 'probe'));
    await sandbox.closeRun(run);
  }
  return outcomes;
}

const UNTOUCHED = { k: 'ok', v: { leaked: 'undefined', global: 'undefined', pushed: true, json: true, get: true } };

describe('runs of other requests', () => {
  it('are out of reach of resolver code that replaces Map methods: the intrinsics are frozen', async () => {
    const spy = `const original = Map.prototype.get;
Map.prototype.get = function (...args) { globalThis.leaked.push(args); return original.apply(this, args); };`;
    const [spied, written, read] = await leakedToAnotherRequest(spy, 'ctx.stash.secret = "s3cr3t";');
    expect(spied).toMatchObject({ k: 'fault', name: 'TypeError', message: expect.stringMatching(/read only|read-only/) });
    expect(written).toMatchObject({ k: 'ok' });
    expect(read).toEqual(UNTOUCHED);
  });

  it('are out of reach of resolver code that replaces Array.prototype.push or JSON.stringify', async () => {
    const spy = `JSON.stringify = function (...args) { return ''; };`;
    const writer = `util.appendError('secret-error'); util.http.addResponseHeader('x-secret', { token: 'secret-header' });`;
    const [spied, , read] = await leakedToAnotherRequest(spy, writer);
    expect(spied).toMatchObject({ k: 'fault', name: 'TypeError' });
    expect(read).toEqual(UNTOUCHED);
    const [pushSpied, , pushRead] = await leakedToAnotherRequest('Array.prototype.push = function () { return 0; };', writer);
    expect(pushSpied).toMatchObject({ k: 'fault', name: 'TypeError' });
    expect(pushRead).toEqual(UNTOUCHED);
  });

  it('never see globals or module state an earlier request left', async () => {
    const sandbox = await newSandbox();
    const { id } = await sandbox.register(
      `let calls = 0;
var __m = { request(ctx) { calls += 1; const before = typeof globalThis.mark; globalThis.mark = 1; return { calls, before }; } };`,
      'state.js',
    );
    for (let i = 0; i < 3; i++) {
      const run = sandbox.openRunParts(parts());
      expect(await sandbox.invoke(run, id, 'request', 'query:request', '{"prev":null}', 'state')).toEqual({ k: 'ok', v: { calls: 1, before: 'undefined' } });
      await sandbox.closeRun(run);
    }
  });
});
