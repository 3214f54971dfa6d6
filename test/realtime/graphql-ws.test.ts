/**
 * `graphql-transport-ws` on /graphql through the graphql-ws library's own client, fed by the same
 * fan-out as the AppSync protocol (fake host running real graphql-js).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealtime } from '../../src/realtime/index.js';
import { createMemoryPubSub } from '../../src/realtime/pubsub-memory.js';
import type { Realtime } from '../../src/realtime/types.js';
import { createFakeHost } from './fakeHost.js';
import { connectRaw, encodeHeader, start } from './rawClient.js';

let server: Server;
let realtime: Realtime;
let url: string;
const clients: Client[] = [];

beforeAll(async () => {
  realtime = createRealtime(createFakeHost(createMemoryPubSub()));
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!realtime.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await realtime.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(connectionParams: Record<string, unknown>): Client {
  const c = createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
  clients.push(c);
  return c;
}

/** Subscribes and collects results until `count` arrived (or an error/complete). */
function collect(c: Client, query: string, variables?: Record<string, unknown>) {
  const results: unknown[] = [];
  let error: unknown;
  let completed = false;
  let resolveWaiter: (() => void) | undefined;
  const poke = () => resolveWaiter?.();
  const dispose = c.subscribe(
    { query, variables },
    {
      next: (r) => {
        results.push(r);
        poke();
      },
      error: (e) => {
        error = e;
        poke();
      },
      complete: () => {
        completed = true;
        poke();
      },
    },
  );
  return {
    results,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    dispose,
    async until(predicate: () => boolean) {
      for (let i = 0; i < 500 && !predicate(); i++) {
        await new Promise<void>((resolve) => {
          resolveWaiter = resolve;
          setTimeout(resolve, 10);
        });
      }
      if (!predicate()) throw new Error(`condition not met; results=${JSON.stringify(results)} error=${JSON.stringify(error)}`);
    },
  };
}

/** Publishes until the subscription is live (graphql-ws has no start_ack), then the real event. */
async function publishWhenLive(sub: ReturnType<typeof collect>, field: string, payload: unknown) {
  for (let i = 0; i < 100 && sub.results.length === 0 && !sub.error; i++) {
    await realtime.publish({ subscriptionField: field, mutationField: null, payload: { id: 'warmup', author: 'warmup', severity: 100, group: 'warmup' } });
    await new Promise((r) => setTimeout(r, 20));
  }
  sub.results.length = 0;
  await realtime.publish({ subscriptionField: field, mutationField: 'createPost', payload });
}

