/**
 * Several Event APIs in one config file (docs/events.md#several-event-apis): `events:` as a list
 * serves the first at `/event` and each other one at `/apis/<id>/event[/realtime]`, each with its
 * own keys, namespaces, handlers and subscriptions; a reload adds and drops them; names that give
 * one URL id, or a later entry without a name, are config errors.
 */
import * as appsync from '@aws-sdk/client-appsync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/config/index.js';
import { ConfigErrors } from '../../src/errors.js';
import type { GatewayConfig } from '../../src/index.js';
import { connectRaw, encodeHeader, type RawClient } from '../realtime/rawClient.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const CHAT_KEY = 'da2-severalchat000000000001';
const ALERTS_KEY = 'da2-severalalerts0000000001';
const CONFIG: GatewayConfig = {
  name: 'several-events',
  schemaSdl: 'type Query { ok: Boolean }',
  apiKeys: [{ name: 'graphql', value: 'da2-severalgraphql000000001' }],
  events: [
    { name: 'chat', authProviders: [{ type: 'API_KEY' }], apiKeys: [{ name: 'chat', value: CHAT_KEY }], namespaces: { default: {} } },
    {
      name: 'Alerts Feed',
      authProviders: [{ type: 'API_KEY' }],
      apiKeys: [{ name: 'alerts', value: ALERTS_KEY }],
      namespaces: { default: {}, shout: { code: 'shout.js' } },
    },
  ],
};
const FILES = { 'shout.js': 'export const onPublish = (ctx) => ctx.events.map((e) => ({ id: e.id, payload: String(e.payload).toUpperCase() }));\n' };

let gw: TestGateway;
const clients: RawClient[] = [];
beforeAll(async () => {
  gw = await startTestGateway({ config: CONFIG, files: FILES });
});
afterAll(() => {
  for (const c of clients) c.close();
});

