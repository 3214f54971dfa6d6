/**
 * The contract of the gateway's APPSYNC_JS runtime (docs/resolvers.md): every member the `@aws-appsync/utils` 2.1 type
 * definitions declare on `util`, `runtime` and `extensions` exists in the sandbox at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../src/resolvers/isolation/sandbox.js';
import { silentLogger } from '../utils/logger.js';

const require = createRequire(import.meta.url);
const typesDir = join(dirname(require.resolve('@aws-appsync/utils/package.json')), 'lib');
const indexDts = readFileSync(join(typesDir, 'index.d.ts'), 'utf8');

/** Top-level member names of `type <name> = { ... };` in index.d.ts. */
function membersOf(typeName: string): string[] {
  const start = indexDts.indexOf(`type ${typeName} = {`);
  expect(start, `type ${typeName} in index.d.ts`).toBeGreaterThan(-1);
  const body = indexDts.slice(start, indexDts.indexOf('\n};', start));
  return [...new Set([...body.matchAll(/^ {4}([A-Za-z0-9]+)[(:?]/gm)].map((m) => m[1]!))];
}

describe('@aws-appsync/utils contract', async () => {
  const sandbox = await Sandbox.create({ logger: silentLogger, processes: 1 });
  afterAll(() => sandbox.close());
  const { id } = await sandbox.register(
    `var __m = (() => ({
      request(ctx) { return { payload: ctx.args.names.map((n) => { const [obj, key] = n.split('.'); const o = obj === 'util' ? util : obj === 'runtime' ? runtime : extensions; return n + '=' + typeof o[key]; }) }; },
      response(ctx) { return ctx.result; },
    }))();`,
    'contract.js',
  );

  const check = async (object: string, names: string[]) => {
    const base = JSON.stringify({
      arguments: { names: names.map((n) => `${object}.${n}`) },
      identity: null,
      source: null,
      request: { headers: {} },
      info: { fieldName: 'f', parentTypeName: 'Query', variables: {}, selectionSetList: [], selectionSetGraphQL: '' },
      env: {},
      authMode: 'API_KEY',
    });
    const run = sandbox.openRun(base);
    const outcome = await sandbox.invoke(run, id, 'request', 'query:request', '{}', 'contract');
    await sandbox.closeRun(run);
    expect(outcome.k).toBe('ok');
    return (outcome as { v: { payload: string[] } }).v.payload.filter((line) => line.endsWith('=undefined'));
  };

  it.each([
    ['util', 'Util'],
    ['runtime', 'Runtime'],
    ['extensions', 'Extensions'],
  ])('every member of %s declared by type %s exists', async (object, typeName) => {
    const names = membersOf(typeName);
    expect(names.length).toBeGreaterThan(0);
    expect(await check(object, names)).toEqual([]);
  });
});
