/**
 * Real clients against a real gateway: the aws-amplify v6 client (generateClient, API key) on the
 * AppSync protocol, and the graphql-ws client on graphql-transport-ws.
 *
 * Amplify derives the realtime URL from the GraphQL endpoint: for a non-AppSync domain it appends
 * `/realtime` to the path and always uses `wss://` (node_modules/@aws-amplify/api-graphql/src/
 * Providers/AWSWebSocketProvider/appsyncUrl.ts: `.replace('http://', 'wss://')`), and it opens the
 * socket with the global `WebSocket`. The gateway here speaks plain HTTP, so the test gives
 * Amplify a global WebSocket (the `ws` package) that dials `ws://` for the loopback gateway —
 * everything else is Amplify's own code.
 */
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { API_KEY, CREATE_POST, files, realtimeConfig } from '../realtime/e2eApi.js';

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
  gw = await startTestGateway({ config: realtimeConfig('clients-test'), files });
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
  Amplify.configure({ API: { GraphQL: { endpoint: gw.url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: API_KEY } } });
});
afterAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
});

function waitFor<T>(predicate: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = predicate();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('aws-amplify v6 (generateClient, API key)', () => {
  it('subscribes over the AppSync protocol and receives a mutation', async () => {
    const client = generateClient();
    const received: unknown[] = [];
    const errors: unknown[] = [];
    const observable = client.graphql({ query: 'subscription { onCreatePost { id title author } }' }) as unknown as {
      subscribe(o: { next(v: unknown): void; error(e: unknown): void }): { unsubscribe(): void };
    };
    const subscription = observable.subscribe({ next: (v) => received.push(v), error: (e) => errors.push(e) });
    // Amplify reports readiness through Hub; publishing until the first event arrives avoids
    // depending on its internals. Each mutation has a distinct id; only the last one is asserted.
    let n = 0;
    await waitFor(() => {
      if (received.length > 0 || errors.length > 0) return true;
      void gw.query(CREATE_POST, { id: `warm-${n++}`, title: 'warm' });
      return undefined;
    }, 'the first event');
    expect(errors).toEqual([]);
    received.length = 0;
    await gw.query(CREATE_POST, { id: 'amp-1', title: 'From amplify', author: 'ana' });
    const event = await waitFor(() => received.find((r) => JSON.stringify(r).includes('amp-1')), 'the event');
    expect(event).toMatchObject({ data: { onCreatePost: { id: 'amp-1', title: 'From amplify', author: 'ana' } } });
    subscription.unsubscribe();
    // Amplify dialled the derived URL: <graphql endpoint>/realtime with the header- subprotocol.
    expect(dialed[0]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/graphql\/realtime$/);
  });

  it('a rejected subscription reaches the error callback', async () => {
    const client = generateClient();
    const errors: unknown[] = [];
    const observable = client.graphql({ query: 'subscription { onRejected { id } }' }) as unknown as {
      subscribe(o: { next(v: unknown): void; error(e: unknown): void }): { unsubscribe(): void };
    };
    const subscription = observable.subscribe({ next: () => undefined, error: (e) => errors.push(e) });
    const error = await waitFor(() => errors[0], 'the error');
    expect(JSON.stringify(error)).toContain('Not Authorized to access onRejected on type Subscription');
    subscription.unsubscribe();
  });
});

describe('graphql-ws client (graphql-transport-ws on /graphql)', () => {
  it('subscribes with the API key in connectionParams and receives mutations', async () => {
    const client = createClient({
      url: gw.url.replace('http://', 'ws://'),
      webSocketImpl: WebSocket,
      connectionParams: { 'x-api-key': API_KEY },
      retryAttempts: 0,
    });
    const received: unknown[] = [];
    let error: unknown;
    const dispose = client.subscribe(
      { query: 'subscription { onCreatePost { id title } }' },
      { next: (v) => void received.push(v), error: (e) => void (error = e), complete: () => undefined },
    );
    let n = 0;
    await waitFor(() => {
      if (received.length > 0 || error) return true;
      void gw.query(CREATE_POST, { id: `gws-warm-${n++}` });
      return undefined;
    }, 'the first event');
    expect(error).toBeUndefined();
    await gw.query(CREATE_POST, { id: 'gws-1', title: 'via graphql-ws' });
    const event = await waitFor(() => received.find((r) => JSON.stringify(r).includes('gws-1')), 'the event');
    expect(event).toEqual({ data: { onCreatePost: { id: 'gws-1', title: 'via graphql-ws' } } });
    dispose();
    await client.dispose();
  });

  it('bad credentials close the connection with 4403', async () => {
    const client = createClient({
      url: gw.url.replace('http://', 'ws://'),
      webSocketImpl: WebSocket,
      connectionParams: { 'x-api-key': 'da2-wrong' },
      retryAttempts: 0,
    });
    let error: unknown;
    client.subscribe({ query: 'subscription { onCreatePost { id } }' }, { next: () => undefined, error: (e) => void (error = e), complete: () => undefined });
    const closed = await waitFor(() => error as { code: number } | undefined, 'the close');
    expect(closed.code).toBe(4403);
    await client.dispose();
  });
});
