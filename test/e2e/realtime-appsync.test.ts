/**
 * The AppSync real-time protocol end to end: a real gateway (createGateway on port 0), mutations
 * over HTTP, raw WebSocket frames on /graphql/realtime (docs/realtime.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { API_KEY, CREATE_POST, EXPIRED_KEY, files, realtimeConfig } from '../realtime/e2eApi.js';
import { connectRaw, encodeHeader, start, type RawClient } from '../realtime/rawClient.js';

let gw: TestGateway;
let wsBase: string;
let host: string;
beforeAll(async () => {
  gw = await startTestGateway({ config: realtimeConfig(), files });
  wsBase = gw.origin.replace('http://', 'ws://');
  host = new URL(gw.url).host;
});

const auth = () => ({ host, 'x-api-key': API_KEY });

async function connected(): Promise<RawClient> {
  const client = await connectRaw(`${wsBase}/graphql/realtime?header=${encodeHeader(auth())}&payload=e30=`);
  client.send({ type: 'connection_init' });
  expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
  return client;
}

async function subscribe(client: RawClient, id: string, query: string, variables?: Record<string, unknown>) {
  client.send(start(id, query, auth(), variables));
  expect(await client.next()).toEqual({ type: 'start_ack', id });
}

async function createPost(variables: Record<string, unknown>, selection?: string) {
  const query = selection
    ? `mutation($id: ID!, $author: String, $severity: Int, $group: String) { createPost(id: $id, author: $author, severity: $severity, group: $group) ${selection} }`
    : CREATE_POST;
  const res = await gw.query(query, variables);
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  return res.body;
}

describe('AppSync protocol through the gateway', () => {
  it('a mutation bound with @aws_subscribe reaches the subscriber, shaped by its selection', async () => {
    const client = await connected();
    await subscribe(client, 'a', 'subscription { onCreatePost { id title author } }');
    await createPost({ id: '1', author: 'ana', title: 'Hello' });
    expect(await client.next()).toEqual({ type: 'data', id: 'a', payload: { data: { onCreatePost: { id: '1', title: 'Hello', author: 'ana' } } } });
    client.send({ type: 'stop', id: 'a' });
    expect(await client.next()).toEqual({ type: 'complete', id: 'a' });
    client.close();
  });

  it('a field the mutation did not select is null for the subscriber (realtime.md §3)', async () => {
    const client = await connected();
    await subscribe(client, 'b', 'subscription { onCreatePost { id title } }');
    await createPost({ id: '2', author: 'ana' }, '{ id author }');
    expect(await client.next()).toEqual({ type: 'data', id: 'b', payload: { data: { onCreatePost: { id: '2', title: null } } } });
    client.close();
  });

  it('argument filters: only matching subscribers receive (realtime.md §4)', async () => {
    const client = await connected();
    await subscribe(client, 'bob', 'subscription { onCreatePost(author: "bob") { id } }');
    await subscribe(client, 'byId', 'subscription($id: ID) { onCreatePost(id: $id) { id } }', { id: '42' });
    await createPost({ id: '3', author: 'ana' });
    await createPost({ id: '42', author: 'bob' });
    const frames = [await client.next(), await client.next()];
    expect(frames).toContainEqual({ type: 'data', id: 'bob', payload: { data: { onCreatePost: { id: '42' } } } });
    expect(frames).toContainEqual({ type: 'data', id: 'byId', payload: { data: { onCreatePost: { id: '42' } } } });
    await client.nothing();
    client.close();
  });

  it('enhanced filter from the subscription resolver (realtime.md §5)', async () => {
    const client = await connected();
    await subscribe(client, 'sev', 'subscription { onSevere(min: 5) { id severity } }');
    await createPost({ id: 'low', severity: 1 });
    await createPost({ id: 'high', severity: 8 });
    expect(await client.next()).toEqual({ type: 'data', id: 'sev', payload: { data: { onSevere: { id: 'high', severity: 8 } } } });
    await client.nothing();
    client.close();
  });

  it('a subscription resolver that rejects → error frame; the connection stays', async () => {
    const client = await connected();
    client.send(start('r', 'subscription { onRejected { id } }', auth()));
    const frame = await client.next();
    expect(frame).toMatchObject({ type: 'error', id: 'r' });
    expect(frame.payload.errors[0]).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access onRejected on type Subscription' });
    await subscribe(client, 'ok', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('invalidation closes the matching subscriber only (realtime.md §6)', async () => {
    const g1 = await connected();
    const g2 = await connected();
    await subscribe(g1, 'g', 'subscription { onGroup(group: "g1") { id } }');
    await subscribe(g2, 'g', 'subscription { onGroup(group: "g2") { id } }');
    const res = await gw.query('mutation { closeGroup(group: "g1") { id } }');
    expect(res.body).toEqual({ data: { closeGroup: { id: 'closed' } } });
    expect(await g1.next()).toEqual({ type: 'complete', id: 'g', payload: { message: 'Subscription complete.' } });
    expect((await g1.closed).code).toBe(1000);
    await createPost({ id: 'still', group: 'g2' });
    expect(await g2.next()).toEqual({ type: 'data', id: 'g', payload: { data: { onGroup: { id: 'still' } } } });
    g2.close();
  });

  it('gateway.publish delivers a back-end event like a mutation would', async () => {
    const client = await connected();
    await subscribe(client, 'p', 'subscription { onCreatePost(author: "system") { id author } }');
    await gw.gateway.publish('onCreatePost', { id: 'other', author: 'someone' });
    await gw.gateway.publish('onCreatePost', { id: 'evt', author: 'system', title: 'x' });
    expect(await client.next()).toEqual({ type: 'data', id: 'p', payload: { data: { onCreatePost: { id: 'evt', author: 'system' } } } });
    await expect(gw.gateway.publish('noSuchField', {})).rejects.toThrow("Subscription field 'noSuchField' is not defined on the Subscription type.");
    client.close();
  });
});

describe('AppSync replies to bad input through the gateway (realtime.md §2)', () => {
  it('bad handshake key → connection_error, then close', async () => {
    const client = await connectRaw(`${wsBase}/graphql/realtime?header=${encodeHeader({ host, 'x-api-key': 'da2-nope' })}&payload=e30=`);
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }] },
    });
    await client.closed;
  });

  it('expired key on start → UnauthorizedException error; the connection stays', async () => {
    const client = await connected();
    client.send(start('e', 'subscription { onCreatePost { id } }', { host, 'x-api-key': EXPIRED_KEY }));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'e',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] },
    });
    await subscribe(client, 'e', 'subscription { onCreatePost { id } }');
    client.close();
  });

  it('malformed JSON, unknown type, duplicate id, oversized start, unknown stop — connection survives all', async () => {
    const client = await connected();
    const unknown = {
      type: 'error',
      payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'unknown not supported through the realtime channel' }] },
    };
    client.send('not json');
    expect(await client.next()).toEqual(unknown);
    client.send({ type: 'subscribe', id: 'x' });
    expect(await client.next()).toEqual(unknown);
    await subscribe(client, 'd', 'subscription { onCreatePost { id } }');
    client.send(start('d', 'subscription { onCreatePost { id } }', auth()));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'd',
      payload: { errors: [{ errorType: 'BadRequestException', message: "Subscription id 'd' is already in use on this connection." }] },
    });
    client.send(start('big', `subscription { onCreatePost { id } } # ${'x'.repeat(245 * 1024)}`, auth()));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'big',
      payload: { errors: [{ errorType: 'BadRequestException', message: 'Subscription payload exceeds the 240 KB limit.' }] },
    });
    client.send({ type: 'stop', id: 'never-started' });
    expect(await client.next()).toEqual({ type: 'complete', id: 'never-started' });
    await createPost({ id: 'alive' });
    expect(await client.next()).toEqual({ type: 'data', id: 'd', payload: { data: { onCreatePost: { id: 'alive' } } } });
    client.close();
  });

  it('a validation error → AppSync validation message, no errorType', async () => {
    const client = await connected();
    client.send(start('v', 'subscription { onCreatePost { nope } }', auth()));
    const frame = await client.next();
    expect(frame.type).toBe('error');
    expect(frame.id).toBe('v');
    expect(frame.payload.errors[0].message).toMatch(/^Validation error of type FieldUndefined: /);
    expect(frame.payload.errors[0].errorType).toBeUndefined();
    client.close();
  });

  it('a query on the realtime channel → UnsupportedOperation', async () => {
    const client = await connected();
    client.send(start('q', '{ ping }', auth()));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'q',
      payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'query not supported through the realtime channel' }] },
    });
    client.close();
  });
});
