/**
 * Namespace handlers in the resolver sandbox (docs/events.md#handlers): onPublish filters,
 * transforms and fails events, onSubscribe refuses with util.unauthorized() or util.error, and
 * both see ctx.info.channel, ctx.info.channelNamespace, ctx.info.operation and ctx.identity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { connectRaw, encodeHeader, type RawClient } from '../realtime/rawClient.js';

const KEY = 'da2-handlerskey';
const auth = { 'x-api-key': KEY };
let gw: TestGateway;

const SHOUT = `
import { util } from '@aws-appsync/utils';
export function onPublish(ctx) {
  return ctx.events
    .filter((e) => !e.payload.drop)
    .map((e) => {
      if (e.payload.fail) return { id: e.id, error: 'refused by onPublish' };
      return {
        id: e.id,
        payload: {
          text: String(e.payload.text).toUpperCase(),
          path: ctx.info.channel.path,
          segments: ctx.info.channel.segments,
          ns: ctx.info.channelNamespace.name,
          op: ctx.info.operation,
          identity: ctx.identity,
        },
      };
    });
}
export function onSubscribe(ctx) {
  if (ctx.info.channel.segments[1] === 'private') util.unauthorized();
  if (ctx.info.channel.path === '/shout/boom') util.error('no boom here', 'Custom');
  console.log('subscribed', ctx.info.operation, ctx.info.channel.path);
}
`;
const REFUSE = `
import { util } from '@aws-appsync/utils';
export const onPublish = (ctx) => util.unauthorized();
`;
const WITH_DATA_SOURCE = `
export const onPublish = { request: (ctx) => ({ operation: 'GetItem' }), response: (ctx) => ctx.result };
`;
const DIRECT_FN = `
export async function publish(event) {
  globalThis.__eventsDirectCalls = (globalThis.__eventsDirectCalls ?? 0) + 1;
  if (event.info.channel.segments[1] === 'fail') return { error: 'the function said no' };
  return {
    events: event.events.map((e) => (e.payload.bad ? { id: e.id, error: 'bad event' } : { id: e.id, payload: { seen: e.payload, op: event.info.operation, ns: event.info.channelNamespace.name } })),
  };
}
export async function enrich(payload) {
  return payload.events.map((e) => ({ id: e.id, payload: { text: e.payload.text, enriched: true } }));
}
export async function subscribe(event) {
  return event.info.channel.segments[1] === 'closed' ? { error: 'closed channel' } : null;
}
`;
const VIA_DATA_SOURCE = `
import { util } from '@aws-appsync/utils';
export const onPublish = {
  request(ctx) {
    ctx.stash.count = ctx.events.length;
    return { operation: 'Invoke', payload: { events: ctx.events } };
  },
  response(ctx) {
    if (ctx.error) util.error(ctx.error.message, ctx.error.type);
    return ctx.result.map((e) => ({ id: e.id, payload: { text: e.payload.text, enriched: e.payload.enriched, count: ctx.stash.count } }));
  },
};
export const onSubscribe = {
  request(ctx) {
    return { payload: ctx.info.channel.segments[1] };
  },
  response(ctx) {
    if (ctx.result === 'deny') util.unauthorized();
    return null;
  },
};
`;
const BROKEN = `
export function onPublish(ctx) {
  return ctx.events.map((e) => e.payload.missing.deeper);
}
`;

beforeAll(async () => {
  gw = await startTestGateway({
    files: {
      'handlers/shout.js': SHOUT,
      'handlers/refuse.js': REFUSE,
      'handlers/broken.js': BROKEN,
      'handlers/ds.js': WITH_DATA_SOURCE,
      'fn.mjs': DIRECT_FN,
      'handlers/via.js': VIA_DATA_SOURCE,
    },
    config: {
      name: 'events-handlers',
      schemaSdl: 'type Query { ok: Boolean }',
      apiKeys: [{ name: 'k', value: KEY }],
      dataSources: {
        publishFn: { type: 'AWS_LAMBDA', config: { handler: 'fn.mjs#publish' } },
        subscribeFn: { type: 'AWS_LAMBDA', config: { handler: 'fn.mjs#subscribe' } },
        enrichFn: { type: 'AWS_LAMBDA', config: { handler: 'fn.mjs#enrich' } },
        none: { type: 'NONE' },
      },
      events: {
        namespaces: {
          shout: { code: 'handlers/shout.js' },
          refuse: { code: 'handlers/refuse.js' },
          broken: { code: 'handlers/broken.js' },
          plain: {},
          direct: {
            handlerConfigs: {
              onPublish: { behavior: 'DIRECT', integration: { dataSourceName: 'publishFn', lambdaConfig: { invokeType: 'REQUEST_RESPONSE' } } },
              onSubscribe: { behavior: 'DIRECT', integration: { dataSourceName: 'subscribeFn' } },
            },
          },
          async: { handlerConfigs: { onPublish: { behavior: 'DIRECT', integration: { dataSourceName: 'publishFn', lambdaConfig: { invokeType: 'EVENT' } } } } },
          datasource: { code: 'handlers/ds.js' },
          via: {
            code: 'handlers/via.js',
            handlerConfigs: {
              onPublish: { behavior: 'CODE', integration: { dataSourceName: 'enrichFn' } },
              onSubscribe: { behavior: 'CODE', integration: { dataSourceName: 'none' } },
            },
          },
        },
      },
    },
  });
});
afterAll(() => gw.close());

const post = async (channel: string, events: unknown[]) => {
  const res = await fetch(`${gw.origin}/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

async function connected(): Promise<RawClient> {
  const client = await connectRaw(`${gw.origin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
  client.send({ type: 'connection_init' });
  expect((await client.next()).type).toBe('connection_ack');
  return client;
}

describe('onPublish', () => {
  it('transforms, drops and fails events; subscribers get only what it returns', async () => {
    const client = await connected();
    client.send({ type: 'subscribe', id: 's', channel: '/shout/*', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
    const { status, body } = await post('/shout/room/1', [{ text: 'hello' }, { text: 'gone', drop: true }, { text: 'x', fail: true }]);
    expect(status).toBe(200);
    expect(body.successful.map((e: { index: number }) => e.index)).toEqual([0, 1]);
    expect(body.failed).toEqual([{ identifier: expect.any(String), index: 2, code: 400, message: 'refused by onPublish' }]);
    const frame = await client.next();
    expect(frame).toEqual({ type: 'data', id: 's', event: expect.any(String) });
    expect(JSON.parse(frame.event)).toEqual({
      text: 'HELLO',
      path: '/shout/room/1',
      segments: ['shout', 'room', '1'],
      ns: 'shout',
      op: 'PUBLISH',
      identity: null,
    });
    await client.nothing();
    client.close();
  });

  it('refuses the whole publish with util.unauthorized(), over HTTP and the socket', async () => {
    expect(await post('/refuse/a', [1])).toEqual({
      status: 401,
      body: { errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access /refuse/a on type Channel' }] },
    });
    const client = await connected();
    client.send({ type: 'publish', id: 'p', channel: '/refuse/a', events: ['1'], authorization: auth });
    expect(await client.next()).toEqual({
      type: 'publish_error',
      id: 'p',
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access /refuse/a on type Channel' }],
    });
    client.close();
  });

  it('reports a handler that throws as a Code error naming the place in the file', async () => {
    const { status, body } = await post('/broken/a', [{}]);
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ errorType: 'Code', message: expect.stringMatching(/broken\.js:3:\d+: TypeError: Cannot read properties of undefined/) }]);
  });

  it('leaves a namespace without code as published', async () => {
    const client = await connected();
    client.send({ type: 'subscribe', id: 's', channel: '/plain/a', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
    await post('/plain/a', [{ as: 'is' }]);
    expect(await client.next()).toEqual({ type: 'data', id: 's', event: '{"as":"is"}' });
    client.close();
  });
});

describe('direct Lambda handlers', () => {
  it('REQUEST_RESPONSE: the function transforms and fails events, or refuses the publish', async () => {
    const client = await connected();
    client.send({ type: 'subscribe', id: 's', channel: '/direct/room', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
    const { status, body } = await post('/direct/room', [{ n: 1 }, { bad: true }]);
    expect(status).toBe(200);
    expect(body.failed).toEqual([{ identifier: expect.any(String), index: 1, code: 400, message: 'bad event' }]);
    expect(await client.next()).toEqual({ type: 'data', id: 's', event: '{"seen":{"n":1},"op":"PUBLISH","ns":"direct"}' });
    expect(await post('/direct/fail', [{ n: 1 }])).toEqual({
      status: 400,
      body: { errors: [{ errorType: 'Lambda:Unhandled', message: 'the function said no' }] },
    });
    client.send({ type: 'subscribe', id: 'c', channel: '/direct/closed', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_error', id: 'c', errors: [{ errorType: 'Unauthorized', message: 'closed channel' }] });
    client.close();
  });

  it('EVENT: the function is invoked without waiting and the events go out as published', async () => {
    const client = await connected();
    client.send({ type: 'subscribe', id: 's', channel: '/async/room', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
    const calls = () => (globalThis as { __eventsDirectCalls?: number }).__eventsDirectCalls ?? 0;
    const before = calls();
    expect((await post('/async/room', [{ n: 2 }])).status).toBe(200);
    expect(await client.next()).toEqual({ type: 'data', id: 's', event: '{"n":2}' });
    // The in-process function ran, though nobody waited for it.
    await expect.poll(calls).toBe(before + 1);
    client.close();
  });
});

describe('{ request, response } handlers on a data source', () => {
  it('runs request → the data source → response in one run (one stash), for publish and subscribe', async () => {
    const client = await connected();
    client.send({ type: 'subscribe', id: 's', channel: '/via/room', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
    client.send({ type: 'subscribe', id: 'd', channel: '/via/deny', authorization: auth });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 'd',
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access /via/deny on type Channel' }],
    });
    expect((await post('/via/room', [{ text: 'a' }, { text: 'b' }])).status).toBe(200);
    expect([JSON.parse((await client.next()).event), JSON.parse((await client.next()).event)]).toEqual([
      { text: 'a', enriched: true, count: 2 },
      { text: 'b', enriched: true, count: 2 },
    ]);
    client.close();
  });
});

describe('data-source integrations', () => {
  it('answers NotSupported for a request/response handler object without an integration', async () => {
    expect(await post('/datasource/a', [1])).toEqual({
      status: 400,
      body: {
        errors: [{ errorType: 'NotSupported', message: 'onPublish as { request, response } needs handlerConfigs.onPublish.integration.dataSourceName' }],
      },
    });
  });

  it("refuses to load a DIRECT handler on a data source that is not AWS_LAMBDA, or without one, with AWS's message", async () => {
    const start = (handlerConfigs: Record<string, unknown>, code?: string) =>
      startTestGateway({
        files: { 'h.js': 'export const onPublish = (ctx) => ctx.events;', 'fn.mjs': DIRECT_FN },
        config: {
          name: 'events-direct-refused',
          schemaSdl: 'type Query { ok: Boolean }',
          apiKeys: [{ name: 'k', value: KEY }],
          dataSources: { none: { type: 'NONE' }, fn: { type: 'AWS_LAMBDA', config: { handler: 'fn.mjs#publish' } } },
          events: { namespaces: { other: { handlerConfigs, ...(code ? { code } : {}) } } },
        },
      });
    await expect(start({ onPublish: { behavior: 'DIRECT', integration: { dataSourceName: 'none' } } })).rejects.toThrow(
      'events.namespaces.other.handlerConfigs.onPublish: Direct integration is only supported for AWS_LAMBDA data sources ("none" is NONE).',
    );
    await expect(start({ onSubscribe: { behavior: 'DIRECT', integration: {} } })).rejects.toThrow(
      'events.namespaces.other.handlerConfigs.onSubscribe: No data source provided. AWS_LAMBDA data source is required for Direct handler behavior type',
    );
    const both = { behavior: 'DIRECT', integration: { dataSourceName: 'fn' } };
    await expect(start({ onPublish: both, onSubscribe: both }, 'h.js')).rejects.toThrow(
      'events.namespaces.other.code: Code handlers are not supported when both publish and subscribe use the Direct data source behavior',
    );
  });
});

describe('onSubscribe', () => {
  it('accepts, refuses with util.unauthorized(), and refuses with util.error', async () => {
    const client = await connected();
    client.send({ type: 'subscribe', id: 'ok', channel: '/shout/open', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 'ok' });
    client.send({ type: 'subscribe', id: 'no', channel: '/shout/private/x', authorization: auth });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 'no',
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access /shout/private/x on type Channel' }],
    });
    client.send({ type: 'subscribe', id: 'boom', channel: '/shout/boom', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_error', id: 'boom', errors: [{ errorType: 'Custom', message: 'no boom here' }] });
    // A refused subscription receives nothing; the accepted one does.
    await post('/shout/private/x', [{ text: 'secret' }]);
    await post('/shout/open', [{ text: 'open' }]);
    expect(JSON.parse((await client.next()).event).text).toBe('OPEN');
    await client.nothing();
    client.close();
  });
});
