/**
 * A cached resolver the gateway evaluates on NONE, with the in-memory store, answers without a
 * promise on a miss and on a hit (src/resolvers/execute.ts `#runCached`): with caching on, an
 * execution that waits for nothing still answers at once, as it does with caching off
 * (docs/bench.md#the-smallest-query-over-http), and the entry a miss keeps is what a hit reads.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthContext } from '../../src/auth/types.js';
import { normalizeConfig } from '../../src/config/index.js';
import { loadBuiltInDataSourceKinds } from '../../src/datasources/index.js';
import { executeGraphQL, type GraphQLResponse } from '../../src/server/execute.js';
import { loadApi, type Api } from '../../src/server/loadApi.js';
import { silentLogger } from '../utils/logger.js';

const SCHEMA = 'type Query { echo(id: ID!, n: Int): Echo }\ntype Echo { id: ID! n: Int }\n';
// The request's n is echoed: under PER_RESOLVER_CACHING (keyed on the id only) a hit answers the n the miss kept.
const ECHO =
  'export function request(ctx) {\n  return { payload: { id: ctx.args.id, n: ctx.args.n } };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n';
const QUERY = 'query ($id: ID!, $n: Int) { echo(id: $id, n: $n) { id n } }';
const auth = { mode: 'API_KEY', identity: null } as unknown as AuthContext;

describe.each(['FULL_REQUEST_CACHING', 'PER_RESOLVER_CACHING'] as const)('a cached resolver on NONE under %s', (behavior) => {
  let dir: string;
  let api: Api;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'appsync-cache-sync-'));
    await writeFile(join(dir, 'schema.graphql'), SCHEMA);
    await writeFile(join(dir, 'echo.js'), ECHO);
    const kinds = await loadBuiltInDataSourceKinds(['NONE']);
    const config = normalizeConfig(
      {
        name: `sync-${behavior}`,
        schema: 'schema.graphql',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-sync000000000000000000000' }],
        // Only the id is a key: a run with another n under the same id reads the entry.
        caching: { behavior, ttl: 60 },
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.echo': { kind: 'UNIT', dataSource: 'none', code: 'echo.js', caching: { ttl: 60, keys: ['$context.arguments.id'] } } },
      } as never,
      { configDir: dir, knownDataSourceTypes: ['NONE'] },
    );
    api = await loadApi(config, { logger: silentLogger, kinds, dataFolder: { dir: undefined, inMemory: true }, compileAfterRuns: 0 });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (id: string, n: number) =>
    executeGraphQL(api, {
      query: QUERY,
      variables: { id, n },
      auth,
      headers: {},
      method: 'POST',
      answerKey: behavior === 'FULL_REQUEST_CACHING' ? `k-${id}-${n}` : undefined,
    });

  it('answers a miss and then a hit without a promise, the hit with what the miss kept', () => {
    const miss = run('a', 1);
    expect(miss).not.toBeInstanceOf(Promise);
    expect((miss as GraphQLResponse).body).toEqual({ data: { echo: { id: 'a', n: 1 } } });
    // FULL_REQUEST_CACHING keys on all the arguments (AppSync's default keys), PER_RESOLVER_CACHING on the id only.
    const again = run('a', behavior === 'FULL_REQUEST_CACHING' ? 1 : 2);
    expect(again).not.toBeInstanceOf(Promise);
    expect((again as GraphQLResponse).body).toEqual({ data: { echo: { id: 'a', n: 1 } } });
  });
});
