/**
 * The ApiCache calls of the management API (docs/management-api.md#api-caches), called by the real
 * `@aws-sdk/client-appsync`: a built API's cache is created, answered, changed, flushed and deleted
 * and its queries show it (a resolver that answers util.autoId() answers the same id while cached);
 * the config file's API answers its `caching:` block, refuses changes and flushes.
 */
import * as A from '@aws-sdk/client-appsync';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } as const;
const SDL = 'type Query { id: String keyed(x: String): String }';
const AUTO_ID = "import { util } from '@aws-appsync/utils';\nexport function request() { return {}; }\nexport function response() { return util.autoId(); }";

let gw: TestGateway;
let appsync: A.AppSyncClient;
beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      name: 'cached-file',
      schema: 'schema.graphql',
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k' }],
      caching: { behavior: 'FULL_REQUEST_CACHING', ttl: 300 },
      dataSources: { none: { type: 'NONE' } },
      resolvers: { 'Query.id': { kind: 'UNIT', dataSource: 'none', code: 'id.js' } },
    },
    files: { 'schema.graphql': 'type Query { id: String }', 'id.js': AUTO_ID },
  });
  appsync = new A.AppSyncClient({ endpoint: gw.origin, region: 'us-east-1', credentials: { accessKeyId: 'AKIDCACHE', secretAccessKey: 'x' }, maxAttempts: 1 });
});
afterAll(async () => {
  appsync?.destroy();
  await gw?.close();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => error,
  );

/** A built API with Query.id (util.autoId()) and Query.keyed (util.autoId(), with `cachingConfig`), and a key to query it. */
async function builtApi(name: string): Promise<{ apiId: string; query: (q: string) => Promise<unknown> }> {
  const { graphqlApi } = await appsync.send(new A.CreateGraphqlApiCommand({ name, authenticationType: 'API_KEY' }));
  const apiId = graphqlApi!.apiId!;
  await appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode(SDL) }));
  while ((await appsync.send(new A.GetSchemaCreationStatusCommand({ apiId }))).status === 'PROCESSING') await new Promise((r) => setTimeout(r, 50));
  await appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'none', type: 'NONE' }));
  await appsync.send(new A.CreateResolverCommand({ apiId, typeName: 'Query', fieldName: 'id', dataSourceName: 'none', runtime: RUNTIME, code: AUTO_ID }));
  await appsync.send(
    new A.CreateResolverCommand({
      apiId,
      typeName: 'Query',
      fieldName: 'keyed',
      dataSourceName: 'none',
      runtime: RUNTIME,
      code: AUTO_ID,
      cachingConfig: { ttl: 300, cachingKeys: ['$context.arguments.x'] },
    }),
  );
  const { apiKey } = await appsync.send(new A.CreateApiKeyCommand({ apiId }));
  const query = async (q: string) => {
    const response = await fetch(graphqlApi!.uris!.GRAPHQL!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey!.id! },
      body: JSON.stringify({ query: q }),
    });
    const body = (await response.json()) as { data: Record<string, unknown> };
    return body.data;
  };
  return { apiId, query };
}

