/**
 * The Events auth matrix (docs/events.md#auth): mode × operation (connect, HTTP publish, socket
 * publish, subscribe) × namespace override × good/bad credentials, with the verifiers of the
 * GraphQL side. Tokens are signed by keys the suite generates and served on loopback; IAM requests
 * are signed by the AWS SDK's SigV4 signer over what Amplify signs (`POST /event` with the
 * operation's JSON); the Lambda authorizer runs in-process.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuer, type Issuer } from '../utils/jwks-server.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { connectRaw, encodeHeader, type RawClient } from '../realtime/rawClient.js';

const KEY = 'da2-eventsmatrixkey1';
const IAM = { accessKeyId: 'AKIDEVENTS', secretAccessKey: 'events-secret', accountId: '444455556666', userArn: 'arn:aws:iam::444455556666:role/events' };
const AUTHORIZER = `export function handler(event) {
  return { isAuthorized: event.authorizationToken === 'let-me-in', resolverContext: { who: 'lambda' } };
}
`;
type Mode = 'API_KEY' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' | 'AWS_IAM' | 'AWS_LAMBDA';
const MODES: Mode[] = ['API_KEY', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT', 'AWS_IAM', 'AWS_LAMBDA'];
/** Each mode's own namespace, which allows that mode only. */
const ONLY: Record<Mode, string> = {
  API_KEY: 'keyonly',
  AMAZON_COGNITO_USER_POOLS: 'poolonly',
  OPENID_CONNECT: 'oidconly',
  AWS_IAM: 'iamonly',
  AWS_LAMBDA: 'lambdaonly',
};
/** A namespace of another mode, which refuses this one. */
const OTHER: Record<Mode, string> = {
  API_KEY: 'iamonly',
  AMAZON_COGNITO_USER_POOLS: 'keyonly',
  OPENID_CONNECT: 'keyonly',
  AWS_IAM: 'keyonly',
  AWS_LAMBDA: 'keyonly',
};

let pool: Issuer;
let oidc: Issuer;
let gw: TestGateway;
let host: string;

beforeAll(async () => {
  [pool, oidc] = await Promise.all([startIssuer('/us-east-1_Events'), startIssuer('/oidc')]);
  gw = await startTestGateway({
    files: { 'authorizer.mjs': AUTHORIZER },
    config: {
      name: 'events-auth',
      schemaSdl: 'type Query { ok: Boolean }',
      apiKeys: [{ name: 'live', value: KEY }],
      events: {
        authProviders: [
          { type: 'API_KEY' },
          {
            type: 'AMAZON_COGNITO_USER_POOLS',
            config: { userPoolId: 'us-east-1_Events', awsRegion: 'us-east-1', appIdClientRegex: 'events-app', issuer: pool.issuer, jwksUri: pool.jwksUri },
          },
          { type: 'OPENID_CONNECT', config: { issuer: oidc.issuer, clientId: 'events-oidc' } },
          { type: 'AWS_IAM', config: { credentials: [IAM], region: 'us-east-1' } },
          { type: 'AWS_LAMBDA', config: { handler: 'authorizer.mjs#handler' } },
        ],
        // Lambda may publish and subscribe but not connect (connectionAuthModes leaves it out).
        connectionAuthModes: ['API_KEY', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT', 'AWS_IAM'],
        namespaces: {
          open: {},
          ...Object.fromEntries(MODES.map((mode) => [ONLY[mode], { publishAuthModes: [mode], subscribeAuthModes: [{ authType: mode }] }])),
        },
      },
    },
  });
  host = new URL(gw.origin).host;
});
afterAll(async () => {
  await gw?.close();
  await Promise.all([pool?.close(), oidc?.close()]);
});

/** SigV4 over `POST /event` with `body`, as Amplify signs HTTP publishes and socket operations. */
async function sigv4(body: string, secret = IAM.secretAccessKey): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: 'appsync',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: IAM.accessKeyId, secretAccessKey: secret },
  });
  const [hostname, port] = host.split(':');
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: '/event',
    headers: { accept: 'application/json, text/javascript', 'content-encoding': 'amz-1.0', 'content-type': 'application/json; charset=UTF-8', host },
    body,
  });
  return (await signer.sign(request)).headers as Record<string, string>;
}

