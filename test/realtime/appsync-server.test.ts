/**
 * The AppSync real-time protocol over real sockets (node:http + ws) against a fake host that runs
 * real graphql-js (fakeHost.ts). Frames are asserted whole (realtime.md §2).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealtime } from '../../src/realtime/index.js';
import { createMemoryPubSub } from '../../src/realtime/pubsub-memory.js';
import type { Realtime } from '../../src/realtime/types.js';
import { createFakeHost, type FakeHost } from './fakeHost.js';
import { connectRaw, encodeHeader, start, type RawClient } from './rawClient.js';

const good = { host: 'api.example.com', 'x-api-key': 'good' };
const expired = { host: 'api.example.com', 'x-api-key': 'expired' };

let server: Server;
let realtime: Realtime;
let host: FakeHost;
let base: string;

async function startServer(options: Parameters<typeof createRealtime>[1] = {}) {
  const h = createFakeHost(createMemoryPubSub());
  const rt = createRealtime(h, options);
  const s = createServer((_req, res) => res.writeHead(404).end());
  s.on('upgrade', (req, socket, head) => {
    if (!rt.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    host: h,
    realtime: rt,
    server: s,
    url,
    async close() {
      await rt.close();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

beforeAll(async () => {
  const started = await startServer();
  server = started.server;
  realtime = started.realtime;
  host = started.host;
  base = started.url;
});
afterAll(async () => {
  await realtime.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const realtimeUrl = (header: Record<string, string> = good) => `${base}/graphql/realtime?header=${encodeHeader(header)}&payload=e30=`;

async function connected(header: Record<string, string> = good): Promise<RawClient> {
  const client = await connectRaw(realtimeUrl(header));
  client.send({ type: 'connection_init' });
  expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
  return client;
}

async function subscribe(client: RawClient, id: string, query: string, variables?: Record<string, unknown>) {
  client.send(start(id, query, good, variables));
  expect(await client.next()).toEqual({ type: 'start_ack', id });
}

const publish = (field: string, payload: unknown) => realtime.publish({ subscriptionField: field, mutationField: 'createPost', payload });

describe('handshake (realtime.md §1)', () => {
  it('authorises with the base64 `header` query parameter, acks, then sends ka', async () => {
    const client = await connectRaw(realtimeUrl());
    expect(client.protocol).toBe('graphql-ws');
    client.send({ type: 'connection_init' });
    expect(await client.next({ keepAlives: true })).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    expect(await client.next({ keepAlives: true })).toEqual({ type: 'ka' });
    const auth = host.authRequests.at(-1)!;
    expect(auth).toMatchObject({ method: 'POST', url: '/graphql/connect', body: '{}', host: 'api.example.com' });
    expect(auth.headers['x-api-key']).toBe('good');
    client.close();
  });

  it('authorises with the `header-<base64url>` subprotocol and answers `graphql-ws`', async () => {
    const client = await connectRaw(`${base}/graphql/realtime`, ['graphql-ws', `header-${encodeHeader(good, true)}`]);
    expect(client.protocol).toBe('graphql-ws');
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    client.close();
  });

  it('authorises with plain upgrade headers', async () => {
    const client = await connectRaw(`${base}/graphql/realtime`, ['graphql-ws'], { 'x-api-key': 'good' });
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    client.close();
  });

  it('answers bad credentials with connection_error, then closes', async () => {
    const client = await connectRaw(realtimeUrl(expired));
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }] },
    });
    expect((await client.closed).code).toBe(4401);
  });

  it('refuses an upgrade to /graphql/realtime without the graphql-ws subprotocol', async () => {
    await expect(connectRaw(realtimeUrl(), ['graphql-transport-ws'])).rejects.toThrow('HTTP 400');
  });

  it('accepts a start without connection_init (Gateway choice)', async () => {
    const client = await connectRaw(realtimeUrl());
    client.send(start('s1', 'subscription { onCreatePost { id } }', good));
    expect(await client.next()).toEqual({ type: 'start_ack', id: 's1' });
    client.close();
  });
});

describe('subscriptions (realtime.md §2–§5)', () => {
  it('start → start_ack, data shaped by the subscriber selection, stop → complete', async () => {
    const client = await connected();
    await subscribe(client, 'a', 'subscription { onCreatePost { id title } }');
    await publish('onCreatePost', { id: '1', author: 'ana', title: 'Hello' });
    expect(await client.next()).toEqual({ type: 'data', id: 'a', payload: { data: { onCreatePost: { id: '1', title: 'Hello' } } } });
    // A field the mutation did not select comes out null (realtime.md §3).
    await publish('onCreatePost', { id: '2' });
    expect(await client.next()).toEqual({ type: 'data', id: 'a', payload: { data: { onCreatePost: { id: '2', title: null } } } });
    client.send({ type: 'stop', id: 'a' });
    expect(await client.next()).toEqual({ type: 'complete', id: 'a' });
    await publish('onCreatePost', { id: '3' });
    await client.nothing();
    expect(host.authRequests.at(-1)).toMatchObject({ url: '/graphql', body: JSON.stringify({ query: 'subscription { onCreatePost { id title } }' }) });
    client.close();
  });

  it('filters by arguments: absent arguments match all, present ones must be equal', async () => {
    const client = await connected();
    await subscribe(client, 'all', 'subscription { onCreatePost { id } }');
    await subscribe(client, 'ana', 'subscription($a: String) { onCreatePost(author: $a) { id } }', { a: 'ana' });
    await publish('onCreatePost', { id: '1', author: 'bob' });
    expect(await client.next()).toEqual({ type: 'data', id: 'all', payload: { data: { onCreatePost: { id: '1' } } } });
    await publish('onCreatePost', { id: '2', author: 'ana' });
    const frames = [await client.next(), await client.next()];
    expect(frames).toContainEqual({ type: 'data', id: 'all', payload: { data: { onCreatePost: { id: '2' } } } });
    expect(frames).toContainEqual({ type: 'data', id: 'ana', payload: { data: { onCreatePost: { id: '2' } } } });
    await client.nothing();
    client.close();
  });

  it('applies enhanced filters set by the subscription resolver', async () => {
    const client = await connected();
    await subscribe(client, 'f', 'subscription { onFiltered(min: 5) { id severity } }');
    await publish('onFiltered', { id: 'low', severity: 2 });
    await publish('onFiltered', { id: 'high', severity: 9 });
    expect(await client.next()).toEqual({ type: 'data', id: 'f', payload: { data: { onFiltered: { id: 'high', severity: 9 } } } });
    await client.nothing();
    client.close();
  });

  it('rejects a filter over the limits with an error frame; the connection stays', async () => {
    const client = await connected();
    client.send(start('w', 'subscription { tooWide { id } }', good));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'w',
      payload: { errors: [{ errorType: 'BadRequestException', message: "filterGroup[0].filters[0].value for 'in' has 6 values; at most 5 are allowed" }] },
    });
    await subscribe(client, 'ok', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('invalidation: complete with "Subscription complete." then the connection closes (realtime.md §6)', async () => {
    const client = await connected();
    await subscribe(client, 'inv', 'subscription { onInvalidatable(group: "g1") { id } }');
    await realtime.publish({ subscriptionField: 'onInvalidatable', mutationField: null, payload: { group: 'other' }, invalidation: true });
    await client.nothing();
    await realtime.publish({ subscriptionField: 'onInvalidatable', mutationField: null, payload: { group: 'g1' }, invalidation: true });
    expect(await client.next()).toEqual({ type: 'complete', id: 'inv', payload: { message: 'Subscription complete.' } });
    expect((await client.closed).code).toBe(1000);
  });
});

describe('errors, with the connection surviving (realtime.md §2)', () => {
  it('unparseable JSON → UnsupportedOperation "unknown …" (no id)', async () => {
    const client = await connected();
    client.send('{not json');
    expect(await client.next()).toEqual({
      type: 'error',
      payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'unknown not supported through the realtime channel' }] },
    });
    await subscribe(client, 'after', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('unknown message type → UnsupportedOperation "unknown …"', async () => {
    const client = await connected();
    client.send({ type: 'subscribe', id: '1', payload: {} });
    expect(await client.next()).toEqual({
      type: 'error',
      payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'unknown not supported through the realtime channel' }] },
    });
    await subscribe(client, 'after', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('a malformed start names the bad field', async () => {
    const client = await connected();
    client.send({ id: 'm', type: 'start', payload: { data: { query: 'x' }, extensions: { authorization: good } } });
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'm',
      payload: { errors: [{ errorType: 'BadRequestException', message: `"start" message expects 'payload.data' to be a string, got object` }] },
    });
    await subscribe(client, 'm', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('a duplicate id → error with that id; the first subscription keeps receiving', async () => {
    const client = await connected();
    await subscribe(client, 'dup', 'subscription { onCreatePost { id } }');
    client.send(start('dup', 'subscription { onCreatePost { id } }', good));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'dup',
      payload: { errors: [{ errorType: 'BadRequestException', message: "Subscription id 'dup' is already in use on this connection." }] },
    });
    await publish('onCreatePost', { id: '7' });
    expect(await client.next()).toEqual({ type: 'data', id: 'dup', payload: { data: { onCreatePost: { id: '7' } } } });
    await client.nothing();
    client.close();
  });

  it('an oversized start (over 240 KB) → error; the connection stays', async () => {
    const client = await connected();
    const big = `subscription { onCreatePost { id } } # ${'x'.repeat(240 * 1024)}`;
    client.send(start('big', big, good));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'big',
      payload: { errors: [{ errorType: 'BadRequestException', message: 'Subscription payload exceeds the 240 KB limit.' }] },
    });
    await subscribe(client, 'small', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('an expired/invalid token on start → UnauthorizedException; the connection stays', async () => {
    const client = await connected();
    client.send(start('exp', 'subscription { onCreatePost { id } }', expired));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'exp',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] },
    });
    await subscribe(client, 'fine', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('a stop for an unknown id → complete (Gateway choice)', async () => {
    const client = await connected();
    client.send({ type: 'stop', id: 'nobody' });
    expect(await client.next()).toEqual({ type: 'complete', id: 'nobody' });
    await subscribe(client, 'x', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('a query → UnsupportedOperation "query not supported through the realtime channel"', async () => {
    const client = await connected();
    client.send(start('q', '{ x }', good));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'q',
      payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'query not supported through the realtime channel' }] },
    });
    client.close();
  });

  it('a field the caller may not access → Unauthorized entry from the host', async () => {
    const client = await connected();
    client.send(start('s', 'subscription { secret { id } }', good));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 's',
      payload: {
        errors: [
          {
            path: ['secret'],
            data: null,
            errorType: 'Unauthorized',
            errorInfo: null,
            locations: null,
            message: 'Not Authorized to access secret on type Subscription',
          },
        ],
      },
    });
    await subscribe(client, 'after', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('a validation error → the host errors, no errorType', async () => {
    const client = await connected();
    client.send(start('v', 'subscription { onCreatePost { nope } }', good));
    expect(await client.next()).toEqual({ type: 'error', id: 'v', payload: { errors: [{ message: 'Cannot query field "nope" on type "Post".' }] } });
    client.close();
  });
});

describe('limits and timeouts (realtime.md §7)', () => {
  it('subscriptions per connection are capped', async () => {
    const s = await startServer({ maxSubscriptionsPerConnection: 2 });
    try {
      const client = await connectRaw(`${s.url}/graphql/realtime?header=${encodeHeader(good)}&payload=e30=`);
      client.send({ type: 'connection_init' });
      await client.next();
      for (const id of ['1', '2']) {
        client.send(start(id, 'subscription { onCreatePost { id } }', good));
        expect(await client.next()).toEqual({ type: 'start_ack', id });
      }
      client.send(start('3', 'subscription { onCreatePost { id } }', good));
      expect(await client.next()).toEqual({
        type: 'error',
        id: '3',
        payload: { errors: [{ errorType: 'LimitExceededError', message: 'A connection can hold at most 2 subscriptions.' }] },
      });
      client.close();
    } finally {
      await s.close();
    }
  });

  it('a connection without subscriptions or traffic is closed after connectionTimeoutMs', async () => {
    const s = await startServer({ connectionTimeoutMs: 100 });
    try {
      const client = await connectRaw(`${s.url}/graphql/realtime?header=${encodeHeader(good)}&payload=e30=`);
      client.send({ type: 'connection_init' });
      expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 100 } });
      expect((await client.closed).code).toBe(4408);
    } finally {
      await s.close();
    }
  });

  it('sends ka periodically and closes a connection at the end of its lifetime (1000)', async () => {
    const s = await startServer({ keepAliveIntervalMs: 20, maxConnectionLifetimeMs: 300 });
    try {
      const client = await connectRaw(`${s.url}/graphql/realtime?header=${encodeHeader(good)}&payload=e30=`);
      client.send({ type: 'connection_init' });
      expect(await client.next({ keepAlives: true })).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
      client.send(start('live', 'subscription { onCreatePost { id } }', good));
      const frames: unknown[] = [];
      while (frames.filter((f) => (f as { type: string }).type === 'ka').length < 3) frames.push(await client.next({ keepAlives: true }));
      expect(frames).toContainEqual({ type: 'start_ack', id: 'live' });
      expect((await client.closed).code).toBe(1000);
    } finally {
      await s.close();
    }
  });
});
