/**
 * The config file's Event API through the management API (docs/management-api.md#event-apis), with
 * the real @aws-sdk/client-appsync: ListApis and GetApi answer it beside the Event APIs made with
 * CreateApi, with the `dns` it is served at (`/event` of the gateway's host), its namespaces and
 * keys; a publish composed from that `dns` and a listed key is served; changes are refused as the
 * config file's GraphQL API refuses them.
 */
import * as appsync from '@aws-sdk/client-appsync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const SHOUT = 'export function onPublish(ctx) { return ctx.events.map((e) => ({ id: e.id, payload: { text: String(e.payload.text).toUpperCase() } })); }';
const API_KEY = [{ authType: 'API_KEY' as const }];

let gw: TestGateway;
let client: appsync.AppSyncClient;
let host: string;
beforeAll(async () => {
  gw = await startTestGateway({
    files: { 'handlers/shout.js': SHOUT },
    config: {
      name: 'shop',
      schemaSdl: 'type Query { ping: String }',
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'graphql', value: 'da2-graphqlkey' }],
      dataSources: { none: { type: 'NONE' } },
      events: {
        name: 'chat',
        authProviders: [{ type: 'API_KEY' }],
        apiKeys: [{ name: 'events', value: 'da2-eventskey' }],
        namespaces: { default: {}, shout: { code: 'handlers/shout.js', publishAuthModes: ['API_KEY'] } },
      },
    },
  });
  host = new URL(gw.origin).host;
  client = new appsync.AppSyncClient({
    endpoint: gw.origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await gw?.close();
});

