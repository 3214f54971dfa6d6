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

async function start(code: string | undefined) {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-events-load-'));
  if (code !== undefined) await writeFile(join(dir, 'h.js'), code);
  return createGateway(
    { schemaSdl: 'type Query { ok: Boolean }', apiKeys: [{ name: 'k', value: 'da2-loadtest01' }], events: { namespaces: { ns: { code: 'h.js' } } } },
    { configDir: dir, logger: silent, inMemory: true },
  );
}

describe('events handler code at start-up', () => {
  it('refuses a missing file', async () => {
    await expect(start(undefined)).rejects.toThrow(/h\.js: cannot read the file \(ENOENT\)/);
  });

  it('refuses code that does not compile', async () => {
    await expect(start('export function onPublish(ctx) { return [; }')).rejects.toThrow(/h\.js:1/);
  });

  it('starts with code that loads', async () => {
    const gateway = await start('export function onPublish(ctx) { return ctx.events; }');
    await gateway.close();
  });
});
