/**
 * AWS_LAMBDA authorization on the real-time channel (docs/auth.md#aws_lambda): the authorizer runs
 * for the handshake and for each `start`; `isAuthorized: false` → AppSync's 401 shapes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { CREATE_POST, files, realtimeConfig } from '../realtime/e2eApi.js';
import { connectRaw, encodeHeader, start } from '../realtime/rawClient.js';

const authorizer = `
export async function handler(event) {
  const token = event.authorizationToken;
  return { isAuthorized: token.startsWith('allow-'), resolverContext: { user: token.slice(6) } };
}
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    files: { ...files, 'authorizer.mjs': authorizer },
    config: { ...realtimeConfig('lambda-realtime'), authentication: { type: 'AWS_LAMBDA', config: { handler: 'authorizer.mjs#handler' } }, apiKeys: [] },
  });
});

const url = (token: string) =>
  `${gw.origin.replace('http://', 'ws://')}/graphql/realtime?header=${encodeHeader({ host: new URL(gw.url).host, Authorization: token })}&payload=e30=`;

describe('AWS_LAMBDA on the real-time channel', () => {
  it('authorises the handshake and each start; a denied start gets UnauthorizedException and the connection stays', async () => {
    const client = await connectRaw(url('allow-ana'));
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    client.send(start('no', 'subscription { onCreatePost { id } }', { Authorization: 'deny' }));
    expect(await client.next()).toEqual({
      type: 'error',
      id: 'no',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] },
    });
    client.send(start('yes', 'subscription { onCreatePost { id title } }', { Authorization: 'allow-bob' }));
    expect(await client.next()).toEqual({ type: 'start_ack', id: 'yes' });
    const res = await gw.query(CREATE_POST, { id: 'l1', title: 'via lambda auth' }, { authorization: 'allow-carol' });
    expect(res.body.errors).toBeUndefined();
    expect(await client.next()).toEqual({ type: 'data', id: 'yes', payload: { data: { onCreatePost: { id: 'l1', title: 'via lambda auth' } } } });
    client.close();
  });

  it('a denied handshake → connection_error, then close', async () => {
    const client = await connectRaw(url('deny'));
    client.send({ type: 'connection_init' });
    expect(await client.next()).toEqual({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }] },
    });
    await client.closed;
  });
});
