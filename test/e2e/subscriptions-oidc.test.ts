/**
 * Token auth on the real-time channel: an OPENID_CONNECT API with a local issuer (discovery +
 * JWKS served on loopback, tokens signed with jose). The aws-amplify v6 client subscribes with
 * `authMode: 'oidc'`; raw frames check an expired token on `start` and on the handshake
 * (docs/auth.md#errors, docs/realtime.md#endpoints).
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
import { CREATE_POST, files, realtimeConfig } from '../realtime/e2eApi.js';
import { connectRaw, encodeHeader, start } from '../realtime/rawClient.js';

let gw: TestGateway;
let issuerServer: Server;
let issuer: string;
let sign: (claims: Record<string, unknown>, expiresIn?: string | number) => Promise<string>;
let token: string;
const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

class LoopbackWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/127\.0\.0\.1:/, 'ws://127.0.0.1:'), protocols);
  }
}

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  issuerServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    if (req.url === '/jwks') return res.end(JSON.stringify({ keys: [jwk] }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  sign = (claims, expiresIn = '1h') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject('user-1')
      .setAudience('client-1')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  token = await sign({ email: 'ana@example.com' });

  const base = realtimeConfig('oidc-realtime');
  gw = await startTestGateway({ config: { ...base, authentication: { type: 'OPENID_CONNECT', config: { issuer } }, apiKeys: [] }, files });
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
  Amplify.configure(
    { API: { GraphQL: { endpoint: gw.url, region: 'us-east-1', defaultAuthMode: 'oidc' } } },
    { Auth: { tokenProvider: { getTokens: async () => ({ accessToken: decodeJWT(token) }) } } },
  );
});
afterAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
  await new Promise<void>((resolve) => issuerServer.close(() => resolve()));
});

describe('OPENID_CONNECT on the real-time channel', () => {
  it('aws-amplify v6 subscribes with authMode oidc and receives a mutation', async () => {
    const received: unknown[] = [];
    const errors: unknown[] = [];
    const observable = generateClient().graphql({ query: 'subscription { onCreatePost { id title } }' }) as unknown as {
      subscribe(o: { next(v: unknown): void; error(e: unknown): void }): { unsubscribe(): void };
    };
    const subscription = observable.subscribe({ next: (v) => received.push(v), error: (e) => errors.push(e) });
    let n = 0;
    for (let i = 0; i < 500 && received.length === 0 && errors.length === 0; i++) {
      if (i % 5 === 0) await gw.query(CREATE_POST, { id: `w-${n++}` }, { authorization: token });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(errors).toEqual([]);
    await gw.query(CREATE_POST, { id: 'oidc-1', title: 'hello' }, { authorization: token });
    for (let i = 0; i < 250 && !JSON.stringify(received).includes('oidc-1'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(received.find((r) => JSON.stringify(r).includes('oidc-1'))).toMatchObject({ data: { onCreatePost: { id: 'oidc-1', title: 'hello' } } });
    subscription.unsubscribe();
  });

  it('an expired token on start → UnauthorizedException "Token has expired."; the connection stays', async () => {
    const host = new URL(gw.url).host;
    const client = await connectRaw(
      `${gw.origin.replace('http://', 'ws://')}/graphql/realtime?header=${encodeHeader({ host, Authorization: token })}&payload=e30=`,
    );
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    const expired = await sign({}, Math.floor(Date.now() / 1000) - 60);
    client.send(start('old', 'subscription { onCreatePost { id } }', { host, Authorization: expired }));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'old',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'Token has expired.' }] },
    });
    client.send(start('new', 'subscription { onCreatePost { id } }', { host, Authorization: `Bearer ${token}` }));
    expect(await client.next()).toEqual({ type: 'start_ack', id: 'new' });
    client.close();
  });

  it('an expired token on the handshake → connection_error, then close', async () => {
    const host = new URL(gw.url).host;
    const expired = await sign({}, Math.floor(Date.now() / 1000) - 60);
    const client = await connectRaw(`${gw.origin.replace('http://', 'ws://')}/graphql/realtime`, [
      'graphql-ws',
      `header-${encodeHeader({ host, Authorization: expired }, true)}`,
    ]);
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'Token has expired.', errorCode: 401 }] },
    });
    await client.closed;
  });
});
