/**
 * The example API's second auth mode (schemas/me.graphql, functions/authorizer.mjs, resolvers/me.js): API_KEY default plus the in-process Lambda
 * authorizer, run from the example's own files and config snippet through a real gateway.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const example = (file: string) => readFile(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');
const KEY = 'da2-exampleexampleexample00';
let gw: TestGateway;

beforeAll(async () => {
  // The example API's own auth settings (appsync.config.yml), with the files they name.
  const root = parse(await example('appsync.config.yml')) as GatewayConfig;
  const authorizer = root.additionalAuthentications!.find((a) => a.type === 'AWS_LAMBDA')!;
  gw = await startTestGateway({
    files: {
      'base.graphql': 'type Query { hello: String }',
      'hello.js': `export function request() { return { payload: 'world' }; }\nexport function response(ctx) { return ctx.result; }\n`,
      'schemas/me.graphql': await example('schemas/me.graphql'),
      'functions/authorizer.mjs': await example('functions/authorizer.mjs'),
      'resolvers/me.js': await example('resolvers/me.js'),
    },
    config: {
      schema: ['base.graphql', 'schemas/me.graphql'],
      authentication: { type: 'API_KEY' },
      additionalAuthentications: [authorizer],
      apiKeys: [{ name: 'local', value: KEY }],
      dataSources: { local: { type: 'NONE' } },
      resolvers: {
        'Query.me': (root.resolvers as Record<string, never>)['Query.me'],
        'Query.hello': { kind: 'UNIT', dataSource: 'local', code: 'hello.js' },
      },
    },
  });
});

async function post(query: string, headers: Record<string, string>) {
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, operationName: 'Who' }),
  });
  return { status: res.status, body: await res.json() };
}

describe("the example API's Lambda authorizer", () => {
  it('alice reaches Query.me through the authorizer', async () => {
    expect(await post('query Who { me { user plan operation } }', { authorization: 'demo-alice' })).toEqual({
      status: 200,
      body: { data: { me: { user: 'alice', plan: 'pro', operation: 'Who' } } },
    });
  });

  it('bob gets Me.plan as null (deniedFields)', async () => {
    expect((await post('query Who { me { user plan } }', { authorization: 'demo-bob' })).body).toEqual({ data: { me: { user: 'bob', plan: null } } });
  });

  it('the API key reaches hello but not me', async () => {
    expect((await post('query Who { hello }', { 'x-api-key': KEY })).body).toEqual({ data: { hello: 'world' } });
    const { body } = await post('query Who { me { user } }', { 'x-api-key': KEY });
    expect(body).toEqual({
      data: { me: null },
      errors: [
        {
          path: ['me'],
          data: null,
          errorType: 'Unauthorized',
          errorInfo: null,
          locations: [{ line: 1, column: 13, sourceName: null }],
          message: 'Not Authorized to access me on type Query',
        },
      ],
    });
  });

  it('authorizer callers do not reach API-key fields', async () => {
    const { body } = await post('query Who { hello }', { authorization: 'demo-alice' });
    expect(body.data).toEqual({ hello: null });
    expect(body.errors[0].message).toBe('Not Authorized to access hello on type Query');
  });

  it.each(['demo-mallory', 'Demo-Alice'])('%s → 401', async (token) => {
    expect(await post('query Who { me { user } }', { authorization: token })).toEqual({
      status: 401,
      body: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] },
    });
  });
});
