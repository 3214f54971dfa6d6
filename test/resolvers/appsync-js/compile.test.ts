/** Compiling resolver code: imports and errors. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileResolverCode } from '../../../src/resolvers/appsync-js/compile.js';

async function file(name: string, code: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-compile-'));
  const path = join(dir, name);
  await writeFile(path, code);
  return path;
}

describe('compileResolverCode', () => {
  it('imports of every @aws-appsync/utils module resolve to the sandbox module table', async () => {
    const path = await file(
      'r.js',
      "import { util, runtime } from '@aws-appsync/utils';\nimport * as ddb from '@aws-appsync/utils/dynamodb';\nimport { sql, toJsonObject } from '@aws-appsync/utils/rds';\n" +
        'export function request(ctx) { return { a: typeof util, b: typeof runtime, c: typeof ddb, d: typeof sql, e: typeof toJsonObject }; }\nexport function response(ctx) { return ctx.result; }\n',
    );
    const compiled = await compileResolverCode(path);
    expect(compiled.code).toContain('globalThis.__appsyncModules["@aws-appsync/utils/rds"]');
  });

  it('an unknown @aws-appsync module is a load error naming file and line', async () => {
    const path = await file('bad.js', "import { x } from '@aws-appsync/utils/nope';\nexport function request() { return x; }\nexport function response() {}\n");
    await expect(compileResolverCode(path)).rejects.toThrow(/bad\.js:1: @aws-appsync\/utils\/nope is not a module of the APPSYNC_JS runtime/);
  });

  it('a syntax error names file and line', async () => {
    const path = await file('syntax.ts', 'export function request(ctx) {\n  return {\n}\n');
    await expect(compileResolverCode(path)).rejects.toThrow(/syntax\.ts:\d+: /);
  });
});
