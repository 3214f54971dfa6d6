/**
 * Serves loaded CloudFormation input with the gateway on a random port and talks to it over
 * HTTP and graphql-ws, as a client of the served API would.
 */
import { createClient } from 'graphql-ws';
import { afterAll, expect } from 'vitest';
import WebSocket from 'ws';
import type { LoadedConfig } from '../../../src/config/index.js';
import { createGateway, type Gateway } from '../../../src/index.js';
import { silentLogger } from '../../utils/logger.js';

export interface Served {
  gateway: Gateway;
  url: string;
  apiKey: string;
  query(query: string, variables?: Record<string, unknown>): Promise<any>;
  /** Subscribes, then runs `trigger` until the first event arrives; returns that event. */
  firstEvent(subscription: string, trigger: () => Promise<unknown>): Promise<unknown>;
}

export async function serve(loaded: LoadedConfig): Promise<Served> {
  const gateway = await createGateway(loaded.config, { configDir: loaded.configDir, configFile: loaded.configFile, logger: silentLogger, inMemory: true });
  afterAll(() => gateway.close());
  const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  await gateway.ready();
  const apiKey = gateway.apiKeys[0]!.value;
  return { gateway, url, apiKey, ...clientOf(url, apiKey) };
}

/** A client of one served GraphQL API: queries over HTTP and subscriptions over graphql-ws at `url`. */
export function clientOf(url: string, apiKey: string): Pick<Served, 'query' | 'firstEvent'> {
  const query = async (text: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ query: text, variables }),
    });
    return res.json();
  };
  return {
    query,
    async firstEvent(subscription, trigger) {
      const client = createClient({
        url: url.replace('http://', 'ws://'),
        webSocketImpl: WebSocket,
        connectionParams: { 'x-api-key': apiKey },
        retryAttempts: 0,
      });
      const received: unknown[] = [];
      let failure: unknown;
      const dispose = client.subscribe(
        { query: subscription },
        { next: (v) => void received.push(v), error: (e) => void (failure = e), complete: () => undefined },
      );
      try {
        // The subscription is registered once the server has answered its start: trigger until one arrives.
        await expect
          .poll(
            async () => {
              if (received.length === 0 && failure === undefined) await trigger();
              return received.length > 0 || failure !== undefined;
            },
            { timeout: 10_000, interval: 100 },
          )
          .toBe(true);
        expect(failure).toBeUndefined();
        return received[0];
      } finally {
        dispose();
        await client.dispose();
      }
    },
  };
}
