/**
 * The gateway's per-request work without the network: `handleGraphQLHttp` on in-memory request
 * and response objects (auth, parse cache, execution, resolver sandbox, JSON answer), next to the
 * lean server's work (cached document, graphql-js `execute`, `JSON.stringify`) on the same query.
 * Taken in-process and repeated, so it is far less disturbed by other load than the HTTP table;
 * `node --import tsx test/bench/hotpath.ts` prints it (add `--cpu-prof` to profile it).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { buildSchema, execute, parse, validate } from 'graphql';
import { normalizeConfig } from '../../src/config/index.js';
import { loadBuiltInDataSourceKinds } from '../../src/datasources/index.js';
import { handleGraphQLHttp } from '../../src/server/httpHandler.js';
import { loadApi } from '../../src/server/loadApi.js';
import { cpuNow } from './resolver-runtime.js';
import type { BenchRow } from './run.js';
import { API_KEY, BODY, QUERY, SDL, getPost } from './shared.js';
import { silentLogger } from '../utils/logger.js';

/** What node:http hands the handler, reduced to what it reads. */
function fakeRequest(): IncomingMessage {
  const req = new EventEmitter() as unknown as IncomingMessage & Record<string, unknown>;
  req.method = 'POST';
  req.url = '/graphql';
  req.headers = {
    host: '127.0.0.1:4000',
    connection: 'keep-alive',
    'content-type': 'application/json',
    'x-api-key': API_KEY,
    'content-length': String(BODY.length),
  };
  (req as unknown as { socket: unknown }).socket = { remoteAddress: '127.0.0.1' };
  return req;
}

class FakeResponse {
  statusCode = 0;
  headers: Record<string, unknown> = {};
  body = '';
  headersSent = false;
  writeHead(status: number, headers: Record<string, unknown>) {
    this.statusCode = status;
    this.headers = headers;
    this.body = '';
    return this;
  }
  write(chunk: string) {
    this.body += chunk;
    return true;
  }
  end(body?: string) {
    if (body !== undefined) this.body += body;
    return this;
  }
}

async function timeAsync(iterations: number, fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < Math.min(iterations, 3000); i++) await fn(); // warm-up
  // A server answers between socket events; this loop only yields to promises. What loads in the
  // background after the first requests (graphql-jit) gets the moment a server would give it.
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < 100; i++) await fn();
  let best = Infinity;
  // The best of 5 rounds of CPU time: other processes on the machine only ever add time.
  for (let round = 0; round < 5; round++) {
    const start = cpuNow();
    for (let i = 0; i < iterations; i++) await fn();
    best = Math.min(best, (cpuNow() - start) / iterations);
  }
  return best / 1000; // µs
}

export async function runHotPathBench(): Promise<BenchRow[]> {
  const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const raw = {
    name: 'bench',
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'bench', value: API_KEY }],
    dataSources: { none: { type: 'NONE' } },
    resolvers: { 'Query.getPost': { kind: 'UNIT', dataSource: 'none', code: 'getPost.js' } },
  };
  const kinds = await loadBuiltInDataSourceKinds(['NONE']);
  const config = normalizeConfig(raw as never, { configDir: fixtures, knownDataSourceTypes: ['NONE'] } as never);
  const api = await loadApi(config, { logger: silentLogger, kinds });
  const body = Buffer.from(BODY);
  const req = fakeRequest();
  const res = new FakeResponse();
  const gatewayUs = await timeAsync(20_000, () => handleGraphQLHttp(req, res as unknown as ServerResponse, body, api));
  const answer = JSON.parse(res.body);
  if (answer?.data?.getPost?.title !== 'Hello') throw new Error(`gateway answered ${res.body}`);

  const schema = buildSchema(SDL);
  const root = { getPost: (args: { id: string }) => getPost(null, args) };
  const document = parse(QUERY);
  if (validate(schema, document).length) throw new Error('invalid bench query');
  const leanUs = await timeAsync(20_000, async () => {
    const { query } = JSON.parse(BODY) as { query: string };
    void query;
    const result = await execute({ schema, document, rootValue: root });
    JSON.stringify(result);
  });
  await api.close();
  return [
    {
      name: 'gateway request handling, in-process (no network)',
      value: gatewayUs,
      unit: 'µs',
      note: 'auth + cached document + execute + sandboxed resolver + JSON answer',
    },
    { name: 'lean request handling, in-process', value: leanUs, unit: 'µs', note: 'cached document + graphql-js execute + JSON.stringify' },
    { name: 'gateway / lean in-process cost', value: gatewayUs / leanUs, unit: '×', baseline: 'lean', ratio: gatewayUs / leanUs },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await runHotPathBench()) process.stdout.write(`${row.name}: ${row.value.toFixed(2)} ${row.unit}\n`);
}
