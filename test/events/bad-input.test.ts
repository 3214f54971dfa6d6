/**
 * Bad input (issue 24, docs/events.md#limits): oversized frames, 1,000 sockets opened and dropped
 * in every state (before the handshake, mid-handshake, subscribed): each gets AWS's error or a
 * clean close, the gateway keeps serving, and its heap does not grow from one round to the next.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { connectRaw, encodeHeader } from '../realtime/rawClient.js';

const KEY = 'da2-badinputkey1';
const auth = { 'x-api-key': KEY };
let gw: TestGateway;
let wsUrl: string;
const protocols = () => ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

beforeAll(async () => {
  gw = await startTestGateway({
    config: { name: 'events-bad', schemaSdl: 'type Query { ok: Boolean }', apiKeys: [{ name: 'k', value: KEY }], events: {} },
  });
  wsUrl = `${gw.origin.replace('http', 'ws')}/event/realtime`;
});
afterAll(() => gw.close());

/** Opens `count` sockets in batches, leaves each in one of four states, then drops them all without a close frame. */
async function openAndDrop(count: number): Promise<void> {
  for (let start = 0; start < count; start += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, async (_, i) => {
        const ws = new WebSocket(wsUrl, protocols());
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        const state = (start + i) % 4;
        if (state >= 1) ws.send(JSON.stringify({ type: 'connection_init' }));
        if (state >= 2) ws.send(JSON.stringify({ type: 'subscribe', id: `s${i}`, channel: `/default/drop/${i}`, authorization: auth }));
        if (state === 3) ws.send('{garbage');
        if (state >= 2) await new Promise<void>((resolve) => ws.once('message', () => resolve()));
        return ws;
      }),
    );
    for (const ws of batch) ws.terminate();
  }
}

async function heapAfterGc(): Promise<number> {
  await new Promise((r) => setTimeout(r, 200));
  gc();
  await new Promise((r) => setTimeout(r, 50));
  gc();
  return process.memoryUsage().heapUsed;
}

describe('bad input', () => {
  it('closes a socket whose frame is larger than a publish can be (1009), and keeps serving', async () => {
    const client = await connectRaw(wsUrl, protocols());
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send({ type: 'publish', id: 'p', channel: '/default/a', events: ['"' + 'x'.repeat(4 * 1024 * 1024) + '"'], authorization: auth });
    expect((await client.closed).code).toBe(1009);
  });

  it('refuses a POST /event body past the limit with 413', async () => {
    const res = await fetch(`${gw.origin}/event`, { method: 'POST', headers: auth, body: 'x'.repeat(4 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: [{ errorType: 'BadRequestException', message: 'Request body is too large.' }] });
  });

  it('survives 1,000 sockets opened and dropped in every state, twice, with a flat heap', async () => {
    await openAndDrop(1000);
    const first = await heapAfterGc();
    await openAndDrop(1000);
    const second = await heapAfterGc();
    // Flat: the second round leaves no more than a few MB over the first (nothing kept per dropped socket).
    expect(second - first).toBeLessThan(8 * 1024 * 1024);

    const client = await connectRaw(wsUrl, protocols());
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send({ type: 'subscribe', id: 'after', channel: '/default/after', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 'after' });
    await fetch(`${gw.origin}/event`, { method: 'POST', headers: auth, body: JSON.stringify({ channel: '/default/after', events: ['"still up"'] }) });
    expect(await client.next()).toEqual({ type: 'data', id: 'after', event: '"still up"' });
    client.close();
  }, 120_000);
});
