/**
 * The embedded DynamoDB-compatible store (dynalite, in memory) for data sources without an
 * `endpoint`: one per process on 127.0.0.1, started on first use and stopped when the last data
 * source using it closes. A real server on loopback, reached through the AWS SDK like any endpoint;
 * the gateway's own clients skip the socket with {@link embeddedDynamoDBRequestHandler}.
 */
import type { AddressInfo } from 'node:net';
import type { RequestListener, Server } from 'node:http';
import { inProcessRequestHandler, type InProcessRequestHandler } from './dynamodbInProcess.js';

let running: { endpoint: Promise<string>; server?: Server; users: number } | undefined;

export async function acquireEmbeddedDynamoDB(): Promise<string> {
  if (!running) {
    const state: { endpoint: Promise<string>; server?: Server; users: number } = { users: 0, endpoint: Promise.resolve('') };
    state.endpoint = (async () => {
      // @ts-expect-error dynalite ships no type declarations
      const { default: dynalite } = (await import('dynalite')) as { default: (options: Record<string, unknown>) => Server };
      const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
      state.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    })();
    running = state;
  }
  running.users += 1;
  return running.endpoint;
}

export async function releaseEmbeddedDynamoDB(): Promise<void> {
  if (!running) return;
  running.users -= 1;
  if (running.users > 0) return;
  const { server } = running;
  running = undefined;
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * An SDK `requestHandler` that reaches the running embedded store in memory instead of over its
 * loopback port (see dynamodbInProcess.ts); call after {@link acquireEmbeddedDynamoDB}.
 */
export function embeddedDynamoDBRequestHandler(): InProcessRequestHandler | undefined {
  const listener = running?.server?.listeners('request')[0] as RequestListener | undefined;
  return listener ? inProcessRequestHandler(listener) : undefined;
}
