/**
 * EvaluateCode on the gateway's port (docs/management-api.md#evaluatecode), called by the real
 * `@aws-sdk/client-appsync` pointed at the gateway. Each row is one evaluation; the whole answer
 * is compared with the shape AWS documents (EvaluateCodeResponse: `evaluationResult` as JSON
 * text, `error.message` / `error.codeErrors[]`, `logs`, `stash`, `outErrors`).
 */
import { AppSyncClient, BadRequestException, EvaluateCodeCommand, ListDomainNamesCommand, type EvaluateCodeCommandOutput } from '@aws-sdk/client-appsync';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type GatewayConfig } from '../../src/index.js';
import { CodeEvaluator } from '../../src/management/evaluateCode.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { silentLogger } from '../utils/logger.js';

const TIMEOUT_MS = 600;
const RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } as const;
const CREDENTIALS = { accessKeyId: 'AKIDEVALTEST', secretAccessKey: 'eval-test-secret' };

const base: GatewayConfig = {
  name: 'evaluate-code-test',
  schemaSdl: 'type Query { ping: String }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-evaluatecodetest0000000' }],
};

const clients: AppSyncClient[] = [];
function client(origin: string, credentials = CREDENTIALS): AppSyncClient {
  // A copy: the SDK marks the object it is given.
  const c = new AppSyncClient({ endpoint: origin, region: 'us-east-1', credentials: { ...credentials }, maxAttempts: 1 });
  clients.push(c);
  return c;
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ config: base, options: { handlerTimeoutMs: TIMEOUT_MS } });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await gw?.close();
});

/** The answer's members AWS documents, without the SDK's `$metadata`. */
function shape(out: EvaluateCodeCommandOutput): Record<string, unknown> {
  const { $metadata: _metadata, ...rest } = out;
  return rest;
}

interface Row {
  name: string;
  code: string;
  context?: Record<string, unknown>;
  fn?: 'request' | 'response';
  expected: Record<string, unknown> | ((answer: Record<string, unknown>) => void);
}

