/**
 * An AppSync API written by someone else (test/e2e/fixtures/thirdparty: TypeScript pipeline
 * functions, AWS scalars, environment variables), loaded unchanged from its appsync.config.yml and
 * from its Serverless Framework serverless.yml, answers as AppSync would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/index.js';
import { silentLogger } from '../utils/logger.js';

const dir = fileURLToPath(new URL('./fixtures/thirdparty/', import.meta.url));
const KEY = 'da2-thirdpartythirdpartythird';
const open: Gateway[] = [];
const storeDirs: string[] = [];
afterAll(async () => {
  await Promise.all(open.map((g) => g.close()));
  await Promise.all(storeDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function start(file: string, stage?: string) {
  const loaded = await loadConfigFile(`${dir}${file}`, { stage, env: {} });
  // Several gateways of this one project run at once: each has its own data folder.
  const storeDir = await mkdtemp(join(tmpdir(), 'appsync-gw-thirdparty-'));
  storeDirs.push(storeDir);
  const gateway = await createGateway(loaded.config, { configDir: loaded.configDir, configFile: loaded.configFile, logger: silentLogger, dataDir: storeDir });
  open.push(gateway);
  const { url } = await gateway.listen({ port: 0 });
  return async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: await res.json() };
  };
}

describe.each(['appsync.config.yml', 'serverless.yml'])('third-party API from %s', (file) => {
  it('answers a unit resolver with AWSJSON output and env', async () => {
    const query = await start(file);
    const { body } = await query('{ getTodo(id: "7") { id title done createdAt attributes version } }');
    expect(body).toEqual({
      data: { getTodo: { id: '7', title: 'Todo 7', done: true, createdAt: '2024-01-01T00:00:00.000Z', attributes: '{"priority":"high"}', version: 3 } },
    });
  });

  it('reports util.error from a response handler', async () => {
    const query = await start(file);
    const { body } = await query('{ getTodo(id: "missing") { id } }');
    expect(body).toEqual({
      data: { getTodo: null },
      errors: [
        {
          path: ['getTodo'],
          data: null,
          errorType: 'NotFound',
          errorInfo: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'Todo not found',
        },
      ],
    });
  });

  it('runs the TypeScript pipeline with AWS scalar inputs', async () => {
    const query = await start(file);
    const input = { title: 'Write tests', dueOn: '2025-02-28', owner: 'me@example.com', link: 'https://example.com/todo', attributes: '{"tags":["a","b"]}' };
    const { body } = await query(
      'mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id title done dueOn owner link attributes version createdAt } }',
      { input },
    );
    const todo = body.data.createTodo;
    expect(todo).toMatchObject({
      title: 'Write tests',
      done: false,
      dueOn: '2025-02-28',
      owner: 'me@example.com',
      link: 'https://example.com/todo',
      attributes: '{"tags":["a","b"]}',
      version: 1,
    });
    expect(todo.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(todo.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a pipeline function’s util.error carries errorInfo', async () => {
    const query = await start(file);
    const { body } = await query('{ echoTodo(input: { title: "no" }) { id } }');
    expect(body).toEqual({
      data: { echoTodo: null },
      errors: [
        {
          path: ['echoTodo'],
          data: null,
          errorType: 'ValidationException',
          errorInfo: { minLength: 3 },
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'Title must have at least 3 characters',
        },
      ],
    });
  });

  it('rejects an invalid AWSDate variable before running anything', async () => {
    const query = await start(file);
    const { body } = await query('mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id } }', { input: { title: 'abc', dueOn: '2025-02-30' } });
    expect(body).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: [{ line: 1, column: 11, sourceName: null }],
          message: "Variable 'dueOn' has an invalid value. Unable to parse `2025-02-30` as a valid Date Object.",
        },
      ],
    });
  });
});

describe('serverless.yml variables', () => {
  it('${opt:stage} picks the custom value for that stage', async () => {
    const query = await start('serverless.yml', 'prod');
    const { body } = await query('{ getTodo(id: "1") { attributes } }');
    expect(body).toEqual({ data: { getTodo: { attributes: '{"priority":"low"}' } } });
  });
});
