/**
 * Starts a gateway for one test on a random port, from a config object and files written into a
 * fresh temp folder, and stops it when the test file ends.
 *
 *   const gw = await startTestGateway({
 *     files: { 'schema.graphql': sdl, 'resolvers/getPost.js': code },
 *     config: { schema: 'schema.graphql', authentication: { type: 'API_KEY' },
 *               apiKeys: [{ name: 'k', value: 'da2-test' }], dataSources: {...}, resolvers: {...} },
 *   });
 *   const { status, body } = await gw.query('{ getPost(id: "1") { id } }');
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { createGateway, type Gateway, type GatewayConfig, type GatewayOptions } from '../../src/index.js';
import { silentLogger } from './logger.js';

export interface TestGateway {
  gateway: Gateway;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  dir: string;
  /** The first API key's value, sent by `query` unless headers say otherwise. */
  apiKey: string | undefined;
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

export async function startTestGateway(input: {
  config: GatewayConfig;
  files?: Record<string, string>;
  options?: Omit<GatewayOptions, 'configDir'>;
}): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-test-'));
  for (const [name, content] of Object.entries(input.files ?? {})) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  // Every query runs compiled (what recurring queries do in production); example.test.ts, the CLI
  // tests and compiled-parity.test.ts cover the first run through graphql-js. The embedded stores
  // run in memory (faster, nothing left behind); persistence.test.ts, example.test.ts and the CLI
  // tests cover them on disk.
  const gateway = await createGateway(input.config, {
    logger: silentLogger,
    compileQueries: { afterRuns: 0 },
    inMemory: true,
    ...input.options,
    configDir: dir,
  });
  const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  await gateway.ready();
  const origin = new URL(url).origin;
  const apiKey = gateway.apiKeys[0]?.value;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  };
  afterAll(close);
  return {
    gateway,
    origin,
    url,
    dir,
    apiKey,
    async query(query, variables, headers) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey && !headers ? { 'x-api-key': apiKey } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // leave the raw text for the assertion to show
      }
      return { status: res.status, headers: res.headers, body };
    },
    close,
  };
}