describe('a built API', () => {
  it('CreateApiCache FULL_REQUEST_CACHING caches its queries, FlushApiCache empties it, DeleteApiCache ends it', async () => {
    const { apiId, query } = await builtApi('cache-full');
    expect(await failure(appsync.send(new A.GetApiCacheCommand({ apiId })))).toMatchObject({ name: 'NotFoundException' });
    expect(await failure(appsync.send(new A.FlushApiCacheCommand({ apiId })))).toMatchObject({ name: 'NotFoundException' });
    const uncached = await query('{ id }');
    expect(await query('{ id }')).not.toEqual(uncached);

    const created = await appsync.send(new A.CreateApiCacheCommand({ apiId, ttl: 300, apiCachingBehavior: 'FULL_REQUEST_CACHING', type: 'SMALL' }));
    const shape = {
      ttl: 300,
      apiCachingBehavior: 'FULL_REQUEST_CACHING',
      transitEncryptionEnabled: false,
      atRestEncryptionEnabled: false,
      type: 'SMALL',
      status: 'AVAILABLE',
      healthMetricsConfig: 'DISABLED',
    };
    expect(created.apiCache).toEqual(shape);
    expect((await appsync.send(new A.GetApiCacheCommand({ apiId }))).apiCache).toEqual(shape);
    expect(
      await failure(appsync.send(new A.CreateApiCacheCommand({ apiId, ttl: 300, apiCachingBehavior: 'FULL_REQUEST_CACHING', type: 'SMALL' }))),
    ).toMatchObject({ name: 'BadRequestException' });

    const first = (await query('{ id }')) as { id: string };
    expect(typeof first.id).toBe('string');
    expect(await query('{ id }')).toEqual(first);
    await appsync.send(new A.FlushApiCacheCommand({ apiId }));
    const afterFlush = await query('{ id }');
    expect(afterFlush).not.toEqual(first);
    expect(await query('{ id }')).toEqual(afterFlush);

    const updated = await appsync.send(new A.UpdateApiCacheCommand({ apiId, ttl: 60, apiCachingBehavior: 'FULL_REQUEST_CACHING', type: 'MEDIUM' }));
    expect(updated.apiCache).toEqual({ ...shape, ttl: 60, type: 'MEDIUM' });

    await appsync.send(new A.DeleteApiCacheCommand({ apiId }));
    expect(await failure(appsync.send(new A.GetApiCacheCommand({ apiId })))).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    expect(await failure(appsync.send(new A.DeleteApiCacheCommand({ apiId })))).toMatchObject({ name: 'NotFoundException' });
    const a = await query('{ id }');
    expect(await query('{ id }')).not.toEqual(a);
  });

  it('PER_RESOLVER_CACHING applies a resolver cachingConfig by its keys', async () => {
    const { apiId, query } = await builtApi('cache-resolver');
    await appsync.send(new A.CreateApiCacheCommand({ apiId, ttl: 300, apiCachingBehavior: 'PER_RESOLVER_CACHING', type: 'SMALL' }));
    const one = await query('{ keyed(x: "1") }');
    expect(await query('{ keyed(x: "1") }')).toEqual(one);
    expect(await query('{ keyed(x: "2") }')).not.toEqual(one);
    // Query.id has no cachingConfig: not cached.
    expect(await query('{ id }')).not.toEqual(await query('{ id }'));
  });

  it('a ttl out of 1-3,600, a missing member and an unknown API answer BadRequest / NotFound', async () => {
    const { apiId } = await builtApi('cache-bad');
    for (const ttl of [0, 3601]) {
      expect(await failure(appsync.send(new A.CreateApiCacheCommand({ apiId, ttl, apiCachingBehavior: 'FULL_REQUEST_CACHING', type: 'SMALL' })))).toMatchObject(
        {
          name: 'BadRequestException',
          message: `ttl must be between 1 and 3600, got ${ttl}.`,
          $metadata: { httpStatusCode: 400 },
        },
      );
    }
    expect(await failure(appsync.send(new A.CreateApiCacheCommand({ apiId, ttl: 60, apiCachingBehavior: 'SOMETIMES' as never, type: 'SMALL' })))).toMatchObject(
      { name: 'BadRequestException' },
    );
    expect(await failure(appsync.send(new A.GetApiCacheCommand({ apiId })))).toMatchObject({ name: 'NotFoundException' });
    expect(
      await failure(appsync.send(new A.UpdateApiCacheCommand({ apiId, ttl: 60, apiCachingBehavior: 'FULL_REQUEST_CACHING', type: 'SMALL' }))),
    ).toMatchObject({
      name: 'NotFoundException',
    });
    expect(await failure(appsync.send(new A.GetApiCacheCommand({ apiId: 'nosuchapi' })))).toMatchObject({ name: 'NotFoundException' });
    const resolver = (cachingConfig: A.CachingConfig) =>
      new A.UpdateResolverCommand({ apiId, typeName: 'Query', fieldName: 'keyed', dataSourceName: 'none', runtime: RUNTIME, code: AUTO_ID, cachingConfig });
    expect(await failure(appsync.send(resolver({ ttl: 0 })))).toMatchObject({ name: 'BadRequestException', message: 'ttl must be between 1 and 3600, got 0.' });
    expect(await failure(appsync.send(resolver({ ttl: 60, cachingKeys: ['$context.request.headers.x'] })))).toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('cachingConfig.cachingKeys'),
    });
    expect(await failure(appsync.send(resolver({ ttl: 60, cachingKeys: ['$context.arguments.nosuch'] })))).toMatchObject({
      name: 'BadRequestException',
      message: 'cachingConfig.cachingKeys: Query.keyed has no argument "nosuch".',
    });
  });

  it('is kept with the definition: a restarted gateway serves it again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'appsync-gw-cache-data-'));
    const config = { name: 'restart-file', schemaSdl: 'type Query { ping: String }', authentication: { type: 'API_KEY' as const } };
    let first: TestGateway | undefined = await startTestGateway({ config, options: { inMemory: false, dataDir } });
    let second: TestGateway | undefined;
    try {
      const client = new A.AppSyncClient({ endpoint: first.origin, region: 'us-east-1', credentials: { accessKeyId: 'AKIDCACHE', secretAccessKey: 'x' } });
      const { graphqlApi } = await client.send(new A.CreateGraphqlApiCommand({ name: 'kept', authenticationType: 'API_KEY' }));
      await client.send(new A.CreateApiCacheCommand({ apiId: graphqlApi!.apiId!, ttl: 42, apiCachingBehavior: 'PER_RESOLVER_CACHING', type: 'SMALL' }));
      client.destroy();
      await first.close();
      first = undefined;
      second = await startTestGateway({ config, options: { inMemory: false, dataDir } });
      const again = new A.AppSyncClient({ endpoint: second.origin, region: 'us-east-1', credentials: { accessKeyId: 'AKIDCACHE', secretAccessKey: 'x' } });
      expect((await again.send(new A.GetApiCacheCommand({ apiId: graphqlApi!.apiId! }))).apiCache).toMatchObject({
        ttl: 42,
        apiCachingBehavior: 'PER_RESOLVER_CACHING',
      });
      again.destroy();
    } finally {
      await first?.close();
      await second?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the config file's API", () => {
  const apiId = 'cached-file';
  it('GetApiCache answers its caching: block; changes answer the read-only BadRequest; FlushApiCache empties it', async () => {
    expect((await appsync.send(new A.GetApiCacheCommand({ apiId }))).apiCache).toMatchObject({
      ttl: 300,
      apiCachingBehavior: 'FULL_REQUEST_CACHING',
      status: 'AVAILABLE',
    });
    for (const call of [
      new A.CreateApiCacheCommand({ apiId, ttl: 60, apiCachingBehavior: 'FULL_REQUEST_CACHING', type: 'SMALL' }),
      new A.UpdateApiCacheCommand({ apiId, ttl: 60, apiCachingBehavior: 'FULL_REQUEST_CACHING', type: 'SMALL' }),
      new A.DeleteApiCacheCommand({ apiId }),
    ]) {
      expect(await failure(appsync.send(call as never))).toMatchObject({ name: 'BadRequestException', message: expect.stringMatching(/config/i) });
    }
    const first = (await gw.query('{ id }')).body;
    expect(first.data.id).toEqual(expect.any(String));
    expect((await gw.query('{ id }')).body).toEqual(first);
    await appsync.send(new A.FlushApiCacheCommand({ apiId }));
    expect((await gw.query('{ id }')).body).not.toEqual(first);
  });
});
