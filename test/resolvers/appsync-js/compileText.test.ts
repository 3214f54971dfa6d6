/** Code compiled from its text (AppSync Events handlers) goes through the compile cache like resolver files. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileAndLintText } from '../../../src/resolvers/appsync-js/compileText.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const SOURCE = 'export function onPublish(ctx) { return ctx.events; }\n';

describe('compileAndLintText', () => {
  it('a second compile of the same text comes from the cache, a changed text is compiled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-compile-text-'));
    dirs.push(dir);
    const file = join(dir, 'handlers.js');
    const first = await compileAndLintText(dir, file, SOURCE);
    expect(first.compiled.code).toContain('onPublish');
    expect(first.findings).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cacheDir = join(dir, '.data', 'cache', 'resolvers');
    const [entry] = await readdir(cacheDir);
    // The stored code marked: a compile that reads the cache returns the mark.
    const stored = JSON.parse(await readFile(join(cacheDir, entry!), 'utf8')) as { code: string };
    await writeFile(join(cacheDir, entry!), JSON.stringify({ ...stored, code: `${stored.code}\n// from the cache` }));
    expect((await compileAndLintText(dir, file, SOURCE)).compiled.code).toContain('// from the cache');
    expect((await compileAndLintText(dir, file, `${SOURCE}\n`)).compiled.code).not.toContain('// from the cache');
  });
});
