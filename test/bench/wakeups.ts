/**
 * `node --import tsx test/bench/wakeups.ts [postgres|echo] [requests]`: where one sequential
 * request's time goes on the built CLI. Sends `requests` (default 2,000) requests one after another
 * on one keep-alive connection and reads, for every thread of every process on the path (the
 * client, the gateway, its sandbox processes and, for `postgres`, the PostgreSQL backends), the
 * kernel's scheduler statistics per request: time on a CPU and time runnable but waiting for one
 * (`/proc/<pid>/task/<tid>/schedstat`), times the thread went to sleep and was woken again (voluntary
 * context switches) and times it was preempted (`status`).
 *
 * Why not timestamps inside the gateway: on a loaded machine a request's latency is mostly time
 * the processes wait to be scheduled after each wake-up, which no timestamp taken inside a process
 * can see. The table shows how many wake-ups a request costs and what each one waits.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPgServer, type PgServer as PgServerHandle } from '../datasources/postgres/pgServer.js';
import { median, startGatewayCli, type ServerProcess } from './serverProcess.js';
import { API_KEY as ECHO_API_KEY, ECHO_BODY } from './shared.js';
import { POSTGRES_API_KEY, POSTGRES_BODY, startPostgresBenchGateway } from './postgres.bench.js';

/** Scheduler counters of one thread: ns on a CPU, ns runnable and waiting for one, times it went to sleep and times it was preempted. */
interface SchedStat {
  run: number;
  wait: number;
  sleeps: number;
  preempted: number;
}

const ZERO: SchedStat = { run: 0, wait: 0, sleeps: 0, preempted: 0 };

function schedStat(pid: number, tid: string): SchedStat | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const count = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { run: run!, wait: wait!, sleeps: count('voluntary_ctxt_switches'), preempted: count('nonvoluntary_ctxt_switches') };
  } catch {
    return undefined; // the thread ended
  }
}

/** The process `pid` and every process it started, with its threads. */
function processTree(pid: number): number[] {
  const out: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    out.push(next);
    for (const tid of readdirSync(`/proc/${next}/task`)) {
      const children = readFileSync(`/proc/${next}/task/${tid}/children`, 'utf8').trim();
      if (children) pending.push(...children.split(' ').map(Number));
    }
  }
  return out;
}

/** Counters summed per group label ("gateway", "sandbox 1234", …), main thread and other threads apart. */
function snapshot(groups: Map<string, number[]>): Map<string, SchedStat> {
  const out = new Map<string, SchedStat>();
  for (const [label, pids] of groups) {
    for (const pid of pids) {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const s = schedStat(pid, tid);
        if (!s) continue;
        const key = `${label}${String(pid) === tid ? '' : ' (other threads)'}`;
        const sum = out.get(key) ?? ZERO;
        out.set(key, { run: sum.run + s.run, wait: sum.wait + s.wait, sleeps: sum.sleeps + s.sleeps, preempted: sum.preempted + s.preempted });
      }
    }
  }
  return out;
}

async function sequential(port: number, body: string, apiKey: string, n: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await one();
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  agent.destroy();
  return times;
}

async function main(): Promise<void> {
  const what = process.argv[2] ?? 'postgres';
  const n = Number(process.argv[3] ?? 2000);
  try {
    readFileSync(`/proc/${process.pid}/schedstat`);
  } catch {
    throw new Error('this kernel has no /proc/<pid>/schedstat (CONFIG_SCHEDSTATS): nothing to read');
  }
  let pgServer: PgServerHandle | undefined;
  let gateway: ServerProcess | undefined;
  try {
    let body = ECHO_BODY;
    let apiKey = ECHO_API_KEY;
    if (what === 'postgres') {
      pgServer = await startPgServer();
      const client = new pg.Client({ connectionString: pgServer.url });
      await client.connect();
      await client.query('CREATE TABLE bench_people (id int PRIMARY KEY, name text NOT NULL, age int)');
      await client.query(`INSERT INTO bench_people VALUES (1, 'Ann', 31)`);
      await client.end();
      gateway = await startPostgresBenchGateway(pgServer.url);
      body = POSTGRES_BODY;
      apiKey = POSTGRES_API_KEY;
    } else {
      gateway = await startGatewayCli('none');
    }
    await sequential(gateway.port, body, apiKey, Math.min(n, 500)); // warm-up: compiled queries, JIT
    const groups = new Map<string, number[]>([
      ['client (this process)', [process.pid]],
      ['gateway', [gateway.child.pid!]],
    ]);
    for (const pid of processTree(gateway.child.pid!).slice(1)) {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('--max-old-space-size')) groups.set(`sandbox process ${pid}`, [pid]);
    }
    if (pgServer) {
      const postmaster = Number(readFileSync(join(pgServer.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
      groups.set('PostgreSQL (postmaster and backends)', processTree(postmaster));
    }
    const before = snapshot(groups);
    const times = await sequential(gateway.port, body, apiKey, n);
    const after = snapshot(groups);
    const us = (ns: number) => (ns / n / 1000).toFixed(0).padStart(8);
    const per = (count: number) => (count / n).toFixed(2).padStart(8);
    const lines = [
      `${what}: ${n} sequential requests on one connection, median ${median(times).toFixed(0)} µs, min ${Math.min(...times).toFixed(0)} µs`,
      `${'per request'.padEnd(44)}   run µs  wait µs    wakes  preempted`,
    ];
    const total = { ...ZERO };
    for (const [key, a] of after) {
      const b = before.get(key) ?? ZERO;
      const d = { run: a.run - b.run, wait: a.wait - b.wait, sleeps: a.sleeps - b.sleeps, preempted: a.preempted - b.preempted };
      if ((d.sleeps + d.preempted) / n < 0.01) continue;
      for (const k of ['run', 'wait', 'sleeps', 'preempted'] as const) total[k] += d[k];
      lines.push(`${key.padEnd(44)} ${us(d.run)} ${us(d.wait)} ${per(d.sleeps)} ${per(d.preempted)}`);
    }
    lines.push(`${'all'.padEnd(44)} ${us(total.run)} ${us(total.wait)} ${per(total.sleeps)} ${per(total.preempted)}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await gateway?.stop();
    await pgServer?.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
