/**
 * Event APIs through the management API (docs/management-api.md#event-apis), with the real
 * @aws-sdk/client-appsync (CreateApi … ListChannelNamespaces under `/v2/`, CreateApiKey on the Event
 * API's id) and the real aws-amplify v6 `events` client against the created API at the paths its
 * `dns` gives; kept in the data folder and served again after a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as appsync from '@aws-sdk/client-appsync';
import { Amplify } from 'aws-amplify';
import { events } from 'aws-amplify/data';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.js';
import { silentLogger } from '../utils/logger.js';

const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
/** Amplify dials wss:// always; the gateway here speaks plain HTTP on loopback. */
class LoopbackWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/127\.0\.0\.1:/, 'ws://127.0.0.1:'), protocols);
  }
}

let dataDir: string;
let gateway: Gateway;
let origin: string;
let client: appsync.AppSyncClient;

const start = async () => {
  gateway = await createGateway(
    { name: 'events-management', schemaSdl: 'type Query { ok: Boolean }', apiKeys: [{ name: 'k', value: 'da2-graphqlkey' }] },
    { logger: silentLogger, dataDir, configDir: dataDir },
  );
  origin = new URL((await gateway.listen({ port: 0, host: '127.0.0.1' })).url).origin;
  client = new appsync.AppSyncClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
};
const stop = async () => {
  client.destroy();
  await gateway.close();
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'appsync-event-apis-'));
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
  await start();
});
afterAll(async () => {
  await events.closeAll();
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
  await stop();
  await rm(dataDir, { recursive: true, force: true });
});

const SHOUT =
  'export function onPublish(ctx) { return ctx.events.map((e) => ({ id: e.id, payload: { ...e.payload, text: String(e.payload.text).toUpperCase() } })); }';
const API_KEY = [{ authType: 'API_KEY' as const }];
const eventConfig = { authProviders: API_KEY, connectionAuthModes: API_KEY, defaultPublishAuthModes: API_KEY, defaultSubscribeAuthModes: API_KEY };

