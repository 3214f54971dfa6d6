/**
 * Restart time of the example API with 100,000 items in its embedded DynamoDB store
 * (docs/where-data-lives.md): the built CLI (`bin/appsync-gateway.mjs serve` on dist/, as `npm start` runs it) is started on a
 * data folder filled once through the store's endpoint, and timed from process start to listening,
 * to the first DynamoDB-backed answer and to every data source ready. The baseline is the same
 * restart on a data folder holding only the example's tables.
 *
 * `node --import tsx test/bench/restart.bench.ts` runs it alone; `BENCH_RESTART_ITEMS` changes the count.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchWriteItemCommand, DynamoDBClient, ScanCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { BenchRow } from './run.js';
import { buildOnce } from './serverProcess.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'appsync-gateway.mjs');
const KEY = 'da2-exampleexampleexample00';
const ITEMS = Number(process.env.BENCH_RESTART_ITEMS ?? 100_000);
const RUNS = Number(process.env.BENCH_RESTART_RUNS ?? 3);

interface Started {
  stop(): Promise<void>;
  endpoint: string;
  url: string;
  /** ms from spawn to the GraphQL URL printed, to the first answer of `query`, to all data sources ready. */
  listening: number;
  answered: number;
  ready: number;
}

async function start(dataDir: string, query: string, env: Record<string, string> = {}): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', APPSYNC_GATEWAY_FROM: 'dist', APPSYNC_GATEWAY_DATA_DIR: dataDir, ...env },
  });
  let out = '';
  let listening = 0;
  let ready = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /GraphQL:\s+(http:\/\/\S+)/.exec(out);
      if (m && !listening) {
        listening = performance.now() - started;
        resolve(m[1]!);
      }
      if (!ready && out.includes('all data sources are ready')) ready = performance.now() - started;
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}:\n${out}`)));
  });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: unknown; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`${query}: ${JSON.stringify(body)}`);
  const answered = performance.now() - started;
  while (!ready) await new Promise((r) => setTimeout(r, 10));
  const endpoint = /dynamodb data source events: using the embedded store endpoint=(\S+)/.exec(out)?.[1];
  if (!endpoint) throw new Error(`no embedded store endpoint in the log:\n${out}`);
  return {
    endpoint,
    url,
    listening,
    answered,
    ready,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Writes `count` events through the store's endpoint, 25 per BatchWriteItem, 8 calls at a time. */
async function fill(endpoint: string, count: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + 25);
      const requests: WriteRequest[] = [];
      for (let i = from; i < next; i++) {
        requests.push({
          PutRequest: {
            Item: {
              id: { S: `bench-${i}` },
              name: { S: `Event ${i}` },
              city: { S: ['Porto', 'Lisbon', 'Braga', 'Faro'][i % 4]! },
              startsAt: { S: new Date(Date.UTC(2030, 0, 1) + i * 60_000).toISOString() },
              seats: { N: String(i % 500) },
              version: { N: '1' },
            },
          },
        });
      }
      let pending: Record<string, WriteRequest[]> | undefined = { events: requests };
      while (pending && Object.keys(pending).length > 0) pending = (await client.send(new BatchWriteItemCommand({ RequestItems: pending }))).UnprocessedItems;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  client.destroy();
}

async function countItems(endpoint: string): Promise<number> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let count = 0;
  let key: Record<string, any> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: 'events', Select: 'COUNT', ExclusiveStartKey: key }));
    count += page.Count ?? 0;
    key = page.LastEvaluatedKey;
  } while (key);
  client.destroy();
  return count;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function restarts(dataDir: string, query: string): Promise<{ listening: number; answered: number; ready: number; all: number[] }> {
  const runs: Started[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await start(dataDir, query);
    runs.push(s);
    await s.stop();
  }
  return {
    listening: median(runs.map((r) => r.listening)),
    answered: median(runs.map((r) => r.answered)),
    ready: median(runs.map((r) => r.ready)),
    all: runs.map((r) => Math.round(r.answered)),
  };
}

export async function runRestartBench(): Promise<BenchRow[]> {
  await buildOnce();
  const full = await mkdtemp(join(tmpdir(), 'appsync-bench-restart-full-'));
  const empty = await mkdtemp(join(tmpdir(), 'appsync-bench-restart-empty-'));
  try {
    // The fill is not what is measured: its writes skip the per-write sync.
    const first = await start(full, '{ hello }', { APPSYNC_GATEWAY_DYNAMODB_SYNC: 'off' });
    const fillStarted = performance.now();
    await fill(first.endpoint, ITEMS);
    const fillMs = performance.now() - fillStarted;
    await first.stop();
    const seeded = await start(empty, '{ hello }');
    await seeded.stop();

    const query = `{ getEvent(id: "bench-${ITEMS - 1}") { id } }`;
    const withItems = await restarts(full, query);
    const baseline = await restarts(empty, '{ getEvent(id: "none") { id } }');
    const check = await start(full, query);
    const stored = await countItems(check.endpoint);
    await check.stop();
    if (stored < ITEMS) throw new Error(`the store holds ${stored} events after the restarts, expected at least ${ITEMS}`);
    const ms = (n: number) => `${Math.round(n)} ms`;
    return [
      {
        name: `example API restart, ${ITEMS.toLocaleString('en-US')} items in the DynamoDB store: first DynamoDB answer`,
        value: Math.round(withItems.answered),
        unit: 'ms',
        baseline: 'restart with the example tables only',
        ratio: withItems.answered / baseline.answered,
        note: `listening at ${ms(withItems.listening)}, every data source ready at ${ms(withItems.ready)} (baseline ${ms(baseline.answered)} / ${ms(baseline.listening)} / ${ms(baseline.ready)}); runs ${withItems.all.join(', ')} ms; ${stored.toLocaleString('en-US')} items counted after; filled through the endpoint in ${ms(fillMs)}`,
      },
    ];
  } finally {
    await rm(full, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await runRestartBench()) console.log(`${row.name}: ${row.value} ${row.unit} (×${row.ratio?.toFixed(2)} of ${row.baseline}); ${row.note}`);
}
