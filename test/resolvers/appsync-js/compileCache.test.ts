/** The on-disk compile cache: hits for unchanged code, misses when the code or a bundled import changes. */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileResolverCode, MODULE_URL } from '../../../src/resolvers/appsync-js/compile.js';
import { CompileCache } from '../../../src/resolvers/appsync-js/compileCache.js';

async function project(): Promise<{ dir: string; file: string; helper: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-compile-cache-'));
  const file = join(dir, 'r.js');
  const helper = join(dir, 'helper.js');
  await writeFile(helper, 'export const greeting = "hello";\n');
  await writeFile(
    file,
    "import { greeting } from './helper.js';\nexport function request(ctx) { return { payload: greeting }; }\nexport function response(ctx) { return ctx.result; }\n",
  );
  return { dir, file, helper };
}

const value = (code: string) => ({ code, mapText: undefined, findings: [] });

describe('CompileCache', () => {
  it('returns what was stored for the same text, and nothing for other text', async () => {
    const { dir, file } = await project();
    const cache = CompileCache.open(dir, [MODULE_URL], {})!;
    await cache.set(file, 'source A', [], value('compiled A'));
    expect((await cache.get(file, 'source A'))?.code).toBe('compiled A');
    expect(await cache.get(file, 'source B')).toBeUndefined();
    expect(await readdir(join(dir, '.data', 'cache', 'resolvers'))).toHaveLength(1);
  });

  it('records the bundled relative imports, and a changed import makes the entry stale', async () => {
    const { dir, file, helper } = await project();
    const compiled = await compileResolverCode(file);
    expect(compiled.inputs).toEqual([helper]);
    const cache = CompileCache.open(dir, [MODULE_URL], {})!;
    await cache.set(file, compiled.source, compiled.inputs, value(compiled.code));
    expect((await cache.get(file, compiled.source))?.code).toBe(compiled.code);
    await writeFile(helper, 'export const greeting = "bye";\n');
    expect(await cache.get(file, compiled.source)).toBeUndefined();
  });

  it('APPSYNC_GATEWAY_CACHE_DIR moves the cache, and "off" turns it off', async () => {
    const { dir, file } = await project();
    const elsewhere = await mkdtemp(join(tmpdir(), 'appsync-cache-dir-'));
    const moved = CompileCache.open(dir, [MODULE_URL], { APPSYNC_GATEWAY_CACHE_DIR: elsewhere })!;
    await moved.set(file, 'text', [], value('x'));
    expect(await readdir(join(elsewhere, 'resolvers'))).toHaveLength(1);
    expect(CompileCache.open(dir, [MODULE_URL], { APPSYNC_GATEWAY_CACHE_DIR: 'off' })).toBeUndefined();
  });

  it('other sandbox module exports (the extra identity) make every entry stale', async () => {
    const { dir, file } = await project();
    await CompileCache.open(dir, [MODULE_URL], {}, '["util"]')!.set(file, 'text', [], value('x'));
    expect((await CompileCache.open(dir, [MODULE_URL], {}, '["util"]')!.get(file, 'text'))?.code).toBe('x');
    expect(await CompileCache.open(dir, [MODULE_URL], {}, '["util","newHelper"]')!.get(file, 'text')).toBeUndefined();
  });

  it('a corrupt entry is a miss, not an error', async () => {
    const { dir, file } = await project();
    const cache = CompileCache.open(dir, [MODULE_URL], {})!;
    await cache.set(file, 'text', [], value('x'));
    const [entry] = await readdir(join(dir, '.data', 'cache', 'resolvers'));
    await writeFile(join(dir, '.data', 'cache', 'resolvers', entry!), '{ not json');
    expect(await cache.get(file, 'text')).toBeUndefined();
  });
});
