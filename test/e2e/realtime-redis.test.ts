/**
 * Scale-out: gateway A and gateway B share a real Redis server (test/setup/redis.global.ts). A
 * mutation on A reaches subscribers on B, with argument and enhanced filters applied on B; a
 * back-end `publish` on B reaches A; invalidation crosses instances too.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { API_KEY, CREATE_POST, files, realtimeConfig } from '../realtime/e2eApi.js';
import { connectRaw, encodeHeader, start, type RawClient } from '../realtime/rawClient.js';

const redisUrl = inject('redisUrl');
const skipReason = inject('redisSkipReason');

describe.skipIf(!redisUrl)(`two gateways sharing Redis${redisUrl ? '' : ` (skipped: ${skipReason})`}`, () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const pubsub = { redisUrl, channelPrefix: `e2e-${Date.now()}:` };
    a = await startTestGateway({ config: realtimeConfig('instance-a'), files, options: { pubsub } });
    b = await startTestGateway({ config: realtimeConfig('instance-b'), files, options: { pubsub } });
  });

  async function connect(gw: TestGateway): Promise<RawClient> {
    const host = new URL(gw.url).host;
    const client = await connectRaw(
      `${gw.origin.replace('http://', 'ws://')}/graphql/realtime?header=${encodeHeader({ host, 'x-api-key': API_KEY })}&payload=e30=`,
    );
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    return client;
  }

  async function subscribe(client: RawClient, id: string, query: string) {
    client.send(start(id, query, { 'x-api-key': API_KEY }));
    expect(await client.next()).toEqual({ type: 'start_ack', id });
  }

  it('a mutation on A reaches a subscriber on B, with argument and enhanced filters', async () => {
    const onB = await connect(b);
    await subscribe(onB, 'ana', 'subscription { onCreatePost(author: "ana") { id author } }');
    await subscribe(onB, 'severe', 'subscription { onSevere(min: 5) { id severity } }');
    await a.query(CREATE_POST, { id: 'r1', author: 'bob', severity: 1 }); // matches neither
    await a.query(CREATE_POST, { id: 'r2', author: 'ana', severity: 2 }); // only the author filter
    await a.query(CREATE_POST, { id: 'r3', author: 'bob', severity: 9 }); // only the enhanced filter
    const frames = [await onB.next(), await onB.next()];
    expect(frames).toEqual([
      { type: 'data', id: 'ana', payload: { data: { onCreatePost: { id: 'r2', author: 'ana' } } } },
      { type: 'data', id: 'severe', payload: { data: { onSevere: { id: 'r3', severity: 9 } } } },
    ]);
    await onB.nothing();
    onB.close();
  });

  it('each subscriber receives an event once, whichever instance it is on', async () => {
    const onA = await connect(a);
    const onB = await connect(b);
    await subscribe(onA, 's', 'subscription { onCreatePost { id } }');
    await subscribe(onB, 's', 'subscription { onCreatePost { id } }');
    await b.gateway.publish('onCreatePost', { id: 'from-b' });
    const expected = { type: 'data', id: 's', payload: { data: { onCreatePost: { id: 'from-b' } } } };
    expect(await onA.next()).toEqual(expected);
    expect(await onB.next()).toEqual(expected);
    await onA.nothing();
    await onB.nothing();
    onA.close();
    onB.close();
  });

  it('an invalidation on A closes the matching subscriber on B', async () => {
    const onB = await connect(b);
    await subscribe(onB, 'g', 'subscription { onGroup(group: "red") { id } }');
    await a.query('mutation { closeGroup(group: "red") { id } }');
    expect(await onB.next()).toEqual({ type: 'complete', id: 'g', payload: { message: 'Subscription complete.' } });
    expect((await onB.closed).code).toBe(1000);
  });
});