const ROWS: Row[] = [
  {
    name: 'util calls: encoding, math, matches, autoId',
    code: `import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return { b64: util.base64Encode('hello'), url: util.urlEncode('a b&c'), max: util.math.maxVal(3, ctx.args.n), matches: util.matches('^a+$', 'aaa'), idLength: util.autoId().length };
}
export function response(ctx) { return ctx.result; }`,
    context: { arguments: { n: 5 } },
    expected: {
      evaluationResult: JSON.stringify({ b64: 'aGVsbG8=', url: 'a+b%26c', max: 5, matches: true, idLength: 36 }),
      logs: [],
      stash: '{}',
      outErrors: '[]',
    },
  },
  {
    name: 'the ddb module builds a GetItem request (AWS test-resolvers example shape)',
    code: `import * as ddb from '@aws-appsync/utils/dynamodb';
export function request(ctx) { return ddb.get({ key: { id: ctx.args.id } }); }
export const response = (ctx) => ctx.result;`,
    context: { arguments: { id: 'record-id' } },
    expected: { evaluationResult: JSON.stringify({ operation: 'GetItem', key: { id: { S: 'record-id' } } }), logs: [], stash: '{}', outErrors: '[]' },
  },
  {
    name: 'the rds module builds a Postgres statement with its variables',
    code: `import { select, createPgStatement } from '@aws-appsync/utils/rds';
export function request(ctx) { return createPgStatement(select({ table: 'persons', columns: ['id'], where: { id: { eq: ctx.args.id } } })); }
export function response(ctx) { return ctx.result; }`,
    context: { arguments: { id: 7 } },
    expected: {
      evaluationResult: JSON.stringify({ statements: ['SELECT "id" FROM "persons" WHERE "id" = :P0'], variableMap: { ':P0': 7 }, variableTypeHintMap: {} }),
      logs: [],
      stash: '{}',
      outErrors: '[]',
    },
  },
  {
    name: 'the response handler reads ctx.result, ctx.prev and ctx.source',
    fn: 'response',
    code: `export function request(ctx) { return {}; }
export function response(ctx) { return { items: ctx.result.items, prev: ctx.prev.result, parent: ctx.source.id }; }`,
    context: { result: { items: [1, 2] }, prev: { result: { n: 1 } }, source: { id: 'p1' }, info: { fieldName: 'items', parentTypeName: 'Post' } },
    expected: { evaluationResult: JSON.stringify({ items: [1, 2], prev: { n: 1 }, parent: 'p1' }), logs: [], stash: '{}', outErrors: '[]' },
  },
  {
    name: 'util.error: the message as given, no result',
    code: `import { util } from '@aws-appsync/utils';
export function request(ctx) { util.error('Not allowed here', 'Unauthorized', { id: 1 }); }
export function response(ctx) { return ctx.result; }`,
    expected: { error: { message: 'Not allowed here' }, logs: [], stash: '{}', outErrors: '[]' },
  },
  {
    name: 'util.appendError: the result stands, the error is in outErrors',
    code: `import { util } from '@aws-appsync/utils';
export function request(ctx) { util.appendError('partly wrong', 'Partial', { n: 1 }, { hint: 'x' }); return { ok: true }; }
export function response(ctx) { return ctx.result; }`,
    expected: {
      evaluationResult: '{"ok":true}',
      logs: [],
      stash: '{}',
      outErrors: JSON.stringify([{ message: 'partly wrong', errorType: 'Partial', data: { n: 1 }, errorInfo: { hint: 'x' } }]),
    },
  },
  {
    name: 'console lines come back in logs, in order, with their level',
    code: `export function request(ctx) {
  console.log('current id', ctx.args.id);
  console.error('bad', { a: 1 });
  console.warn('careful');
  return null;
}
export function response(ctx) { return ctx.result; }`,
    context: { arguments: { id: 'record-id' } },
    expected: { evaluationResult: 'null', logs: ['INFO - current id record-id', 'ERROR - bad {"a":1}', 'WARN - careful'], stash: '{}', outErrors: '[]' },
  },
  {
    name: 'the stash: starts from the context, changes come back',
    code: `export function request(ctx) { ctx.stash.added = ctx.stash.given + 1; return ctx.stash; }
export function response(ctx) { return ctx.result; }`,
    context: { stash: { given: 1 } },
    expected: { evaluationResult: '{"given":1,"added":2}', logs: [], stash: '{"given":1,"added":2}', outErrors: '[]' },
  },
  {
    name: 'runtime.earlyReturn in the request handler: its value is the result',
    code: `import { runtime } from '@aws-appsync/utils';
export function request(ctx) { runtime.earlyReturn({ skipped: true }); }
export function response(ctx) { return ctx.result; }`,
    expected: { evaluationResult: '{"skipped":true}', logs: [], stash: '{}', outErrors: '[]' },
  },
  {
    name: 'an uncaught error: message prefixed with code.js:LINE:COLUMN',
    code: `export function request(ctx) {
  const name = 'x';
  return ctx.args.missing.deep;
}
export function response(ctx) { return ctx.result; }`,
    expected: (answer) => {
      expect(Object.keys(answer).sort()).toEqual(['error', 'logs', 'outErrors', 'stash']);
      expect((answer.error as { message: string }).message).toMatch(/^code\.js:3:\d+: TypeError: Cannot read properties of undefined \(reading 'deep'\)$/);
    },
  },
  {
    name: 'a syntax error: PARSER_ERROR with its line, column and span',
    code: `export function request(ctx) {
  return { a: 1 ;
}`,
    expected: (answer) => {
      const error = answer.error as { message: string; codeErrors: Array<Record<string, unknown>> };
      expect(answer.evaluationResult).toBeUndefined();
      expect(error.message).toMatch(/^code\.js:2:\d+: Expected "}" but found ";"$/);
      expect(error.codeErrors).toEqual([{ errorType: 'PARSER_ERROR', value: 'Expected "}" but found ";"', location: { line: 2, column: 17, span: 1 } }]);
      expect(answer.logs).toEqual([]);
    },
  },
  {
    name: 'a feature APPSYNC_JS lacks: LINT_ERROR, and the code does not run',
    code: `export function request(ctx) {
  console.log('never');
  try { return 1; } catch (e) { return 2; }
}
export function response(ctx) { return ctx.result; }`,
    expected: {
      error: {
        message: 'The code contains 1 error: code.js:3:3: APPSYNC_JS does not support try/catch/finally',
        codeErrors: [{ errorType: 'LINT_ERROR', value: 'APPSYNC_JS does not support try/catch/finally', location: { line: 3, column: 3, span: -1 } }],
      },
      logs: [],
      stash: '{}',
      outErrors: '[]',
    },
  },
  {
    name: 'a runaway loop stops at the handler time limit',
    code: `export function request(ctx) {
  const a = Array(100000).fill(0);
  let n = 0;
  a.forEach(() => a.forEach(() => { n = n + 1; }));
  return n;
}
export function response(ctx) { return ctx.result; }`,
    context: { stash: { kept: true } },
    expected: {
      error: { message: `code.js: Execution of the request handler timed out after ${TIMEOUT_MS} ms.` },
      logs: [],
      stash: '{"kept":true}',
      outErrors: '[]',
    },
  },
];

