/**
 * A config file holding only an Event API (docs/events.md#an-event-api-alone): an `events:` block and
 * no schema starts, serves `/event` and `/event/realtime`, and serves no GraphQL API (no `/graphql`,
 * no GraphiQL, not listed by ListGraphqlApis); resolvers without a schema are a config error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppSyncClient, ListGraphqlApisCommand } from '@aws-sdk/client-appsync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/index.js';
import { silentLogger } from '../utils/logger.js';
import { connectRaw, encodeHeader } from '../realtime/rawClient.js';

const KEY = 'da2-eventsalone000000000001';
const CONFIG = `
name: alone
events:
  name: alone-events
  authProviders: [{ type: API_KEY }]
  apiKeys: [{ name: local, value: ${KEY} }]
  namespaces:
    default: {}
    shout: { code: shout.js }
`;
let dir: string;
let gateway: Gateway;
let origin: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'appsync-events-alone-'));
  await writeFile(join(dir, 'appsync.config.yml'), CONFIG);
  await writeFile(
    join(dir, 'shout.js'),
    'export const onPublish = (ctx) => ctx.events.map((e) => ({ id: e.id, payload: String(e.payload).toUpperCase() }));\n',
  );
  const loaded = await loadConfigFile(join(dir, 'appsync.config.yml'));
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, configFile: loaded.configFile, logger: silentLogger, inMemory: true });
  origin = new URL((await gateway.listen({ port: 0, host: '127.0.0.1' })).url).origin;
});
afterAll(async () => {
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a config file with only an Event API', () => {
  it('publishes over HTTP to a subscriber of the WebSocket, through the namespace handler', async () => {
    const auth = { host: new URL(origin).host, 'x-api-key': KEY };
    const client = await connectRaw(`${origin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send({ type: 'subscribe', id: 's', channel: '/shout/*', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
    const res = await fetch(`${origin}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ channel: '/shout/room', events: ['"hello"'] }),
    });
    expect(res.status).toBe(200);
    expect(await client.next()).toEqual({ type: 'data', id: 's', event: '"HELLO"' });
    client.close();
  });

  it('serves no GraphQL API: /graphql and the GraphiQL page are unknown paths, graphql-ws is refused, ListGraphqlApis is empty', async () => {
    const graphql = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: '{"query":"{ __typename }"}',
    });
    expect(graphql.status).toBe(404);
    expect((await fetch(`${origin}/`, { headers: { accept: 'text/html' } })).headers.get('content-type')).not.toMatch(/text\/html/);
    await expect(connectRaw(`${origin.replace('http', 'ws')}/graphql`, ['graphql-transport-ws'])).rejects.toThrow();
    const appsync = new AppSyncClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      expect((await appsync.send(new ListGraphqlApisCommand({}))).graphqlApis).toEqual([]);
    } finally {
      appsync.destroy();
    }
    expect(gateway.config.name).toBe('alone');
  });

  it('refuses resolvers without a schema', async () => {
    await expect(
      createGateway(
        {
          name: 'alone-bad',
          events: { apiKeys: [{ name: 'k', value: KEY }] },
          resolvers: { 'Query.x': { dataSource: 'none' } },
          dataSources: { none: { type: 'NONE' } },
        },
        { configDir: dir, logger: silentLogger, inMemory: true },
      ),
    ).rejects.toThrow('resolvers: resolvers need a schema; this config holds only an Event API (events:) and no schema');
  });
});
