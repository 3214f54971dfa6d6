/**
 * Multi-auth on the real-time channel (docs/auth.md#directives, docs/realtime.md#behaviour): default API_KEY
 * plus a Cognito user pool (local issuer + JWKS). Field directives decide who may subscribe; each
 * `start` on one connection may use another mode; an enhanced filter compares the payload with
 * `ctx.identity.sub` captured when subscribing; aws-amplify v6 subscribes with `authMode: 'userPool'`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { decodeJWT } from '@aws-amplify/core';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { connectRaw, encodeHeader, start, type RawClient } from '../realtime/rawClient.js';

const API_KEY = 'da2-cognitorealtimekey000000000';
const files = {
  'schema.graphql': `
    type Post @aws_api_key @aws_cognito_user_pools { id: ID! title: String owner: String }
    type Query { ping: String @aws_api_key }
    type Mutation {
      createPost(id: ID!, title: String, owner: String): Post @aws_api_key @aws_cognito_user_pools
    }
    type Subscription {
      onCreatePost: Post @aws_subscribe(mutations: ["createPost"]) @aws_api_key @aws_cognito_user_pools
      onAdminPost: Post @aws_subscribe(mutations: ["createPost"]) @aws_cognito_user_pools(cognito_groups: ["admins"])
      onMyPost: Post @aws_subscribe(mutations: ["createPost"]) @aws_cognito_user_pools
    }
  `,
  'createPost.js': `
    export function request(ctx) { return { payload: ctx.args }; }
    export function response(ctx) { return ctx.result; }
  `,
  'onMyPost.js': `
    import { extensions } from '@aws-appsync/utils';
    export function request(ctx) { return { payload: null }; }
    export function response(ctx) {
      extensions.setSubscriptionFilter({ filterGroup: [{ filters: [{ fieldName: 'owner', operator: 'eq', value: ctx.identity.sub }] }] });
      return null;
    }
  `,
};

let gw: TestGateway;
let jwks: Server;
let issuer: string;
let adminToken: string;
let userToken: string;
const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

class LoopbackWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/127\.0\.0\.1:/, 'ws://127.0.0.1:'), protocols);
  }
}

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'c1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  issuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Realtime';
  const token = (sub: string, groups: string[]) =>
    new SignJWT({ token_use: 'access', client_id: 'app-client', 'cognito:groups': groups, username: sub })
      .setProtectedHeader({ alg: 'RS256', kid: 'c1' })
      .setIssuer(issuer)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  adminToken = await token('admin-1', ['admins']);
  userToken = await token('user-1', ['readers']);
  gw = await startTestGateway({
    files,
    config: {
      name: 'cognito-realtime',
      schema: 'schema.graphql',
      authentication: { type: 'API_KEY' },
      additionalAuthentications: [{ type: 'AMAZON_COGNITO_USER_POOLS', config: { userPoolId: 'us-east-1_Realtime', issuer, jwksUri } }],
      apiKeys: [{ name: 'k', value: API_KEY }],
      dataSources: { local: { type: 'NONE' } },
      resolvers: {
        'Mutation.createPost': { kind: 'UNIT', dataSource: 'local', code: 'createPost.js' },
        'Subscription.onMyPost': { kind: 'UNIT', dataSource: 'local', code: 'onMyPost.js' },
      },
    },
  });
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
  Amplify.configure(
    { API: { GraphQL: { endpoint: gw.url, region: 'us-east-1', defaultAuthMode: 'userPool' } } },
    { Auth: { tokenProvider: { getTokens: async () => ({ accessToken: decodeJWT(adminToken) }) } } },
  );
});
afterAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
  await new Promise<void>((resolve) => jwks.close(() => resolve()));
});

const createPost = (variables: Record<string, unknown>) =>
  gw.query('mutation($id: ID!, $title: String, $owner: String) { createPost(id: $id, title: $title, owner: $owner) { id title owner } }', variables, {
    'x-api-key': API_KEY,
  });

async function connectWithKey(): Promise<RawClient> {
  const host = new URL(gw.url).host;
  const client = await connectRaw(
    `${gw.origin.replace('http://', 'ws://')}/graphql/realtime?header=${encodeHeader({ host, 'x-api-key': API_KEY })}&payload=e30=`,
  );
  client.send({ type: 'connection_init' });
  expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
  return client;
}

describe('Cognito user pools and multi-auth on the real-time channel', () => {
  it('field directives decide per start; modes mix on one connection; the connection stays', async () => {
    const client = await connectWithKey();
    const denied = (field: string) => ({
      type: 'error',
      id: field,
      payload: { errors: [expect.objectContaining({ errorType: 'Unauthorized', message: `Not Authorized to access ${field} on type Subscription` })] },
    });
    // API key: not allowed on a Cognito-only field.
    client.send(start('onAdminPost', 'subscription { onAdminPost { id } }', { 'x-api-key': API_KEY }));
    expect(await client.next()).toEqual(denied('onAdminPost'));
    // A user-pool token outside the group: denied too.
    client.send(start('onAdminPost', 'subscription { onAdminPost { id } }', { Authorization: userToken }));
    expect(await client.next()).toEqual(denied('onAdminPost'));
    // The admin token on the same connection (handshake was API key): allowed.
    client.send(start('onAdminPost', 'subscription { onAdminPost { id } }', { Authorization: adminToken }));
    expect(await client.next()).toEqual({ type: 'start_ack', id: 'onAdminPost' });
    client.send(start('k', 'subscription { onCreatePost { id } }', { 'x-api-key': API_KEY }));
    expect(await client.next()).toEqual({ type: 'start_ack', id: 'k' });
    await createPost({ id: 'm1' });
    const frames = [await client.next(), await client.next()];
    expect(frames).toContainEqual({ type: 'data', id: 'onAdminPost', payload: { data: { onAdminPost: { id: 'm1' } } } });
    expect(frames).toContainEqual({ type: 'data', id: 'k', payload: { data: { onCreatePost: { id: 'm1' } } } });
    client.close();
  });

  it('an enhanced filter on ctx.identity.sub delivers only the caller’s own posts', async () => {
    const client = await connectWithKey();
    client.send(start('mine', 'subscription { onMyPost { id owner } }', { Authorization: `Bearer ${userToken}` }));
    expect(await client.next()).toEqual({ type: 'start_ack', id: 'mine' });
    await createPost({ id: 'theirs', owner: 'admin-1' });
    await createPost({ id: 'own', owner: 'user-1' });
    expect(await client.next()).toEqual({ type: 'data', id: 'mine', payload: { data: { onMyPost: { id: 'own', owner: 'user-1' } } } });
    await client.nothing();
    client.close();
  });

  it('aws-amplify v6 with authMode userPool subscribes to a group-restricted field', async () => {
    const received: unknown[] = [];
    const errors: unknown[] = [];
    const observable = generateClient().graphql({ query: 'subscription { onAdminPost { id title } }' }) as unknown as {
      subscribe(o: { next(v: unknown): void; error(e: unknown): void }): { unsubscribe(): void };
    };
    const subscription = observable.subscribe({ next: (v) => received.push(v), error: (e) => errors.push(e) });
    for (let i = 0; i < 500 && received.length === 0 && errors.length === 0; i++) {
      if (i % 5 === 0) await createPost({ id: `warm-${i}` });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(errors).toEqual([]);
    await createPost({ id: 'amp-admin', title: 'for admins' });
    for (let i = 0; i < 250 && !JSON.stringify(received).includes('amp-admin'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(received.find((r) => JSON.stringify(r).includes('amp-admin'))).toMatchObject({ data: { onAdminPost: { id: 'amp-admin', title: 'for admins' } } });
    subscription.unsubscribe();
  });
});
