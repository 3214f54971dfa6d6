/**
 * API cache bench (`BENCH_ONLY=caching npm run bench`; docs/caching.md): `getPost` (a GetItem on
 * the embedded DynamoDB through an APPSYNC_JS resolver) with caching off, with FULL_REQUEST_CACHING
 * and with OPERATION_LEVEL_CACHING; and the cost of caching on a miss: the same query with a new
 * `id` on every request (each one a miss that fills an entry) with caching off and on; and the same
 * misses once the cache is full (a bound of FULL_CACHE_MB, filled before the rounds), where every
 * write evicts entries, against caching off in the same rounds.
 *
 * Over HTTP also a page of posts, each with its author (a Scan and a GetItem per post), cached and
 * not: what a cached answer saves grows with the resolvers it skips, where `getPost` is the least.
 *
 * Over HTTP, a bare node:http server answering the same JSON it has ready (servers/raw.ts) is loaded in
 * the same rounds: no cached answer can be served faster than it, so its ratio to caching off is the
 * most the cached rows can reach on this machine.
 *
 * Measured twice: in-process (the request handler on in-memory request objects: the hits as wall
 * time per request, best of 5 rounds; the misses as CPU per request, caching off, on and full
 * taking turns for MISS_ROUNDS rounds and compared within each round, since a burst of other load
 * on the machine falls on one row of a pair otherwise) and over HTTP on the built CLI (autocannon;
 * each pair loaded in turn, round after round, and compared within its round; the miss rows twice a round;
 * new server processes each round, as processes of the same build differ by more than the miss row's target).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { normalizeConfig } from '../../src/config/index.js';
import { loadBuiltInDataSourceKinds } from '../../src/datasources/index.js';
import { handleGraphQLHttp } from '../../src/server/httpHandler.js';
import { loadApi, type Api } from '../../src/server/loadApi.js';
import { parse as parseYaml } from 'yaml';
import { silentLogger } from '../utils/logger.js';
import type { BenchRow } from './run.js';
import { CONNECTIONS, DURATION_S, ROUNDS, WARMUP_S, load, median, post, settle, startCliProject, startServer, type ServerProcess } from './serverProcess.js';
import { API_KEY, ANSWER, BODY } from './shared.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The miss rows' query: one text (parsed and compiled once), a new `id` in its variables each time. */
const BY_ID = 'query ($id: ID!) { getPost(id: $id) { id title views } }';

/**
 * What the caching API adds to the bench schema: the mutations that seed it, and a page of posts each
 * with its author (a Scan, then a GetItem per post: the work a cached answer saves grows with the page).
 */
const SEED_SDL = `type Mutation {
  putPost(id: ID!, title: String, views: Int, authorId: ID): Post
  putAuthor(id: ID!, name: String): Author
}
type Author {
  id: ID!
  name: String
}
type PostPage {
  items: [Post]
  nextToken: String
}
extend type Post {
  authorId: ID
  author: Author
}
extend type Query {
  listPosts(limit: Int): PostPage
}
`;

/** Posts in the page rows' page, each by one of PAGE_AUTHORS authors. */
const PAGE_POSTS = 20;
const PAGE_AUTHORS = 5;
const PAGE_QUERY = `{ listPosts(limit: ${PAGE_POSTS}) { items { id title views author { id name } } } }`;
const PAGE_BODY = JSON.stringify({ query: PAGE_QUERY });

export type Caching = 'off' | 'FULL_REQUEST_CACHING' | 'OPERATION_LEVEL_CACHING';

/**
 * The full-cache miss rows' bound (`caching.maxSizeMb`): small enough that the misses before the
 * rounds fill it (~20,000 entries of this query), larger than the CPU's caches as the default 64 MB is.
 */
const FULL_CACHE_MB = 4;
/** Misses sent before the full-cache rows are measured: more than FULL_CACHE_MB holds. */
const FULL_CACHE_FILL = 40_000;

