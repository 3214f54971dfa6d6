/**
 * Where data lives (docs/where-data-lives.md), through the CLI as a user runs it: the embedded
 * DynamoDB store and the embedded Postgres keep what was written across restarts and across
 * `kill -9`, `--in-memory` keeps nothing, one gateway per data folder, and a data folder that
 * cannot be used stops the start with an error naming it, leaving its files as they were.
 *
 * Each project is a fresh temporary folder; its data folder is the default `.data` beside the
 * config (or a temporary one given with APPSYNC_GATEWAY_DATA_DIR), never the repo's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/appsync-gateway.mjs', import.meta.url));
const KEY = 'da2-persistpersistpersist00';
const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const SCHEMA = `
type Page { ids: [ID!]! nextToken: String }
type Query { ddbIds(nextToken: String): Page! pgIds: [ID!]! }
type Mutation { putDdb(id: ID!): ID putPg(id: ID!): ID }
`;

const CONFIG = `
name: persistence
schema: schema.graphql
authentication: { type: API_KEY }
apiKeys: [{ name: k, value: ${KEY} }]
dataSources:
  ddb:
    type: AMAZON_DYNAMODB
    config:
      tableName: items
      table:
        AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
        KeySchema: [{ AttributeName: id, KeyType: HASH }]
        BillingMode: PAY_PER_REQUEST
  pg:
    type: RELATIONAL_DATABASE
    config: { migrations: migrations }
resolvers:
  Mutation.putDdb: { kind: UNIT, dataSource: ddb, code: putDdb.js }
  Mutation.putPg: { kind: UNIT, dataSource: pg, code: putPg.js }
  Query.ddbIds: { kind: UNIT, dataSource: ddb, code: ddbIds.js }
  Query.pgIds: { kind: UNIT, dataSource: pg, code: pgIds.js }
`;

const FILES: Record<string, string> = {
  'appsync.config.yml': CONFIG,
  'schema.graphql': SCHEMA,
  'migrations/001_items.sql': 'CREATE TABLE items (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());\n',
  'putDdb.js': `import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return { operation: 'PutItem', key: util.dynamodb.toMapValues({ id: ctx.args.id }), attributeValues: util.dynamodb.toMapValues({ at: util.time.nowEpochMilliSeconds() }) };
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result.id;
}
`,
  'ddbIds.js': `import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return { operation: 'Scan', limit: 1000, nextToken: ctx.args.nextToken };
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return { ids: ctx.result.items.map((item) => item.id), nextToken: ctx.result.nextToken };
}
`,
  'putPg.js': `import { util } from '@aws-appsync/utils';
import { createPgStatement, sql } from '@aws-appsync/utils/rds';
export function request(ctx) {
  return createPgStatement(sql\`INSERT INTO items (id) VALUES (\${ctx.args.id})\`);
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.args.id;
}
`,
  'pgIds.js': `import { util } from '@aws-appsync/utils';
import { createPgStatement, sql, toJsonObject } from '@aws-appsync/utils/rds';
export function request(ctx) {
  return createPgStatement(sql\`SELECT id FROM items\`);
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return toJsonObject(ctx.result)[0].map((row) => row.id);
}
`,
};

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-persist-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(FILES)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

interface Serving {
  child: ChildProcess;
  url: string;
  output(): string;
}

/** Starts `serve` in `cwd` and resolves once every data source is ready. */
function serve(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<Serving> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    children.add(child);
    let output = '';
    let url: string | undefined;
    let warming: Promise<void> | undefined;
    const onData = (d: Buffer) => {
      output += d;
      url ??= /GraphQL:\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (url && output.includes('all data sources are ready') && !warming) {
        // One read through each resolver module first: their first load in the resolver sandbox is
        // slow on a busy machine, and what is measured here is the stores, not that start-up.
        warming = gql(url, '{ pgIds ddbIds { ids } }')
          .catch(() => undefined)
          .then(() => resolve({ child, url: url!, output: () => output }));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      children.delete(child);
      reject(Object.assign(new Error(`serve exited with ${code}:\n${output}`), { code, output }));
    });
  });
}

/** Runs `serve` expecting it to stop on its own; resolves with its exit code, output and time taken. */
function serveExpectingExit(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return serve(cwd, args, env).then(
    (s) => {
      s.child.kill('SIGKILL');
      throw new Error(`serve started instead of stopping:\n${s.output()}`);
    },
    (error: { code: number | null; output: string }) => ({ code: error.code, output: error.output, ms: Date.now() - started }),
  );
}

async function stop(s: Serving, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const closed = new Promise((resolve) => s.child.once('close', resolve));
  s.child.kill(signal);
  await closed;
}

async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

