/**
 * AWS_IAM on the real-time channel (docs/realtime.md#endpoints: the handshake is SigV4 over
 * `POST <endpoint>/connect` with body `{}`, each start over `POST <endpoint>` with the `data`
 * string): aws-amplify v6 with `authMode: 'iam'` signs both with its own signer.
 */
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { CREATE_POST, files, realtimeConfig } from '../realtime/e2eApi.js';

const credentials = { accessKeyId: 'AKIAREALTIMETEST0001', secretAccessKey: 'realtime/test/secret/key/0000000000000000' };
let gw: TestGateway;
const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

class LoopbackWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/127\.0\.0\.1:/, 'ws://127.0.0.1:'), protocols);
  }
}

beforeAll(async () => {
  const base = realtimeConfig('iam-realtime');
  gw = await startTestGateway({
    files,
    config: { ...base, authentication: { type: 'AWS_IAM', config: { credentials: [credentials] } } },
  });
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
  Amplify.configure(
    { API: { GraphQL: { endpoint: gw.url, region: 'us-east-1', defaultAuthMode: 'iam' } } },
    {
      Auth: {
        credentialsProvider: {
          getCredentialsAndIdentityId: async () => ({ credentials }),
          clearCredentialsAndIdentityId: () => undefined,
        },
      },
    },
  );
});
afterAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
});

describe('AWS_IAM on the real-time channel', () => {
  it('aws-amplify v6 signs the handshake and the start; the subscriber receives a mutation', async () => {
    const received: unknown[] = [];
    const errors: unknown[] = [];
    const client = generateClient();
    const observable = client.graphql({ query: 'subscription { onCreatePost { id title } }' }) as unknown as {
      subscribe(o: { next(v: unknown): void; error(e: unknown): void }): { unsubscribe(): void };
    };
    const subscription = observable.subscribe({ next: (v) => received.push(v), error: (e) => errors.push(e) });
    // Mutations through Amplify too: IAM-signed HTTP requests.
    const mutate = (id: string) => client.graphql({ query: CREATE_POST, variables: { id, title: id } });
    for (let i = 0; i < 500 && received.length === 0 && errors.length === 0; i++) {
      if (i % 5 === 0) await mutate(`warm-${i}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(errors).toEqual([]);
    await mutate('iam-1');
    for (let i = 0; i < 250 && !JSON.stringify(received).includes('iam-1'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(received.find((r) => JSON.stringify(r).includes('iam-1'))).toMatchObject({ data: { onCreatePost: { id: 'iam-1', title: 'iam-1' } } });
    subscription.unsubscribe();
  });
});
