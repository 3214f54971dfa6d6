/**
 * A pipeline resolver the gateway evaluates itself (src/resolvers/execute.ts, #runPipelineInGateway)
 * answers its value at once when it calls no data source but NONE: the execution then answers
 * without a promise (src/server/execute.ts says why that matters). Once a data source other than
 * NONE is called, or a handler falls back to the sandbox, the answer is a promise. The values
 * themselves are checked against the sandbox in test/resolvers/expressions/differential.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/config/index.js';
import { loadBuiltInDataSourceKinds } from '../../src/datasources/index.js';
import { executeGraphQL, type GraphQLResponse } from '../../src/server/execute.js';
import { loadApi, type Api } from '../../src/server/loadApi.js';
import { silentLogger } from '../utils/logger.js';
import { echoKind } from './echoKind.js';

const API_KEY = 'da2-pipelineingateway000000';

const files: Record<string, string> = {
  'before.js': `export function request(ctx) { return { started: ctx.args.x }; }
export function response(ctx) { return { prev: ctx.prev.result, result: ctx.result }; }`,
  'add.js': `export function request(ctx) { return { payload: { n: (ctx.prev.result.n ?? 0) + 1, from: ctx.prev.result } }; }
export function response(ctx) { return ctx.result; }`,
  'end.js': `import { runtime } from '@aws-appsync/utils';
export function request(ctx) {
  if (ctx.args.x === 1) runtime.earlyReturn({ ended: true }, { skipTo: 'END' });
  return { payload: { n: 10 } };
}
export function response(ctx) { return ctx.result; }`,
  // Number() of an array: in the subset at load, handed to the sandbox when it runs.
  'fallback.js': `export function request(ctx) { return { payload: Number(ctx.args.l) }; }
export function response(ctx) { return ctx.result; }`,
};

const config = {
  name: 'pipelines',
  schemaSdl: 'type Query { onNone(x: Int): AWSJSON  bare(x: Int): AWSJSON  echoed(x: Int): AWSJSON  skipped(x: Int): AWSJSON  fellBack(l: [Int]): AWSJSON }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: API_KEY }],
  dataSources: { none: { type: 'NONE' }, echo: { type: 'ECHO' } },
  resolvers: {
    'Query.onNone': { kind: 'PIPELINE', code: 'before.js', functions: ['addOnNone', 'addOnNone'] },
    'Query.bare': { kind: 'PIPELINE', functions: ['addOnNone'] },
    'Query.echoed': { kind: 'PIPELINE', functions: ['addOnNone', 'addOnEcho', 'addOnNone'] },
    'Query.skipped': { kind: 'PIPELINE', functions: ['endOnNone', 'addOnEcho'] },
    'Query.fellBack': { kind: 'PIPELINE', functions: ['fallbackOnNone'] },
  },
  pipelineFunctions: {
    addOnNone: { dataSource: 'none', code: 'add.js' },
    addOnEcho: { dataSource: 'echo', code: 'add.js' },
    endOnNone: { dataSource: 'none', code: 'end.js' },
    fallbackOnNone: { dataSource: 'none', code: 'fallback.js' },
  },
};

let api: Api;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'appsync-gw-pipeline-sync-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  const kinds = { ...(await loadBuiltInDataSourceKinds(['NONE'])), ECHO: echoKind };
  const normalized = normalizeConfig(config as never, { configDir: dir, knownDataSourceTypes: ['NONE', 'ECHO'] } as never);
  api = await loadApi(normalized, { logger: silentLogger, kinds, sandbox: { processes: 1 }, compileAfterRuns: 1 });
  // The analysis that marks the pipelines evaluated in the gateway has finished.
  await api.ready();
});

afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The execution's answer as executeGraphQL gives it: a value, or a promise of one. */
async function executor(): Promise<(query: string) => GraphQLResponse | Promise<GraphQLResponse>> {
  const auth = await api.authenticate({ headers: { 'x-api-key': API_KEY }, method: 'POST', url: '/graphql', body: '', sourceIp: '127.0.0.1' });
  return (query) => executeGraphQL(api, { query, auth, headers: {} });
}

describe('a pipeline evaluated in the gateway', () => {
  it('is evaluated in the gateway, every one of these (otherwise the rows below test the sandbox)', () => {
    expect(api.runtime.evaluatedInGateway).toBe(5);
  });

  // Twice each: the first run goes through graphql-js, the second through graphql-jit (compileAfterRuns: 1).
  it.each([1, 2])('on NONE answers without a promise (run %i)', async (run) => {
    void run;
    const answer = (await executor())('{ onNone(x: 7) bare(x: 1) skipped(x: 1) }');
    expect(answer).not.toBeInstanceOf(Promise);
    expect((answer as GraphQLResponse).body).toEqual({
      data: {
        onNone: JSON.stringify({ prev: { n: 2, from: { n: 1, from: { started: 7 } } }, result: { n: 2, from: { n: 1, from: { started: 7 } } } }),
        bare: JSON.stringify({ n: 1, from: {} }),
        // The early return skips the function on ECHO: nothing is awaited.
        skipped: JSON.stringify({ ended: true }),
      },
    });
  });

  it.each([1, 2])('with a data source that is awaited answers with a promise, and the same value (run %i)', async (run) => {
    void run;
    const answer = (await executor())('{ echoed(x: 1) skipped(x: 0) }');
    expect(answer).toBeInstanceOf(Promise);
    expect((await answer).body).toEqual({
      data: {
        echoed: JSON.stringify({ n: 3, from: { n: 2, from: { n: 1, from: {} } } }),
        skipped: JSON.stringify({ n: 11, from: { n: 10 } }),
      },
    });
  });

  it('that falls back to the sandbox at run time answers with a promise, and the sandbox value', async () => {
    const answer = (await executor())('{ fellBack(l: [1, 2]) }');
    expect(answer).toBeInstanceOf(Promise);
    expect((await answer).body).toEqual({ data: { fellBack: null } });
  });
});
