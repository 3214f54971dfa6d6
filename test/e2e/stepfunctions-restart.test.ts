/**
 * Standard executions survive a crash: a gateway child process (the CLI) runs executions that sit
 * in a Wait state and in a `.waitForTaskToken` Task, is killed with SIGKILL, and a new process on
 * the same store folder resumes them: the Wait ends, the old task token still answers, and every
 * history reads as one uninterrupted run. Then two gateways share a PostgreSQL store, one is
 * killed, and the other takes its executions over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../utils/freePort.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ACCOUNT = '123456789012';
const smArn = (name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`;

const CONFIG = {
  name: 'sfn-restart',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-sfnrestart00000000000000' }],
  dataSources: { notify: { type: 'AWS_LAMBDA', config: { functionName: 'notify', handler: 'lambdas.mjs#notify' } } },
  stepFunctions: {
    stateMachines: {
      waiter: {
        definition: {
          StartAt: 'Pause',
          States: {
            Pause: { Type: 'Wait', Seconds: 3, Next: 'After' },
            After: { Type: 'Pass', Parameters: { 'resumed.$': '$.label' }, End: true },
          },
        },
      },
      quick: { definition: { StartAt: 'Only', States: { Only: { Type: 'Pass', End: true } } } },
      sleeper: { definition: { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 3600, End: true } } } },
      callback: {
        definition: {
          StartAt: 'Before',
          States: {
            Before: { Type: 'Pass', Next: 'Ask' },
            Ask: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token' } },
              ResultPath: '$.answer',
              Next: 'Done',
            },
            Done: { Type: 'Succeed' },
          },
        },
      },
    },
  },
};

interface Child {
  process: ChildProcess;
  origin: string;
  output: () => string;
}

/** Starts `appsync-gateway serve` on the config and waits for /health. */
async function startGateway(dir: string, env: Record<string, string> = { APPSYNC_GATEWAY_SFN_STORE_URL: '' }): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bin/appsync-gateway.mjs'), 'serve', '--config', join(dir, 'appsync.config.yml'), '--port', String(port)], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${output.slice(-2000)}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) return { process: child, origin, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`gateway did not start: ${output.slice(-2000)}`);
}

const killHard = (child: Child) =>
  new Promise<void>((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });

const clientFor = (origin: string) =>
  new SFNClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, disableHostPrefix: true, maxAttempts: 1 });

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
}

async function waitForEvent(sfn: SFNClient, executionArn: string, type: string): Promise<HistoryEvent> {
  for (let i = 0; i < 400; i++) {
    const found = (await history(sfn, executionArn)).find((e) => e.type === type);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${type} event in ${executionArn}`);
}

async function settle(sfn: SFNClient, executionArn: string) {
  for (let i = 0; i < 600; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${executionArn} still running`);
}

/** Ids 1..n in order, each previousEventId pointing at an earlier event, one ExecutionStarted, one closing event. */
function expectConsistent(events: HistoryEvent[]) {
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  for (const e of events) expect(e.previousEventId!).toBeLessThan(e.id!);
  expect(events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
  expect(events.filter((e) => /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(e.type!))).toHaveLength(1);
  for (let i = 1; i < events.length; i++) expect(events[i]!.timestamp!.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.timestamp!.getTime());
}

/**
 * The issue's sequence: 200 Standard StartExecution calls (20 at a time, half on a Pass machine
 * that ends at once, half on one that sits in a Wait), SIGKILL right after the last answer, a
 * restart on the same store: every execution whose start was answered is there.
 */
async function startsSurviveKill(start: () => Promise<Child>): Promise<Child> {
  let child = await start();
  let sfn = clientFor(child.origin);
  const arns: string[] = [];
  let next = 0;
  const began = Date.now();
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < 200) {
        const i = next++;
        const machine = i % 2 === 0 ? 'quick' : 'sleeper';
        const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn(machine), name: `burst-${i}`, input: `{"i":${i}}` }));
        arns.push(executionArn!);
      }
    }),
  );
  const answeredIn = Date.now() - began;
  await killHard(child);
  expect(arns).toHaveLength(200);
  child = await start();
  sfn = clientFor(child.origin);
  const found = new Set<string>();
  for (const machine of ['quick', 'sleeper']) {
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn(machine), maxResults: 1000, nextToken }));
      for (const e of page.executions!) if (e.name!.startsWith('burst-')) found.add(e.executionArn!);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  expect([...found].sort(), `answered in ${answeredIn} ms`).toEqual([...arns].sort());
  // The ones that had not ended run (again) to their end; the sleepers wait on.
  const quick = await settle(
    sfn,
    arns.find((a) => a.includes(':quick:'))!,
  );
  expect(quick.status).toBe('SUCCEEDED');
  expect((await sfn.send(new DescribeExecutionCommand({ executionArn: arns.find((a) => a.includes(':sleeper:')) }))).status).toBe('RUNNING');
  return child;
}

