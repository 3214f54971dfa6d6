/**
 * A PIPELINE resolver whose functions all use the built-in NONE data source runs every handler in
 * one call into the sandbox (src/resolvers/execute.ts, Sandbox.invokePipeline). The same API is
 * served twice over HTTP: with the built-in NONE (one call) and with a data source kind that does
 * what NONE does but lacks its mark (handler by handler, with the data source called from the
 * gateway); every case must answer the same, errors, stash and appended errors included.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Sandbox } from '../../src/resolvers/isolation/sandbox.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { echoKind } from './echoKind.js';

const files: Record<string, string> = {
  'before.js': `import { runtime, util } from '@aws-appsync/utils';
export function request(ctx) {
  ctx.stash.order = ['before'];
  if (ctx.args.x === 1) runtime.earlyReturn({ early: true });
  if (ctx.args.x === 2) util.error('no', 'BeforeError');
  return { started: ctx.args.x };
}
export function response(ctx) {
  if (ctx.args.x === 3) runtime.earlyReturn('not here');
  if (ctx.args.x === 4) util.error('after says no', 'AfterError', { partial: 1 }, { why: 'x' });
  return JSON.stringify({ order: ctx.stash.order, prev: ctx.prev.result, result: ctx.result });
}`,
  'fnA.js': `import { runtime, util } from '@aws-appsync/utils';
export function request(ctx) {
  ctx.stash.order.push('A');
  if (ctx.args.x === 5) runtime.earlyReturn({ skipped: 'A' });
  if (ctx.args.x === 6) runtime.earlyReturn({ ended: 'A' }, { skipTo: 'END' });
  if (ctx.args.x === 7) util.error('A request failed', 'AError', { d: 1 }, { i: 2 });
  if (ctx.args.x === 8) { const o = null; return o.missing; }
  const prev = ctx.prev.result;
  if (prev && typeof prev === 'object') prev.touchedByA = true;
  return { payload: { seen: prev, n: 1 }, version: '2017-02-28' };
}
export function response(ctx) {
  if (ctx.args.x === 9) util.appendError('A noted', 'Note');
  if (ctx.args.x === 10) runtime.earlyReturn('too late');
  if (ctx.args.x === 11) util.error('A response failed', 'AResponse');
  if (ctx.args.x === 12) return ctx.prev.result.touchedByA === true ? 'leaked' : 'clean';
  ctx.result.n = ctx.result.n + 1;
  return ctx.result;
}`,
  'fnB.js': `import { util } from '@aws-appsync/utils';
export function request(ctx) {
  ctx.stash.order.push('B');
  if (ctx.args.x === 13) return {};
  if (ctx.args.x === 14) return { payload: null };
  if (ctx.args.x === 15) return { payload: 'x'.repeat(3000) };
  return { payload: { fromA: ctx.prev.result, at: 'B' } };
}
export function response(ctx) {
  if (ctx.args.x === 16) util.appendError('B noted', 'Note', { b: 1 });
  return ctx.result;
}`,
  'bare.js': `export function request(ctx) { return { payload: [ctx.prev.result, ctx.args.x] }; }
export function response(ctx) { return ctx.result; }`,
};

function configWith(dataSourceType: string) {
  return {
    schemaSdl: 'type Query { pipe(x: Int): String  bare(x: Int): AWSJSON  empty: AWSJSON }',
    authentication: { type: 'API_KEY' as const },
    apiKeys: [{ name: 'k', value: 'da2-pipelineonnone0000000000' }],
    dataSources: { local: { type: dataSourceType } },
    resolvers: {
      'Query.pipe': { kind: 'PIPELINE' as const, code: 'before.js', functions: ['fnA', 'fnB'] },
      'Query.bare': { kind: 'PIPELINE' as const, functions: ['bare', 'bare'] },
      'Query.empty': { kind: 'PIPELINE' as const, functions: [] },
    },
    pipelineFunctions: {
      fnA: { dataSource: 'local', code: 'fnA.js' },
      fnB: { dataSource: 'local', code: 'fnB.js' },
      bare: { dataSource: 'local', code: 'bare.js' },
    },
  };
}

let oneCall: TestGateway;
let stepByStep: TestGateway;
const pipelineCalls = vi.spyOn(Sandbox.prototype, 'invokePipeline');

beforeAll(async () => {
  // maxResultChars 2,000: case 15's payload passes one limit check in each path. `bare` is in the
  // subset the gateway evaluates itself (test/resolvers/expressions/differential.test.ts): switched
  // off here, so the sandbox's two paths are the ones compared.
  const options = {
    handlerTimeoutMs: 1000,
    sandbox: { processes: 1, maxResultChars: 2000, evaluateSimpleHandlers: false },
    dataSourceKinds: { ECHO: echoKind },
  };
  [oneCall, stepByStep] = await Promise.all([
    startTestGateway({ files, config: configWith('NONE'), options }),
    startTestGateway({ files, config: configWith('ECHO'), options }),
  ]);
});
afterAll(async () => {
  await Promise.all([oneCall?.close(), stepByStep?.close()]);
});

const headers = { 'x-api-key': 'da2-pipelineonnone0000000000' };

describe('a pipeline on NONE in one sandbox call', () => {
  const queries = [...Array.from({ length: 17 }, (_, x) => `{ pipe(x: ${x}) }`), '{ bare(x: 1) }', '{ a: pipe(x: 9) b: pipe(x: 16) c: bare(x: 2) }'];
  it.each(queries)('%s answers as handler by handler does', async (query) => {
    pipelineCalls.mockClear();
    const one = await oneCall.query(query, undefined, headers);
    expect(pipelineCalls).toHaveBeenCalled();
    pipelineCalls.mockClear();
    const steps = await stepByStep.query(query, undefined, headers);
    expect(pipelineCalls).not.toHaveBeenCalled();
    expect(one.body).toEqual(steps.body);
    expect(one.status).toBe(steps.status);
  });

  it('the cases say what they test (values handed on, early returns, errors, the result limit)', async () => {
    const value = async (x: number) => (await oneCall.query(`{ pipe(x: ${x}) }`, undefined, headers)).body;
    expect(JSON.parse((await value(0)).data.pipe)).toEqual({
      order: ['before', 'A', 'B'],
      prev: { fromA: { seen: { started: 0, touchedByA: true }, n: 2 }, at: 'B' },
      result: { fromA: { seen: { started: 0, touchedByA: true }, n: 2 }, at: 'B' },
    });
    expect(JSON.parse((await value(1)).data.pipe)).toMatchObject({ order: ['before'], prev: { early: true } });
    expect((await value(2)).errors[0]).toMatchObject({ errorType: 'BeforeError', message: 'no' });
    expect((await value(3)).errors[0]).toMatchObject({
      errorType: 'Code',
      message: expect.stringContaining('earlyReturn can only be called in a request handler'),
    });
    expect(await value(4)).toMatchObject({ data: { pipe: null }, errors: [{ errorType: 'AfterError', errorInfo: { why: 'x' } }] });
    expect(JSON.parse((await value(5)).data.pipe)).toMatchObject({ order: ['before', 'A', 'B'], prev: { fromA: { skipped: 'A' } } });
    expect(JSON.parse((await value(6)).data.pipe)).toMatchObject({ order: ['before', 'A'], prev: { ended: 'A' } });
    expect((await value(7)).errors[0]).toMatchObject({ errorType: 'AError', data: { d: 1 }, errorInfo: { i: 2 } });
    expect((await value(8)).errors[0]).toMatchObject({ errorType: 'Code', message: expect.stringMatching(/^fnA\.js:\d+:\d+: TypeError/) });
    expect((await value(9)).errors).toEqual([expect.objectContaining({ errorType: 'Note', message: 'A noted' })]);
    expect((await value(11)).errors[0]).toMatchObject({ errorType: 'AResponse' });
    // ctx.prev.result changed by a request handler is that handler's copy: the response handler sees what was sent.
    expect(JSON.parse((await value(12)).data.pipe)).toMatchObject({ prev: { fromA: 'clean' } });
    expect(JSON.parse((await value(13)).data.pipe)).toMatchObject({ prev: null });
    // No code and no functions: the value handed on starts as {} (both paths take the one call here).
    expect((await oneCall.query('{ empty }', undefined, headers)).body).toEqual({ data: { empty: '{}' } });
    expect((await value(15)).errors[0]).toMatchObject({ errorType: 'Code', message: expect.stringContaining('ResultTooLarge') });
  });
});