async function ddbIds(url: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let nextToken: string | undefined;
  do {
    const body = await gql(url, 'query($t: String) { ddbIds(nextToken: $t) { ids nextToken } }', { t: nextToken });
    expect(body.errors).toBeUndefined();
    for (const id of body.data.ddbIds.ids) ids.add(id);
    nextToken = body.data.ddbIds.nextToken ?? undefined;
  } while (nextToken);
  return ids;
}

async function pgIds(url: string): Promise<Set<string>> {
  const body = await gql(url, '{ pgIds }');
  expect(body.errors).toBeUndefined();
  return new Set(body.data.pgIds);
}

/**
 * Every file under `dir` with a hash of its bytes. LevelDB's diagnostic text log (LOG, rotated to
 * LOG.old on each open) is left out: opening a store to check it writes there, and it holds no data.
 */
function snapshotFolder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, entry);
    if (statSync(path).isFile() && !/^LOG(\.old)?$/.test(entry)) out[entry] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

describe('where data lives', () => {
  it('keeps what was written in .data beside the config across a restart, and the log says where', async () => {
    const dir = await project();
    let gw = await serve(dir);
    const data = join(dir, '.data');
    expect(gw.output()).toContain(`data folder: ${data}`);
    expect(gw.output()).toContain(`data=${join(data, 'dynamodb')}`);
    expect(gw.output()).toContain(`data=${join(data, 'postgres')}`);
    expect(await gql(gw.url, 'mutation { putDdb(id: "a") putPg(id: "b") }')).toEqual({ data: { putDdb: 'a', putPg: 'b' } });
    expect(existsSync(join(data, 'gateway.lock'))).toBe(true);
    await stop(gw);
    expect(existsSync(join(data, 'gateway.lock'))).toBe(false);

    gw = await serve(dir);
    expect([...(await ddbIds(gw.url))]).toEqual(['a']);
    expect([...(await pgIds(gw.url))]).toEqual(['b']);
    await stop(gw);
  }, 120_000);

  it('--in-memory keeps nothing, writes no store to disk, and says so', async () => {
    const dir = await project();
    let gw = await serve(dir, ['--in-memory']);
    expect(gw.output()).toContain('data: in memory — nothing is kept');
    expect(gw.output()).toContain('data="in memory — nothing is kept"');
    expect(await gql(gw.url, 'mutation { putDdb(id: "a") putPg(id: "b") }')).toEqual({ data: { putDdb: 'a', putPg: 'b' } });
    await stop(gw);
    gw = await serve(dir, ['--in-memory']);
    expect(await ddbIds(gw.url)).toEqual(new Set());
    expect(await pgIds(gw.url)).toEqual(new Set());
    await stop(gw);
    // (The resolver compile cache may live in .data/cache: it is not data.)
    for (const kept of ['dynamodb', 'postgres', 'stepfunctions', 'gateway.lock']) expect(existsSync(join(dir, '.data', kept))).toBe(false);
  }, 120_000);

  it('an acknowledged write survives kill -9 of the gateway, in both stores, under load', async () => {
    const dir = await project();
    const dataDir = join(dir, 'elsewhere');
    const env = { APPSYNC_GATEWAY_DATA_DIR: dataDir };
    const gw = await serve(dir, [], env);
    expect(gw.output()).toContain(`data folder: ${dataDir}`);
    const acked = { ddb: new Set<string>(), pg: new Set<string>() };
    let running = true;
    let seq = 0;
    // 16 writers, each a mutation at a time, until the kill; only answers with data count.
    const writer = async (store: 'ddb' | 'pg') => {
      while (running) {
        const id = `${store}-${seq++}`;
        try {
          const body = await gql(gw.url, `mutation($id: ID!) { ${store === 'ddb' ? 'putDdb' : 'putPg'}(id: $id) }`, { id });
          if (body.data?.[store === 'ddb' ? 'putDdb' : 'putPg'] === id) acked[store].add(id);
        } catch {
          // the connection dropped at the kill: not acknowledged
        }
      }
    };
    const writers = [...Array.from({ length: 8 }, () => writer('ddb')), ...Array.from({ length: 8 }, () => writer('pg'))];
    // Kill while writes are in flight, once both stores have acknowledged a good number.
    while (acked.ddb.size < 300 || acked.pg.size < 300) await new Promise((r) => setTimeout(r, 20));
    const closed = new Promise((resolve) => gw.child.once('close', resolve));
    gw.child.kill('SIGKILL');
    await closed;
    running = false;
    await Promise.all(writers);

    const again = await serve(dir, [], env);
    const [ddb, pg] = await Promise.all([ddbIds(again.url), pgIds(again.url)]);
    const lost = { ddb: [...acked.ddb].filter((id) => !ddb.has(id)), pg: [...acked.pg].filter((id) => !pg.has(id)) };
    expect(lost).toEqual({ ddb: [], pg: [] });
    console.info(
      `kill -9 under load: ${acked.ddb.size} DynamoDB and ${acked.pg.size} Postgres writes acknowledged, all found after the restart (${ddb.size} and ${pg.size} stored)`,
    );
    expect(ddb.size).toBeGreaterThanOrEqual(acked.ddb.size);
    expect(pg.size).toBeGreaterThanOrEqual(acked.pg.size);
    await stop(again);
  }, 180_000);

  it('a second gateway on the same data folder stops at once, naming the first; the first keeps serving', async () => {
    const dir = await project();
    const first = await serve(dir);
    const second = await serveExpectingExit(dir);
    expect(second.code).toBe(1);
    expect(second.output).toContain(`server.dataDir: the data folder ${join(dir, '.data')} is in use by another running gateway (process ${first.child.pid})`);
    // Nothing started: no store was opened, no Postgres is left running.
    expect(second.output).not.toContain('using the embedded');
    expect(second.ms).toBeLessThan(15_000);
    expect(await gql(first.url, 'mutation { putDdb(id: "still") }')).toEqual({ data: { putDdb: 'still' } });
    await stop(first);
  }, 120_000);

  it('a lock left by a killed gateway is taken over', async () => {
    const dir = await project();
    const first = await serve(dir);
    await stop(first, 'SIGKILL');
    expect(readFileSync(join(dir, '.data', 'gateway.lock'), 'utf8')).toMatch(new RegExp(`^${first.child.pid} `));
    const second = await serve(dir);
    expect(readFileSync(join(dir, '.data', 'gateway.lock'), 'utf8')).toMatch(new RegExp(`^${second.child.pid} `));
    await stop(second);
  }, 120_000);
});