const post = async (path: string, key: string, channel: string, events: unknown[]) => {
  const res = await fetch(`${gw.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

/** client-appsync on the gateway's management API; the caller destroys it. */
const appsyncClient = () =>
  new appsync.AppSyncClient({ endpoint: gw.origin, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

/** A subscriber on `path`'s socket with `key`, subscribed to `channel`. */
async function subscriber(path: string, key: string, channel: string): Promise<RawClient> {
  const auth = { host: new URL(gw.origin).host, 'x-api-key': key };
  const client = await connectRaw(`${gw.origin.replace('http', 'ws')}${path}`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
  clients.push(client);
  client.send({ type: 'connection_init' });
  expect(await client.next()).toMatchObject({ type: 'connection_ack' });
  client.send({ type: 'subscribe', id: 's', channel, authorization: auth });
  expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
  return client;
}

describe('an events: list', () => {
  it('is read as the first Event API and the further ones, each with its URL id', () => {
    expect(gw.gateway.config.events?.name).toBe('chat');
    expect(gw.gateway.config.additionalEventApis?.map((a) => [a.apiId, a.events.name, a.events.apiKeys.map((k) => k.value)])).toEqual([
      ['alerts-feed', 'Alerts Feed', [ALERTS_KEY]],
    ]);
  });

  it('serves the first at /event and the second at /apis/<id>/event, each opened only by its own key', async () => {
    expect((await post('/event', CHAT_KEY, '/default/a', [{ n: 1 }])).status).toBe(200);
    expect((await post('/apis/alerts-feed/event', ALERTS_KEY, '/default/a', [{ n: 1 }])).status).toBe(200);
    const refused = await post('/apis/alerts-feed/event', CHAT_KEY, '/default/a', [{ n: 1 }]);
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].errorType).toBe('UnauthorizedException');
    expect((await post('/event', ALERTS_KEY, '/default/a', [{ n: 1 }])).status).toBe(401);
    // Each has its own namespaces: `shout` is the second's only.
    expect((await post('/event', CHAT_KEY, '/shout/a', ['x'])).status).toBe(400);
    expect((await post('/apis/no-such/event', ALERTS_KEY, '/default/a', [{ n: 1 }])).status).toBe(404);
  });

  it('keeps subscriptions apart: a publish on one reaches only its own API’s subscribers, through its own handler', async () => {
    const onChat = await subscriber('/event/realtime', CHAT_KEY, '/default/*');
    const onAlerts = await subscriber('/apis/alerts-feed/event/realtime', ALERTS_KEY, '/default/*');
    const shouted = await subscriber('/apis/alerts-feed/event/realtime', ALERTS_KEY, '/shout/*');

    expect((await post('/apis/alerts-feed/event', ALERTS_KEY, '/default/room', [{ to: 'alerts' }])).body.successful).toHaveLength(1);
    expect(await onAlerts.next()).toEqual({ type: 'data', id: 's', event: '{"to":"alerts"}' });
    expect((await post('/event', CHAT_KEY, '/default/room', [{ to: 'chat' }])).body.successful).toHaveLength(1);
    expect(await onChat.next()).toEqual({ type: 'data', id: 's', event: '{"to":"chat"}' });
    await onChat.nothing(200);
    await onAlerts.nothing(200);

    expect((await post('/apis/alerts-feed/event', ALERTS_KEY, '/shout/room', ['hello'])).status).toBe(200);
    expect(await shouted.next()).toEqual({ type: 'data', id: 's', event: '"HELLO"' });
  });

  it('ListApis lists both, each with the dns it is served at; a publish composed from a listed dns and key is served', async () => {
    const client = appsyncClient();
    try {
      const { apis } = await client.send(new appsync.ListApisCommand({}));
      const host = new URL(gw.origin).host;
      expect(apis?.map((a) => [a.apiId, a.name, a.dns?.HTTP])).toEqual([
        ['chat', 'chat', host],
        ['alerts-feed', 'Alerts Feed', `${host}/apis/alerts-feed`],
      ]);
      const { channelNamespaces } = await client.send(new appsync.ListChannelNamespacesCommand({ apiId: 'alerts-feed' }));
      expect(channelNamespaces?.map((n) => n.name)).toEqual(['default', 'shout']);
      const { apiKeys } = await client.send(new appsync.ListApiKeysCommand({ apiId: 'alerts-feed' }));
      const res = await fetch(`http://${apis![1]!.dns!.HTTP}/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKeys![0]!.id! },
        body: JSON.stringify({ channel: '/default/listed', events: ['{}'] }),
      });
      expect(res.status).toBe(200);
    } finally {
      client.destroy();
    }
  });

  it('CreateApi refuses a further Event API’s name; a name with its URL id gets an id and path of its own, and both are served', async () => {
    const client = appsyncClient();
    const API_KEY = [{ authType: 'API_KEY' as const }];
    const eventConfig = { authProviders: API_KEY, connectionAuthModes: API_KEY, defaultPublishAuthModes: API_KEY, defaultSubscribeAuthModes: API_KEY };
    try {
      await expect(client.send(new appsync.CreateApiCommand({ name: 'Alerts Feed', eventConfig }))).rejects.toThrow(
        'An Event API named Alerts Feed already exists (alerts-feed); appsync-gateway keeps API names unique.',
      );
      const { api } = await client.send(new appsync.CreateApiCommand({ name: 'alerts-feed', eventConfig }));
      expect(api?.apiId).toMatch(/^[a-z0-9]{26}$/);
      await client.send(new appsync.CreateChannelNamespaceCommand({ apiId: api!.apiId!, name: 'default' }));
      const { apiKey } = await client.send(new appsync.CreateApiKeyCommand({ apiId: api!.apiId! }));
      const { apis } = await client.send(new appsync.ListApisCommand({}));
      expect(apis?.map((a) => a.apiId)).toEqual(['chat', 'alerts-feed', api!.apiId]);
      // The config's Event API keeps its path and key; the built one answers at its own id.
      const built = await post(`/apis/${api!.apiId}/event`, apiKey!.id!, '/default/a', [{ n: 1 }]);
      expect(built.status).toBe(200);
      expect((await post(`/apis/${api!.apiId}/event`, ALERTS_KEY, '/default/a', [{ n: 1 }])).status).toBe(401);
      expect((await post('/apis/alerts-feed/event', ALERTS_KEY, '/default/a', [{ n: 1 }])).status).toBe(200);
      expect((await post('/apis/alerts-feed/event', apiKey!.id!, '/default/a', [{ n: 1 }])).status).toBe(401);
      await client.send(new appsync.DeleteApiCommand({ apiId: api!.apiId! }));
    } finally {
      client.destroy();
    }
  });

  it('a socket of one API refuses the other’s key', async () => {
    const auth = { host: new URL(gw.origin).host, 'x-api-key': CHAT_KEY };
    const client = await connectRaw(`${gw.origin.replace('http', 'ws')}/apis/alerts-feed/event/realtime`, [
      'aws-appsync-event-ws',
      `header-${encodeHeader(auth, true)}`,
    ]);
    clients.push(client);
    client.send({ type: 'connection_init' });
    expect(await client.next()).toMatchObject({ type: 'connection_error', errors: [{ errorType: 'UnauthorizedException' }] });
  });

  it('a reload drops an Event API left out of the list (its sockets close) and serves one added', async () => {
    const onAlerts = await subscriber('/apis/alerts-feed/event/realtime', ALERTS_KEY, '/default/*');
    const [chat] = CONFIG.events as object[];
    await gw.gateway.reload({ ...CONFIG, events: [chat!, { name: 'news', apiKeys: [{ name: 'news', value: ALERTS_KEY }] }] });
    expect((await onAlerts.closed).code).toBe(1001);
    expect((await post('/apis/alerts-feed/event', ALERTS_KEY, '/default/a', [{ n: 1 }])).status).toBe(404);
    expect((await post('/apis/news/event', ALERTS_KEY, '/default/a', [{ n: 1 }])).status).toBe(200);
    expect((await post('/event', CHAT_KEY, '/default/a', [{ n: 1 }])).status).toBe(200);
  });
});

describe('events: list errors', () => {
  const problems = (events: unknown) => {
    try {
      normalizeConfig({ schemaSdl: 'type Query { ok: Boolean }', apiKeys: [{ name: 'k', value: 'da2-listerrors' }], events } as GatewayConfig, {
        configDir: '/tmp',
      });
    } catch (error) {
      return (error as ConfigErrors).errors.map((e) => e.message);
    }
    return [];
  };

  it('names a later entry without a name, names that give one URL id, an empty list and a bad entry', () => {
    expect(problems([{ name: 'a' }, {}])).toEqual([expect.stringContaining('events.1.name: each Event API after the first needs a name')]);
    expect(problems([{ name: 'Chat Room' }, { name: 'chat-room' }])).toEqual([
      expect.stringContaining('events.1.name: "chat-room" gives the URL id "chat-room", as events.0.name "Chat Room" does'),
    ]);
    expect(problems([])).toEqual([expect.stringContaining('events: expected an Event API mapping or a non-empty list of them')]);
    expect(problems([{ name: 'a' }, 'b'])).toEqual([expect.stringContaining('events.1: expected a mapping')]);
    expect(problems([{ name: 'a', namespaces: { default: { publishAuthModes: ['AWS_IAM'] } } }])).toEqual([
      expect.stringContaining('events.0.namespaces.default.publishAuthModes.0: AWS_IAM is not one of events.0.authProviders'),
    ]);
  });
});
