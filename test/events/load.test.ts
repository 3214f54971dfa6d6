/**
 * An `events:` block whose handler code does not load refuses the gateway's start, naming the file,
 * as resolver code does (docs/events.md#handlers).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../../src/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

const rawConfig = (code: string) => ({
  schemaSdl: 'type Query { ok: Boolean }',
  apiKeys: [{ name: 'k', value: 'da2-loadtest01' }],
  events: { namespaces: { ns: { code } } },
});

async function start(code: string | undefined) {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-events-load-'));
  if (code !== undefined) await writeFile(join(dir, 'h.js'), code);
  return createGateway(rawConfig('h.js'), { configDir: dir, logger: silent, inMemory: true });
}

describe('events handler code at start-up', () => {
  it('refuses a missing file', async () => {
    await expect(start(undefined)).rejects.toThrow(/h\.js: cannot read the file \(ENOENT\)/);
  });

  it('refuses a handler integration naming no data source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-events-load-'));
    await writeFile(join(dir, 'h.js'), 'export const onPublish = { request: () => ({}), response: (ctx) => ctx.result };\n');
    const config = rawConfig('h.js');
    const namespaces = { ns: { code: 'h.js', handlerConfigs: { onPublish: { behavior: 'CODE', integration: { dataSourceName: 'ghost' } } } } };
    await expect(createGateway({ ...config, events: { namespaces } }, { configDir: dir, logger: silent, inMemory: true })).rejects.toThrow(
      'events.namespaces.ns.handlerConfigs.onPublish.integration.dataSourceName: no data source named "ghost" in dataSources',
    );
  });

  it('refuses code that does not compile', async () => {
    await expect(start('export function onPublish(ctx) { return [; }')).rejects.toThrow(/h\.js:1/);
  });

  it('starts with code that loads, and a reload to code that does not keeps it serving', async () => {
    const gateway = await start('export function onPublish(ctx) { return ctx.events.map((e) => ({ id: e.id, payload: "kept" })); }');
    try {
      await expect(gateway.reload(rawConfig('missing.js'))).rejects.toThrow(/missing\.js: cannot read the file \(ENOENT\)/);
      const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
      const res = await fetch(new URL('/event', url), {
        method: 'POST',
        headers: { 'x-api-key': 'da2-loadtest01' },
        body: JSON.stringify({ channel: '/ns/a', events: ['1'] }),
      });
      expect(res.status).toBe(200);
      expect(gateway.config.events?.namespaces.ns?.code).toMatch(/h\.js$/);
    } finally {
      await gateway.close();
    }
  });
});
