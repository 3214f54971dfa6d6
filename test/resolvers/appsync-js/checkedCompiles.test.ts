/** Code the management API checked is not compiled again by the load of the built API that names it. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../../src/index.js';
import { checkedCompileOf, rememberCheckedCompile } from '../../../src/resolvers/appsync-js/checkedCompiles.js';
import { compileResolverCode, compileResolverText } from '../../../src/resolvers/appsync-js/compile.js';
import { silentLogger } from '../../utils/logger.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-checked-'));
  dirs.push(dir);
  return dir;
}

const code = (payload: string) =>
  `import { util } from '@aws-appsync/utils';\nexport function request(ctx) { return { payload: ${JSON.stringify(payload)} + util.str.toUpper('!') }; }\nexport function response(ctx) { return ctx.result; }\n`;

describe('checked compiles', () => {
  it('a check of the same text gives what compiling the file gives, named after the file', async () => {
    const dir = await folder();
    const file = join(dir, 'Query.a.js');
    const text = code('same');
    await writeFile(file, text);
    rememberCheckedCompile(await compileResolverText('code.js', text));
    const fromCheck = checkedCompileOf(file, text)!;
    const own = await compileResolverCode(file, text);
    expect(fromCheck.file).toBe(file);
    expect(fromCheck.code).toBe(own.code);
    expect(JSON.parse(fromCheck.mapText!)).toEqual(JSON.parse(own.mapText!));
    expect(fromCheck.inputs).toEqual([]);
  });

  it('text no check compiled is compiled as before', () => {
    expect(checkedCompileOf('/x/Query.b.js', code('never checked'))).toBeUndefined();
  });

  it("a gateway's load takes a checked compile instead of compiling the file", async () => {
    const dir = await folder();
    const text = code('from the file');
    await writeFile(join(dir, 'r.js'), text);
    // A stand-in entry for this text with other code: the answer shows which one was loaded.
    const other = await compileResolverText('code.js', code('from the check'));
    rememberCheckedCompile({ ...other, source: text });
    const gateway = await createGateway(
      {
        name: 'checked',
        schemaSdl: 'type Query { a: String }',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-checkedcheckedchecked00' }],
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', code: 'r.js' } },
      },
      // The gateway's own evaluator reads the source text, which a real checked compile was made from; the
      // stand-in's code is not, so this test keeps every handler in the sandbox.
      { configDir: dir, logger: silentLogger, inMemory: true, sandbox: { evaluateSimpleHandlers: false } },
    );
    try {
      const { url } = await gateway.listen({ port: 0 });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'da2-checkedcheckedchecked00' },
        body: '{"query":"{ a }"}',
      });
      expect(await res.json()).toEqual({ data: { a: 'from the check!' } });
    } finally {
      await gateway.close();
    }
  });
});