describe('a data folder that cannot be used', () => {
  it('a corrupted DynamoDB store: a clear error naming the folder, exit 1, files untouched', async () => {
    const dir = await project();
    const gw = await serve(dir);
    await gql(gw.url, 'mutation { putDdb(id: "kept") }');
    await stop(gw);
    const folder = join(dir, '.data', 'dynamodb');
    await writeFile(join(folder, 'CURRENT'), 'MANIFEST-999999\n');
    const before = snapshotFolder(folder);
    const run = await serveExpectingExit(dir);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`server.dataDir: the embedded DynamoDB folder ${folder} cannot be opened (`);
    expect(run.output).toContain('nothing was changed');
    expect(snapshotFolder(folder)).toEqual(before);
    expect(existsSync(join(dir, '.data', 'gateway.lock'))).toBe(false);
  }, 120_000);

  it('a DynamoDB folder that holds other files is refused, not overwritten', async () => {
    const dir = await project();
    const folder = join(dir, '.data', 'dynamodb');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '000003.log'), 'not mine');
    const run = await serveExpectingExit(dir);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`the embedded DynamoDB folder ${folder} holds files but no LevelDB database (no CURRENT file); nothing was changed`);
    expect(readFileSync(join(folder, '000003.log'), 'utf8')).toBe('not mine');
    expect(readdirSync(folder)).toEqual(['000003.log']);
  }, 60_000);

  it('a corrupted Postgres folder: a clear error naming the folder, exit 1, files untouched', async () => {
    const dir = await project();
    const gw = await serve(dir);
    await gql(gw.url, 'mutation { putPg(id: "kept") }');
    await stop(gw);
    const folder = join(dir, '.data', 'postgres');
    await writeFile(join(folder, 'global', 'pg_control'), Buffer.alloc(8192, 0x5a));
    const before = snapshotFolder(folder);
    const run = await serveExpectingExit(dir);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`cannot start:\n  server.dataDir: the embedded Postgres did not start in ${folder}: `);
    expect(snapshotFolder(folder)).toEqual(before);
  }, 120_000);

  it('a Postgres folder that holds other files is refused, not overwritten', async () => {
    const dir = await project();
    const folder = join(dir, '.data', 'postgres');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'notes.txt'), 'not a database');
    const run = await serveExpectingExit(dir);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`the embedded Postgres folder ${folder} holds files but no Postgres database (no PG_VERSION file); nothing was changed`);
    expect(readdirSync(folder)).toEqual(['notes.txt']);
  }, 60_000);

  it('a DynamoDB store locked by another process (not a gateway): a clear error naming the folder', async () => {
    const dir = await project();
    const folder = join(dir, '.data', 'dynamodb');
    // LevelDB's own lock, held by a process that is not a gateway (no gateway.lock).
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `
      const { createRequire } = require('node:module');
      const { Level } = createRequire(require.resolve('dynalite'))('level');
      const db = new Level(${JSON.stringify(folder)});
      db.open().then(() => console.log('held'));
      setInterval(() => {}, 1000);
    `,
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
    );
    children.add(holder);
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const run = await serveExpectingExit(dir);
    holder.kill('SIGKILL');
    expect(run.code).toBe(1);
    expect(run.output).toContain(`the embedded DynamoDB folder ${folder} is locked by another process`);
  }, 60_000);
});
