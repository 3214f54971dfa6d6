/**
 * Delivery policy (docs/realtime.md): a slow consumer is disconnected instead of buffering
 * without bound, and it does not hold back the others. Uses in-memory sockets (pure logic).
 */
import { describe, expect, it } from 'vitest';
import { createAppSyncServer } from '../../src/realtime/appsync-server.js';
import { createFanout } from '../../src/realtime/fanout.js';
import { createMemoryPubSub } from '../../src/realtime/pubsub-memory.js';
import type { RealtimeSocket } from '../../src/realtime/socket.js';
import { createFakeHost } from './fakeHost.js';
import { encodeHeader, start } from './rawClient.js';

class MemorySocket implements RealtimeSocket {
  readonly protocol = 'graphql-ws';
  bufferedAmount = 0;
  sent: any[] = [];
  closedWith: number | undefined;
  private listener?: (data: string) => void;
  private closeListener?: (code: number, reason: string) => void;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000, reason = '') {
    if (this.closedWith !== undefined) return;
    this.closedWith = code;
    this.closeListener?.(code, reason);
  }
  onMessage(listener: (data: string) => void) {
    this.listener = listener;
  }
  onClose(listener: (code: number, reason: string) => void) {
    this.closeListener = listener;
  }
  receive(frame: unknown) {
    this.listener?.(JSON.stringify(frame));
  }
  async waitFor(predicate: (frame: any) => boolean) {
    for (let i = 0; i < 200; i++) {
      if (this.sent.some(predicate)) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`frame not sent; got ${JSON.stringify(this.sent)}`);
  }
}

const good = { 'x-api-key': 'good' };

async function setup() {
  const pubsub = createMemoryPubSub();
  const host = createFakeHost(pubsub);
  const fanout = createFanout(host, pubsub, { maxPayloadBytes: 240 * 1024, maxPendingEvents: 1000 });
  const server = createAppSyncServer(host, fanout, {
    connectionTimeoutMs: 300_000,
    keepAliveIntervalMs: 60_000,
    maxConnectionLifetimeMs: 86_400_000,
    maxSubscriptionsPerConnection: 100,
    maxPayloadBytes: 240 * 1024,
    maxBufferedBytes: 1024,
  });
  const open = async (id: string) => {
    const socket = new MemorySocket();
    server.opened(socket, { url: `/graphql/realtime?header=${encodeHeader(good)}`, headers: {}, protocols: ['graphql-ws'], remoteAddress: '127.0.0.1' });
    socket.receive(start(id, 'subscription { onCreatePost { id } }', good));
    await socket.waitFor((f) => f.type === 'start_ack');
    return socket;
  };
  return { pubsub, fanout, server, open };
}

describe('slow consumers', () => {
  it('closes a socket whose send buffer is over the limit (1013) and keeps delivering to the others', async () => {
    const { pubsub, fanout, open } = await setup();
    const fast = await open('fast');
    const slow = await open('slow');
    slow.bufferedAmount = 10_000;
    await pubsub.publish({ subscriptionField: 'onCreatePost', mutationField: 'createPost', payload: { id: '1' } });
    await fast.waitFor((f) => f.type === 'data');
    expect(fast.sent.filter((f) => f.type === 'data')).toEqual([{ type: 'data', id: 'fast', payload: { data: { onCreatePost: { id: '1' } } } }]);
    expect(slow.closedWith).toBe(1013);
    expect(slow.sent.filter((f) => f.type === 'data')).toEqual([]);
    // Its subscription is gone from the fan-out: nothing more is rendered for it.
    expect(fanout.size).toBe(1);
  });

  it('drops an event whose rendered payload is over 240 KB (as AppSync does) and keeps the subscription', async () => {
    const { pubsub, open } = await setup();
    const socket = await open('s');
    socket.sent.length = 0;
    await pubsub.publish({ subscriptionField: 'onCreatePost', mutationField: 'createPost', payload: { id: 'x'.repeat(241 * 1024) } });
    await pubsub.publish({ subscriptionField: 'onCreatePost', mutationField: 'createPost', payload: { id: 'small' } });
    await socket.waitFor((f) => f.type === 'data');
    expect(socket.sent.filter((f) => f.type === 'data')).toEqual([{ type: 'data', id: 's', payload: { data: { onCreatePost: { id: 'small' } } } }]);
    expect(socket.closedWith).toBeUndefined();
  });

  it('renders once per event for subscribers with the same auth and document', async () => {
    const pubsub = createMemoryPubSub();
    const host = createFakeHost(pubsub);
    let renders = 0;
    const render = host.renderEvent.bind(host);
    host.renderEvent = async (request, event) => {
      renders++;
      return render(request, event);
    };
    const fanout = createFanout(host, pubsub, { maxPayloadBytes: 240 * 1024, maxPendingEvents: 1000 });
    const auth = { mode: 'API_KEY' as const, identity: null };
    const got: string[] = [];
    for (let i = 0; i < 50; i++) {
      await fanout.add({
        fieldName: 'onCreatePost',
        args: {},
        // Amplify stamps each start with its own x-amz-date; that does not split the render.
        request: {
          query: 'subscription { onCreatePost { id } }',
          auth,
          headers: { 'x-api-key': 'good', 'x-amz-date': `20260101T0000${String(i).padStart(2, '0')}Z` },
        },
        deliver: (e) => got.push(e.json),
        invalidate() {},
        overflow() {},
      });
    }
    await pubsub.publish({ subscriptionField: 'onCreatePost', mutationField: 'createPost', payload: { id: '1' } });
    for (let i = 0; i < 100 && got.length < 50; i++) await new Promise((r) => setTimeout(r, 5));
    expect(got).toHaveLength(50);
    expect(new Set(got)).toEqual(new Set(['{"data":{"onCreatePost":{"id":"1"}}}']));
    expect(renders).toBe(1);
  });
});