describe('Standard executions across a gateway crash', () => {
  let dir: string;
  let child: Child | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfn-restart-'));
    await writeFile(join(dir, 'schema.graphql'), 'type Query { ok: String }\n');
    await writeFile(join(dir, 'lambdas.mjs'), 'export const notify = async () => ({ sent: true });\n');
    // JSON is YAML: the CLI reads it as appsync.config.yml.
    await writeFile(join(dir, 'appsync.config.yml'), JSON.stringify(CONFIG, null, 2));
  });
  afterAll(async () => {
    if (child) await killHard(child);
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes a Wait, a task token wait and an activity after kill -9', async () => {
    child = await startGateway(dir);
    let sfn = clientFor(child.origin);

    // Something finished before the crash, and resources created through the API.
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'restart-activity' }));
    const activityMachine = await sfn.send(
      new CreateStateMachineCommand({
        name: 'activityMachine',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
        definition: JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } }),
      }),
    );
    const early = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('waiter'), name: 'early', input: '{"label":"early"}' }));

    const waiting = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('waiter'), name: 'waiting', input: '{"label":"after-restart"}' }));
    const asking = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('callback'), name: 'asking', input: '{"q":1}' }));
    const working = await sfn.send(new StartExecutionCommand({ stateMachineArn: activityMachine.stateMachineArn, name: 'working', input: '{"job":7}' }));
    await waitForEvent(sfn, waiting.executionArn!, 'WaitStateEntered');
    const scheduled = await waitForEvent(sfn, asking.executionArn!, 'TaskScheduled');
    const token = JSON.parse(scheduled.taskScheduledEventDetails!.parameters!).Payload.token as string;
    await waitForEvent(sfn, asking.executionArn!, 'TaskSubmitted').catch(() => undefined);
    await waitForEvent(sfn, working.executionArn!, 'ActivityScheduled');
    expect((await settle(sfn, early.executionArn!)).status).toBe('SUCCEEDED');
    const beforeCrash = await history(sfn, asking.executionArn!);

    await killHard(child);
    child = await startGateway(dir);
    sfn = clientFor(child.origin);

    // The machines (config and API), the activity and the finished execution are all there.
    const names = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines!.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['waiter', 'callback', 'activityMachine']));
    const earlyAfter = await sfn.send(new DescribeExecutionCommand({ executionArn: early.executionArn }));
    expect(earlyAfter.status).toBe('SUCCEEDED');
    expect(JSON.parse(earlyAfter.output!)).toEqual({ resumed: 'early' });

    // The Wait ends on its own.
    const waited = await settle(sfn, waiting.executionArn!);
    expect(waited.status).toBe('SUCCEEDED');
    expect(JSON.parse(waited.output!)).toEqual({ resumed: 'after-restart' });
    const waitEvents = await history(sfn, waiting.executionArn!);
    expect(waitEvents.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expectConsistent(waitEvents);

    // The token handed out before the crash still answers.
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: asking.executionArn }))).status).toBe('RUNNING');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const asked = await settle(sfn, asking.executionArn!);
    expect(asked.status).toBe('SUCCEEDED');
    expect(JSON.parse(asked.output!)).toEqual({ q: 1, answer: { approved: true } });
    const askEvents = await history(sfn, asking.executionArn!);
    expectConsistent(askEvents);
    // What was recorded before the crash is kept as it was.
    const kept = beforeCrash.filter((e) => e.id! <= askEvents.findIndex((x) => x.type === 'TaskScheduled') + 1);
    expect(askEvents.slice(0, kept.length)).toEqual(kept);
    expect(askEvents.filter((e) => e.type === 'TaskScheduled')).toHaveLength(1);
    expect(askEvents.map((e) => e.type).slice(-5)).toEqual([
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);

    // The activity task is offered again to workers of the new process.
    const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'after-restart' }));
    expect(JSON.parse(task.input!)).toEqual({ job: 7 });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"done":7}' }));
    const worked = await settle(sfn, working.executionArn!);
    expect(JSON.parse(worked.output!)).toEqual({ done: 7 });
    expectConsistent(await history(sfn, working.executionArn!));
  });

  it('keeps every execution whose StartExecution was answered when killed right after the last answer', async () => {
    if (child) await killHard(child);
    child = await startsSurviveKill(() => startGateway(dir));
  }, 120_000);

  it('refuses a second gateway on the same store folder while the first runs, and the first keeps its executions', async () => {
    child ??= await startGateway(dir);
    const error = await startGateway(dir).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/exited with [1-9]/);
    // The data folder's lock (taken before any store starts) refuses it, naming the first gateway.
    expect(error?.message).toContain(
      `server.dataDir: the data folder ${join(dir, '.data')} is in use by another running gateway (process ${child.process.pid})`,
    );
    const sfn = clientFor(child.origin);
    const run = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('waiter'), input: '{"label":"still-mine"}' }));
    expect((await settle(sfn, run.executionArn!)).status).toBe('SUCCEEDED');
  });
});

