/**
 * The built package as `npm start` runs it: `npm run build` (scripts/build.mjs), then
 * `bin/appsync-gateway.mjs serve` on dist/ (forced with APPSYNC_GATEWAY_FROM=dist, so a stale
 * build fails here instead of quietly running src/ through tsx). It serves the example API,
 * recurring operations run as code compiled by graphql-jit (one graphql in the bundle: a second
 * copy fails every compile), simple unit resolvers are evaluated in the gateway, and graphql-ws, bundled with the same graphql, serves and refuses
 * subscriptions, a Cognito pool takes a token again from its kept verification but not a forged or expired one, and
 * the VTL bench's templates are evaluated in the gateway.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin/appsync-gateway.mjs');
const API_KEY = 'da2-exampleexampleexample00';
const dirs: string[] = [];
let child: ChildProcess | undefined;
let url = '';
let output = '';

const fresh = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

/** The built CLI serving `dir`'s config in memory, with a Step Functions store of its own. */
const serveInMemory = (dir: string, sfnPrefix: string) =>
  spawn(process.execPath, [BIN, 'serve', '--port', '0', '--in-memory'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', APPSYNC_GATEWAY_FROM: 'dist', APPSYNC_GATEWAY_SFN_STORE_DIR: fresh(sfnPrefix) },
  });

/** The GraphQL URL a started server prints; rejects with its output if it exits first. */
const graphqlUrlOf = (server: ReturnType<typeof spawn>) =>
  new Promise<string>((resolve, reject) => {
    let log = '';
    const onData = (d: Buffer) => {
      log += d;
      const match = /GraphQL:\s+(http:\/\/\S+)/.exec(log);
      if (match) resolve(match[1]!);
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
  });

beforeAll(async () => {
  const build = await promisify(execFile)(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO });
  expect(build.stderr).toMatch(/^build: dist\/ in \d+ ms/);
  expect(existsSync(join(REPO, 'dist/.build-stamp'))).toBe(true);
  child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    cwd: REPO,
    env: {
      ...process.env,
      NO_COLOR: '1',
      APPSYNC_GATEWAY_FROM: 'dist',
      // Its own stores: `npm start` or another test may serve the example API from the repo at the same time.
      APPSYNC_GATEWAY_SFN_STORE_DIR: fresh('appsync-built-sfn-'),
      APPSYNC_GATEWAY_DATA_DIR: fresh('appsync-built-data-'),
    },
  });
  url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      const match = /GraphQL:\s+(http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const query = async (q: string) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': API_KEY }, body: JSON.stringify({ query: q }) });
  return res.json();
};
const health = async () => (await fetch(url.replace(/\/graphql$/, '/health'))).json();