function config(caching: Caching, maxSizeMb?: number): string {
  return `name: bench-cache-${caching}
schema:
  - schema.graphql
  - seed.graphql
authentication:
  type: API_KEY
apiKeys:
  - name: bench
    value: ${API_KEY}
${caching === 'off' ? '' : `caching:\n  behavior: ${caching}\n  ttl: 3600\n${maxSizeMb === undefined ? '' : `  maxSizeMb: ${maxSizeMb}\n`}`}dataSources:
  none:
    type: NONE
${['posts', 'authors']
  .map(
    (table) => `  ${table}:
    type: AMAZON_DYNAMODB
    config:
      tableName: ${table}
      table:
        AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
        KeySchema: [{ AttributeName: id, KeyType: HASH }]
        BillingMode: PAY_PER_REQUEST
`,
  )
  .join('')}resolvers:
  Query.echo: { kind: UNIT, dataSource: none, code: echo.js }
  Query.getPost: { kind: UNIT, dataSource: posts, code: getPostDynamoDB.js }
  Query.listPosts: { kind: UNIT, dataSource: posts, code: listPostsDynamoDB.js }
  Post.author: { kind: UNIT, dataSource: authors, code: getAuthorDynamoDB.js }
  Mutation.putPost: { kind: UNIT, dataSource: posts, code: putPostDynamoDB.js }
  Mutation.putAuthor: { kind: UNIT, dataSource: authors, code: putAuthorDynamoDB.js }
`;
}

export async function projectFiles(caching: Caching, maxSizeMb?: number): Promise<Record<string, string | Buffer>> {
  const files: Record<string, string | Buffer> = {
    'appsync.config.yml': config(caching, maxSizeMb),
    'seed.graphql': SEED_SDL,
  };
  const code = ['echo.js', 'getPostDynamoDB.js', 'putPostDynamoDB.js', 'listPostsDynamoDB.js', 'getAuthorDynamoDB.js', 'putAuthorDynamoDB.js'];
  for (const file of ['schema.graphql', ...code]) files[file] = await readFile(join(FIXTURES, file));
  return files;
}

/** The built CLI serving the bench's API with `caching`, `getPost` seeded and checked (also test/bench/profile.ts's `gateway-cached`). */
export async function startCachingGateway(
  caching: Caching,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
  maxSizeMb?: number,
): Promise<ServerProcess> {
  const server = await startCliProject(`cache-${caching}`, await projectFiles(caching, maxSizeMb), nodeArgs, env);
  for (const mutation of seedMutations()) await post(server.port, JSON.stringify({ query: mutation }));
  const answer = await post(server.port, BODY);
  const page = (await post(server.port, PAGE_BODY)) as { data?: { listPosts?: { items?: Array<{ author?: { name?: string } }> } } };
  const items = page.data?.listPosts?.items ?? [];
  if (JSON.stringify(answer) !== JSON.stringify(ANSWER) || items.length !== PAGE_POSTS || !items.every((item) => item.author?.name)) {
    await server.stop();
    throw new Error(`gateway (caching ${caching}) answered ${JSON.stringify(answer)} and ${JSON.stringify(page)}`);
  }
  return server;
}

/** Post 1 (`getPost`'s), the authors, and posts enough that a page of PAGE_POSTS holds only posts with an author. */
function seedMutations(): string[] {
  const mutations = ['mutation { putPost(id: "1", title: "Hello", views: 42, authorId: "a1") { id } }'];
  for (let a = 1; a <= PAGE_AUTHORS; a++) mutations.push(`mutation { putAuthor(id: "a${a}", name: "Author ${a}") { id } }`);
  for (let p = 1; p <= PAGE_POSTS; p++) {
    mutations.push(`mutation { putPost(id: "p${p}", title: "Post ${p}", views: ${p}, authorId: "a${1 + (p % PAGE_AUTHORS)}") { id } }`);
  }
  return mutations;
}