async function post(dnsHttp: string, key: string, channel: string, payloads: unknown[]) {
  const res = await fetch(`http://${dnsHttp}/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ channel, events: payloads.map((p) => JSON.stringify(p)) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

let apiId: string;
let dnsHttp: string;
let key: string;

describe('CreateApi, GetApi, ListApis', () => {
  it('creates an Event API answered in AWS’s shape, with dns under the gateway', async () => {
    const { api } = await client.send(new appsync.CreateApiCommand({ name: 'chat', eventConfig, ownerContact: 'team', tags: { env: 'test' } }));
    apiId = api!.apiId!;
    dnsHttp = api!.dns!.HTTP!;
    expect(api).toEqual({
      apiId: expect.stringMatching(/^[a-z0-9]{26}$/),
      name: 'chat',
      ownerContact: 'team',
      tags: { env: 'test' },
      dns: { HTTP: `${new URL(origin).host}/apis/${apiId}`, REALTIME: `${new URL(origin).host}/apis/${apiId}` },
      apiArn: `arn:aws:appsync:us-east-1:123456789012:apis/${apiId}`,
      created: expect.any(Date),
      xrayEnabled: false,
      eventConfig,
    });
    expect((await client.send(new appsync.GetApiCommand({ apiId }))).api).toEqual(api);
    expect((await client.send(new appsync.ListApisCommand({}))).apis!.map((a) => a.apiId)).toEqual([apiId]);
  });

  it('keeps Event APIs and GraphQL APIs apart, and answers AWS’s errors', async () => {
    expect((await client.send(new appsync.ListGraphqlApisCommand({}))).graphqlApis!.map((a) => a.name)).toEqual(['events-management']);
    await expect(client.send(new appsync.GetGraphqlApiCommand({ apiId }))).rejects.toBeInstanceOf(appsync.NotFoundException);
    await expect(client.send(new appsync.GetApiCommand({ apiId: 'nope' }))).rejects.toThrow(appsync.NotFoundException);
    const badMode = client.send(
      new appsync.CreateApiCommand({ name: 'bad', eventConfig: { ...eventConfig, defaultPublishAuthModes: [{ authType: 'AWS_IAM' }] } }),
    );
    await expect(badMode).rejects.toBeInstanceOf(appsync.BadRequestException);
    await expect(badMode).rejects.toThrow("eventConfig.defaultPublishAuthModes: AWS_IAM is not one of the API's auth providers (API_KEY).");
  });
});

describe('channel namespaces and keys', () => {
  it('creates, reads and lists namespaces, refusing a duplicate, a mode the API lacks and DIRECT on a non-Lambda data source', async () => {
    const { channelNamespace } = await client.send(new appsync.CreateChannelNamespaceCommand({ apiId, name: 'shout', codeHandlers: SHOUT }));
    expect(channelNamespace).toEqual({
      apiId,
      name: 'shout',
      codeHandlers: SHOUT,
      tags: {},
      channelNamespaceArn: `arn:aws:appsync:us-east-1:123456789012:apis/${apiId}/channelNamespace/shout`,
      created: expect.any(Date),
      lastModified: expect.any(Date),
    });
    await client.send(new appsync.CreateChannelNamespaceCommand({ apiId, name: 'default' }));
    await expect(client.send(new appsync.CreateChannelNamespaceCommand({ apiId, name: 'shout' }))).rejects.toBeInstanceOf(appsync.ConflictException);
    await expect(
      client.send(new appsync.CreateChannelNamespaceCommand({ apiId, name: 'iam', publishAuthModes: [{ authType: 'AWS_IAM' }] })),
    ).rejects.toBeInstanceOf(appsync.BadRequestException);
    await client.send(new appsync.CreateDataSourceCommand({ apiId, name: 'none', type: 'NONE' }));
    await expect(
      client.send(
        new appsync.CreateChannelNamespaceCommand({
          apiId,
          name: 'direct',
          handlerConfigs: { onPublish: { behavior: 'DIRECT', integration: { dataSourceName: 'none' } } },
        }),
      ),
    ).rejects.toThrow('Direct integration is only supported for AWS_LAMBDA data sources.');
    expect((await client.send(new appsync.GetChannelNamespaceCommand({ apiId, name: 'shout' }))).channelNamespace!.codeHandlers).toBe(SHOUT);
    expect((await client.send(new appsync.ListChannelNamespacesCommand({ apiId }))).channelNamespaces!.map((n) => n.name)).toEqual(['shout', 'default']);
    await expect(client.send(new appsync.GetChannelNamespaceCommand({ apiId, name: 'missing' }))).rejects.toBeInstanceOf(appsync.NotFoundException);
  });

  it('CreateApiKey on the Event API’s id makes a key that publishes; the GraphQL API’s key does not', async () => {
    key = (await client.send(new appsync.CreateApiKeyCommand({ apiId }))).apiKey!.id!;
    expect(key).toMatch(/^da2-/);
    expect((await post(dnsHttp, key, '/default/a', [{ n: 1 }])).status).toBe(200);
    expect((await post(dnsHttp, 'da2-graphqlkey', '/default/a', [{ n: 1 }])).status).toBe(401);
  });
});

describe('the created API served', () => {
  it('the aws-amplify events client, configured from dns, subscribes and receives through the namespace handler', async () => {
    Amplify.configure({ API: { Events: { endpoint: `http://${dnsHttp}/event`, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: key } } });
    const channel = await events.connect('/shout/room');
    const received: unknown[] = [];
    const sub = channel.subscribe({ next: (data: unknown) => received.push(data), error: (e: unknown) => received.push({ error: e }) });
    await (sub as unknown as { ready: Promise<unknown> }).ready;
    await events.post('/shout/room', { text: 'over http' });
    await channel.publish({ text: 'over the socket' });
    await expect.poll(() => received.length).toBe(2);
    expect(received).toEqual(
      expect.arrayContaining([expect.objectContaining({ event: { text: 'OVER HTTP' } }), expect.objectContaining({ event: { text: 'OVER THE SOCKET' } })]),
    );
    channel.close();
    // Closed here, not only in afterAll: a later test restarts the gateway on a new port, and a
    // socket still open then leaves Amplify reconnecting to the old one, which closeAll waits on.
    await events.closeAll();
    // The config file's /event is not this API's.
    expect((await fetch(`${origin}/event`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('UpdateChannelNamespace and DeleteChannelNamespace take effect on the next publish', async () => {
    await client.send(new appsync.UpdateChannelNamespaceCommand({ apiId, name: 'shout', codeHandlers: 'export const onPublish = (ctx) => [];' }));
    const dropped = await post(dnsHttp, key, '/shout/room', [{ text: 'x' }]);
    expect(dropped.status).toBe(200);
    await client.send(new appsync.DeleteChannelNamespaceCommand({ apiId, name: 'shout' }));
    expect(await post(dnsHttp, key, '/shout/room', [{ text: 'x' }])).toEqual({
      status: 400,
      body: { errors: [{ errorType: 'BadRequestException', message: "Channel namespace 'shout' does not exist on this API." }] },
    });
  });

  it('UpdateApi changes the API; after a restart it is served again from the data folder', async () => {
    const { api } = await client.send(new appsync.UpdateApiCommand({ apiId, name: 'chat-2', eventConfig }));
    expect(api!.name).toBe('chat-2');
    await stop();
    await start();
    const dns = (await client.send(new appsync.GetApiCommand({ apiId }))).api!.dns!.HTTP!;
    expect((await client.send(new appsync.GetApiCommand({ apiId }))).api!.name).toBe('chat-2');
    expect((await post(dns, key, '/default/after-restart', [{ n: 2 }])).status).toBe(200);
  });

  it('DeleteApi removes it: GetApi answers NotFoundException and its paths answer 404', async () => {
    const dns = (await client.send(new appsync.GetApiCommand({ apiId }))).api!.dns!.HTTP!;
    await client.send(new appsync.DeleteApiCommand({ apiId }));
    await expect(client.send(new appsync.GetApiCommand({ apiId }))).rejects.toBeInstanceOf(appsync.NotFoundException);
    expect((await fetch(`http://${dns}/event`, { method: 'POST', headers: { 'x-api-key': key }, body: '{}' })).status).toBe(404);
    expect((await client.send(new appsync.ListApisCommand({}))).apis).toEqual([]);
  });
});
