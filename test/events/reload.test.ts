/**
 * A reloaded config (what `--watch` does) changes the Event API without dropping connections: an
 * open socket can subscribe to a namespace the new config adds, and handler code is the new code.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { connectRaw, encodeHeader } from '../realtime/rawClient.js';

const KEY = 'da2-reloadevents1';
const auth = { 'x-api-key': KEY };
const config = (namespaces: Record<string, object>): GatewayConfig => ({
  name: 'events-reload',
  schemaSdl: 'type Query { ok: Boolean }',
  apiKeys: [{ name: 'k', value: KEY }],
  events: { namespaces },
});
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    files: { 'h.js': 'export const onPublish = (ctx) => ctx.events.map((e) => ({ id: e.id, payload: "v1" }));\n' },
    config: config({ a: { code: 'h.js' } }),
  });
});
afterAll(() => gw.close());

describe('reload', () => {
  it('serves the new namespaces and handler code on connections opened before', async () => {
    const client = await connectRaw(`${gw.origin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send({ type: 'subscribe', id: 'a', channel: '/a/x', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 'a' });
    client.send({ type: 'subscribe', id: 'b', channel: '/b/x', authorization: auth });
    expect((await client.next()).type).toBe('subscribe_error');

    await writeFile(join(gw.dir, 'h.js'), 'export const onPublish = (ctx) => ctx.events.map((e) => ({ id: e.id, payload: "v2" }));\n');
    await gw.gateway.reload(config({ a: { code: 'h.js' }, b: {} }));

    client.send({ type: 'subscribe', id: 'b', channel: '/b/x', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 'b' });
    client.send({ type: 'publish', id: 'p', channel: '/a/x', events: ['1'], authorization: auth });
    const frames = [await client.next(), await client.next()];
    expect(frames).toEqual(expect.arrayContaining([{ type: 'data', id: 'a', event: '"v2"' }, expect.objectContaining({ type: 'publish_success', id: 'p' })]));
    client.close();
  });
});