async function credentials(mode: Mode, good: boolean, body: string): Promise<Record<string, string>> {
  switch (mode) {
    case 'API_KEY':
      return { 'x-api-key': good ? KEY : 'da2-notthekey123' };
    case 'AMAZON_COGNITO_USER_POOLS':
      return {
        authorization: await pool.sign({ sub: 'u-1', token_use: 'id', aud: 'events-app', 'cognito:username': 'ev' }, good ? {} : { key: 'unpublished' }),
      };
    case 'OPENID_CONNECT':
      return { authorization: `Bearer ${await oidc.sign({ sub: 'o-1', aud: 'events-oidc' }, good ? {} : { expiresIn: -60 })}` };
    case 'AWS_IAM':
      return sigv4(body, good ? IAM.secretAccessKey : 'not-the-secret');
    case 'AWS_LAMBDA':
      return { authorization: good ? 'let-me-in' : 'keep-out' };
  }
}

const wsUrl = () => `${gw.origin.replace('http', 'ws')}/event/realtime`;

/** A connection opened with an API key, for operations that carry their own authorization. */
async function keyConnection(): Promise<RawClient> {
  const client = await connectRaw(wsUrl(), ['aws-appsync-event-ws', `header-${encodeHeader({ host, 'x-api-key': KEY }, true)}`]);
  client.send({ type: 'connection_init' });
  expect((await client.next()).type).toBe('connection_ack');
  return client;
}

const refused = (entry: { errorType: string; message: string }) => ['UnauthorizedException', 'InvalidSignatureException'].includes(entry.errorType);

let socket: RawClient;
beforeAll(async () => {
  socket = await keyConnection();
});
afterAll(() => socket?.close());

let seq = 0;
describe.each(MODES)('%s', (mode) => {
  const cells: Array<[string, string, boolean, boolean]> = [
    // [namespace label, namespace, good credentials, allowed]
    ['default modes', 'open', true, true],
    ['its own namespace', ONLY[mode], true, true],
    ["another mode's namespace", OTHER[mode], true, false],
    ['default modes, bad credentials', 'open', false, false],
    ['its own namespace, bad credentials', ONLY[mode], false, false],
  ];

  it.each(cells)('HTTP publish, %s', async (_label, ns, good, allowed) => {
    const body = JSON.stringify({ channel: `/${ns}/http`, events: ['{"m":1}'] });
    const res = await fetch(`${gw.origin}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await credentials(mode, good, body)) },
      body,
    });
    const answer = (await res.json()) as any;
    if (allowed) {
      expect(res.status).toBe(200);
      expect(answer).toEqual({ successful: [{ identifier: expect.any(String), index: 0 }], failed: [] });
    } else {
      expect([401, 403]).toContain(res.status);
      expect(answer.errors).toHaveLength(1);
      expect(refused(answer.errors[0])).toBe(true);
    }
  });

  it.each(cells)('socket publish and subscribe, %s', async (_label, ns, good, allowed) => {
    const id = `${mode}-${++seq}`;
    const channel = `/${ns}/ws`;
    const events = ['{"m":2}'];
    socket.send({ type: 'publish', id, channel, events, authorization: await credentials(mode, good, JSON.stringify({ channel, events })) });
    const published = await socket.next();
    expect(published.id).toBe(id);
    if (allowed) expect(published).toEqual({ type: 'publish_success', id, successful: [{ identifier: expect.any(String), index: 0 }], failed: [] });
    else expect(published.type === 'publish_error' && refused(published.errors[0])).toBe(true);

    const subId = `${id}-sub`;
    socket.send({ type: 'subscribe', id: subId, channel, authorization: await credentials(mode, good, JSON.stringify({ channel })) });
    const subscribed = await socket.next();
    if (allowed) {
      expect(subscribed).toEqual({ type: 'subscribe_success', id: subId });
      socket.send({ type: 'unsubscribe', id: subId });
      expect(await socket.next()).toEqual({ type: 'unsubscribe_success', id: subId });
    } else expect(subscribed.type === 'subscribe_error' && subscribed.id === subId && refused(subscribed.errors[0])).toBe(true);
  });

  it.each([true, false])('connect with good credentials: %s', async (good) => {
    const headers = { host, ...(await credentials(mode, good, '{}')) };
    const client = await connectRaw(wsUrl(), ['aws-appsync-event-ws', `header-${encodeHeader(headers, true)}`]);
    client.send({ type: 'connection_init' });
    const frame = await client.next();
    // connectionAuthModes leaves AWS_LAMBDA out: even its good token cannot connect.
    if (good && mode !== 'AWS_LAMBDA') expect(frame).toEqual({ type: 'connection_ack', connectionTimeoutMs: 300000 });
    else {
      expect(frame.type).toBe('connection_error');
      expect(refused(frame.errors[0])).toBe(true);
      expect((await client.closed).code).toBe(4401);
    }
    client.close();
  });
});
