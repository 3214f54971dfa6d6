/**
 * A CDK app with two Event APIs (docs/cloudformation.md#event-apis): two stacks, each with
 * `new EventApi(this, 'Events')` (so both have one logical id) and their own namespaces, handler
 * and default API key, synthesised by aws-cdk-lib. The first is served at `/event`, the second at
 * `/apis/<name>/event`; the real aws-amplify `events` client subscribes and publishes on the
 * second, a raw WebSocket client on the first, and a key of one is refused by the other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import { Amplify } from 'aws-amplify';
import { events as amplifyEvents } from 'aws-amplify/data';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, type LoadedConfig } from '../../../src/config/index.js';
import type { EventsConfig } from '../../../src/config/types.js';
import { createGateway, type Gateway } from '../../../src/index.js';
import { silentLogger } from '../../utils/logger.js';
import { connectRaw, encodeHeader } from '../../realtime/rawClient.js';

let project: string;
let loaded: LoadedConfig;
let gateway: Gateway;
let origin: string;
const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

/** Amplify dials `wss://` for a non-AWS endpoint; the gateway here speaks plain ws:// on loopback (as in test/events/amplify.test.ts). */
class LoopbackWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/127\.0\.0\.1:/, 'ws://127.0.0.1:'), protocols);
  }
}

/** The app a CDK user writes: one Event API per stack, built by the same construct code. */
function synthesize(outdir: string): void {
  const app = new App({ outdir });
  const eventsStack = (id: string, apiName: string, namespace: string, code?: string) => {
    const stack = new Stack(app, id);
    const api = new appsync.EventApi(stack, 'Events', { apiName });
    api.addChannelNamespace(namespace, code ? { code: appsync.Code.fromInline(code) } : undefined);
    return api;
  };
  eventsStack('ChatStack', 'chat', 'rooms');
  eventsStack(
    'AlertsStack',
    'Alerts',
    'alerts',
    'export function onPublish(ctx) { return ctx.events.map((e) => ({ id: e.id, payload: { ...e.payload, api: "alerts" } })); }',
  );
  app.synth();
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'appsync-cdk-several-events-'));
  synthesize(join(project, 'cdk.out'));
  loaded = await loadConfigFile(join(project, 'cdk.out'));
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, configFile: loaded.configFile, logger: silentLogger, inMemory: true });
  origin = new URL((await gateway.listen({ port: 0, host: '127.0.0.1' })).url).origin;
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
});
afterAll(async () => {
  await amplifyEvents.closeAll();
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
  await gateway?.close();
  await rm(project, { recursive: true, force: true });
});

const post = async (path: string, key: string, channel: string, event: unknown) => {
  const res = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ channel, events: [JSON.stringify(event)] }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('a CDK app with two Event APIs', () => {
  it('is read as an events: list, each API with its own namespaces and key', () => {
    const list = loaded.config.events as EventsConfig[];
    expect(list.map((e) => [e.name, Object.keys(e.namespaces ?? {})])).toEqual([
      ['chat', ['rooms']],
      ['Alerts', ['alerts']],
    ]);
    expect(gateway.config.events!.name).toBe('chat');
    expect(gateway.config.additionalEventApis!.map((a) => a.apiId)).toEqual(['alerts']);
    // One logical id in two stacks: each API has only the key of its own stack, with a value of its own.
    const chatKeys = gateway.config.events!.apiKeys;
    const alertsKeys = gateway.config.additionalEventApis![0]!.events.apiKeys;
    expect(chatKeys).toHaveLength(1);
    expect(alertsKeys).toHaveLength(1);
    expect(alertsKeys[0]!.name).toBe(chatKeys[0]!.name);
    expect(alertsKeys[0]!.value).not.toBe(chatKeys[0]!.value);
  });

  it('serves the second at /apis/alerts/event to the aws-amplify events client, through its handler', async () => {
    const key = gateway.config.additionalEventApis![0]!.events.apiKeys[0]!.value;
    Amplify.configure({ API: { Events: { endpoint: `${origin}/apis/alerts/event`, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: key } } });
    const channel = await amplifyEvents.connect('/alerts/fire');
    const received: unknown[] = [];
    let wake: () => void = () => undefined;
    const sub = channel.subscribe({
      next: (data: unknown) => {
        received.push(data);
        wake();
      },
      error: (error: unknown) => {
        received.push({ error });
        wake();
      },
    });
    await (sub as unknown as { ready: Promise<unknown> }).ready;
    const arrived = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${count}`)), 5000);
        wake = () => received.length >= count && (clearTimeout(timer), resolve());
        wake();
      });
    await amplifyEvents.post('/alerts/fire', { via: 'http' });
    await arrived(1);
    await channel.publish({ via: 'socket' });
    await arrived(2);
    expect(received).toEqual([
      { id: expect.any(String), type: 'data', event: { via: 'http', api: 'alerts' } },
      { id: expect.any(String), type: 'data', event: { via: 'socket', api: 'alerts' } },
    ]);
    channel.close();
  });

  it('serves the first at /event to a WebSocket client, and each refuses the other’s key', async () => {
    const chatKey = gateway.config.events!.apiKeys[0]!.value;
    const alertsKey = gateway.config.additionalEventApis![0]!.events.apiKeys[0]!.value;
    const auth = { host: new URL(origin).host, 'x-api-key': chatKey };
    const client = await connectRaw(`${origin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    try {
      client.send({ type: 'connection_init' });
      expect(await client.next()).toMatchObject({ type: 'connection_ack' });
      client.send({ type: 'subscribe', id: 's', channel: '/rooms/*', authorization: auth });
      expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
      expect((await post('/event', chatKey, '/rooms/lobby', { hi: 1 })).status).toBe(200);
      expect(await client.next()).toEqual({ type: 'data', id: 's', event: '{"hi":1}' });
    } finally {
      client.close();
    }
    const refusedHere = await post('/event', alertsKey, '/rooms/lobby', { hi: 2 });
    expect(refusedHere.status).toBe(401);
    expect(refusedHere.body.errors[0].errorType).toBe('UnauthorizedException');
    expect((await post('/apis/alerts/event', chatKey, '/alerts/fire', { hi: 3 })).status).toBe(401);
    // Namespaces are per API: the first has no `alerts`.
    expect((await post('/event', chatKey, '/alerts/fire', { hi: 4 })).status).toBe(400);
  });
});
