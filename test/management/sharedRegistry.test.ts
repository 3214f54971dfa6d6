/**
 * Several gateway instances, one registry (docs/management-api.md#several-instances): with the Step
 * Functions store shared in PostgreSQL, an API created, changed or deleted through one instance is
 * served (or gone) on the other, told by NOTIFY.
 */
import * as A from '@aws-sdk/client-appsync';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { ApiRegistry, createPostgresRegistryStore } from '../../src/apis/index.js';
import { startTestGateway } from '../utils/gateway.js';

const pgUrl = inject('postgresUrl');
const pgSkip = pgUrl ? '' : inject('postgresSkipReason');
const table = `apis_shared_${process.pid}`;
const RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } as const;
const code = (word: string) => `export function request() { return { payload: '${word}' }; }\nexport function response(ctx) { return ctx.result; }`;

const configFor = (instanceId: string): GatewayConfig => ({
  name: `host-${instanceId}`,
  schemaSdl: 'type Query { ping: String }',
  authentication: { type: 'API_KEY' },
  stepFunctions: { store: { connectionString: pgUrl, table, instanceId } },
});

async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!!pgSkip)(`one API registry in PostgreSQL for two instances${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  afterAll(async () => {
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    await db.query(`DROP TABLE IF EXISTS ${table}, ${table}_calls, ${table}_apis`);
    await db.end();
  });

  it('an API built through one instance is served by the other; a change there reaches the first; a delete reaches both', { timeout: 60_000 }, async () => {
    const a = await startTestGateway({ config: configFor('a') });
    const b = await startTestGateway({ config: configFor('b') });
    const sdk = (origin: string) =>
      new A.AppSyncClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    const onA = sdk(a.origin);
    const onB = sdk(b.origin);
    try {
      const apiId = (await onA.send(new A.CreateGraphqlApiCommand({ name: 'shared', authenticationType: 'API_KEY' }))).graphqlApi!.apiId!;
      await onA.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode('type Query { word: String }') }));
      await onA.send(new A.CreateDataSourceCommand({ apiId, name: 'none', type: 'NONE' }));
      await onA.send(
        new A.CreateResolverCommand({ apiId, typeName: 'Query', fieldName: 'word', dataSourceName: 'none', runtime: RUNTIME, code: code('from-a') }),
      );
      const key = (await onA.send(new A.CreateApiKeyCommand({ apiId }))).apiKey!.id!;
      const word = async (origin: string) => {
        const response = await fetch(`${origin}/apis/${apiId}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: '{"query":"{ word }"}',
        });
        return response.status === 200 ? ((await response.json()) as { data?: { word?: string } }).data?.word : `status ${response.status}`;
      };
      expect(await word(a.origin)).toBe('from-a');
      const seen = await eventually(async () => ((await word(b.origin)) === 'from-a' ? true : undefined), 'instance b to serve the API');
      expect((await onB.send(new A.GetGraphqlApiCommand({ apiId }))).graphqlApi).toMatchObject({
        name: 'shared',
        uris: { GRAPHQL: `${b.origin}/apis/${apiId}/graphql` },
      });

      await onB.send(
        new A.UpdateResolverCommand({ apiId, typeName: 'Query', fieldName: 'word', dataSourceName: 'none', runtime: RUNTIME, code: code('from-b') }),
      );
      expect(await word(b.origin)).toBe('from-b');
      await eventually(async () => ((await word(a.origin)) === 'from-b' ? true : undefined), 'instance a to serve the change');

      await onA.send(new A.DeleteGraphqlApiCommand({ apiId }));
      await eventually(async () => ((await word(b.origin)) === 'status 404' ? true : undefined), 'instance b to drop the API');
      await expect(onB.send(new A.GetGraphqlApiCommand({ apiId }))).rejects.toMatchObject({ name: 'NotFoundException' });
      // The issue asks for "within a second"; a loaded CI machine gets some slack, the figure is printed.
      process.stderr.write(`shared registry: instance b served the new API ${seen.ms} ms after instance a did\n`);
      expect(seen.ms).toBeLessThan(5_000);
    } finally {
      onA.destroy();
      onB.destroy();
      await a.close();
      await b.close();
    }
  });

  it('an older revision saved after a newer one changes neither the table nor the other instance', async () => {
    const onError = (error: Error) => {
      throw error;
    };
    const storeA = createPostgresRegistryStore({ connectionString: pgUrl!, table: `${table}_rev`, onError });
    const storeB = createPostgresRegistryStore({ connectionString: pgUrl!, table: `${table}_rev`, onError });
    const a = await ApiRegistry.open({ store: storeA, warn: () => undefined });
    const b = await ApiRegistry.open({ store: storeB, warn: () => undefined });
    try {
      const { apiId } = a.create({ name: 'revisions', authenticationType: 'API_KEY' });
      a.update(apiId, (draft) => void (draft.tags = { step: '2' }));
      await a.flush(apiId);
      const seenOnB = await eventually(async () => (b.has(apiId) && b.get(apiId).revision === 2 ? b.get(apiId) : undefined), 'instance b to see revision 2');
      a.update(apiId, (draft) => void (draft.tags = { step: '3' }));
      await a.flush(apiId);
      await eventually(async () => (b.get(apiId).revision === 3 ? true : undefined), 'instance b to see revision 3');
      // B saves the copy it held at revision 2 (as a late "schema applied" note would): refused.
      await storeB.save({ ...seenOnB.value, tags: { step: 'stale' } });
      const rows = await storeA.load();
      expect(rows.find((d) => d.apiId === apiId)).toMatchObject({ revision: 3, tags: { step: '3' } });
      await new Promise((r) => setTimeout(r, 200));
      expect(a.get(apiId)).toMatchObject({ revision: 3, tags: { step: '3' } });
    } finally {
      await a.close();
      await b.close();
      const db = new pg.Client({ connectionString: pgUrl });
      await db.connect();
      await db.query(`DROP TABLE IF EXISTS ${table}_rev`);
      await db.end();
    }
  });
});
