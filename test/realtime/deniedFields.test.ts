/**
 * A Lambda authorizer's `deniedFields` on the real-time channel (docs/auth.md#aws_lambda): a `start`
 * for a denied subscription field gets the Unauthorized error of a field the caller may not reach,
 * on both protocols, while the same caller's other subscriptions start and receive events; a denied
 * plain field (no resolver) inside an event's selection is null for that caller only.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { CREATE_POST, files, realtimeConfig } from './e2eApi.js';
import { connectRaw, encodeHeader, start } from './rawClient.js';

// Callers named `limited-*` may not subscribe to onSevere (plain and ARN forms of deniedFields);
// callers named `anonymous-*` may not read Post.author, a plain field (no resolver) of the events' payload.
const authorizer = `
export async function handler(event) {
  const token = event.authorizationToken;
  const limited = token.startsWith('limited-');
  const anonymous = token.startsWith('anonymous-');
  return {
    isAuthorized: true,
    resolverContext: { user: token },
    deniedFields: limited
      ? ['Subscription.onSevere', 'arn:aws:appsync:us-east-1:000000000000:apis/x/types/Subscription/fields/onGroup']
      : anonymous
        ? ['Post.author']
        : [],
  };
}
`;

const unauthorized = (field: string) => ({
  path: [field],
  data: null,
  errorType: 'Unauthorized',
  errorInfo: null,
  locations: null,
  message: `Not Authorized to access ${field} on type Subscription`,
});

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    files: { ...files, 'authorizer.mjs': authorizer },
    config: { ...realtimeConfig('denied-fields'), authentication: { type: 'AWS_LAMBDA', config: { handler: 'authorizer.mjs#handler' } }, apiKeys: [] },
  });
});
afterAll(async () => {
  await gw?.close();
});

const realtimeUrl = (token: string) =>
  `${gw.origin.replace('http://', 'ws://')}/graphql/realtime?header=${encodeHeader({ host: new URL(gw.url).host, Authorization: token })}&payload=e30=`;

describe('Lambda deniedFields on subscription fields', () => {
  it('AppSync protocol: a denied field is refused at start; another field starts and receives events', async () => {
    const client = await connectRaw(realtimeUrl('limited-ana'));
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    const auth = { Authorization: 'limited-ana', host: new URL(gw.url).host };
    client.send(start('severe', 'subscription { onSevere(min: 1) { id } }', auth));
    expect(await client.next()).toEqual({ type: 'error', id: 'severe', payload: { errors: [unauthorized('onSevere')] } });
    client.send(start('group', 'subscription { onGroup(group: "g") { id } }', auth));
    expect(await client.next()).toEqual({ type: 'error', id: 'group', payload: { errors: [unauthorized('onGroup')] } });
    client.send(start('posts', 'subscription { onCreatePost { id title } }', auth));
    expect(await client.next()).toEqual({ type: 'start_ack', id: 'posts' });
    const res = await gw.query(CREATE_POST, { id: 'd1', title: 'still delivered', severity: 5 }, { authorization: 'full-bob' });
    expect(res.body.errors).toBeUndefined();
    expect(await client.next()).toEqual({ type: 'data', id: 'posts', payload: { data: { onCreatePost: { id: 'd1', title: 'still delivered' } } } });
    client.close();
  });

  it('a denied plain field nested in an event is null for that caller, with no error; another caller receives it', async () => {
    const subscribe = async (token: string) => {
      const client = await connectRaw(realtimeUrl(token));
      client.send({ type: 'connection_init' });
      expect((await client.next()).type).toBe('connection_ack');
      client.send(start('posts', 'subscription { onCreatePost(id: "d2") { id author title } }', { Authorization: token, host: new URL(gw.url).host }));
      expect(await client.next()).toEqual({ type: 'start_ack', id: 'posts' });
      return client;
    };
    const anonymous = await subscribe('anonymous-eve');
    const full = await subscribe('full-frank');
    const res = await gw.query(CREATE_POST, { id: 'd2', author: 'ann', title: 'who wrote it?', severity: 1 }, { authorization: 'full-bob' });
    expect(res.body.errors).toBeUndefined();
    expect(await anonymous.next()).toEqual({
      type: 'data',
      id: 'posts',
      payload: { data: { onCreatePost: { id: 'd2', author: null, title: 'who wrote it?' } } },
    });
    expect(await full.next()).toEqual({ type: 'data', id: 'posts', payload: { data: { onCreatePost: { id: 'd2', author: 'ann', title: 'who wrote it?' } } } });
    anonymous.close();
    full.close();
  });

  it('a caller without deniedFields subscribes to the same field', async () => {
    const client = await connectRaw(realtimeUrl('full-carol'));
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send(start('severe', 'subscription { onSevere(min: 1) { id } }', { Authorization: 'full-carol', host: new URL(gw.url).host }));
    expect(await client.next()).toEqual({ type: 'start_ack', id: 'severe' });
    client.close();
  });

  it('graphql-ws protocol: the same Unauthorized error for a denied field', async () => {
    const client = createClient({
      url: `${gw.origin.replace('http://', 'ws://')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: 'limited-dan' },
      retryAttempts: 0,
    });
    try {
      const outcome = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { onSevere(min: 1) { id } }' },
          { next: (value) => resolve({ next: value }), error: (error) => resolve({ error }), complete: () => resolve('complete') },
        );
      });
      expect(outcome).toEqual({ error: [unauthorized('onSevere')] });
    } finally {
      await client.dispose();
    }
  });
});
