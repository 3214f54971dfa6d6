/**
 * Handlers written to defeat the gateway's evaluator (docs/resolvers.md#handlers-the-gateway-evaluates):
 * eligible code whose values grow by sharing (objects and strings doubled 40 times, a helper given
 * a DAG of 2^40 nodes, functions of the file calling each other 7^15 times, directly or through map, an object grown by member writes after a helper measured it, a string split into 2^18 pieces, JSON.stringify of a DAG of 2^40 leaves, Object.entries of 2^17 pieces). Each must be handed to the sandbox by the evaluation budget, not worked
 * through in the gateway: the field answers with the sandbox's own outcome, a plain request sent
 * meanwhile answers at its usual speed, and the gateway keeps serving. Also: the bench fixtures
 * are evaluated in the gateway (GET /health counts them).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../../src/index.js';
import { startTestGateway, type TestGateway } from '../../utils/gateway.js';

const chain = (depth: number, first: string, step: (prev: string) => string) =>
  [`  const v0 = ${first};`, ...Array.from({ length: depth }, (_, i) => `  const v${i + 1} = ${step(`v${i}`)};`)].join('\n');

const DEPTH = 40;
const FILES: Record<string, string> = {
  'objects.js': `export function request(ctx) {\n${chain(DEPTH, '{ x: ctx.args.s, y: ctx.args.s }', (p) => `{ x: ${p}, y: ${p} }`)}\n  return { payload: v${DEPTH} };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n`,
  'strings.js': `export function request(ctx) {\n${chain(DEPTH, 'ctx.args.s', (p) => `${p} + ${p}`)}\n  return { payload: v${DEPTH}.length };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n`,
  'helper.js': `import { util } from '@aws-appsync/utils';\nexport function request(ctx) {\n${chain(DEPTH, '[ctx.args.s, ctx.args.s]', (p) => `[${p}, ${p}]`)}\n  return { payload: util.dynamodb.toDynamoDB(v${DEPTH}) };\n}\nexport function response(ctx) {\n  return 1;\n}\n`,
  'spread.js': `export function request(ctx) {\n${chain(DEPTH, '[ctx.args.s, ctx.args.s]', (p) => `[...${p}, ...${p}]`)}\n  return { payload: v${DEPTH}.length };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n`,
  // Calls that multiply: each of 16 functions (the deepest chain allowed) calls the one before 7 times, 7^15 (about 2^42) calls in all.
  'calls.js': `${Array.from({ length: 16 }, (_, i) =>
    i === 0
      ? 'function f0(s) { return s; }'
      : `function f${i}(s) { return [${Array(7)
          .fill(`f${i - 1}(s)`)
          .join(', ')}]; }`,
  ).join('\n')}\nexport function request(ctx) {\n  return { payload: f15(ctx.args.s) };\n}\nexport function response(ctx) {\n  return 1;\n}\n`,
  // map multiplies calls too: arrays of 7 shared arrays, 15 deep, each level mapped by the function before (7^15 calls).
  'maps.js': `${Array.from({ length: 16 }, (_, i) => (i === 0 ? 'function g0(s) { return s; }' : `function g${i}(a) { return a.map(g${i - 1}); }`)).join('\n')}\nexport function request(ctx) {\n${chain(15, 'ctx.args.s', (p) => `[${Array(7).fill(p).join(', ')}]`)}\n  return { payload: g15(v15) };\n}\nexport function response(ctx) {\n  return 1;\n}\n`,
  // split('') makes one string per character: a string of 2^18 characters (cheap to make by doubling) gives 2^18 of them.
  'split.js': `export function request(ctx) {\n${chain(17, 'ctx.args.s', (p) => `${p} + ${p}`)}\n  return { payload: v17.split('').length };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n`,
  // JSON.stringify renders a shared subtree each time it is reached: 2^40 leaves.
  'stringify.js': `export function request(ctx) {\n${chain(DEPTH, '{ x: ctx.args.s, y: ctx.args.s }', (p) => `{ x: ${p}, y: ${p} }`)}\n  return { payload: JSON.stringify(v${DEPTH}).length };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n`,
  // Object.entries makes a pair per element: 2^17 characters split (paid), then 2^17 pairs (over the budget with the split).
  'entries.js': `export function request(ctx) {\n${chain(16, 'ctx.args.s', (p) => `${p} + ${p}`)}\n  return { payload: Object.entries(v16.split('')).length };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n`,
  // Member writes grow an object after a helper has paid for it: 2^14 paths to an empty object (about 50,000 nodes, within
  // the budget twice over), then 400 keys written to it (13M nodes). The second call must pay the new size, not the first call's measure.
  'writes.js': `import { util } from '@aws-appsync/utils';\nexport function request(ctx) {\n  const o = {};\n${chain(14, 'o', (p) => `{ x: ${p}, y: ${p} }`)}\n  const first = util.dynamodb.toDynamoDB(v14);\n${Array.from({ length: 400 }, (_, i) => `  o.k${i} = ctx.args.s;`).join('\n')}\n  return { payload: [typeof first, util.dynamodb.toDynamoDB(v14)] };\n}\nexport function response(ctx) {\n  return 1;\n}\n`,
  'plain.js': 'export function request(ctx) {\n  return { payload: ctx.args.s };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n',
};

const SCHEMA = `type Query {\n  calls(s: String): AWSJSON\n  objects(s: String): AWSJSON\n  strings(s: String): AWSJSON\n  helper(s: String): AWSJSON\n  spread(s: String): AWSJSON\n  maps(s: String): AWSJSON\n  split(s: String): AWSJSON\n  stringify(s: String): AWSJSON\n  entries(s: String): AWSJSON\n  writes(s: String): AWSJSON\n  plain(s: String): String\n}\n`;
const TIMEOUT_MS = 800;

interface Line {
  message: string;
  fields?: Record<string, unknown>;
}

describe('the evaluation budget against values that grow by sharing', () => {
  let gw: TestGateway;
  const lines: Line[] = [];
  const capture = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields });
  beforeAll(async () => {
    const files: Record<string, string> = { 'schema.graphql': SCHEMA };
    const resolvers: Record<string, unknown> = {};
    for (const [name, code] of Object.entries(FILES)) {
      files[`resolvers/${name}`] = code;
      resolvers[`Query.${name.replace('.js', '')}`] = { kind: 'UNIT', dataSource: 'none', code: `resolvers/${name}` };
    }
    gw = await startTestGateway({
      files,
      config: {
        schema: 'schema.graphql',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-budget0000000000000000000' }],
        dataSources: { none: { type: 'NONE' } },
        resolvers,
      } as unknown as GatewayConfig,
      options: { handlerTimeoutMs: TIMEOUT_MS, logger: { debug: capture, info: capture, warn: capture, error: capture } },
    });
  });

  it('serves every file from the gateway (all are in the subset)', async () => {
    const health = await (await fetch(`${gw.origin}/health`)).json();
    expect(health.sandbox.evaluatedInGateway).toBe(Object.keys(FILES).length);
  });

  const ROWS: Array<{ field: string; reason: RegExp; answer: (body: any) => void }> = [
    // The sandbox's JSON of 2^40 leaves runs until its time limit.
    { field: 'objects', reason: /budget/, answer: (body) => expect(body.errors[0].message).toMatch(/timed out/) },
    // V8 refuses a string of 2^41 characters: the sandbox reports the RangeError.
    { field: 'strings', reason: /longer than the limit/, answer: (body) => expect(body.errors[0].message).toMatch(/RangeError: Invalid string length/) },
    { field: 'helper', reason: /budget/, answer: (body) => expect(body.errors[0].message).toMatch(/timed out|RangeError|memory/) },
    // The sandbox's 7^15 calls run until its time limit.
    { field: 'calls', reason: /budget/, answer: (body) => expect(body.errors[0].message).toMatch(/timed out/) },
    // The sandbox's 7^15 calls of map's function run until its time limit.
    { field: 'maps', reason: /budget/, answer: (body) => expect(body.errors[0].message).toMatch(/timed out/) },
    // The sandbox splits the 2^18 characters at once.
    { field: 'split', reason: /budget/, answer: (body) => expect(body).toEqual({ data: { split: String(2 ** 18) } }) },
    // The sandbox's stringify of 2^40 leaves meets V8's string limit or its time limit.
    { field: 'stringify', reason: /budget/, answer: (body) => expect(body.errors[0].message).toMatch(/timed out|RangeError|memory/) },
    // The sandbox makes the 2^17 pairs at once, or (on a loaded machine) meets its time limit.
    {
      field: 'entries',
      reason: /budget/,
      answer: (body) => (body.errors ? expect(body.errors[0].message).toMatch(/timed out/) : expect(body).toEqual({ data: { entries: String(2 ** 17) } })),
    },
    // The sandbox's 13M nodes meet its time limit, its memory or the result limit.
    {
      field: 'writes',
      reason: /budget/,
      answer: (body) => expect(body.errors[0].message).toMatch(/timed out|RangeError|memory|ResultTooLarge|characters of JSON/),
    },
    { field: 'spread', reason: /budget|longer than the limit/, answer: (body) => expect(body.errors[0].message).toMatch(/timed out|RangeError|memory/) },
  ];

  for (const row of ROWS) {
    it(`${row.field}: the budget hands it to the sandbox; a plain request meanwhile answers at once`, async () => {
      // The usual latency of a plain request, measured first.
      const usual: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        expect((await gw.query('{ plain(s: "p") }')).body).toEqual({ data: { plain: 'p' } });
        usual.push(performance.now() - t);
      }
      const before = lines.length;
      const started = performance.now();
      const hostile = gw.query(`{ ${row.field}(s: "ab") }`);
      // Sent once the hostile request is in the gateway: it must not wait for it.
      await new Promise((r) => setTimeout(r, 20));
      const t = performance.now();
      const plain = await gw.query('{ plain(s: "q") }');
      const plainMs = performance.now() - t;
      expect(plain.body).toEqual({ data: { plain: 'q' } });
      // 250 ms of slack: on a loaded 2-core machine a plain request alone varies by ~100 ms; walking 2^40 nodes would take days.
      expect(plainMs).toBeLessThan(Math.max(...usual) + 250);
      const answer = await hostile;
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
      row.answer(answer.body);
      const handed = lines.slice(before).filter((l) => l.message === 'resolver handed to the sandbox' && l.fields?.resolver === `Query.${row.field}`);
      expect(handed.map((l) => String(l.fields?.reason))).toEqual([expect.stringMatching(row.reason)]);
      // Still serving.
      expect((await gw.query('{ plain(s: "after") }')).body).toEqual({ data: { plain: 'after' } });
    });
  }
});

describe('the bench fixtures are evaluated in the gateway', () => {
  const fixture = (name: string) => readFileSync(new URL(`../../bench/fixtures/${name}`, import.meta.url), 'utf8');
  let gw: TestGateway;
  let off: TestGateway;
  beforeAll(async () => {
    off = await startTestGateway({
      files: { 'schema.graphql': fixture('schema.graphql'), 'echo.js': fixture('echo.js') },
      config: {
        schema: 'schema.graphql',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-benchfixturesoff000000000' }],
        sandbox: { evaluateSimpleHandlers: false },
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.echo': { kind: 'UNIT', dataSource: 'none', code: 'echo.js' } },
      } as unknown as GatewayConfig,
    });
    gw = await startTestGateway({
      files: {
        'schema.graphql': `${fixture('schema.graphql')}\nextend type Query { getPostDynamoDB(id: ID!): Post }\ntype Mutation { putPost(id: ID!, title: String, views: Int): Post }\n`,
        'echo.js': fixture('echo.js'),
        'getPost.js': fixture('getPost.js'),
        'getPostDynamoDB.js': fixture('getPostDynamoDB.js'),
        'putPostDynamoDB.js': fixture('putPostDynamoDB.js'),
      },
      config: {
        schema: 'schema.graphql',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-benchfixtures00000000000' }],
        dataSources: {
          none: { type: 'NONE' },
          posts: {
            type: 'AMAZON_DYNAMODB',
            config: {
              tableName: 'posts',
              table: {
                AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
                KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
                BillingMode: 'PAY_PER_REQUEST',
              },
            },
          },
        },
        resolvers: {
          'Query.echo': { kind: 'UNIT', dataSource: 'none', code: 'echo.js' },
          'Query.getPost': { kind: 'UNIT', dataSource: 'none', code: 'getPost.js' },
          'Query.getPostDynamoDB': { kind: 'UNIT', dataSource: 'posts', code: 'getPostDynamoDB.js' },
          'Mutation.putPost': { kind: 'UNIT', dataSource: 'posts', code: 'putPostDynamoDB.js' },
        },
      } as unknown as GatewayConfig,
    });
  });

  it('counts echo, getPost, getPostDynamoDB and putPostDynamoDB in /health, and they answer', async () => {
    const health = await (await fetch(`${gw.origin}/health`)).json();
    expect(health.sandbox.evaluatedInGateway).toBe(4);
    expect((await gw.query('{ echo(msg: "hi") }')).body).toEqual({ data: { echo: 'hi' } });
    expect((await gw.query('{ getPost(id: "1") { id title views } }')).body).toEqual({ data: { getPost: { id: '1', title: 'Hello', views: 42 } } });
    expect((await gw.query('mutation { putPost(id: "7", title: "T", views: 3) { id title views } }')).body).toEqual({
      data: { putPost: { id: '7', title: 'T', views: 3 } },
    });
    expect((await gw.query('{ getPostDynamoDB(id: "7") { id title views } }')).body).toEqual({ data: { getPostDynamoDB: { id: '7', title: 'T', views: 3 } } });
  });

  it("the config file's sandbox.evaluateSimpleHandlers: false sends them to the sandbox", async () => {
    expect((await (await fetch(`${off.origin}/health`)).json()).sandbox.evaluatedInGateway).toBe(0);
    expect((await off.query('{ echo(msg: "hi") }')).body).toEqual({ data: { echo: 'hi' } });
  });
});
