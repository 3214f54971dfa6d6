/**
 * Events scale-out (docs/events.md#scale-out): gateways A and B share a real Redis server
 * (test/setup/redis.global.ts); a publish on one instance, over HTTP or the socket, reaches
 * subscribers on the other, after the publishing instance's onPublish handler; with an `events:`
 * list, a publish to the further Event API at /apis/<id>/event reaches that API's subscribers on the
 * other instance and never the first API's on the same channel, nor the other way round.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { connectRaw, encodeHeader, type RawClient } from '../realtime/rawClient.js';

const redisUrl = inject('redisUrl');
const skipReason = inject('redisSkipReason');
const KEY = 'da2-eventsredis01';
const auth = { 'x-api-key': KEY };
const UPPER = `export function onPublish(ctx) { return ctx.events.map((e) => ({ id: e.id, payload: { text: String(e.payload.text).toUpperCase() } })); }\n`;

describe.skipIf(!redisUrl)(`two gateways sharing Redis${redisUrl ? '' : ` (skipped: ${skipReason})`}`, () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const pubsub = { redisUrl, channelPrefix: `events-${Date.now()}:` };
    const input = {
      files: { 'upper.js': UPPER },
      config: {
        name: 'events-redis',
        schemaSdl: 'type Query { ok: Boolean }',
        apiKeys: [{ name: 'k', value: KEY }],
        events: { namespaces: { default: {}, upper: { code: 'upper.js' } } },
      },
      options: { pubsub },
    };
    a = await startTestGateway(input);
    b = await startTestGateway(input);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  async function subscriber(gw: TestGateway, id: string, channel: string): Promise<RawClient> {
    const client = await connectRaw(`${gw.origin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send({ type: 'subscribe', id, channel, authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id });
    return client;
  }

  it('an HTTP publish on A reaches subscribers on A and B once each', async () => {
    const onA = await subscriber(a, 'a1', '/default/*');
    const onB = await subscriber(b, 'b1', '/default/room');
    const res = await fetch(`${a.origin}/event`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ channel: '/default/room', events: ['{"from":"a"}'] }),
    });
    expect(res.status).toBe(200);
    expect(await onB.next()).toEqual({ type: 'data', id: 'b1', event: '{"from":"a"}' });
    expect(await onA.next()).toEqual({ type: 'data', id: 'a1', event: '{"from":"a"}' });
    await onA.nothing();
    await onB.nothing();
    onA.close();
    onB.close();
  });

  it("a socket publish on B reaches A after B's onPublish", async () => {
    const onA = await subscriber(a, 'a2', '/upper/x');
    const publisher = await subscriber(b, 'unused', '/default/unused');
    publisher.send({ type: 'publish', id: 'p', channel: '/upper/x', events: ['{"text":"quiet"}'], authorization: auth });
    expect((await publisher.next()).type).toBe('publish_success');
    expect(await onA.next()).toEqual({ type: 'data', id: 'a2', event: '{"text":"QUIET"}' });
    onA.close();
    publisher.close();
  });
});

describe.skipIf(!redisUrl)(`two gateways sharing Redis, each serving two Event APIs${redisUrl ? '' : ` (skipped: ${skipReason})`}`, () => {
  const CHAT_KEY = 'da2-eventsredischat0000001';
  const ALERTS_KEY = 'da2-eventsredisalerts00001';
  let a: TestGateway;
  let b: TestGateway;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    const pubsub = { redisUrl, channelPrefix: `events-several-${Date.now()}:` };
    const config: GatewayConfig = {
      name: 'events-redis-several',
      schemaSdl: 'type Query { ok: Boolean }',
      apiKeys: [{ name: 'graphql', value: 'da2-eventsredisgraphql0001' }],
      events: [
        { name: 'chat', authProviders: [{ type: 'API_KEY' }], apiKeys: [{ name: 'chat', value: CHAT_KEY }], namespaces: { default: {} } },
        {
          name: 'alerts',
          authProviders: [{ type: 'API_KEY' }],
          apiKeys: [{ name: 'alerts', value: ALERTS_KEY }],
          namespaces: { default: {}, upper: { code: 'upper.js' } },
        },
      ],
    };
    const input = { files: { 'upper.js': UPPER }, config, options: { pubsub } };
    a = await startTestGateway(input);
    b = await startTestGateway(input);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await a?.close();
    await b?.close();
  });

  /** A subscriber on `gw`'s socket at `path` (`/event/realtime` or `/apis/<id>/event/realtime`), subscribed to `channel` with `key`. */
  async function subscriber(gw: TestGateway, path: string, key: string, id: string, channel: string): Promise<RawClient> {
    const auth = { host: new URL(gw.origin).host, 'x-api-key': key };
    const client = await connectRaw(`${gw.origin.replace('http', 'ws')}${path}`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    clients.push(client);
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send({ type: 'subscribe', id, channel, authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id });
    return client;
  }
  const publish = (gw: TestGateway, path: string, key: string, channel: string, event: unknown) =>
    fetch(`${gw.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ channel, events: [JSON.stringify(event)] }),
    });

  it("an HTTP publish on A to the second API reaches its subscriber on B, and not the first API's on the same channel", async () => {
    const alertsOnB = await subscriber(b, '/apis/alerts/event/realtime', ALERTS_KEY, 'alerts', '/default/room');
    const chatOnB = await subscriber(b, '/event/realtime', CHAT_KEY, 'chat', '/default/room');
    expect((await publish(a, '/apis/alerts/event', ALERTS_KEY, '/default/room', { to: 'alerts' })).status).toBe(200);
    expect(await alertsOnB.next()).toEqual({ type: 'data', id: 'alerts', event: '{"to":"alerts"}' });
    await chatOnB.nothing();

    // And the other way round: the first API's publish stays with the first API.
    expect((await publish(a, '/event', CHAT_KEY, '/default/room', { to: 'chat' })).status).toBe(200);
    expect(await chatOnB.next()).toEqual({ type: 'data', id: 'chat', event: '{"to":"chat"}' });
    await alertsOnB.nothing();
  });

  it("a socket publish on B to the second API reaches A's subscriber after B's onPublish", async () => {
    const onA = await subscriber(a, '/apis/alerts/event/realtime', ALERTS_KEY, 'a', '/upper/x');
    const publisher = await subscriber(b, '/apis/alerts/event/realtime', ALERTS_KEY, 'unused', '/default/unused');
    const auth = { host: new URL(b.origin).host, 'x-api-key': ALERTS_KEY };
    publisher.send({ type: 'publish', id: 'p', channel: '/upper/x', events: ['{"text":"quiet"}'], authorization: auth });
    expect((await publisher.next()).type).toBe('publish_success');
    expect(await onA.next()).toEqual({ type: 'data', id: 'a', event: '{"text":"QUIET"}' });
  });
});