describe('pubsub failure on start', () => {
  it('answers InternalFailure and frees the id for a retry', async () => {
    const memory = createMemoryPubSub();
    let failNext = true;
    const pubsub = {
      ...memory,
      subscribe: async (field: string, listener: Parameters<typeof memory.subscribe>[1]) => {
        if (failNext) {
          failNext = false;
          throw new Error('Redis is down');
        }
        return memory.subscribe(field, listener);
      },
    };
    const host = createFakeHost(pubsub);
    const fanout = createFanout(host, pubsub, { maxPayloadBytes: 240 * 1024, maxPendingEvents: 1000 });
    const server = createAppSyncServer(host, fanout, {
      connectionTimeoutMs: 300_000,
      keepAliveIntervalMs: 60_000,
      maxConnectionLifetimeMs: 86_400_000,
      maxSubscriptionsPerConnection: 100,
      maxPayloadBytes: 240 * 1024,
      maxBufferedBytes: 1024 * 1024,
    });
    const socket = new MemorySocket();
    server.opened(socket, { url: `/graphql/realtime?header=${encodeHeader(good)}`, headers: {}, protocols: ['graphql-ws'], remoteAddress: '127.0.0.1' });
    socket.receive(start('r', 'subscription { onCreatePost { id } }', good));
    await socket.waitFor((f) => f.type === 'error');
    expect(socket.sent.filter((f) => f.type === 'error')).toEqual([
      { type: 'error', id: 'r', payload: { errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }] } },
    ]);
    socket.receive(start('r', 'subscription { onCreatePost { id } }', good));
    await socket.waitFor((f) => f.type === 'start_ack');
    expect(socket.sent.at(-1)).toEqual({ type: 'start_ack', id: 'r' });
  });
});

describe('frames before connection_ack (realtime.md §2)', () => {
  it('a start sent after connection_init but before the ack is ignored; after the ack it works', async () => {
    const pubsub = createMemoryPubSub();
    const host = createFakeHost(pubsub);
    let release: (() => void) | undefined;
    const authenticate = host.authenticate.bind(host);
    host.authenticate = async (request) => {
      if (request.url === '/graphql/connect') await new Promise<void>((resolve) => (release = resolve));
      return authenticate(request);
    };
    const fanout = createFanout(host, pubsub, { maxPayloadBytes: 240 * 1024, maxPendingEvents: 1000 });
    const server = createAppSyncServer(host, fanout, {
      connectionTimeoutMs: 300_000,
      keepAliveIntervalMs: 60_000,
      maxConnectionLifetimeMs: 86_400_000,
      maxSubscriptionsPerConnection: 100,
      maxPayloadBytes: 240 * 1024,
      maxBufferedBytes: 1024 * 1024,
    });
    const socket = new MemorySocket();
    server.opened(socket, { url: `/graphql/realtime?header=${encodeHeader(good)}`, headers: {}, protocols: ['graphql-ws'], remoteAddress: '127.0.0.1' });
    socket.receive({ type: 'connection_init' });
    socket.receive(start('early', 'subscription { onCreatePost { id } }', good));
    socket.receive({ type: 'stop', id: 'early' });
    release!();
    await socket.waitFor((f) => f.type === 'connection_ack');
    socket.receive(start('late', 'subscription { onCreatePost { id } }', good));
    await socket.waitFor((f) => f.type === 'start_ack');
    expect(socket.sent.filter((f) => f.type !== 'ka')).toEqual([
      { type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } },
      { type: 'start_ack', id: 'late' },
    ]);
  });
});
