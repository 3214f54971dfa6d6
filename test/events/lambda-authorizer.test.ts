/**
 * An Event API's Lambda authorizer (docs/events.md#auth) reached through the Lambda Invoke API
 * (the real @aws-sdk/client-lambda against a local Invoke endpoint): it receives the Events request
 * (operation, namespace, channel), the GraphQL API's authorizer keeps the GraphQL one, and a reload
 * closes the swapped-out Event API's providers (their Invoke clients and sockets), so N reloads
 * leave as many open connections as one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { connectRaw, encodeHeader } from '../realtime/rawClient.js';

interface Invocation {
  functionName: string;
  payload: any;
}

const invocations: Invocation[] = [];
const sockets = new Set<Socket>();
let invokeApi: Server;
let endpoint: string;
let gw: TestGateway;

const config = (namespaces: Record<string, object> = { default: {}, news: {} }): GatewayConfig => ({
  name: 'events-lambda-auth',
  schemaSdl: 'type Query { ok: Boolean }',
  authentication: { type: 'AWS_LAMBDA', config: { functionName: 'graphqlAuth', endpoint, region: 'us-east-1' } },
  events: {
    authProviders: [{ type: 'AWS_LAMBDA', config: { functionName: 'eventsAuth', endpoint, region: 'us-east-1' } }],
    namespaces,
  },
});

beforeAll(async () => {
  // The Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations): allows the token "let-me-in".
  invokeApi = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const functionName = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '');
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      invocations.push({ functionName, payload });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ isAuthorized: payload.authorizationToken === 'let-me-in' }));
    });
  });
  invokeApi.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => invokeApi.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(invokeApi.address() as AddressInfo).port}`;
  gw = await startTestGateway({ config: config() });
});
afterAll(async () => {
  await gw.close();
  invokeApi.closeAllConnections();
  await new Promise<void>((resolve) => invokeApi.close(() => resolve()));
});

const post = (channel: string, token = 'let-me-in') =>
  fetch(`${gw.origin}/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ channel, events: ['{"a":1}'] }),
  });

describe('the Events request', () => {
  it('tells the authorizer the operation, the namespace and the channel of connect, subscribe and publish', async () => {
    invocations.length = 0;
    const auth = { authorization: 'let-me-in', host: new URL(gw.origin).host };
    const client = await connectRaw(`${gw.origin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    client.send({ type: 'subscribe', id: 's', channel: '/news/latest', authorization: auth });
    expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
    expect((await post('/news/latest')).status).toBe(200);
    expect((await client.next()).type).toBe('data');
    client.close();

    const events = invocations.filter((i) => i.functionName === 'eventsAuth').map((i) => i.payload);
    expect(events.map((e) => e.requestContext.operation)).toEqual(['EVENT_CONNECT', 'EVENT_SUBSCRIBE', 'EVENT_PUBLISH']);
    for (const e of events) {
      expect(e.authorizationToken).toBe('let-me-in');
      expect(e.requestContext).toEqual(expect.objectContaining({ apiId: expect.any(String), accountId: expect.any(String), requestId: expect.any(String) }));
      // None of the GraphQL request's members.
      expect(e.requestContext).not.toHaveProperty('queryString');
      expect(e.requestContext).not.toHaveProperty('variables');
      expect(e.requestHeaders.authorization).toBe('let-me-in');
    }
    expect(events[0].requestContext).not.toHaveProperty('channel');
    expect(events[1].requestContext).toEqual(expect.objectContaining({ channelNamespaceName: 'news', channel: '/news/latest' }));
    expect(events[2].requestContext).toEqual(expect.objectContaining({ channelNamespaceName: 'news', channel: '/news/latest' }));
  });

  it('refuses what the authorizer refuses, and keeps the GraphQL request for the GraphQL API', async () => {
    const refused = await post('/default/a', 'wrong');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { errors: Array<{ errorType: string }> }).errors[0]!.errorType).toBe('UnauthorizedException');

    invocations.length = 0;
    const answer = await gw.query('{ ok }', undefined, { authorization: 'let-me-in' });
    expect(answer.status).toBe(200);
    const graphql = invocations.find((i) => i.functionName === 'graphqlAuth')!.payload;
    expect(graphql.requestContext).toEqual(expect.objectContaining({ queryString: '{ ok }', variables: {} }));
    expect(graphql.requestContext).not.toHaveProperty('operation');
  });
});

describe('reload', () => {
  it('closes the previous Event API providers: 10 reloads leave the Invoke API connections of one', async () => {
    const reloadAndPublish = async () => {
      await gw.gateway.reload(config());
      // Each version's authorizer opens its own Invoke client (and keep-alive socket) on first use.
      expect((await post('/default/a')).status).toBe(200);
      // The GraphQL API's authorizer, too, is of the version in force.
      expect((await gw.query('{ ok }', undefined, { authorization: 'let-me-in' })).status).toBe(200);
    };
    await reloadAndPublish();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const afterOne = sockets.size;
    for (let i = 0; i < 10; i++) await reloadAndPublish();
    // Closing a client ends its sockets; give the server a moment to see the close.
    const deadline = Date.now() + 2_000;
    while (sockets.size > afterOne && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(sockets.size).toBeLessThanOrEqual(afterOne);
    expect(afterOne).toBeGreaterThan(0);
  });
});