describe('the built CLI (dist/)', () => {
  it('serves the example API', async () => {
    expect(await query('{ hello(name: "dist") }')).toEqual({ data: { hello: 'Hello, dist! (API Key Authorization)' } });
    expect(await query('mutation { announce(channel: "general", message: "built") { channel message } }')).toEqual({
      data: { announce: { channel: 'general', message: 'built' } },
    });
  });

  it('runs a recurring operation as compiled code', async () => {
    const operation = '{ again: hello(name: "compiled") }';
    const answer = { data: { again: 'Hello, compiled! (API Key Authorization)' } };
    expect(await query(operation)).toEqual(answer);
    // graphql-jit loads in the background after the first operation is answered.
    await expect.poll(async () => (await health()).compiledQueries.jit, { timeout: 10_000, interval: 50 }).toBe('loaded');
    const before = (await health()).compiledQueries;
    expect(await query(operation)).toEqual(answer);
    expect(await query(operation)).toEqual(answer);
    const after = (await health()).compiledQueries;
    // The first run went through graphql-js; the second compiled it, and it and the third ran compiled.
    expect(after).toEqual({ ...before, operations: before.operations + 1, runs: before.runs + 2 });
    expect(after.failed).toBe(0);
    expect(output).not.toContain('graphql-jit');
  });

  it("evaluates the example's simple unit resolvers in the gateway, as from src/", async () => {
    // The analysis runs after listening (acorn, and esbuild for .ts files, loaded from the bundle).
    const counts = /(\d+) of (\d+) APPSYNC_JS unit resolvers and (\d+) of (\d+) pipeline resolvers are evaluated in the gateway/;
    await expect.poll(() => counts.exec(output), { timeout: 10_000, interval: 50 }).not.toBeNull();
    const [, evaluated, units, pipelines, allPipelines] = counts.exec(output)!.map(Number);
    // All 21, with library/createTwoBooks (an array pattern), library/updateBook (Object.keys, member writes in `if`s),
    // gatewayHealth (JSON.parse) and events/createEvent (util as a global, not imported); the library's toBook
    // (Number(), replace, map) is in it.
    expect([evaluated, units]).toEqual([21, 21]);
    // The example's one pipeline (Mutation.announce): its before handler's stash write is in the subset, but its
    // validateAnnouncement function calls util.matches (left out on purpose): the sandbox runs it.
    expect([pipelines, allPipelines]).toEqual([0, 1]);
    expect((await health()).sandbox.evaluatedInGateway).toBe(evaluated! + pipelines!);
    // No file's analysis failed in the bundle (that would send it to the sandbox with a warning).
    expect(output).not.toMatch(/analysis failed|evaluating it in the gateway failed/);
    expect(await query('{ hello(name: "evaluated") }')).toEqual({ data: { hello: 'Hello, evaluated! (API Key Authorization)' } });
  });

  it("runs the example's Postgres resolvers on its embedded PGlite: two statements in one request through the bundled rds module", async () => {
    // createTwoBooks is evaluated in the gateway (its response destructures toJsonObject's two results), through the bundled evaluator.
    const created = await query('mutation { createTwoBooks(authorId: "1", first: "Built Once", second: "Built Twice") { title authorId } }');
    expect(created).toEqual({
      data: {
        createTwoBooks: [
          { title: 'Built Once', authorId: '1' },
          { title: 'Built Twice', authorId: '1' },
        ],
      },
    });
    const found = (await query('{ searchBooks(term: "Built") { title } }')) as { data: { searchBooks: Array<{ title: string }> } };
    expect(found.data.searchBooks.map((b) => b.title).sort()).toEqual(['Built Once', 'Built Twice']);
  }, 60_000);

  it('a Step Functions DynamoDB task writes through the events data source, whose SDK client loads on that first use, to the table its resolvers read', async () => {
    // The data source calls its embedded store in memory and made no SDK client at start; the task asks it for one.
    const sfn = async (action: string, body: unknown) => {
      const res = await fetch(url.replace(/\/graphql$/, '/'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${action}` },
        body: JSON.stringify(body),
      });
      return (await res.json()) as Record<string, string>;
    };
    const definition = {
      StartAt: 'Put',
      States: {
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: {
            TableName: 'events',
            Item: {
              id: { 'S.$': '$.id' },
              name: { S: 'Put by a task' },
              city: { S: 'Lisbon' },
              startsAt: { S: '2030-01-01T10:00:00Z' },
              seats: { N: '5' },
              version: { N: '1' },
            },
          },
          End: true,
        },
      },
    };
    const { stateMachineArn } = await sfn('CreateStateMachine', {
      name: 'builtPutEvent',
      type: 'EXPRESS',
      roleArn: 'arn:aws:iam::123456789012:role/built',
      definition: JSON.stringify(definition),
    });
    const run = await sfn('StartSyncExecution', { stateMachineArn, input: JSON.stringify({ id: 'built-task-1' }) });
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    expect(await query('{ getEvent(id: "built-task-1") { name city seats } }')).toEqual({
      data: { getEvent: { name: 'Put by a task', city: 'Lisbon', seats: 5 } },
    });
  });

  it("evaluates the example's createBook and updateBook in the gateway: their member writes in ifs hand no run to the sandbox", async () => {
    // The analysis runs after listening; the runs below are the gateway's once it has.
    await expect.poll(() => /are evaluated in the gateway/.test(output), { timeout: 10_000, interval: 50 }).toBe(true);
    const before = (await health()).sandbox.handedOver;
    const created = (await query(
      'mutation { createBook(input: { authorId: "2", title: "Built Update", year: 2001, price: 1.5, metadata: "{\\"pages\\": 10}" }) { id metadata } }',
    )) as { data: { createBook: { id: string; metadata: string } } };
    expect(JSON.parse(created.data.createBook.metadata)).toEqual({ pages: 10 });
    const { id } = created.data.createBook;
    expect(await query(`mutation { updateBook(id: "${id}", title: "Built Updated", price: 2.25) { title price inStock } }`)).toEqual({
      data: { updateBook: { title: 'Built Updated', price: 2.25, inStock: true } },
    });
    expect(await query(`mutation { updateBook(id: "${id}", inStock: false) { title price inStock } }`)).toEqual({
      data: { updateBook: { title: 'Built Updated', price: 2.25, inStock: false } },
    });
    expect((await health()).sandbox.handedOver).toBe(before);
    // Nothing to update: the util.error guard holds, and that run (only) is handed to the sandbox, which answers its error.
    const refused = (await query(`mutation { updateBook(id: "${id}") { title } }`)) as { errors: Array<{ message: string; errorType: string }> };
    expect(refused.errors[0]).toMatchObject({ message: 'Nothing to update', errorType: 'BadRequest' });
    expect((await health()).sandbox.handedOver).toBe(before + 1);
  }, 60_000);

  it('serves subscriptions over graphql-transport-ws, and refuses a bad one with its errors', async () => {
    const client = createClient({
      url: url.replace('http://', 'ws://'),
      webSocketImpl: WebSocket,
      connectionParams: { 'x-api-key': API_KEY },
      retryAttempts: 0,
    });
    try {
      const refused = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { onAnnouncement(channel: "built") { nope } }' },
          { next: resolve, error: resolve, complete: () => resolve('complete') },
        );
      });
      // graphql-ws sends the errors as an error message only if they are GraphQLErrors of its own graphql.
      expect(refused).toEqual([expect.objectContaining({ message: expect.stringContaining('nope') })]);

      const received: unknown[] = [];
      let failure: unknown;
      const dispose = client.subscribe(
        { query: 'subscription { onAnnouncement(channel: "built") { channel message } }' },
        { next: (v) => void received.push(v), error: (e) => void (failure = e), complete: () => undefined },
      );
      // The subscription is registered once the server has answered its start; announce until one arrives.
      await expect
        .poll(
          async () => {
            if (received.length === 0 && failure === undefined) await query('mutation { announce(channel: "built", message: "hi") { id channel message } }');
            return received.length > 0 || failure !== undefined;
          },
          { timeout: 10_000, interval: 100 },
        )
        .toBe(true);
      expect(failure).toBeUndefined();
      expect(received[0]).toEqual({ data: { onAnnouncement: { channel: 'built', message: 'hi' } } });
      dispose();
    } finally {
      await client.dispose();
    }
  });
});

describe('the package as a library', () => {
  it('plain Node (no tsx) imports appsync-gateway by name from dist/ and serves a gateway made with createGateway', async () => {
    const dir = fresh('appsync-package-');
    const { mkdirSync, symlinkSync } = await import('node:fs');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO, join(dir, 'node_modules', 'appsync-gateway'));
    writeFileSync(
      join(dir, 'hello.js'),
      'export function request(ctx) { return { payload: `hi ${ctx.args.name}` }; }\nexport function response(ctx) { return ctx.result; }\n',
    );
    writeFileSync(
      join(dir, 'main.mjs'),
      `import { createGateway, defineConfig } from 'appsync-gateway';
const config = defineConfig({
  name: 'package-smoke',
  schemaSdl: 'type Query { hello(name: String!): String }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-packagesmoketest0000000' }],
  dataSources: { none: { type: 'NONE' } },
  resolvers: { 'Query.hello': { kind: 'UNIT', dataSource: 'none', code: 'hello.js' } },
});
const gateway = await createGateway(config, { configDir: process.cwd(), inMemory: true, logger: { debug() {}, info() {}, warn() {}, error: console.error } });
const { url } = await gateway.listen({ port: 0 });
const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'da2-packagesmoketest0000000' }, body: JSON.stringify({ query: '{ hello(name: "pkg") }' }) });
console.log(JSON.stringify(await res.json()));
await gateway.close();
`,
    );
    // An empty NODE_OPTIONS: nothing (such as tsx) is preloaded.
    const { stdout } = await promisify(execFile)(process.execPath, ['main.mjs'], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' } });
    expect(JSON.parse(stdout.trim())).toEqual({ data: { hello: 'hi pkg' } });
  }, 60_000);
});

describe('VTL templates on the built CLI', () => {
  it("evaluates the VTL bench's templates in the gateway, and says so, as from src/", async () => {
    const KEY = 'da2-vtlbuiltcli0000000000000';
    const dir = fresh('appsync-vtl-cli-');
    const files: Record<string, string> = {
      'appsync.config.yml': `name: vtl-built
schema: schema.graphql
authentication: { type: API_KEY }
apiKeys: [{ name: k, value: ${KEY} }]
dataSources: { none: { type: NONE } }
resolvers:
  Query.getPost: { kind: UNIT, dataSource: none, request: getPost.request.vtl, response: getPost.response.vtl }
  Query.getPostFields: { kind: UNIT, dataSource: none, request: getPost.request.vtl, response: getPostFields.response.vtl }
  Query.tags: { kind: UNIT, dataSource: none, request: tags.request.vtl }
`,
      'schema.graphql':
        'type Post { id: ID! title: String views: Int }\ntype Query { getPost(id: ID!): Post  getPostFields(id: ID!): Post  tags(l: [String]): String }\n',
      // test/bench/vtl.bench.ts's templates.
      'getPost.request.vtl': '{ "version": "2018-05-29", "payload": { "id": $util.toJson($ctx.args.id), "title": "Hello", "views": 42 } }\n',
      'getPost.response.vtl': '$util.toJson($ctx.result)\n',
      'getPostFields.response.vtl': '#set($post = $ctx.result)\n{ "id": $util.toJson($post.id), "title": $util.toJson($post.title), "views": $post.views }\n',
      // A macro: left to the sandbox.
      'tags.request.vtl': '#macro(joined $l)#foreach($t in $l)$t#end#end\n{ "version": "2018-05-29", "payload": "#joined($ctx.args.l)" }\n',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const server = serveInMemory(dir, 'appsync-vtl-sfn-');
    let log = '';
    server.stdout!.on('data', (d: Buffer) => void (log += d));
    server.stderr!.on('data', (d: Buffer) => void (log += d));
    try {
      const graphql = await graphqlUrlOf(server);
      const health = async () => (await (await fetch(graphql.replace(/\/graphql$/, '/health'))).json()) as { sandbox: { evaluatedInGateway: number } };
      await expect.poll(async () => (await health()).sandbox.evaluatedInGateway, { timeout: 10_000, interval: 50 }).toBe(2);
      await expect.poll(() => log, { timeout: 10_000, interval: 50 }).toContain('2 of 3 VTL unit resolvers are evaluated in the gateway');
      expect(log).not.toMatch(/analysis failed|evaluating it in the gateway failed/);
      const res = await fetch(graphql, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ query: '{ getPost(id: "1") { id title views } getPostFields(id: "2") { id title views } tags(l: ["a", "b"]) }' }),
      });
      expect(await res.json()).toEqual({
        data: { getPost: { id: '1', title: 'Hello', views: 42 }, getPostFields: { id: '2', title: 'Hello', views: 42 }, tags: 'ab' },
      });
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
    }
  }, 60_000);
});

describe('flush-cache on the built CLI', () => {
  const KEY = 'da2-flushcacheclitest000';
  const runCli = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', APPSYNC_GATEWAY_FROM: 'dist', ...env } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it("empties a running gateway's API cache through FlushApiCache, and says which API", async () => {
    const dir = fresh('appsync-flush-cli-');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(dir, 'appsync.config.yml'),
      `name: flush-example
schemaSdl: 'type Query { stamp: String }'
authentication: { type: API_KEY }
apiKeys: [{ name: k, value: ${KEY} }]
caching: { behavior: FULL_REQUEST_CACHING, ttl: 3600 }
dataSources: { none: { type: NONE } }
resolvers:
  Query.stamp: { kind: UNIT, dataSource: none, code: stamp.js }
`,
    );
    // A new id on every run: an answer that repeats came from the cache.
    writeFileSync(
      join(dir, 'stamp.js'),
      "import { util } from '@aws-appsync/utils';\nexport function request() { return { payload: util.autoId() }; }\nexport function response(ctx) { return ctx.result; }\n",
    );
    const server = serveInMemory(dir, 'appsync-flush-sfn-');
    let origin = '';
    try {
      const graphql = await graphqlUrlOf(server);
      origin = new URL(graphql).origin;
      const stamp = async () => {
        const res = await fetch(graphql, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: '{"query":"{ stamp }"}' });
        return ((await res.json()) as { data: { stamp: string } }).data.stamp;
      };
      const first = await stamp();
      expect(await stamp()).toBe(first);
      const flushed = await runCli(['flush-cache', '--url', origin]);
      expect(flushed).toMatchObject({ code: 0, stdout: `flushed the API cache of flush-example at ${origin}\n` });
      const second = await stamp();
      expect(second).not.toBe(first);
      expect(await stamp()).toBe(second);
      // By name, signed with SigV4 as a shell with AWS credentials would send it.
      const signed = await runCli(['flush-cache', '--url', origin, '--api', 'flush-example'], { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
      expect(signed.code).toBe(0);
      expect(await stamp()).not.toBe(second);
      const unknown = await runCli(['flush-cache', '--url', origin, '--api', 'nope']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe(
        'flush-cache: NotFoundException: the gateway serves no API with the id or name "nope" (its APIs: flush-example (flush-example))\n',
      );
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
    }
    // The gateway is gone: the command says why it could not reach it.
    const down = await runCli(['flush-cache', '--url', origin]);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`flush-cache: connect ECONNREFUSED ${new URL(origin).host}\n`);
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('appsync-gateway flush-cache [--api ID] [--url URL]');
  }, 60_000);
});

describe('TypeScript resolver files on the built CLI', () => {
  const KEY = 'da2-typescriptbuiltcli000000';
  const files: Record<string, string> = {
    'appsync.config.yml': `name: typescript
schema: schema.graphql
authentication: { type: API_KEY }
apiKeys: [{ name: k, value: ${KEY} }]
dataSources: { none: { type: NONE } }
resolvers:
  Query.hello: { kind: UNIT, dataSource: none, code: hello.ts }
  Query.pipe: { kind: PIPELINE, code: before.ts, functions: [add, double] }
  Query.again: { kind: PIPELINE, code: before.ts, functions: [add, add] }
pipelineFunctions:
  add: { dataSource: none, code: add.ts }
  double: { dataSource: none, code: double.js }
`,
    'schema.graphql': 'type Query { hello(name: String): String  pipe(n: Int): AWSJSON  again(n: Int): AWSJSON }\n',
    'hello.ts': `type Args = { name: string };
export function request(ctx: { args: Args }) { return { payload: \`Hello, \${ctx.args.name}\` }; }
export function response(ctx: { result: string }): string { return ctx.result; }
`,
    'before.ts': `export function request(ctx: { args: { n: number } }) { return { n: ctx.args.n }; }
export function response(ctx: { prev: { result: unknown } }) { return ctx.prev.result; }
`,
    'add.ts': `interface Prev { n: number }
export function request(ctx: { prev: { result: Prev } }) { return { payload: { n: ctx.prev.result.n + 1 } }; }
export function response(ctx: { result: Prev }) { return ctx.result; }
`,
    'double.js': `export function request(ctx) { return { payload: { n: ctx.prev.result.n * 2 } }; }
export function response(ctx) { return ctx.result; }
`,
  };
  const COUNTER = fileURLToPath(new URL('./fixtures/count-esbuild.mjs', import.meta.url));

  /**
   * One start of the API in `dir` (its compile cache in `dir/.data/cache`), with esbuild's calls
   * counted (fixtures/count-esbuild.mjs) until the gateway evaluates all three resolvers itself:
   * the calls, sorted, as `transform <file>` / `build <file>` with the file's name alone.
   */
  async function start(dir: string): Promise<{ calls: string[]; answer: unknown }> {
    const calls = join(dir, `esbuild-calls-${Date.now()}.log`);
    writeFileSync(calls, '');
    const server = spawn(process.execPath, ['--import', COUNTER, BIN, 'serve', '--port', '0', '--in-memory'], {
      cwd: dir,
      env: {
        ...process.env,
        NO_COLOR: '1',
        APPSYNC_GATEWAY_FROM: 'dist',
        APPSYNC_GATEWAY_SFN_STORE_DIR: fresh('appsync-ts-sfn-'),
        ESBUILD_CALLS: calls,
        ESBUILD_FROM: join(REPO, 'package.json'),
      },
    });
    try {
      const graphql = await graphqlUrlOf(server);
      const health = async () => (await (await fetch(graphql.replace(/\/graphql$/, '/health'))).json()) as { sandbox: { evaluatedInGateway: number } };
      // The analysis runs after the start: once it has marked all three, every call esbuild got is in the log.
      await expect.poll(async () => (await health()).sandbox.evaluatedInGateway, { timeout: 10_000, interval: 50 }).toBe(3);
      const res = await fetch(graphql, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ query: '{ hello(name: "ts") pipe(n: 1) again(n: 1) }' }),
      });
      const lines = readFileSync(calls, 'utf8').split('\n').filter(Boolean);
      return { calls: lines.map((line) => line.replace(`${dir}/`, '')).sort(), answer: await res.json() };
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
    }
  }

  it('strips a file once on a start with an empty compile cache and never on a start that finds it cached', async () => {
    const dir = fresh('appsync-ts-project-');
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const answer = { data: { hello: 'Hello, ts', pipe: JSON.stringify({ n: 4 }), again: JSON.stringify({ n: 3 }) } };

    const cold = await start(dir);
    expect(cold.answer).toEqual(answer);
    // One bundle per file, one transform per TypeScript file (the linter and the evaluator share it).
    expect(cold.calls).toEqual([
      'build add.ts',
      'build before.ts',
      'build double.js',
      'build hello.ts',
      'transform add.ts',
      'transform before.ts',
      'transform hello.ts',
    ]);

    const warm = await start(dir);
    expect(warm.answer).toEqual(answer);
    // Bundles, lint findings and stripped text all come from the cache: esbuild is not asked at all.
    expect(warm.calls).toEqual([]);
  }, 60_000);
});

