/**
 * DynamoDB bench: p50 latency of a GetItem-backed GraphQL query through the gateway (API key,
 * APPSYNC_JS with `@aws-appsync/utils/dynamodb`, the data source, the response handler) against a
 * direct AWS SDK GetItem on the same embedded store, in the same run. The difference is the
 * gateway's overhead. Prints nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createGateway } from '../../src/index.js';
import { acquireEmbeddedDynamoDB, releaseEmbeddedDynamoDB } from '../../src/embedded/dynamodb/index.js';
import type { BenchRow } from './run.js';
import { silentLogger } from '../utils/logger.js';

const ITERATIONS = Number(process.env.BENCH_DDB_ITERATIONS ?? 2000);

async function p50(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export async function runDynamoDbBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-bench-ddb-'));
  const endpoint = await acquireEmbeddedDynamoDB();
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await writeFile(
      join(dir, 'getItem.js'),
      "import * as ddb from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) { return ddb.get({ key: { id: ctx.args.id } }); }\nexport function response(ctx) { return ctx.result; }\n",
    );
    const gateway = await createGateway(
      {
        schemaSdl: 'type Item { id: ID! title: String views: Int }\ntype Query { getItem(id: ID!): Item }',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'bench', value: 'da2-benchdynamodbbenchdynamo' }],
        dataSources: {
          items: {
            type: 'AMAZON_DYNAMODB',
            config: {
              tableName: 'bench_items',
              endpoint,
              table: { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
            },
          },
        },
        resolvers: { 'Query.getItem': { kind: 'UNIT', dataSource: 'items', code: 'getItem.js' } },
      },
      { configDir: dir, logger: silentLogger, graphiql: false },
    );
    const { url } = await gateway.listen({ port: 0 });
    await client.send(new PutItemCommand({ TableName: 'bench_items', Item: { id: { S: '1' }, title: { S: 'Hello' }, views: { N: '42' } } }));
    const body = JSON.stringify({ query: '{ getItem(id: "1") { id title views } }' });
    const viaGateway = await p50(async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'da2-benchdynamodbbenchdynamo' }, body });
      const json = (await res.json()) as { data?: { getItem?: { title?: string } } };
      if (json.data?.getItem?.title !== 'Hello') throw new Error(`unexpected answer ${JSON.stringify(json)}`);
    });
    const direct = await p50(() => client.send(new GetItemCommand({ TableName: 'bench_items', Key: { id: { S: '1' } } })));
    await gateway.close();
    return [
      { name: 'direct SDK GetItem (embedded store), p50', value: direct, unit: 'µs' },
      { name: 'GraphQL query → GetItem through the gateway, p50', value: viaGateway, unit: 'µs', baseline: 'direct SDK GetItem', ratio: viaGateway / direct },
      { name: 'gateway overhead, p50', value: viaGateway - direct, unit: 'µs', note: 'HTTP + auth + parse cache + APPSYNC_JS + result conversion' },
    ];
  } finally {
    client.destroy();
    await releaseEmbeddedDynamoDB();
    await rm(dir, { recursive: true, force: true });
  }
}
