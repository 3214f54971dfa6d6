/**
 * VTL against APPSYNC_JS (`BENCH_ONLY=vtl npm run bench`): the same resolver logic written both
 * ways, UNIT resolvers on NONE, served by the built CLI (`bin/appsync-gateway.mjs serve`, as the
 * other HTTP rows) and loaded over HTTP by autocannon. Both runtimes live in one gateway process,
 * so a row and its JS twin meet the same machine; the rows are loaded in turn, round after round,
 * and each VTL row's ratio is the median of its req/s over its JS twin's in the same round.
 *
 * Two pairs: `getPost` (request builds the payload, response passes `ctx.result` on: in VTL the
 * default `$util.toJson($ctx.result)`), and `getPostFields` (the response builds the answer field by
 * field, so a VTL response template is rendered and read back as JSON on every call).
 */
import { CONNECTIONS, DURATION_S, ROUNDS, WARMUP_S, load, median, post, startCliProject } from './serverProcess.js';
import { API_KEY } from './shared.js';
import type { BenchRow } from './run.js';

const SCHEMA = `type Post { id: ID! title: String views: Int }
type Query {
  getPost(id: ID!): Post
  getPostVtl(id: ID!): Post
  getPostFields(id: ID!): Post
  getPostFieldsVtl(id: ID!): Post
}
`;

const FILES: Record<string, string> = {
  'schema.graphql': SCHEMA,
  'getPost.js': `export function request(ctx) {
  return { payload: { id: ctx.args.id, title: 'Hello', views: 42 } };
}
export function response(ctx) {
  return ctx.result;
}
`,
  'getPost.request.vtl': '{ "version": "2018-05-29", "payload": { "id": $util.toJson($ctx.args.id), "title": "Hello", "views": 42 } }\n',
  'getPost.response.vtl': '$util.toJson($ctx.result)\n',
  'getPostFields.js': `export function request(ctx) {
  return { payload: { id: ctx.args.id, title: 'Hello', views: 42 } };
}
export function response(ctx) {
  const post = ctx.result;
  return { id: post.id, title: post.title, views: post.views };
}
`,
  'getPostFields.response.vtl': '#set($post = $ctx.result)\n{ "id": $util.toJson($post.id), "title": $util.toJson($post.title), "views": $post.views }\n',
  'appsync.config.yml': `name: bench-vtl
schema: schema.graphql
authentication:
  type: API_KEY
apiKeys:
  - name: bench
    value: ${API_KEY}
dataSources:
  none:
    type: NONE
resolvers:
  Query.getPost: { kind: UNIT, dataSource: none, code: getPost.js }
  Query.getPostVtl: { kind: UNIT, dataSource: none, request: getPost.request.vtl, response: getPost.response.vtl }
  Query.getPostFields: { kind: UNIT, dataSource: none, code: getPostFields.js }
  Query.getPostFieldsVtl: { kind: UNIT, dataSource: none, request: getPost.request.vtl, response: getPostFields.response.vtl }
`,
};

interface Row {
  name: string;
  field: string;
  /** The JS row this VTL row is compared with. */
  twin?: string;
}

const ROWS: Row[] = [
  { name: 'getPost in APPSYNC_JS', field: 'getPost' },
  { name: 'getPost in VTL', field: 'getPostVtl', twin: 'getPost in APPSYNC_JS' },
  { name: 'getPostFields in APPSYNC_JS', field: 'getPostFields' },
  { name: 'getPostFields in VTL', field: 'getPostFieldsVtl', twin: 'getPostFields in APPSYNC_JS' },
];

const bodyOf = (field: string) => JSON.stringify({ query: `{ ${field}(id: "1") { id title views } }` });

export async function runVtlBench(): Promise<BenchRow[]> {
  const server = await startCliProject('vtl', FILES);
  try {
    for (const row of ROWS) {
      const answer = await post(server.port, bodyOf(row.field));
      const expected = { data: { [row.field]: { id: '1', title: 'Hello', views: 42 } } };
      if (JSON.stringify(answer) !== JSON.stringify(expected)) throw new Error(`${row.name} answered ${JSON.stringify(answer)}`);
    }
    const rounds = new Map<string, Array<{ reqPerSec: number; cpu: number; errors: number }>>(ROWS.map((r) => [r.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of ROWS) {
        process.stderr.write(`bench: vtl round ${round + 1}/${ROUNDS}, ${row.name}…\n`);
        await load(server.port, WARMUP_S, bodyOf(row.field));
        const cpu0 = await server.cpuMicros();
        const r = await load(server.port, DURATION_S, bodyOf(row.field));
        const cpu = (await server.cpuMicros()) - cpu0;
        rounds.get(row.name)!.push({ reqPerSec: r.reqPerSec, cpu: cpu / Math.max(1, r.total), errors: r.errors });
      }
    }
    return ROWS.map((row) => {
      const mine = rounds.get(row.name)!;
      const errors = mine.reduce((sum, r) => sum + r.errors, 0);
      const cpu = median(mine.map((r) => r.cpu));
      const note = `${Math.round(cpu)} µs server CPU/req${errors ? `; ${errors} errors` : ''}`;
      if (!row.twin) return { name: `${row.name} (NONE, HTTP, ${CONNECTIONS} connections)`, value: median(mine.map((r) => r.reqPerSec)), unit: 'req/s', note };
      const twin = rounds.get(row.twin)!;
      const ratios = mine.map((r, i) => r.reqPerSec / twin[i]!.reqPerSec);
      // CPU per request varies less than req/s on a shared machine: its ratio is the steadier figure.
      const cpuRatio = median(mine.map((r, i) => twin[i]!.cpu / r.cpu));
      return {
        name: `${row.name} (NONE, HTTP, ${CONNECTIONS} connections)`,
        value: median(mine.map((r) => r.reqPerSec)),
        unit: 'req/s',
        baseline: row.twin,
        ratio: median(ratios),
        note: `${note} (JS's over this: ${cpuRatio.toFixed(2)}); req/s ratio in each round ${ratios.map((x) => x.toFixed(2)).join(', ')}; target ≥ 0.80`,
      };
    });
  } finally {
    await server.stop();
  }
}
