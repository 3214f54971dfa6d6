/**
 * Time from process start to the first answered query: the example API, and a generated API of
 * 200 types and 1,000 resolvers.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';

const BIN = fileURLToPath(new URL('../../bin/appsync-gateway.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

async function timeToFirstAnswer(cwd: string, query: string, apiKey: string, configArgs: string[] = []): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...configArgs], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d;
        const m = /GraphQL:\s+(http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query }) });
    const body = await res.json();
    if (!body.data) throw new Error(`no data: ${JSON.stringify(body)}`);
    return performance.now() - started;
  } finally {
    child.kill();
  }
}

/** 200 types × 5 fields, 1,000 resolvers on a NONE data source sharing 10 code files. */
async function generateLargeApi(dir: string): Promise<void> {
  const types: string[] = [];
  const queryFields: string[] = [];
  const resolvers: string[] = [];
  for (let t = 0; t < 200; t++) {
    types.push(`type T${t} {\n  id: ID!\n${[1, 2, 3, 4].map((f) => `  f${f}: String`).join('\n')}\n}`);
    for (let f = 0; f < 5; f++) {
      queryFields.push(`  q${t}_${f}(id: ID!): T${t}`);
      resolvers.push(`  Query.q${t}_${f}:\n    kind: UNIT\n    dataSource: none\n    code: resolvers/r${(t * 5 + f) % 10}.js`);
    }
  }
  await mkdir(join(dir, 'resolvers'), { recursive: true });
  for (let i = 0; i < 10; i++) {
    await writeFile(join(dir, 'resolvers', `r${i}.js`), `export function request(ctx) { return { payload: { id: ctx.args.id, f1: '${i}' } }; }\nexport function response(ctx) { return ctx.result; }\n`);
  }
  await writeFile(join(dir, 'schema.graphql'), `${types.join('\n\n')}\n\ntype Query {\n${queryFields.join('\n')}\n}\n`);
  await writeFile(
    join(dir, 'appsync.config.yml'),
    `name: large\nschema: schema.graphql\nauthentication:\n  type: API_KEY\napiKeys:\n  - name: k\n    value: da2-largelargelargelarge0000\ndataSources:\n  none:\n    type: NONE\nresolvers:\n${resolvers.join('\n')}\n`,
  );
}

export async function runStartupBench(): Promise<BenchRow[]> {
  const example = await timeToFirstAnswer(REPO, '{ hello }', 'da2-exampleexampleexample00');
  const dir = await mkdtemp(join(tmpdir(), 'appsync-bench-large-'));
  try {
    await generateLargeApi(dir);
    const large = await timeToFirstAnswer(dir, '{ q199_4(id: "x") { id f1 } }', 'da2-largelargelargelarge0000');
    return [
      { name: 'example API', value: example, unit: 'ms', note: 'target < 1,000 ms' },
      { name: '200 types / 1,000 resolvers', value: large, unit: 'ms', note: 'target < 3,000 ms' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