describe('a Cognito pool on the built CLI (docs/auth.md#verified-tokens-are-kept)', () => {
  it('takes a token again from its kept verification, refuses a forged one of the same claims and the token once its exp passes', async () => {
    const { startIssuer } = await import('../utils/jwks-server.js');
    const pool = await startIssuer('/us-east-1_Built');
    const dir = fresh('appsync-cognito-built-');
    writeFileSync(
      join(dir, 'appsync.config.yml'),
      `name: cognito-built
schemaSdl: 'type Query { me: String }'
authentication:
  type: AMAZON_COGNITO_USER_POOLS
  config: { userPoolId: us-east-1_Built, issuer: '${pool.issuer}', jwksUri: '${pool.jwksUri}' }
dataSources: { none: { type: NONE } }
resolvers:
  Query.me: { kind: UNIT, dataSource: none, code: me.js }
`,
    );
    writeFileSync(
      join(dir, 'me.js'),
      'export function request(ctx) { return { payload: ctx.identity.sub }; }\nexport function response(ctx) { return ctx.result; }\n',
    );
    const server = serveInMemory(dir, 'appsync-cognito-sfn-');
    try {
      const graphql = await graphqlUrlOf(server);
      const me = async (token: string) => {
        const res = await fetch(graphql, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: '{"query":"{ me }"}' });
        return { status: res.status, body: (await res.json()) as unknown };
      };
      const refused = { status: 401, body: { errors: [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }] } };
      const token = await pool.sign({ sub: 'ann', token_use: 'id', aud: 'web' });
      expect(await me(token)).toEqual({ status: 200, body: { data: { me: 'ann' } } });
      expect(await me(token)).toEqual({ status: 200, body: { data: { me: 'ann' } } });
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const at = Math.floor(signature.length / 2);
      const forged = `${header}.${payload}.${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
      expect(await me(forged)).toEqual(refused);
      // Real time: the server is another process. Its exp is the next whole second but one.
      const exp = Math.floor(Date.now() / 1000) + 2;
      const brief = await pool.sign({ sub: 'bob', token_use: 'id', aud: 'web', exp });
      expect(await me(brief)).toEqual({ status: 200, body: { data: { me: 'bob' } } });
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 100));
      expect(await me(brief)).toEqual({ status: 401, body: { errors: [{ errorType: 'UnauthorizedException', message: 'Token has expired.' }] } });
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
      await pool.close();
    }
  }, 60_000);
});