describe('graphql-transport-ws (Gateway choice endpoint)', () => {
  it('delivers events shaped by the selection set', async () => {
    const sub = collect(client({ 'x-api-key': 'good' }), 'subscription { onCreatePost { id title } }');
    await publishWhenLive(sub, 'onCreatePost', { id: '1', title: 'T' });
    await sub.until(() => sub.results.length === 1);
    expect(sub.results).toEqual([{ data: { onCreatePost: { id: '1', title: 'T' } } }]);
    sub.dispose();
  });

  it('applies argument filters', async () => {
    const c = client({ 'x-api-key': 'good' });
    const sub = collect(c, 'subscription($a: String) { onCreatePost(author: $a) { id } }', { a: 'warmup' });
    await publishWhenLive(sub, 'onCreatePost', { id: '2', author: 'bob' });
    await realtime.publish({ subscriptionField: 'onCreatePost', mutationField: 'createPost', payload: { id: '3', author: 'warmup' } });
    await sub.until(() => sub.results.length === 1);
    expect(sub.results).toEqual([{ data: { onCreatePost: { id: '3' } } }]);
    sub.dispose();
  });

  it('AppSync-shaped errors for a query and for an unauthorized field', async () => {
    const c = client({ 'x-api-key': 'good' });
    const q = collect(c, '{ x }');
    await q.until(() => q.error !== undefined);
    expect(q.error).toEqual([{ errorType: 'UnsupportedOperation', message: 'query not supported through the realtime channel' }]);
    const s = collect(c, 'subscription { secret { id } }');
    await s.until(() => s.error !== undefined);
    expect(s.error).toEqual([
      {
        path: ['secret'],
        data: null,
        errorType: 'Unauthorized',
        errorInfo: null,
        locations: null,
        message: 'Not Authorized to access secret on type Subscription',
      },
    ]);
  });

  it('an invalidation completes the subscription (realtime.md §6)', async () => {
    const sub = collect(client({ 'x-api-key': 'good' }), 'subscription { onInvalidatable(group: "warmup") { id } }');
    await publishWhenLive(sub, 'onInvalidatable', { id: 'x', group: 'warmup' });
    await sub.until(() => sub.results.length === 1);
    await realtime.publish({ subscriptionField: 'onInvalidatable', mutationField: null, payload: { group: 'warmup' }, invalidation: true });
    await sub.until(() => sub.completed);
    expect(sub.error).toBeUndefined();
  });

  it('per-subscription credentials in extensions.authorization are checked', async () => {
    const c = client({ 'x-api-key': 'good' });
    const errors: unknown[] = [];
    c.subscribe(
      { query: 'subscription { onCreatePost { id } }', extensions: { authorization: { 'x-api-key': 'expired' } } },
      { next: () => undefined, error: (e) => void errors.push(e), complete: () => undefined },
    );
    for (let i = 0; i < 200 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual([[{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }]]);
  });

  it('refuses a connection with bad credentials (4403 Forbidden)', async () => {
    const c = client({ 'x-api-key': 'expired' });
    const sub = collect(c, 'subscription { onCreatePost { id } }');
    await sub.until(() => sub.error !== undefined);
    expect((sub.error as { code: number }).code).toBe(4403);
  });

  it('stops at 100 subscriptions per connection with the AppSync protocol’s error, and an ended one makes room (realtime.md §7)', async () => {
    const c = client({ 'x-api-key': 'good' });
    const subs = Array.from({ length: 100 }, () => collect(c, 'subscription { onCreatePost { id } }'));
    const extra = collect(c, 'subscription { onCreatePost { id } }');
    await extra.until(() => extra.error !== undefined);
    expect(extra.error).toEqual([{ errorType: 'LimitExceededError', message: 'A connection can hold at most 100 subscriptions.' }]);
    // The first 100 are live.
    await publishWhenLive(subs[99]!, 'onCreatePost', { id: 'live' });
    await Promise.all(subs.map((sub) => sub.until(() => sub.results.length > 0)));
    subs[0]!.dispose();
    const again = collect(c, 'subscription { onCreatePost { id } }');
    await publishWhenLive(again, 'onCreatePost', { id: 'room' });
    await again.until(() => again.results.length === 1);
    expect(again.error).toBeUndefined();
    for (const sub of [...subs, again]) sub.dispose();
  });

  it('the AppSync protocol has the same default limit of 100', async () => {
    const raw = await connectRaw(`${url}/realtime?header=${encodeHeader({ 'x-api-key': 'good' })}&payload=e30=`);
    raw.send({ type: 'connection_init' });
    expect(await raw.next()).toMatchObject({ type: 'connection_ack' });
    for (let i = 1; i <= 100; i++) raw.send(start(String(i), 'subscription { onCreatePost { id } }', { 'x-api-key': 'good' }));
    for (let i = 1; i <= 100; i++) expect(await raw.next()).toEqual({ type: 'start_ack', id: String(i) });
    raw.send(start('101', 'subscription { onCreatePost { id } }', { 'x-api-key': 'good' }));
    expect(await raw.next()).toEqual({
      type: 'error',
      id: '101',
      payload: { errors: [{ errorType: 'LimitExceededError', message: 'A connection can hold at most 100 subscriptions.' }] },
    });
    raw.close();
  });

  it('graphql-ws on /graphql selects the AppSync protocol (its realtime host serves /graphql)', async () => {
    const raw = await connectRaw(`${url}?header=${encodeHeader({ 'x-api-key': 'good' })}&payload=e30=`, ['graphql-ws']);
    expect(raw.protocol).toBe('graphql-ws');
    raw.send(start('1', 'subscription { onCreatePost { id } }', { 'x-api-key': 'good' }));
    expect(await raw.next()).toEqual({ type: 'start_ack', id: '1' });
    raw.close();
  });
});
