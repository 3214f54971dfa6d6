/**
 * The real AWS CLI (`aws appsync …`) against the gateway's management API (docs/management-api.md#with-the-aws-cli),
 * with `--endpoint-url` and dummy credentials: list-graphql-apis and get-graphql-api answer the config
 * file's API, list-apis and get-api its Event API; the walk-through of the docs (create-graphql-api,
 * start-schema-creation from a file, create-api-key, get-graphql-api's GRAPHQL uri) builds an API a
 * query is answered on; an unknown id exits non-zero with NotFoundException. The CLI (botocore)
 * checks answers against the service model more strictly than the JS SDK in places. With CI=true a
 * missing `aws` fails the file.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { awsCli, awsCliPresent, type AwsCli } from '../utils/awsCli.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const present = await awsCliPresent();

const CONFIG = {
  name: 'cli-shop',
  schemaSdl: 'type Query { ping: String }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'graphql', value: 'da2-clishopgraphqlkey000000' }],
  events: {
    name: 'cli-chat',
    authProviders: [{ type: 'API_KEY' }],
    apiKeys: [{ name: 'events', value: 'da2-clishopeventskey0000000' }],
    namespaces: { default: {} },
  },
} as GatewayConfig;

// Each `aws` call starts a Python process (1-3 s on a busy machine).
describe.skipIf(!present)(`aws appsync against the management API${present ? '' : ' (skipped: aws is not installed)'}`, { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let aws: AwsCli;
  let host: string;

  beforeAll(async () => {
    gw = await startTestGateway({ config: CONFIG });
    aws = awsCli(gw.origin);
    host = new URL(gw.origin).host;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('list-graphql-apis and get-graphql-api answer the config file’s API with its uris', async () => {
    const { graphqlApis } = await aws('appsync', 'list-graphql-apis');
    expect(graphqlApis).toHaveLength(1);
    const [listed] = graphqlApis;
    expect(listed).toMatchObject({
      name: 'cli-shop',
      authenticationType: 'API_KEY',
      apiType: 'GRAPHQL',
      uris: { GRAPHQL: `${gw.origin}/graphql`, REALTIME: `${gw.origin.replace('http', 'ws')}/graphql/realtime` },
    });
    expect(listed.arn).toBe(`arn:aws:appsync:us-east-1:123456789012:apis/${listed.apiId}`);
    const { graphqlApi } = await aws('appsync', 'get-graphql-api', '--api-id', listed.apiId);
    expect(graphqlApi).toEqual(listed);
  });

  it('list-apis and get-api answer the config file’s Event API with dns at the gateway’s host', async () => {
    const { apis } = await aws('appsync', 'list-apis');
    expect(apis).toHaveLength(1);
    expect(apis[0]).toMatchObject({
      apiId: 'cli-chat',
      name: 'cli-chat',
      dns: { HTTP: host, REALTIME: host },
      apiArn: 'arn:aws:appsync:us-east-1:123456789012:apis/cli-chat',
      eventConfig: { authProviders: [{ authType: 'API_KEY' }] },
    });
    // AWS's epoch seconds (CLI v1 prints them as sent; v2 as an ISO date).
    const created = typeof apis[0].created === 'number' ? apis[0].created * 1000 : Date.parse(apis[0].created);
    expect(Math.abs(created - Date.now())).toBeLessThan(600_000);
    const { api } = await aws('appsync', 'get-api', '--api-id', 'cli-chat');
    expect(api).toEqual(apis[0]);
    const { channelNamespaces } = await aws('appsync', 'list-channel-namespaces', '--api-id', 'cli-chat');
    expect(channelNamespaces.map((n: { name: string }) => n.name)).toEqual(['default']);
  });

  it('the docs’ walk-through: create-graphql-api, start-schema-creation, create-api-key, then a query on the listed uri', async () => {
    const { graphqlApi } = await aws('appsync', 'create-graphql-api', '--name', 'cli-notes', '--authentication-type', 'API_KEY');
    const apiId: string = graphqlApi.apiId;
    expect(graphqlApi).toMatchObject({ name: 'cli-notes', authenticationType: 'API_KEY', uris: { GRAPHQL: `${gw.origin}/apis/${apiId}/graphql` } });

    const schema = join(gw.dir, 'cli-notes.graphql');
    await writeFile(schema, 'type Query { hello: String }');
    const code = join(gw.dir, 'hello.js');
    await writeFile(
      code,
      "export function request(ctx) { return { payload: 'hello from ' + ctx.info.fieldName }; }\nexport function response(ctx) { return ctx.result; }",
    );
    expect(await aws('appsync', 'start-schema-creation', '--api-id', apiId, '--definition', `fileb://${schema}`)).toEqual({ status: 'PROCESSING' });
    let status = await aws('appsync', 'get-schema-creation-status', '--api-id', apiId);
    for (let i = 0; i < 50 && status.status === 'PROCESSING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await aws('appsync', 'get-schema-creation-status', '--api-id', apiId);
    }
    expect(status.status).toBe('SUCCESS');

    const { dataSource } = await aws('appsync', 'create-data-source', '--api-id', apiId, '--name', 'none', '--type', 'NONE');
    expect(dataSource).toMatchObject({ name: 'none', type: 'NONE', dataSourceArn: `arn:aws:appsync:us-east-1:123456789012:apis/${apiId}/datasources/none` });
    const { resolver } = await aws(
      'appsync',
      'create-resolver',
      '--api-id',
      apiId,
      '--type-name',
      'Query',
      '--field-name',
      'hello',
      '--data-source-name',
      'none',
      '--runtime',
      'name=APPSYNC_JS,runtimeVersion=1.0.0',
      '--code',
      `file://${code}`,
    );
    expect(resolver).toMatchObject({
      typeName: 'Query',
      fieldName: 'hello',
      dataSourceName: 'none',
      kind: 'UNIT',
      runtime: { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' },
    });

    const { apiKey } = await aws('appsync', 'create-api-key', '--api-id', apiId, '--description', 'from the cli');
    expect(apiKey).toMatchObject({ id: expect.stringMatching(/^da2-/), description: 'from the cli', expires: expect.any(Number) });
    const { apiKeys } = await aws('appsync', 'list-api-keys', '--api-id', apiId);
    expect(apiKeys).toEqual([apiKey]);

    const listed = (await aws('appsync', 'list-graphql-apis')).graphqlApis.map((a: { name: string }) => a.name);
    expect(listed.sort()).toEqual(['cli-notes', 'cli-shop']);
    const { graphqlApi: got } = await aws('appsync', 'get-graphql-api', '--api-id', apiId);
    const res = await fetch(got.uris.GRAPHQL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey.id },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(await res.json()).toEqual({ data: { hello: 'hello from hello' } });
  });

  it('the CLI follows nextToken through every page of list-graphql-apis and list-apis', async () => {
    for (const name of ['cli-page-a', 'cli-page-b']) await aws('appsync', 'create-graphql-api', '--name', name, '--authentication-type', 'API_KEY');
    const all = (await aws('appsync', 'list-graphql-apis')).graphqlApis.map((a: { name: string }) => a.name).sort();
    expect(all).toContain('cli-page-a');
    const paged = await aws('appsync', 'list-graphql-apis', '--page-size', '1');
    expect(paged.graphqlApis.map((a: { name: string }) => a.name).sort()).toEqual(all);
    const first = await aws('appsync', 'list-graphql-apis', '--max-items', '1');
    expect(first.graphqlApis).toHaveLength(1);
    expect(typeof first.NextToken).toBe('string');
    const rest = await aws('appsync', 'list-graphql-apis', '--starting-token', first.NextToken);
    expect([first.graphqlApis[0].name, ...rest.graphqlApis.map((a: { name: string }) => a.name)].sort()).toEqual(all);

    await aws(
      'appsync',
      'create-api',
      '--name',
      'cli-made',
      '--event-config',
      JSON.stringify({
        authProviders: [{ authType: 'API_KEY' }],
        connectionAuthModes: [{ authType: 'API_KEY' }],
        defaultPublishAuthModes: [{ authType: 'API_KEY' }],
        defaultSubscribeAuthModes: [{ authType: 'API_KEY' }],
      }),
    );
    const events = await aws('appsync', 'list-apis', '--page-size', '1');
    expect(events.apis.map((a: { name: string }) => a.name).sort()).toEqual(['cli-chat', 'cli-made']);
  });

  it('an unknown API id exits non-zero with NotFoundException', async () => {
    await expect(aws('appsync', 'get-graphql-api', '--api-id', 'nosuchapi')).rejects.toMatchObject({
      code: expect.any(Number),
      stderr: expect.stringMatching(/NotFoundException/),
    });
  });
});
