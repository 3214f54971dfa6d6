/**
 * The processes the bench loads, and the autocannon load every one gets: the same URL, headers and
 * connection count, with the body of the row being measured.
 *
 * - `startServer`: a comparison server (servers/<name>.ts: raw, lean, yoga) through tsx;
 * - `startGatewayCli`: the gateway as users run it, `bin/appsync-gateway.mjs serve` on the built
 *   dist/ (`npm start`), in a temporary project folder written from test/bench/fixtures/.
 *
 * Server CPU time is read from /proc (user + system of every thread of the process and of the
 * processes it runs: the gateway's worker threads and sandbox processes count), so no server needs
 * to report its own.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { API_KEY, BODY } from './shared.js';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Seconds each row is loaded per round (after WARMUP_S), and rounds per run. */
export const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
export const WARMUP_S = 1;
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/**
 * What a server just started still does in the background after its first answers (the gateway starts
 * its further sandbox processes a second after the first answered call, and loads graphql-jit after
 * it): waited out before a round measures fresh processes.
 */
export function settle(ms = 2500): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const BIN = fileURLToPath(new URL('../../bin/appsync-gateway.mjs', import.meta.url));
const BUILD = fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /** The server's CPU time (user + system, all threads) so far, in µs. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

let clockTicks: number | undefined;
/**
 * CPU time (user + system) of process `pid`, every thread of it, and of the processes it started
 * that are still running (a sandbox process pool counts as the gateway's; not with `withChildren` false), from /proc, in µs.
 */
export function processCpuMicros(pid: number, withChildren = true): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  let ticks = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${next}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // Fields after the command name (which may hold spaces) in parentheses; utime and stime are
    // the 14th and 15th fields of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${next}/task`);
    } catch {
      continue; // ended meanwhile
    }
    for (const tid of tids) {
      let children = '';
      try {
        children = readFileSync(`/proc/${next}/task/${tid}/children`, 'utf8').trim();
      } catch {
        // the thread ended meanwhile (or a kernel without CONFIG_PROC_CHILDREN: the process alone counts)
      }
      if (children && withChildren) pending.push(...children.split(' ').map(Number));
    }
  }
  return (ticks * 1e6) / clockTicks;
}

/**
 * Resolves once `pattern` matches what the child printed (stdout and stderr), with the match.
 * Output is read to the end either way, so a chatty server never blocks on a full pipe.
 */
function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  let out = '';
  let found = false;
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      if (found) return;
      out += d;
      const match = pattern.exec(out);
      if (match) {
        found = true;
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      if (!found) reject(new Error(`${what} exited with ${code}:\n${out}`));
    });
  });
}

function handle(child: ChildProcess, port: number, cleanup?: () => Promise<void>): ServerProcess {
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    port,
    child,
    cpuMicros: async () => processCpuMicros(child.pid!),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      await cleanup?.();
    },
  };
}

/** A comparison server, servers/<file>, through tsx. */
export async function startServer(file: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  const path = fileURLToPath(new URL(`./servers/${file}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const match = await waitForOutput(child, /LISTENING (\d+)\n/, file);
  return handle(child, Number(match[1]));
}

let built: Promise<void> | undefined;
/** `npm run build` once per bench run, so dist/ is what src/ holds now (as `npm start` would need). */
export function buildOnce(): Promise<void> {
  built ??= (async () => {
    execFileSync(process.execPath, [BUILD], { stdio: ['ignore', 'ignore', 'inherit'] });
  })();
  return built;
}

/** The bench APIs of the gateway: fields on the built-in NONE data source, or on the embedded DynamoDB store. */
export type GatewayVariant = 'none' | 'dynamodb';

function gatewayConfig(variant: GatewayVariant): string {
  const dynamodb = variant === 'dynamodb';
  return `name: bench-${variant}
schema:
  - schema.graphql
${dynamodb ? '  - seed.graphql\n' : ''}authentication:
  type: API_KEY
apiKeys:
  - name: bench
    value: ${API_KEY}
dataSources:
  none:
    type: NONE
${
  dynamodb
    ? `  posts:
    type: AMAZON_DYNAMODB
    config:
      tableName: posts
      table:
        AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
        KeySchema: [{ AttributeName: id, KeyType: HASH }]
        BillingMode: PAY_PER_REQUEST
`
    : ''
}resolvers:
  Query.echo: { kind: UNIT, dataSource: none, code: echo.js }
${
  dynamodb
    ? `  Query.getPost: { kind: UNIT, dataSource: posts, code: getPostDynamoDB.js }
  Mutation.putPost: { kind: UNIT, dataSource: posts, code: putPostDynamoDB.js }
`
    : `  Query.getPost: { kind: UNIT, dataSource: none, code: getPost.js }
`
}`;
}

/**
 * The gateway as `npm start` runs it: `node bin/appsync-gateway.mjs serve` on dist/ (built first),
 * in a fresh project folder holding `files` (appsync.config.yml and what it names); the folder,
 * with whatever the gateway stored there, goes when the server stops.
 */
export async function startCliProject(
  name: string,
  files: Record<string, string | Buffer>,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
  /** `ipc`: an IPC channel to the server (a probe given with `--import` in `nodeArgs` answers on it). */
  options: { ipc?: boolean } = {},
): Promise<ServerProcess> {
  await buildOnce();
  const dir = await mkdtemp(join(tmpdir(), `appsync-bench-${name}-`));
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: dir,
    env: { ...process.env, NODE_NO_WARNINGS: '1', NO_COLOR: '1', APPSYNC_GATEWAY_FROM: 'dist', APPSYNC_GATEWAY_SFN_STORE_DIR: join(dir, '.sfn'), ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  try {
    // A config holding only an Event API prints its Events line and no GraphQL one.
    const match = await waitForOutput(child, /(?:GraphQL|Events):\s+http:\/\/[^:\s]+:(\d+)\/(?:graphql|event)/, `gateway (${name})`);
    return handle(child, Number(match[1]), () => rm(dir, { recursive: true, force: true }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The bench API on the built CLI; with `dynamodb`, the post is written through the API first. */
export async function startGatewayCli(variant: GatewayVariant, nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
  const files: Record<string, string | Buffer> = {
    'appsync.config.yml': gatewayConfig(variant),
    'seed.graphql': 'type Mutation { putPost(id: ID!, title: String, views: Int): Post }\n',
  };
  for (const file of ['schema.graphql', 'echo.js', 'getPost.js', 'getPostDynamoDB.js', 'putPostDynamoDB.js']) {
    files[file] = await readFile(join(FIXTURES, file));
  }
  const server = await startCliProject(variant, files, nodeArgs, env);
  if (variant === 'dynamodb') {
    const put = await post(server.port, JSON.stringify({ query: 'mutation { putPost(id: "1", title: "Hello", views: 42) { id } }' }));
    if ((put as { data?: { putPost?: unknown } })?.data?.putPost == null) {
      await server.stop();
      throw new Error(`gateway (dynamodb) could not write the post: ${JSON.stringify(put)}`);
    }
  }
  return server;
}

/** One POST /graphql with the bench's API key; the parsed answer. */
export async function post(port: number, body: string, apiKey = API_KEY): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body });
  return res.json();
}

export interface LoadResult {
  reqPerSec: number;
  total: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `seconds` of load at `connections` connections, every request the same POST /graphql. */
export async function load(port: number, seconds: number, body = BODY, connections = CONNECTIONS, apiKey = API_KEY): Promise<LoadResult> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body,
    connections,
    duration: seconds,
  });
  return { reqPerSec: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}