describe('EvaluateCode through @aws-sdk/client-appsync', () => {
  it.each(ROWS)('$name', async (row) => {
    const out = await client(gw.origin).send(
      new EvaluateCodeCommand({ runtime: RUNTIME, code: row.code, context: JSON.stringify(row.context ?? {}), function: row.fn ?? 'request' }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    const answer = shape(out);
    if (typeof row.expected === 'function') row.expected(answer);
    else expect(answer).toEqual(row.expected);
  });

  it('after a time-limit kill the next evaluation of the same code still runs (kept compiled, replayed into the new process)', async () => {
    const code = `export function request(ctx) { return ctx.args.n * 2; }\nexport function response(ctx) { return ctx.result; }`;
    const c = client(gw.origin);
    const first = await c.send(new EvaluateCodeCommand({ runtime: RUNTIME, code, context: '{"arguments":{"n":2}}', function: 'request' }));
    const second = await c.send(new EvaluateCodeCommand({ runtime: RUNTIME, code, context: '{"arguments":{"n":21}}', function: 'request' }));
    expect([first.evaluationResult, second.evaluationResult]).toEqual(['4', '42']);
  });
});

describe('the evaluation sandbox', () => {
  it('past maxModules distinct codes it starts afresh, and every code, old or new, still gives its own result', async () => {
    const evaluator = new CodeEvaluator({ logger: silentLogger, limits: () => ({ timeoutMs: 2000 }), maxModules: 2 });
    const code = (n: number) => `export function request(ctx) { return ${n} * ctx.args.x; }\nexport function response(ctx) { return ctx.result; }`;
    try {
      const results: Array<string | undefined> = [];
      // 1 and 2 fill the first sandbox; 3 replaces it while 2 may still run there; 1 comes back in the new one.
      for (const batch of [
        [1, 2],
        [3, 2],
        [1, 4],
      ]) {
        const answers = await Promise.all(batch.map((n) => evaluator.evaluate(code(n), { arguments: { x: 10 } })));
        results.push(...answers.map((a) => a.evaluationResult));
      }
      expect(results).toEqual(['10', '20', '30', '20', '10', '40']);
    } finally {
      await evaluator.close();
    }
    await expect(evaluator.evaluate(code(1), {})).rejects.toMatchObject({ errorName: 'InternalFailureException', message: 'The gateway is closing.' });
  });
});

describe('bad input gets AWS error answers', () => {
  it.each([
    ['an unknown runtime name', { runtime: { name: 'VTL', runtimeVersion: '1.0.0' } }, /^Unsupported runtime name "VTL"/],
    ['an unknown runtime version', { runtime: { name: 'APPSYNC_JS', runtimeVersion: '2.0.0' } }, /^Unsupported runtime version "2.0.0"/],
    ['a context that is not JSON', { context: '{ nope' }, /^context is not valid JSON/],
    ['a context that is not an object', { context: '[1]' }, /^context must be a JSON object/],
    ['a function other than request/response', { function: 'handler' }, /^function must be "request" or "response"/],
  ])('%s: BadRequestException (400)', async (_name, change, message) => {
    const input = { runtime: RUNTIME, code: 'export function request(ctx) { return 1; }', context: '{}', ...change } as ConstructorParameters<
      typeof EvaluateCodeCommand
    >[0];
    const error = await client(gw.origin)
      .send(new EvaluateCodeCommand(input))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect(error).toMatchObject({ name: 'BadRequestException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(message);
  });

  it('a body that is not JSON: 400 BadRequestException in the header, message in the body', async () => {
    const response = await fetch(`${gw.origin}/v1/dataplane-evaluatecode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"runtime": ',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await response.json()).toEqual({ message: expect.stringMatching(/^The request body is not valid JSON: /) });
  });

  it('a management operation not served: UnknownOperationException naming the route and where the served ones are listed', async () => {
    const error = await client(gw.origin)
      .send(new ListDomainNamesCommand({}))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 404 } });
    expect((error as Error).message).toBe('appsync-gateway does not serve GET /v1/domainnames; see docs/management-api.md for the operations it serves.');
  });
});

describe('signing (docs/management-api.md#signing)', () => {
  const evaluate = (origin: string, credentials = CREDENTIALS) =>
    client(origin, credentials).send(
      new EvaluateCodeCommand({ runtime: RUNTIME, code: 'export function request(ctx) { return 1; }', context: '{}', function: 'request' }),
    );
  const unsigned = (origin: string) =>
    fetch(`${origin}/v1/dataplane-evaluatecode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runtime: RUNTIME, code: 'export function request(ctx) { return 1; }', context: '{}' }),
    });

  it('on loopback without AWS_IAM credentials, unsigned calls are accepted', async () => {
    const response = await unsigned(gw.origin);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ evaluationResult: '1', logs: [], stash: '{}', outErrors: '[]' });
  });

  it('with AWS_IAM credentials, signed calls pass; unsigned calls and other keys get 403', async () => {
    const iam = await startTestGateway({ config: { ...base, additionalAuthentications: [{ type: 'AWS_IAM', config: { credentials: [CREDENTIALS] } }] } });
    try {
      expect((await evaluate(iam.origin)).evaluationResult).toBe('1');
      const response = await unsigned(iam.origin);
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      await expect(evaluate(iam.origin, { accessKeyId: 'AKIDOTHER', secretAccessKey: 'nope' })).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(evaluate(iam.origin, { ...CREDENTIALS, secretAccessKey: 'wrong' })).rejects.toMatchObject({
        name: 'InvalidSignatureException',
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      await iam.close();
    }
  });

  it('on a non-loopback address without AWS_IAM credentials, every call is refused', async () => {
    const locked = await startTestGatewayOn('0.0.0.0');
    try {
      const response = await unsigned(locked.origin);
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect((await response.json()).message).toMatch(/so AppSync management API calls must be SigV4-signed/);
    } finally {
      await locked.close();
    }
  });
});

/** A gateway listening on `host`, reached over 127.0.0.1. */
async function startTestGatewayOn(host: string): Promise<{ origin: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-eval-'));
  const gateway = await createGateway(base, { configDir: dir, logger: silentLogger, inMemory: true });
  const { port } = await gateway.listen({ port: 0, host });
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
