/**
 * The real aws-amplify v6 `events` client (`aws-amplify/data`) against the gateway's Event API:
 * `events.connect` → `subscribe` / `publish` over the socket, `events.post` over HTTP.
 *
 * Amplify derives the socket URL of a non-AWS endpoint by appending `/realtime` and always dials
 * `wss://` (Providers/AWSWebSocketProvider/appsyncUrl.ts); the gateway here speaks plain HTTP, so
 * the global WebSocket dials `ws://` for the loopback gateway. Everything else is Amplify's code.
 */
import { Amplify } from 'aws-amplify';
import { events } from 'aws-amplify/data';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const KEY = 'da2-amplifyevents';
let gw: TestGateway;
const dialed: string[] = [];
const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

class LoopbackWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    const target = String(url).replace(/^wss:\/\/127\.0\.0\.1:/, 'ws://127.0.0.1:');
    dialed.push(target);
    super(target, protocols);
  }
}

beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      name: 'events-amplify',
      schemaSdl: 'type Query { ok: Boolean }',
      apiKeys: [{ name: 'k', value: KEY }],
      events: { namespaces: { default: {} } },
    },
  });
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
  Amplify.configure({ API: { Events: { endpoint: `${gw.origin}/event`, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: KEY } } });
});
afterAll(async () => {
  await events.closeAll();
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
  await gw.close();
});

function collector() {
  const received: unknown[] = [];
  let wake: (() => void) | undefined;
  return {
    received,
    next: (data: unknown) => {
      received.push(data);
      wake?.();
    },
    async waitFor(count: number, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`received ${received.length} of ${count} events`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return received;
    },
  };
}

describe('aws-amplify v6 events client', () => {
  it('subscribes with events.connect and receives events.post (HTTP) and channel.publish (socket)', async () => {
    const channel = await events.connect('/default/amplify');
    const got = collector();
    const sub = channel.subscribe({ next: got.next, error: (e: unknown) => got.next({ error: e }) });
    await (sub as unknown as { ready: Promise<unknown> }).ready;
    expect(dialed[0]).toBe(`${gw.origin.replace('http', 'ws')}/event/realtime`);

    expect(await events.post('/default/amplify', { via: 'http', n: 1 })).toBeUndefined();
    await channel.publish({ via: 'socket', n: 2 });
    expect(await got.waitFor(2)).toEqual([
      { id: expect.any(String), type: 'data', event: { via: 'http', n: 1 } },
      { id: expect.any(String), type: 'data', event: { via: 'socket', n: 2 } },
    ]);
    sub.unsubscribe();
    await channel.close();
  });

  it('subscribes with a wildcard and batches several events in one post', async () => {
    const channel = await events.connect('/default/*');
    const got = collector();
    const sub = channel.subscribe({ next: got.next, error: (e: unknown) => got.next({ error: e }) });
    await (sub as unknown as { ready: Promise<unknown> }).ready;
    await events.post('/default/room/1', [{ a: 1 }, { b: 2 }]);
    expect((await got.waitFor(2)).map((d) => (d as { event: unknown }).event)).toEqual([{ a: 1 }, { b: 2 }]);
    sub.unsubscribe();
    await channel.close();
  });

  it('rejects events.post with a bad key', async () => {
    await expect(events.post('/default/amplify', { x: 1 }, { authMode: 'apiKey', apiKey: 'da2-wrongwrong' } as never)).rejects.toThrow();
  });
});
