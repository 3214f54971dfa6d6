/**
 * Events scale-out (docs/events.md#scale-out): gateways A and B share a real Redis server
 * (test/setup/redis.global.ts); a publish on one instance, over HTTP or the socket, reaches
 * subscribers on the other, after the publishing instance's onPublish handler.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
