/**
 * `${self:server.url}` names the gateway's own address: known before start when the port is
 * (createGateway's `listen` option, the CLI's --port), and put in once listening on port 0.
 * With the `listen` option on port 0 the port is bound before the API loads, so it loads once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGateway, type GatewayConfig } from '../../src/index.js';
import { silentLogger } from '../utils/logger.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const HEALTH = `export function request() { return { method: 'GET', resourcePath: '/health' }; }
export function response(ctx) { if (ctx.error) util.error(ctx.error.message, ctx.error.type); return JSON.parse(ctx.result.body).name; }
`;

const config: GatewayConfig = {
  name: 'self-url-test',
  schemaSdl: 'type Query { selfName: String }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-selfurltest00000000000' }],
  dataSources: { self: { type: 'HTTP', config: { endpoint: '${self:server.url}' } } },
  resolvers: { 'Query.selfName': { kind: 'UNIT', dataSource: 'self', code: 'health.js' } },
};

describe('${self:server.url}', () => {
  it('on port 0, the self data source reaches the port the gateway got', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-selfurl-'));
    await writeFile(join(dir, 'health.js'), HEALTH);
    const gateway = await createGateway(config, { configDir: dir, logger: silentLogger });
    cleanups.push(async () => {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    });
    const { url, port } = await gateway.listen({ port: 0, host: '127.0.0.1' });
    expect(gateway.config.dataSources.self!.config.endpoint).toBe(`http://127.0.0.1:${port}`);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-selfurltest00000000000' },
      body: '{"query":"{ selfName }"}',
    });
    expect(await res.json()).toEqual({ data: { selfName: 'self-url-test' } });
  });

  it('with the listen option, it is the planned address from the start (a wildcard host is reached over loopback)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-selfurl-'));
    await writeFile(join(dir, 'health.js'), HEALTH);
    const gateway = await createGateway(config, { configDir: dir, logger: silentLogger, listen: { port: 4599, host: '0.0.0.0' } });
    cleanups.push(async () => {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    });
    expect(gateway.config.dataSources.self!.config.endpoint).toBe('http://127.0.0.1:4599');
  });

  it('with the listen option on port 0, the port is bound before the load and the API is not loaded again at listen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-selfurl-'));
    await writeFile(join(dir, 'health.js'), HEALTH);
    const gateway = await createGateway(config, { configDir: dir, logger: silentLogger, listen: { port: 0, host: '127.0.0.1' } });
    cleanups.push(async () => {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    });
    const loaded = gateway.config;
    const reservedPort = Number(new URL(loaded.dataSources.self!.config.endpoint as string).port);
    expect(reservedPort).toBeGreaterThan(0);
    // A request that reaches the bound port before listen() is answered once the gateway listens.
    const early = fetch(`http://127.0.0.1:${reservedPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-selfurltest00000000000' },
      body: '{"query":"{ selfName }"}',
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { port } = await gateway.listen();
    expect(port).toBe(reservedPort);
    expect(gateway.config).toBe(loaded);
    expect(await (await early).json()).toEqual({ data: { selfName: 'self-url-test' } });
  });

  it('a port bound for a load is freed when the gateway closes without listening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-selfurl-'));
    await writeFile(join(dir, 'health.js'), HEALTH);
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const gateway = await createGateway(config, { configDir: dir, logger: silentLogger, listen: { port: 0, host: '127.0.0.1' } });
    const reservedPort = Number(new URL(gateway.config.dataSources.self!.config.endpoint as string).port);
    const early = fetch(`http://127.0.0.1:${reservedPort}/health`).then(
      () => 'answered',
      () => 'refused',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await gateway.close();
    expect(await early).toBe('refused');
    await expect(fetch(`http://127.0.0.1:${reservedPort}/health`)).rejects.toThrow();
  });
});