describe('the config file’s Event API', () => {
  it('ListApis and GetApi answer it in AWS’s shape, with dns at the gateway’s host (where /event is served)', async () => {
    const { apis } = await client.send(new appsync.ListApisCommand({}));
    expect(apis).toEqual([
      {
        apiId: 'chat',
        name: 'chat',
        tags: {},
        dns: { HTTP: host, REALTIME: host },
        apiArn: 'arn:aws:appsync:us-east-1:123456789012:apis/chat',
        created: expect.any(Date),
        xrayEnabled: false,
        eventConfig: { authProviders: API_KEY, connectionAuthModes: API_KEY, defaultPublishAuthModes: API_KEY, defaultSubscribeAuthModes: API_KEY },
      },
    ]);
    expect((await client.send(new appsync.GetApiCommand({ apiId: 'chat' }))).api).toEqual(apis![0]);
    // The GraphQL API and the Event API stay apart, as on AWS.
    expect((await client.send(new appsync.ListGraphqlApisCommand({}))).graphqlApis!.map((a) => a.apiId)).toEqual(['shop']);
    await expect(client.send(new appsync.GetGraphqlApiCommand({ apiId: 'chat' }))).rejects.toBeInstanceOf(appsync.NotFoundException);
    await expect(client.send(new appsync.GetApiCommand({ apiId: 'shop' }))).rejects.toBeInstanceOf(appsync.NotFoundException);
  });

  it('its namespaces, keys and data sources are answered', async () => {
    const { channelNamespaces } = await client.send(new appsync.ListChannelNamespacesCommand({ apiId: 'chat' }));
    expect(channelNamespaces!.map((n) => [n.name, n.codeHandlers, n.publishAuthModes])).toEqual([
      ['default', undefined, undefined],
      ['shout', SHOUT, API_KEY],
    ]);
    expect((await client.send(new appsync.GetChannelNamespaceCommand({ apiId: 'chat', name: 'shout' }))).channelNamespace!.channelNamespaceArn).toBe(
      'arn:aws:appsync:us-east-1:123456789012:apis/chat/channelNamespace/shout',
    );
    expect((await client.send(new appsync.ListApiKeysCommand({ apiId: 'chat' }))).apiKeys!.map((k) => [k.id, k.description])).toEqual([
      ['da2-eventskey', 'events'],
    ]);
    expect((await client.send(new appsync.ListDataSourcesCommand({ apiId: 'chat' }))).dataSources!.map((d) => d.name)).toEqual(['none']);
  });

  it('a publish composed from its dns and a listed key is served through the namespace handler', async () => {
    const { api } = await client.send(new appsync.GetApiCommand({ apiId: 'chat' }));
    const { apiKeys } = await client.send(new appsync.ListApiKeysCommand({ apiId: 'chat' }));
    const res = await fetch(`http://${api!.dns!.HTTP}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKeys![0]!.id! },
      body: JSON.stringify({ channel: '/shout/room', events: [JSON.stringify({ text: 'hi' })] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { successful: unknown[] }).successful).toHaveLength(1);
  });

  it('changes are refused with the read-only BadRequestException, and nothing changes', async () => {
    const readOnly = async (call: Promise<unknown>) => {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(appsync.BadRequestException);
      expect((error as Error).message).toMatch(/^The Event API chat is defined by the gateway's config file (.* )?and is read-only through the management API/);
    };
    const eventConfig = { authProviders: API_KEY, connectionAuthModes: API_KEY, defaultPublishAuthModes: API_KEY, defaultSubscribeAuthModes: API_KEY };
    await readOnly(client.send(new appsync.UpdateApiCommand({ apiId: 'chat', name: 'renamed', eventConfig })));
    await readOnly(client.send(new appsync.DeleteApiCommand({ apiId: 'chat' })));
    await readOnly(client.send(new appsync.CreateChannelNamespaceCommand({ apiId: 'chat', name: 'more' })));
    await readOnly(client.send(new appsync.CreateApiKeyCommand({ apiId: 'chat' })));
    expect((await client.send(new appsync.GetApiCommand({ apiId: 'chat' }))).api!.name).toBe('chat');
    expect((await client.send(new appsync.ListChannelNamespacesCommand({ apiId: 'chat' }))).channelNamespaces).toHaveLength(2);
  });

  it('an Event API made with CreateApi is listed after it, at its own dns', async () => {
    const eventConfig = { authProviders: API_KEY, connectionAuthModes: API_KEY, defaultPublishAuthModes: API_KEY, defaultSubscribeAuthModes: API_KEY };
    const { api } = await client.send(new appsync.CreateApiCommand({ name: 'built', eventConfig }));
    const { apis } = await client.send(new appsync.ListApisCommand({}));
    expect(apis!.map((a) => [a.apiId, a.dns!.HTTP])).toEqual([
      ['chat', host],
      [api!.apiId, `${host}/apis/${api!.apiId}`],
    ]);
    // Names stay unique across the input's APIs and the built ones.
    await expect(client.send(new appsync.CreateApiCommand({ name: 'chat', eventConfig }))).rejects.toThrow('An Event API named chat already exists (chat)');
  });
});

describe('an events: list of two Event APIs', () => {
  it('ListApis answers both, the second with dns under /apis/<its name>, where a publish with its own listed key is served', async () => {
    const served = await startTestGateway({
      config: {
        name: 'alerts',
        schemaSdl: 'type Query { ping: String }',
        authentication: { type: 'API_KEY' },
        events: [
          { name: 'chat', apiKeys: [{ name: 'chat', value: 'da2-chatkey' }] },
          { name: 'alerts', apiKeys: [{ name: 'alerts', value: 'da2-alertskey' }] },
        ],
      },
    });
    const listing = new appsync.AppSyncClient({ endpoint: served.origin, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    try {
      const at = new URL(served.origin).host;
      const { apis } = await listing.send(new appsync.ListApisCommand({}));
      // The GraphQL API is named alerts too: the Event API's id takes -events, its paths keep /apis/alerts.
      expect(apis!.map((a) => [a.apiId, a.name, a.dns])).toEqual([
        ['chat', 'chat', { HTTP: at, REALTIME: at }],
        ['alerts-events', 'alerts', { HTTP: `${at}/apis/alerts`, REALTIME: `${at}/apis/alerts` }],
      ]);
      const { apiKeys } = await listing.send(new appsync.ListApiKeysCommand({ apiId: 'alerts-events' }));
      expect(apiKeys!.map((k) => k.id)).toEqual(['da2-alertskey']);
      const publish = (key: string) =>
        fetch(`http://${apis![1]!.dns!.HTTP}/event`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ channel: '/default/a', events: ['{"n":1}'] }),
        });
      expect((await publish(apiKeys![0]!.id!)).status).toBe(200);
      expect((await publish('da2-chatkey')).status).toBe(401);
    } finally {
      listing.destroy();
      await served.close();
    }
  });
});

describe('a reload', () => {
  it('lists the Event API of the reloaded config: a renamed one under its new id, the old id gone', async () => {
    const config = { name: 'reloading', schemaSdl: 'type Query { ping: String }', authentication: { type: 'API_KEY' as const }, events: { name: 'before' } };
    const served = await startTestGateway({ config });
    const listing = new appsync.AppSyncClient({ endpoint: served.origin, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    try {
      expect((await listing.send(new appsync.ListApisCommand({}))).apis!.map((a) => a.apiId)).toEqual(['before']);
      await served.gateway.reload({ ...config, events: { name: 'after' } });
      expect((await listing.send(new appsync.ListApisCommand({}))).apis!.map((a) => a.apiId)).toEqual(['after']);
      await expect(listing.send(new appsync.GetApiCommand({ apiId: 'before' }))).rejects.toBeInstanceOf(appsync.NotFoundException);
    } finally {
      listing.destroy();
      await served.close();
    }
  });
});