const pgUrl = inject('postgresUrl');
const pgSkip = pgUrl ? '' : inject('postgresSkipReason');

describe.skipIf(!!pgSkip)(`a crashed instance on a shared PostgreSQL store${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  let dir: string;
  const children: Child[] = [];
  const table = `sfn_takeover_e2e_${process.pid}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfn-takeover-'));
    await writeFile(join(dir, 'schema.graphql'), 'type Query { ok: String }\n');
    await writeFile(join(dir, 'lambdas.mjs'), 'export const notify = async () => ({ sent: true });\n');
    const config = { ...CONFIG, stepFunctions: { ...CONFIG.stepFunctions, store: { table } } };
    await writeFile(join(dir, 'appsync.config.yml'), JSON.stringify(config, null, 2));
  });
  afterAll(async () => {
    for (const child of children) await killHard(child);
    await rm(dir, { recursive: true, force: true });
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    await db.query(`DROP TABLE IF EXISTS ${table}, ${table}_calls`);
    await db.end();
  });

  it('keeps every execution whose StartExecution was answered when killed right after the last answer', async () => {
    const start = async () => {
      const child = await startGateway(dir, { APPSYNC_GATEWAY_SFN_STORE_URL: pgUrl, APPSYNC_GATEWAY_SFN_INSTANCE_ID: 'burst' });
      children.push(child);
      return child;
    };
    await killHard(await startsSurviveKill(start));
  }, 120_000);

  it('is taken over by the other instance after kill -9: its Wait ends and its task token answers there', async () => {
    const start = (id: string) => startGateway(dir, { APPSYNC_GATEWAY_SFN_STORE_URL: pgUrl, APPSYNC_GATEWAY_SFN_INSTANCE_ID: id });
    const a = await start('a');
    children.push(a);
    const b = await start('b');
    children.push(b);
    const sfnA = clientFor(a.origin);
    const sfnB = clientFor(b.origin);

    const waiting = await sfnA.send(new StartExecutionCommand({ stateMachineArn: smArn('waiter'), name: 'waiting', input: '{"label":"taken-over"}' }));
    const asking = await sfnA.send(new StartExecutionCommand({ stateMachineArn: smArn('callback'), name: 'asking', input: '{"q":2}' }));
    await waitForEvent(sfnA, waiting.executionArn!, 'WaitStateEntered');
    const scheduled = await waitForEvent(sfnA, asking.executionArn!, 'TaskScheduled');
    const token = JSON.parse(scheduled.taskScheduledEventDetails!.parameters!).Payload.token as string;
    // "b" answers for "a"'s executions while "a" runs.
    expect((await sfnB.send(new DescribeExecutionCommand({ executionArn: waiting.executionArn }))).status).toBe('RUNNING');

    await killHard(a);
    // "b" finds "a"'s id free at two looks 10 s apart, then the executions are its own.
    let owned = false;
    for (const deadline = Date.now() + 60_000; !owned && Date.now() < deadline;) {
      owned = await sfnB.send(new DescribeExecutionCommand({ executionArn: asking.executionArn })).then(
        (d) => d.status === 'RUNNING',
        () => false,
      );
      if (!owned) await new Promise((r) => setTimeout(r, 500));
    }
    expect(owned).toBe(true);

    await sfnB.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":"by b"}' }));
    const asked = await settle(sfnB, asking.executionArn!);
    expect(JSON.parse(asked.output!)).toEqual({ q: 2, answer: { approved: 'by b' } });
    expectConsistent(await history(sfnB, asking.executionArn!));
    const waited = await settle(sfnB, waiting.executionArn!);
    expect(waited.status).toBe('SUCCEEDED');
    expect(JSON.parse(waited.output!)).toEqual({ resumed: 'taken-over' });
    const waitEvents = await history(sfnB, waiting.executionArn!);
    expect(waitEvents.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expectConsistent(waitEvents);
    expect(b.output()).toContain('took over 2 execution(s) of stopped instance "a", 2 running');
  }, 120_000);
});
