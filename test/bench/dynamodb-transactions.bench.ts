/**
 * DynamoDB writes through the gateway on the embedded store, as `npm start` serves them (the built
 * CLI): a PutItem mutation next to TransactWriteItems of 2 and of 25 items (UpdateItem actions, the
 * same items every time, so concurrent transactions queue on their item locks). Loaded in turn with
 * autocannon, round after round; req/s and the server's CPU µs per request, with ratios to PutItem
 * within each round.
 *
 * `node --import tsx test/bench/dynamodb-transactions.bench.ts` runs it alone.
 */
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';
import { API_KEY } from './shared.js';
import { CONNECTIONS, DURATION_S, load, median, post, ROUNDS, startCliProject, WARMUP_S } from './serverProcess.js';

const update = (id: string) => `{ updateItem: { table: 'accounts', key: { id: '${id}' }, update: { n: ddb.operations.add(1) } } }`;
const resolver = (request: string) =>
  `import { util } from '@aws-appsync/utils';\nimport * as ddb from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) { return ${request}; }\nexport function response(ctx) { if (ctx.error) util.error(ctx.error.message, ctx.error.type); return true; }\n`;
const transaction = (count: number) => resolver(`ddb.transactWrite({ items: [${Array.from({ length: count }, (_, i) => update(`t${i}`)).join(', ')}] })`);

const FILES = {
  'appsync.config.yml': `name: bench-transactions
schema: schema.graphql
authentication:
  type: API_KEY
apiKeys:
  - name: bench
    value: ${API_KEY}
dataSources:
  accounts:
    type: AMAZON_DYNAMODB
    config:
      tableName: accounts
      table:
        AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
        KeySchema: [{ AttributeName: id, KeyType: HASH }]
        BillingMode: PAY_PER_REQUEST
resolvers:
  Mutation.put: { kind: UNIT, dataSource: accounts, code: put.js }
  Mutation.tx2: { kind: UNIT, dataSource: accounts, code: tx2.js }
  Mutation.tx25: { kind: UNIT, dataSource: accounts, code: tx25.js }
`,
  'schema.graphql': 'type Query { ok: Boolean }\ntype Mutation { put: Boolean tx2: Boolean tx25: Boolean }\n',
  'put.js': resolver("ddb.put({ key: { id: 'p' }, item: { n: 1 } })"),
  'tx2.js': transaction(2),
  'tx25.js': transaction(25),
};

const CASES = [
  { name: 'PutItem mutation', field: 'put' },
  { name: 'TransactWriteItems, 2 items', field: 'tx2' },
  { name: 'TransactWriteItems, 25 items', field: 'tx25' },
];

export async function runDynamoDbTransactionBench(): Promise<BenchRow[]> {
  const server = await startCliProject('transactions', FILES);
  try {
    const bodies = CASES.map((c) => JSON.stringify({ query: `mutation { ${c.field} }` }));
    for (const [i, body] of bodies.entries()) {
      const answer = await post(server.port, body);
      if ((answer as { data?: Record<string, unknown> }).data?.[CASES[i]!.field] !== true)
        throw new Error(`${CASES[i]!.name} answered ${JSON.stringify(answer)}`);
    }
    const rounds = CASES.map(() => [] as Array<{ reqPerSec: number; cpu: number; p99: number; errors: number }>);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, body] of bodies.entries()) {
        process.stderr.write(`bench: transactions, round ${round + 1}/${ROUNDS}, ${CASES[i]!.name}…\n`);
        await load(server.port, WARMUP_S, body);
        const before = await server.cpuMicros();
        const r = await load(server.port, DURATION_S, body);
        const after = await server.cpuMicros();
        rounds[i]!.push({ reqPerSec: r.reqPerSec, cpu: (after - before) / Math.max(1, r.total), p99: r.p99, errors: r.errors });
      }
    }
    const rows: BenchRow[] = [];
    for (const [i, c] of CASES.entries()) {
      const mine = rounds[i]!;
      const put = rounds[0]!;
      const errors = mine.reduce((sum, r) => sum + r.errors, 0);
      rows.push({
        name: `${c.name} through the gateway (${CONNECTIONS} connections), req/s`,
        value: Math.round(median(mine.map((r) => r.reqPerSec))),
        unit: 'req/s',
        ...(i > 0 ? { baseline: 'PutItem mutation', ratio: median(mine.map((r, k) => r.reqPerSec / put[k]!.reqPerSec)) } : {}),
        note: `p99 ${median(mine.map((r) => r.p99))} ms${errors ? `, ${errors} errors` : ''}`,
      });
      rows.push({
        name: `${c.name}, server CPU per request`,
        value: Math.round(median(mine.map((r) => r.cpu))),
        unit: 'µs',
        ...(i > 0 ? { baseline: 'PutItem mutation', ratio: median(mine.map((r, k) => r.cpu / put[k]!.cpu)) } : {}),
      });
    }
    return rows;
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await runDynamoDbTransactionBench())
    console.log(
      `${row.name}: ${row.value} ${row.unit}${row.ratio === undefined ? '' : ` (${row.ratio.toFixed(2)}× ${row.baseline})`}${row.note ? ` — ${row.note}` : ''}`,
    );
}
