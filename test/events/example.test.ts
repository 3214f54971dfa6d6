/**
 * The example API's Event API (appsync.config.yml `events:`, resolvers/events/shout.js) runs as
 * docs/events.md shows it: a publish to /shout/… goes out in capitals, an event without text fails,
 * and /shout/private/… refuses API-key subscribers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.js';
import { loadConfigFile } from '../../src/config/index.js';
import { connectRaw, encodeHeader } from '../realtime/rawClient.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
let gateway: Gateway;
let origin: string;
let dataDir: string;
let key: string;

beforeAll(async () => {
  const loaded = await loadConfigFile(join(ROOT, 'appsync.config.yml'), { env: {} });
  dataDir = await mkdtemp(join(tmpdir(), 'appsync-gw-events-example-'));
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silent, dataDir });
  origin = new URL((await gateway.listen({ port: 0 })).url).origin;
  key = gateway.apiKeys[0]!.value;
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the example Event API', () => {
  it('shouts published texts, fails events without text, and keeps /shout/private/… for signed-in callers', async () => {
    const auth = { 'x-api-key': key };
    const client = await connectRaw(`${origin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send({ type: 'subscribe', id: 'all', channel: '/shout/*', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 'all' });
    client.send({ type: 'subscribe', id: 'private', channel: '/shout/private/x', authorization: auth });
    expect(await client.next()).toEqual({
      type: 'subscribe_error',
      id: 'private',
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access /shout/private/x on type Channel' }],
    });
    client.send({ type: 'subscribe', id: 'private', channel: '/shout/private/x', authorization: { authorization: 'demo-alice' } });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 'private' });

    const res = await fetch(`${origin}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ channel: '/shout/room', events: ['{"text":"hello"}', '{"nope":1}'] }),
    });
    const body = (await res.json()) as any;
    expect(body.failed).toEqual([{ identifier: expect.any(String), index: 1, code: 400, message: 'an event needs a text' }]);
    expect(await client.next()).toEqual({ type: 'data', id: 'all', event: '{"text":"HELLO","channel":"/shout/room"}' });
    client.close();
  });
});
