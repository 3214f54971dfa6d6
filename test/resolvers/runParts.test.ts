/**
 * Sandbox.openRunParts keeps parsed copies of recurring pieces of the base context: every run
 * must still see exactly what `openRun` with the whole JSON text gives it (same values, keys,
 * key order and property attributes; its own mutable copies; nothing leaking between runs).
 */
import { describe, expect, it } from 'vitest';
import { Sandbox, type RunParts } from '../../src/resolvers/sandbox.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

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
        hits: globalThis.hits,
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

/** Four runs of the probe (first use, template made, copies), request then response each. */
async function runProbe(open: (sandbox: Sandbox) => number, plant = ''): Promise<unknown[]> {
  const sandbox = await Sandbox.create({ logger: silent });
  if (plant) sandbox.register(`${plant}\nvar __m = {};`, 'plant.js');
  const id = sandbox.register(PROBE, 'probe.js');
  const seen: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    const run = open(sandbox);
    seen.push(sandbox.invoke(run, id, 'request', 'query:request', '{"prev":null}'));
    seen.push(sandbox.invoke(run, id, 'response', 'query:response', '{"prev":null,"hasResult":true,"result":null}'));
    seen.push(sandbox.closeRun(run));
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

  it('members JSON.stringify leaves out stay left out', async () => {
    const partial = { ...parts(), identityJson: undefined, sourceJson: undefined, headersJson: undefined, variablesJson: undefined, envJson: undefined };
    const { identity: _i, source: _s, env: _e, ...rest } = base;
    const wholeBase = { ...rest, request: { domainName: null }, info: { ...base.info, variables: undefined } };
    const whole = await runProbe((s) => s.openRun(JSON.stringify(wholeBase)));
    const pieces = await runProbe((s) => s.openRunParts(partial));
    expect(pieces).toEqual(whole);
  });

  it('copies ignore setters resolver code plants on prototypes, as JSON.parse does', async () => {
    const plant = `globalThis.hits = 0;
Object.defineProperty(Object.prototype, 'host', { set(v) { globalThis.hits += 1; }, configurable: true });
Object.defineProperty(Array.prototype, '0', { set(v) { globalThis.hits += 1; }, configurable: true });
Object.defineProperty(Array.prototype, 'constructor', { value: function NotArray() {}, configurable: true, writable: true });`;
    const whole = await runProbe((s) => s.openRun(JSON.stringify(base)), plant);
    const pieces = await runProbe((s) => s.openRunParts(parts()), plant);
    expect((whole[0] as { k: string }).k).toBe('ok');
    expect(pieces).toEqual(whole);
  });
});

/**
 * Installs `spy` (resolver code that patches built-ins and collects what passes through them in
 * `globalThis.leaked`), runs `writer` for one request to its end, then asks from another request
 * what the spy collected that mentions "secret".
 */
async function leakedToAnotherRequest(spy: string, writer: string): Promise<unknown> {
  const sandbox = await Sandbox.create({ logger: silent });
  sandbox.register(`globalThis.leaked = [];\n${spy}\nvar __m = {};`, 'spy.js');
  const writerId = sandbox.register(`var __m = { request(ctx) { ${writer} return {}; } };`, 'writer.js');
  const readerId = sandbox.register('var __m = { request(ctx) { return { leaked: globalThis.leaked.filter((t) => t.includes("secret")) }; } };', 'reader.js');
  const other = sandbox.openRun(JSON.stringify(base));
  expect(sandbox.invoke(other, writerId, 'request', 'query:request', '{"prev":null}')).toMatchObject({ k: 'ok' });
  sandbox.closeRun(other);
  const mine = sandbox.openRun(JSON.stringify(base));
  const seen = sandbox.invoke(mine, readerId, 'request', 'query:request', '{"prev":null}');
  sandbox.closeRun(mine);
  return seen;
}

describe('runs of other requests', () => {
  it('are out of reach of resolver code that replaces Map methods', async () => {
    const spy = `for (const name of ['get', 'set', 'has', 'delete']) {
  const original = Map.prototype[name];
  Map.prototype[name] = function (...args) {
    const result = original.apply(this, args);
    for (const v of [this, ...args, result]) if (v && typeof v === 'object' && 'stash' in v) globalThis.leaked.push(JSON.stringify(v.stash));
    return result;
  };
}`;
    expect(await leakedToAnotherRequest(spy, 'ctx.stash.secret = "s3cr3t";')).toEqual({ k: 'ok', v: { leaked: [] } });
  });

  it('are out of reach of resolver code that replaces Array.prototype.push or JSON.stringify', async () => {
    const spy = `const originalPush = Array.prototype.push;
Array.prototype.push = function (...args) {
  for (const v of args) if (v && typeof v === 'object') globalThis.leaked[globalThis.leaked.length] = JSON.stringify(v);
  return originalPush.apply(this, args);
};
const originalStringify = JSON.stringify;
JSON.stringify = function (...args) {
  globalThis.leaked[globalThis.leaked.length] = originalStringify(args[0]);
  return originalStringify.apply(this, args);
};`;
    const writer = `util.appendError('secret-error'); util.http.addResponseHeader('x-secret', { token: 'secret-header' });`;
    expect(await leakedToAnotherRequest(spy, writer)).toEqual({ k: 'ok', v: { leaked: [] } });
  });
});
