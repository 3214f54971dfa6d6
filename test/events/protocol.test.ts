/**
 * The Events WebSocket protocol and HTTP publish, frame by frame (docs/events.md#websocket-protocol),
 * against a gateway on a random port with a raw `ws` client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { connectRaw, encodeHeader, type RawClient } from '../realtime/rawClient.js';

const KEY = 'da2-eventskey1';
let gw: TestGateway;
let wsUrl: string;
const auth = { 'x-api-key': KEY };

beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      name: 'events-protocol',
      schemaSdl: 'type Query { ok: Boolean }',
      apiKeys: [{ name: 'k', value: KEY }],
      events: { namespaces: { default: {}, chat: {} } },
    },
  });
  wsUrl = `${gw.origin.replace('http', 'ws')}/event/realtime`;
});
afterAll(() => gw.close());

const post = async (body: unknown, headers: Record<string, string> = auth) => {
  const res = await fetch(`${gw.origin}/event`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};

async function connected(): Promise<RawClient> {
  const client = await connectRaw(wsUrl, ['aws-appsync-event-ws', `header-${encodeHeader({ host: 'localhost', ...auth }, true)}`]);
  expect(client.protocol).toBe('aws-appsync-event-ws');
  client.send({ type: 'connection_init' });
  expect(await client.next()).toEqual({ type: 'connection_ack', connectionTimeoutMs: 300000 });
  return client;
}

async function subscribed(client: RawClient, id: string, channel: string) {
  client.send({ type: 'subscribe', id, channel, authorization: auth });
  expect(await client.next()).toEqual({ type: 'subscribe_success', id });
}

describe('HTTP publish (POST /event)', () => {
  it('answers successful entries with an identifier and index per event', async () => {
    const { status, body } = await post({ channel: '/default/a', events: ['{"n":1}', '2'] });
    expect(status).toBe(200);
    expect(body).toEqual({
      successful: [
        { identifier: expect.stringMatching(/^[0-9a-f-]{36}$/), index: 0 },
        { identifier: expect.stringMatching(/^[0-9a-f-]{36}$/), index: 1 },
      ],
      failed: [],
    });
  });

  it('refuses a missing or wrong API key with 401 UnauthorizedException', async () => {
    for (const headers of [{}, { 'x-api-key': 'da2-wrongwrong' }] as Array<Record<string, string>>) {
      expect(await post({ channel: '/default/a', events: ['1'] }, headers)).toEqual({
        status: 401,
        body: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] },
      });
    }
  });

  it.each([
    ['an unknown namespace', { channel: '/nope/a', events: ['1'] }, "Channel namespace 'nope' does not exist on this API."],
    [
      'a wildcard',
      { channel: '/default/*', events: ['1'] },
      "Invalid channel path '/default/*': a wildcard is allowed only as the last segment of a subscription.",
    ],
    ['six segments', { channel: '/default/a/b/c/d/e', events: ['1'] }, "Invalid channel path '/default/a/b/c/d/e': a channel has at most 5 segments."],
    ['a bad character', { channel: '/default/a_b', events: ['1'] }, "Invalid channel path '/default/a_b': segments are 1-50 letters, digits and dashes."],
    ['six events', { channel: '/default/a', events: ['1', '2', '3', '4', '5', '6'] }, 'A publish holds at most 5 events, got 6.'],
    ['no events', { channel: '/default/a', events: [] }, 'events must be a non-empty list of JSON strings.'],
    ['no channel', { events: ['1'] }, 'A channel path is required.'],
  ])('refuses %s with 400 BadRequestException', async (_name, body, message) => {
    expect(await post(body)).toEqual({ status: 400, body: { errors: [{ errorType: 'BadRequestException', message }] } });
  });

  it('fails single events that are not JSON strings or pass 240 KB, and publishes the rest', async () => {
    const big = JSON.stringify('x'.repeat(240 * 1024));
    const { status, body } = await post({ channel: '/default/a', events: ['{"ok":true}', 'not json', big, 7] });
    expect(status).toBe(200);
    expect(body.successful).toEqual([{ identifier: expect.any(String), index: 0 }]);
    expect(body.failed).toEqual([
      { identifier: expect.any(String), index: 1, code: 400, message: 'An event must be valid JSON.' },
      { identifier: expect.any(String), index: 2, code: 400, message: 'An event is at most 240 KB.' },
      { identifier: expect.any(String), index: 3, code: 400, message: 'An event must be a JSON value serialised as a string.' },
    ]);
  });

  it('answers a body that is not JSON with 400', async () => {
    const res = await fetch(`${gw.origin}/event`, { method: 'POST', headers: auth, body: '{nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].errorType).toBe('BadRequestException');
  });
});

describe('WebSocket protocol (/event/realtime)', () => {
  it('connects, acks, keeps alive, subscribes, delivers HTTP and socket publishes, and unsubscribes', async () => {
    const client = await connected();
    expect(await client.next({ keepAlives: true })).toEqual({ type: 'ka' });
    await subscribed(client, 'sub-1', '/default/room');
    await subscribed(client, 'sub-2', '/default/*');

    await post({ channel: '/default/room', events: ['{"msg":"hi"}'] });
    const frames = [await client.next(), await client.next()];
    expect(frames).toEqual(
      expect.arrayContaining([
        { type: 'data', id: 'sub-1', event: '{"msg":"hi"}' },
        { type: 'data', id: 'sub-2', event: '{"msg":"hi"}' },
      ]),
    );

    client.send({ type: 'publish', id: 'pub-1', channel: '/default/room/deeper', events: ['[1,2]'], authorization: auth });
    const published = [await client.next(), await client.next()];
    expect(published).toEqual(
      expect.arrayContaining([
        { type: 'data', id: 'sub-2', event: '[1,2]' },
        { type: 'publish_success', id: 'pub-1', successful: [{ identifier: expect.any(String), index: 0 }], failed: [] },
      ]),
    );

    client.send({ type: 'unsubscribe', id: 'sub-2' });
    expect(await client.next()).toEqual({ type: 'unsubscribe_success', id: 'sub-2' });
    client.send({ type: 'unsubscribe', id: 'sub-2' });
    expect(await client.next()).toEqual({
      type: 'unsubscribe_error',
      id: 'sub-2',
      errors: [{ errorType: 'BadRequestException', message: "No subscription with id 'sub-2' on this connection." }],
    });
    await post({ channel: '/default/other', events: ['1'] });
    await client.nothing();
    client.close();
  });

  it('scopes wildcards to their prefix and exact paths to themselves', async () => {
    const client = await connected();
    await subscribed(client, 'w', '/chat/a/*');
    await subscribed(client, 'e', '/chat/a');
    await post({ channel: '/chat/b/x', events: ['"b"'] });
    await post({ channel: '/chat/a', events: ['"a"'] });
    expect(await client.next()).toEqual({ type: 'data', id: 'e', event: '"a"' });
    await post({ channel: '/chat/a/x/y', events: ['"axy"'] });
    expect(await client.next()).toEqual({ type: 'data', id: 'w', event: '"axy"' });
    await client.nothing();
    client.close();
  });

  it('refuses a handshake without valid credentials with connection_error, then closes', async () => {
    const client = await connectRaw(wsUrl, ['aws-appsync-event-ws', `header-${encodeHeader({ host: 'x', 'x-api-key': 'da2-wrongwrong' }, true)}`]);
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({
      type: 'connection_error',
      errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }],
    });
    expect((await client.closed).code).toBe(4401);
  });

  it('refuses an upgrade that does not offer aws-appsync-event-ws', async () => {
    await expect(connectRaw(wsUrl, ['graphql-ws'])).rejects.toThrow('HTTP 400');
  });

  it('answers each bad frame with AWS-shaped errors and keeps the connection', async () => {
    const client = await connectRaw(wsUrl, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    client.send({ type: 'subscribe', id: 'early', channel: '/default/a', authorization: auth });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 'early',
      errors: [{ errorType: 'BadRequestException', message: 'Send connection_init and wait for connection_ack first.' }],
    });
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send('{not json');
    expect(await client.next()).toEqual({
      type: 'error',
      errors: [{ errorType: 'UnsupportedOperation', message: 'unknown not supported through the realtime channel' }],
    });
    client.send({ type: 'start', id: 'x' });
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'x',
      errors: [{ errorType: 'UnsupportedOperation', message: 'start not supported through the realtime channel' }],
    });
    client.send({ type: 'subscribe', id: 's', channel: 7 });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 's',
      errors: [{ errorType: 'BadRequestException', message: 'subscribe: "channel" must be a string, got number 7.' }],
    });
    client.send({ type: 'subscribe', id: 's', channel: '/default/a' });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 's',
      errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }],
    });
    client.send({ type: 'subscribe', id: 's', channel: '/default/a/b/c/d/*', authorization: auth });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 's',
      errors: [{ errorType: 'BadRequestException', message: "Invalid channel path '/default/a/b/c/d/*': a channel has at most 5 segments." }],
    });
    client.send({ type: 'subscribe', id: 's', channel: '/nope/a', authorization: auth });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 's',
      errors: [{ errorType: 'BadRequestException', message: "Channel namespace 'nope' does not exist on this API." }],
    });
    client.send({ type: 'publish', id: 'p', channel: '/default/a', events: ['1', '2', '3', '4', '5', '6'], authorization: auth });
    expect(await client.next()).toEqual({
      type: 'publish_error',
      id: 'p',
      errors: [{ errorType: 'BadRequestException', message: 'A publish holds at most 5 events, got 6.' }],
    });
    client.send({ type: 'publish', id: 'p', channel: '/default/a', events: ['1'], authorization: { 'x-api-key': 'da2-wrongwrong' } });
    expect(await client.next()).toEqual({
      type: 'publish_error',
      id: 'p',
      errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }],
    });
    await subscribed(client, 'dup', '/default/a');
    client.send({ type: 'subscribe', id: 'dup', channel: '/default/b', authorization: auth });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 'dup',
      errors: [{ errorType: 'BadRequestException', message: "Subscription id 'dup' is already in use on this connection." }],
    });
    client.close();
  });

  it('holds at most 100 subscriptions per connection', async () => {
    const client = await connected();
    for (let i = 0; i < 100; i++) client.send({ type: 'subscribe', id: `s${i}`, channel: `/default/c${i}`, authorization: auth });
    for (let i = 0; i < 100; i++) expect((await client.next()).type).toBe('subscribe_success');
    client.send({ type: 'subscribe', id: 's100', channel: '/default/c100', authorization: auth });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 's100',
      errors: [{ errorType: 'LimitExceededError', message: 'A connection can hold at most 100 subscriptions.' }],
    });
    client.close();
  });
});
