/** Parsed VTL templates kept by their text (src/resolvers/vtl/templateCache.ts), and their trees used by the sandbox. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { createGateway } from '../../../src/index.js';
import { parseTemplate } from '../../../src/resolvers/guest/vtl/parseTemplate.js';
import { TemplateCache } from '../../../src/resolvers/vtl/templateCache.js';
import { VTL_CASES } from './cases.js';
import { silentLogger } from '../../utils/logger.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-vtl-cache-'));
  dirs.push(dir);
  return dir;
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
/** The entries of `cacheDir`, once the background write has put one there (a fixed wait failed under load). */
const keptEntries = (cacheDir: string) =>
  vi.waitFor(
    async () => {
      const entries = await readdir(cacheDir);
      expect(entries.length).toBeGreaterThan(0);
      return entries;
    },
    { timeout: 10_000, interval: 20 },
  );

const TEMPLATE = '{ "payload": $util.toJson($ctx.args) }';
const OTHER = '{ "payload": "from the cached tree" }';

describe('TemplateCache', () => {
  it('keeps a parsed template on disk and a later load reads the tree from there, not from the parser', async () => {
    const dir = await folder();
    const first = await TemplateCache.open(dir, {}).parse(TEMPLATE);
    expect(JSON.parse((first as { astJson: string }).astJson)).toEqual(parseTemplate(TEMPLATE));
    const entries = await keptEntries(join(dir, '.data', 'cache', 'vtl'));
    expect(entries).toHaveLength(1);
    // The entry swapped for another template's tree (with its checksum): a new load gets that tree.
    const otherJson = JSON.stringify(parseTemplate(OTHER));
    await writeFile(join(dir, '.data', 'cache', 'vtl', entries[0]!), `${sha256(otherJson)}\n${otherJson}`);
    expect(await TemplateCache.open(dir, {}).parse(TEMPLATE)).toEqual({ astJson: otherJson });
  });

  it('a damaged entry is a miss: the template is parsed again', async () => {
    const dir = await folder();
    await TemplateCache.open(dir, {}).parse(TEMPLATE);
    const [entry] = await keptEntries(join(dir, '.data', 'cache', 'vtl'));
    const path = join(dir, '.data', 'cache', 'vtl', entry!);
    await writeFile(path, (await readFile(path, 'utf8')).replace('payload', 'payloaX'));
    const parsed = (await TemplateCache.open(dir, {}).parse(TEMPLATE)) as { astJson: string };
    expect(JSON.parse(parsed.astJson)).toEqual(parseTemplate(TEMPLATE));
  });

  it('a template that does not parse gives its place and is not kept', async () => {
    const dir = await folder();
    const parsed = await TemplateCache.open(dir, {}).parse('#set($x = )');
    expect(parsed).toMatchObject({ syntax: { line: expect.any(Number), column: expect.any(Number) } });
    await settle();
    await expect(readdir(join(dir, '.data', 'cache', 'vtl'))).rejects.toThrow();
  });

  it('APPSYNC_GATEWAY_CACHE_DIR moves it and "off" keeps nothing on disk', async () => {
    const dir = await folder();
    const elsewhere = await folder();
    await TemplateCache.open(dir, { APPSYNC_GATEWAY_CACHE_DIR: elsewhere }).parse(TEMPLATE);
    await TemplateCache.open(dir, { APPSYNC_GATEWAY_CACHE_DIR: 'off' }).parse(OTHER);
    expect(await keptEntries(join(elsewhere, 'vtl'))).toHaveLength(1);
    await expect(readdir(join(dir, '.data'))).rejects.toThrow();
  });

  it('a folder that cannot be written is said once at warn', async () => {
    // A file where the folder should be: even root cannot write there.
    const dir = await folder();
    await writeFile(join(dir, 'blocked'), 'a file, not a folder');
    const warnings: string[] = [];
    const cache = TemplateCache.open(
      dir,
      { APPSYNC_GATEWAY_CACHE_DIR: join(dir, 'blocked') },
      { ...silentLogger, warn: (message: string) => warnings.push(message) },
    );
    await cache.parse(TEMPLATE);
    await cache.parse(OTHER);
    await vi.waitFor(() => expect(warnings.length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    await settle();
    expect(warnings).toEqual(['the VTL template cache cannot be written; templates are parsed at every start']);
  });

  it('every template of the VTL case table that parses has a tree JSON gives back unchanged', () => {
    let checked = 0;
    for (const c of VTL_CASES) {
      let tree;
      try {
        tree = parseTemplate(c.template);
      } catch {
        continue; // the syntax-error cases
      }
      expect(JSON.parse(JSON.stringify(tree)), c.name).toEqual(tree);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("a gateway's sandbox renders the tree the cache gives, not a new parse of the text", async () => {
    const dir = await folder();
    await writeFile(join(dir, 'a.request.vtl'), TEMPLATE);
    await TemplateCache.open(dir, {}).parse(TEMPLATE);
    const [entry] = await keptEntries(join(dir, '.data', 'cache', 'vtl'));
    const otherJson = JSON.stringify(parseTemplate(OTHER));
    await writeFile(join(dir, '.data', 'cache', 'vtl', entry!), `${sha256(otherJson)}\n${otherJson}`);
    const gateway = await createGateway(
      {
        name: 'vtl-cache',
        schemaSdl: 'type Query { a(x: String): String }',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-vtlcachevtlcachevtlcach' }],
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', request: 'a.request.vtl' } },
      },
      { configDir: dir, logger: silentLogger, inMemory: true },
    );
    try {
      const { url } = await gateway.listen({ port: 0 });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'da2-vtlcachevtlcachevtlcach' },
        body: '{"query":"{ a(x: \\"y\\") }"}',
      });
      expect(await res.json()).toEqual({ data: { a: 'from the cached tree' } });
    } finally {
      await gateway.close();
    }
  });
});
