/**
 * `appsync-gateway export` (docs/management-api.md#export): an API built through the management API
 * is written out as a config file plus its files, and a gateway started from them serves the same
 * answers — the round trip a team takes to commit what it built.
 */
import * as A from '@aws-sdk/client-appsync';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadConfigFile } from '../../src/config/index.js';
import { createGateway } from '../../src/index.js';
import { startTestGateway } from '../utils/gateway.js';
import { silentLogger } from '../utils/logger.js';

const RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } as const;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

it('writes the config, schema and resolver files; a gateway started from them answers as the built API did', { timeout: 60_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'appsync-gw-export-data-'));
  const out = await mkdtemp(join(tmpdir(), 'appsync-gw-export-out-'));
  dirs.push(dataDir, out);
  const gw = await startTestGateway({
    config: { name: 'host', schemaSdl: 'type Query { ping: String }', authentication: { type: 'API_KEY' } },
    options: { inMemory: false, dataDir },
  });
  const appsync = new A.AppSyncClient({ endpoint: gw.origin, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  let apiId: string;
  let key: string;
  try {
    apiId = (await appsync.send(new A.CreateGraphqlApiCommand({ name: 'exported', authenticationType: 'API_KEY' }))).graphqlApi!.apiId!;
    await appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode('type Query { twice(n: Int!): Int greet: String }') }));
    await appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'none', type: 'NONE' }));
    const fn = await appsync.send(
      new A.CreateFunctionCommand({
        apiId,
        name: 'double',
        dataSourceName: 'none',
        runtime: RUNTIME,
        code: 'export const request = (ctx) => ({ payload: ctx.args.n * 2 });\nexport const response = (ctx) => ctx.result;',
      }),
    );
    await appsync.send(
      new A.CreateResolverCommand({
        apiId,
        typeName: 'Query',
        fieldName: 'twice',
        kind: 'PIPELINE',
        pipelineConfig: { functions: [fn.functionConfiguration!.functionId!] },
        runtime: RUNTIME,
        code: 'export const request = () => ({});\nexport const response = (ctx) => ctx.prev.result;',
      }),
    );
    await appsync.send(
      new A.CreateResolverCommand({
        apiId,
        typeName: 'Query',
        fieldName: 'greet',
        dataSourceName: 'none',
        runtime: RUNTIME,
        code: 'export const request = (ctx) => ({ payload: ctx.env.WHO });\nexport const response = (ctx) => ctx.result;',
      }),
    );
    await appsync.send(new A.PutGraphqlApiEnvironmentVariablesCommand({ apiId, environmentVariables: { WHO: 'team' } }));
    key = (await appsync.send(new A.CreateApiKeyCommand({ apiId }))).apiKey!.id!;
  } finally {
    appsync.destroy();
    await gw.close();
  }

  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['export', '--api', 'exported', '--data-dir', dataDir, '--out', out]);
  } finally {
    process.stderr.write = write;
  }
  expect(stderr.join('')).toBe(
    `exported ${apiId}: schema.graphql, functions/double.js, resolvers/Query.twice.js, resolvers/Query.greet.js, appsync.config.yml\n`,
  );
  expect(code).toBe(0);
  const yaml = await readFile(join(out, 'appsync.config.yml'), 'utf8');
  expect(yaml).toContain('pipelineFunctions:\n  double:\n    dataSource: none\n    code: functions/double.js');
  expect(existsSync(join(out, 'resolvers/Query.twice.js'))).toBe(true);

  // A second export into the same folder refuses to overwrite.
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    expect(await main(['export', '--api', apiId, '--data-dir', dataDir, '--out', out])).toBe(1);
  } finally {
    process.stderr.write = write;
  }

  const loaded = await loadConfigFile(join(out, 'appsync.config.yml'));
  const served = await createGateway(loaded.config, { configDir: loaded.configDir, inMemory: true, logger: silentLogger });
  try {
    const { url } = await served.listen({ port: 0 });
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query: '{ twice(n: 21) greet }' }),
    });
    expect(await answer.json()).toEqual({ data: { twice: 42, greet: 'team' } });
  } finally {
    await served.close();
  }
});