/** Load where every request asks for another post (all misses; posts that do not exist answer null). */
async function loadMisses(port: number, seconds: number, amount?: number): Promise<{ reqPerSec: number; total: number; errors: number }> {
  let n = 0;
  const base = Date.now().toString(36);
  const options = {
    url: `http://127.0.0.1:${port}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    connections: CONNECTIONS,
    ...(amount === undefined ? { duration: seconds } : { amount }),
    requests: [{ setupRequest: (req: { body?: string }) => ({ ...req, body: JSON.stringify({ query: BY_ID, variables: { id: `${base}-${n++}` } }) }) }],
  };
  const r = await autocannon(options as unknown as Parameters<typeof autocannon>[0]);
  return { reqPerSec: r.requests.average, total: r.requests.total, errors: r.errors + r.non2xx };
}

interface Measured {
  reqPerSec: number;
  cpu: number;
  errors: number;
}

/** One row's load in one round: `body` each request, or (`'misses'`) a new `id` each request. */
async function measure(server: ServerProcess, body: string | 'misses'): Promise<Measured> {
  const misses = body === 'misses';
  if (misses) await loadMisses(server.port, WARMUP_S);
  else await load(server.port, WARMUP_S, body);
  const cpuBefore = await server.cpuMicros();
  const r = misses ? await loadMisses(server.port, DURATION_S) : await load(server.port, DURATION_S, body);
  const cpu = ((await server.cpuMicros()) - cpuBefore) / Math.max(1, r.total);
  return { reqPerSec: r.reqPerSec, cpu, errors: r.errors };
}

/** What node:http hands the handler, reduced to what it reads. */
function fakeRequest(): IncomingMessage {
  const req = new EventEmitter() as unknown as IncomingMessage & Record<string, unknown>;
  req.method = 'POST';
  req.url = '/graphql';
  req.headers = { host: '127.0.0.1:4000', 'content-type': 'application/json', 'x-api-key': API_KEY };
  (req as unknown as { socket: unknown }).socket = { remoteAddress: '127.0.0.1' };
  return req;
}

class FakeResponse {
  body = '';
  headersSent = false;
  writeHead() {
    return this;
  }
  end(body?: string) {
    this.body = body ?? '';
    return this;
  }
}

async function loadInProcess(caching: Caching, dir: string, maxSizeMb?: number): Promise<Api> {
  for (const [name, content] of Object.entries(await projectFiles(caching, maxSizeMb))) await writeFile(join(dir, name), content);
  const raw = parseYaml(config(caching, maxSizeMb)) as Record<string, unknown>;
  const types = ['NONE', 'AMAZON_DYNAMODB'];
  const kinds = await loadBuiltInDataSourceKinds(types);
  const normalized = normalizeConfig(raw as never, { configDir: dir, knownDataSourceTypes: types });
  return loadApi(normalized, { logger: silentLogger, kinds, dataFolder: { dir: undefined, inMemory: true }, compileAfterRuns: 0 });
}

/**
 * In-process rounds of the miss rows (each: MISS_ROUND_REQUESTS misses on each API in turn): many short
 * rounds, as a round a collection falls in is an outlier the median leaves out.
 */
const MISS_ROUNDS = 31;
const MISS_ROUND_REQUESTS = 500;

/** Wall time per request (µs), best of 5 rounds; `body()` gives each request's body. */
async function timeRequests(api: Api, iterations: number, body: () => Buffer): Promise<number> {
  const req = fakeRequest();
  const res = new FakeResponse();
  const run = () => handleGraphQLHttp(req, res as unknown as ServerResponse, body(), api);
  for (let i = 0; i < 500; i++) await run();
  await new Promise((resolve) => setTimeout(resolve, 200));
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  if (!res.body.includes('"getPost"')) throw new Error(`the gateway answered ${res.body}`);
  return best;
}

/**
 * CPU per request (µs) of `iterations` requests on each API in turn, for MISS_ROUNDS rounds, after
 * 500 warm-up requests on each: one list of rounds per API.
 */
async function interleavedRounds(apis: Api[], iterations: number, body: () => Buffer): Promise<number[][]> {
  const req = fakeRequest();
  const res = new FakeResponse();
  const rounds = apis.map(() => [] as number[]);
  for (const api of apis) for (let i = 0; i < 500; i++) await handleGraphQLHttp(req, res as unknown as ServerResponse, body(), api);
  for (let round = 0; round < MISS_ROUNDS; round++) {
    for (const [a, api] of apis.entries()) {
      const start = process.cpuUsage();
      for (let i = 0; i < iterations; i++) await handleGraphQLHttp(req, res as unknown as ServerResponse, body(), api);
      const used = process.cpuUsage(start);
      rounds[a]!.push((used.user + used.system) / iterations);
    }
  }
  if (!res.body.includes('"getPost"')) throw new Error(`the gateway answered ${res.body}`);
  return rounds;
}

async function runInProcess(): Promise<BenchRow[]> {
  const apis = new Map<Caching | 'full cache', Api>();
  const dir = await mkdtemp(join(tmpdir(), 'appsync-bench-cache-'));
  try {
    for (const caching of ['off', 'FULL_REQUEST_CACHING', 'OPERATION_LEVEL_CACHING', 'full cache'] as const) {
      await mkdir(join(dir, caching));
      const api =
        caching === 'full cache'
          ? await loadInProcess('FULL_REQUEST_CACHING', join(dir, caching), FULL_CACHE_MB)
          : await loadInProcess(caching, join(dir, caching));
      apis.set(caching, api);
      await api.ready();
      const res = new FakeResponse();
      const seed = Buffer.from(JSON.stringify({ query: 'mutation { putPost(id: "1", title: "Hello", views: 42) { id } }' }));
      await handleGraphQLHttp(fakeRequest(), res as unknown as ServerResponse, seed, api);
    }
    const fixed = Buffer.from(BODY);
    let n = 0;
    const base = Date.now().toString(36);
    const fresh = () => Buffer.from(JSON.stringify({ query: BY_ID, variables: { id: `${base}-${n++}` } }));
    const off = await timeRequests(apis.get('off')!, 1000, () => fixed);
    const full = await timeRequests(apis.get('FULL_REQUEST_CACHING')!, 5000, () => fixed);
    const op = await timeRequests(apis.get('OPERATION_LEVEL_CACHING')!, 5000, () => fixed);
    const fullCache = apis.get('full cache')!;
    const filling = fakeRequest();
    const filled = new FakeResponse();
    for (let i = 0; i < FULL_CACHE_FILL; i++) await handleGraphQLHttp(filling, filled as unknown as ServerResponse, fresh(), fullCache);
    const [offRounds, fullRounds, fullCacheRounds] = await interleavedRounds(
      [apis.get('off')!, apis.get('FULL_REQUEST_CACHING')!, fullCache],
      MISS_ROUND_REQUESTS,
      fresh,
    );
    const offMiss = median(offRounds!);
    const ratios = (rounds: number[]) => rounds.map((cpu, i) => cpu / offRounds![i]!);
    const missNote = (rounds: number[]) =>
      `CPU per request, median of ${MISS_ROUNDS} interleaved rounds; ratio: median of the rounds' (${ratios(rounds)
        .map((r) => r.toFixed(2))
        .join(', ')}); ratio > 1: slower by that factor`;
    return [
      { name: 'in-process: getPost on embedded DynamoDB, caching off', value: off, unit: 'µs/req' },
      { name: 'in-process: FULL_REQUEST_CACHING, cached (target ≥ 5× faster)', value: full, unit: 'µs/req', baseline: 'caching off', ratio: off / full },
      { name: 'in-process: OPERATION_LEVEL_CACHING, cached (target ≥ 5× faster)', value: op, unit: 'µs/req', baseline: 'caching off', ratio: off / op },
      { name: 'in-process: a new id each request, caching off', value: offMiss, unit: 'µs CPU/req', note: `median of ${MISS_ROUNDS} interleaved rounds` },
      {
        name: 'in-process: a new id each request, FULL_REQUEST_CACHING, all misses (target ≤ 5% slower)',
        value: median(fullRounds!),
        unit: 'µs CPU/req',
        baseline: 'caching off',
        ratio: median(ratios(fullRounds!)),
        note: missNote(fullRounds!),
      },
      {
        name: `in-process: a new id each request, FULL_REQUEST_CACHING, cache full (${FULL_CACHE_MB} MB; every write evicts)`,
        value: median(fullCacheRounds!),
        unit: 'µs CPU/req',
        baseline: 'caching off',
        ratio: median(ratios(fullCacheRounds!)),
        note: missNote(fullCacheRounds!),
      },
    ];
  } finally {
    await Promise.all([...apis.values()].map((api) => api.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runCachingBench(): Promise<BenchRow[]> {
  const inProcess = await runInProcess();
  if (process.env.BENCH_CACHING_HTTP === '0') return inProcess;
  return [...inProcess, ...(await runHttp())];
}

/**
 * Rounds of the HTTP rows. Each round starts its own server processes: processes of one build and
 * config differ by up to a quarter in CPU per request on this machine (four at once, the same
 * rounds), so a pair of processes kept for the whole run would carry its bias into every round.
 */
const HTTP_ROUNDS = Math.max(ROUNDS, 4);

/** One round's servers: started together, the full cache filled, stopped after the round. */
async function startRoundServers(): Promise<Map<Caching | 'full cache' | 'bare', ServerProcess>> {
  const servers = new Map<Caching | 'full cache' | 'bare', ServerProcess>();
  const starting: Array<Promise<void>> = [
    // The ceiling of any cached answer over HTTP here: node:http answering the same JSON it has ready (servers/raw.ts).
    startServer('raw.ts').then((s) => void servers.set('bare', s)),
    ...(['off', 'FULL_REQUEST_CACHING', 'OPERATION_LEVEL_CACHING'] as const).map((caching) =>
      startCachingGateway(caching).then((s) => void servers.set(caching, s)),
    ),
    startCachingGateway('FULL_REQUEST_CACHING', [], {}, FULL_CACHE_MB).then((s) => void servers.set('full cache', s)),
  ];
  const started = await Promise.allSettled(starting);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    throw failed.reason;
  }
  await loadMisses(servers.get('full cache')!.port, 0, FULL_CACHE_FILL);
  await settle();
  return servers;
}

async function runHttp(): Promise<BenchRow[]> {
  const rounds: Record<string, Measured[]> = {
    off: [],
    full: [],
    op: [],
    bare: [],
    pageOff: [],
    pageFull: [],
    pageOp: [],
    offMiss: [],
    fullMiss: [],
    fullCacheMiss: [],
  };
  for (let round = 0; round < HTTP_ROUNDS; round++) {
    process.stderr.write(`bench: caching round ${round + 1}/${HTTP_ROUNDS} (new processes)…\n`);
    const servers = await startRoundServers();
    try {
      const off = servers.get('off')!;
      const full = servers.get('FULL_REQUEST_CACHING')!;
      const op = servers.get('OPERATION_LEVEL_CACHING')!;
      const fullCache = servers.get('full cache')!;
      rounds.off!.push(await measure(off, BODY));
      rounds.full!.push(await measure(full, BODY));
      rounds.op!.push(await measure(op, BODY));
      rounds.bare!.push(await measure(servers.get('bare')!, BODY));
      rounds.pageOff!.push(await measure(off, PAGE_BODY));
      rounds.pageFull!.push(await measure(full, PAGE_BODY));
      rounds.pageOp!.push(await measure(op, PAGE_BODY));
      // The miss rows' target is a few percent: twice a round, for more pairs to take the median of.
      for (let pair = 0; pair < 2; pair++) {
        rounds.offMiss!.push(await measure(off, 'misses'));
        rounds.fullMiss!.push(await measure(full, 'misses'));
        rounds.fullCacheMiss!.push(await measure(fullCache, 'misses'));
      }
    } finally {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    }
  }
  const med = (key: string, pick: (m: Measured) => number) => median(rounds[key]!.map(pick));
  const ratio = (key: string, base: string, pick: (m: Measured) => number) => median(rounds[key]!.map((m, i) => pick(m) / pick(rounds[base]![i]!)));
  const errors = Object.values(rounds)
    .flat()
    .reduce((sum, m) => sum + m.errors, 0);
  const rps = (m: Measured) => m.reqPerSec;
  const cpu = (m: Measured) => m.cpu;
  const note = (key: string) => `${Math.round(med(key, cpu))} µs CPU/req; rounds ${rounds[key]!.map((m) => Math.round(m.reqPerSec)).join(', ')} req/s`;
  return [
    { name: 'getPost on embedded DynamoDB, caching off', value: med('off', rps), unit: 'req/s', note: note('off') },
    {
      name: 'getPost, FULL_REQUEST_CACHING, cached (target ≥ 5× off)',
      value: med('full', rps),
      unit: 'req/s',
      baseline: 'caching off',
      ratio: ratio('full', 'off', rps),
      note: `${note('full')}; CPU/req ${ratio('off', 'full', cpu).toFixed(2)}× less than off`,
    },
    {
      name: 'getPost, OPERATION_LEVEL_CACHING, cached (target ≥ 5× off)',
      value: med('op', rps),
      unit: 'req/s',
      baseline: 'caching off',
      ratio: ratio('op', 'off', rps),
      note: `${note('op')}; CPU/req ${ratio('off', 'op', cpu).toFixed(2)}× less than off`,
    },
    {
      name: 'bare node:http answering the same JSON, ready (the ceiling of any cached answer over HTTP here)',
      value: med('bare', rps),
      unit: 'req/s',
      baseline: 'caching off',
      ratio: ratio('bare', 'off', rps),
      note: `${note('bare')}; CPU/req ${ratio('off', 'bare', cpu).toFixed(2)}× less than off; the cached rows at ${(med('full', rps) / med('bare', rps)).toFixed(2)}× (FULL_REQUEST) and ${(med('op', rps) / med('bare', rps)).toFixed(2)}× (OPERATION_LEVEL) of it`,
    },
    {
      name: `a page of ${PAGE_POSTS} posts, each with its author (a Scan and ${PAGE_POSTS} GetItems), caching off`,
      value: med('pageOff', rps),
      unit: 'req/s',
      note: note('pageOff'),
    },
    {
      name: 'the page, FULL_REQUEST_CACHING, cached',
      value: med('pageFull', rps),
      unit: 'req/s',
      baseline: 'the page, caching off',
      ratio: ratio('pageFull', 'pageOff', rps),
      note: `${note('pageFull')}; CPU/req ${ratio('pageOff', 'pageFull', cpu).toFixed(2)}× less than off`,
    },
    {
      name: 'the page, OPERATION_LEVEL_CACHING, cached',
      value: med('pageOp', rps),
      unit: 'req/s',
      baseline: 'the page, caching off',
      ratio: ratio('pageOp', 'pageOff', rps),
      note: `${note('pageOp')}; CPU/req ${ratio('pageOff', 'pageOp', cpu).toFixed(2)}× less than off`,
    },
    { name: 'a new id each request, caching off', value: med('offMiss', rps), unit: 'req/s', note: note('offMiss') },
    {
      name: 'a new id each request, FULL_REQUEST_CACHING: every request a miss (target ≤ 5% slower)',
      value: med('fullMiss', rps),
      unit: 'req/s',
      baseline: 'caching off, same load',
      ratio: ratio('fullMiss', 'offMiss', rps),
      note: `${note('fullMiss')}; CPU/req ${ratio('fullMiss', 'offMiss', cpu).toFixed(2)}× off's; ${errors} errors in all rows`,
    },
    {
      name: `a new id each request, FULL_REQUEST_CACHING, cache full (${FULL_CACHE_MB} MB; every write evicts)`,
      value: med('fullCacheMiss', rps),
      unit: 'req/s',
      baseline: 'caching off, same load',
      ratio: ratio('fullCacheMiss', 'offMiss', rps),
      note: `${note('fullCacheMiss')}; CPU/req ${ratio('fullCacheMiss', 'offMiss', cpu).toFixed(2)}× off's`,
    },
  ];
}
