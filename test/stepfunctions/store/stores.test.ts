/**
 * The execution stores (file log and PostgreSQL): records come back in order, only the latest
 * checkpoint of an execution is kept per batch, a line cut by a crash is ignored, compaction
 * replaces the log; and a service on the Postgres store resumes executions after a restart.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import pg from 'pg';
import { ConfigError } from '../../../src/errors.js';
import { createFileStore, createPostgresStore, createStepFunctionsService, type ExecutionStore, type StoreRecord } from '../../../src/stepfunctions/index.js';
import { silentLogger } from '../../utils/logger.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:m:e1';
const cp = (stateName: string, lastEventId: number): StoreRecord => ({ k: 'c', a: ARN, c: { stateName, input: {}, variables: {}, lastEventId } });
const ev = (id: number): StoreRecord => ({ k: 'e', a: ARN, e: { timestamp: 1000 + id, type: 'PassStateEntered', id, previousEventId: id - 1 } });
const start: StoreRecord = {
  k: 'x',
  r: { arn: ARN, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m', name: 'e1', input: '{}', startDate: 1000, revisionId: 'r1' },
};

/** The behaviour every store shares. `location()` names a fresh place; its result opens it. */
function storeContract(name: string, location: () => () => Promise<ExecutionStore>) {
  describe(name, () => {
    it('loads what was appended, in order, with one checkpoint per execution and batch', async () => {
      const make = location();
      const store = await make();
      expect(await store.load()).toEqual([]);
      store.append(start);
      store.append(ev(1));
      store.append(cp('A', 1));
      store.append(ev(2));
      store.append(cp('B', 2));
      await store.flush();
      store.append(ev(3));
      store.append(cp('C', 3));
      store.append({ k: 'end', a: ARN, r: { status: 'SUCCEEDED', stopDate: 2000, output: '{}' } });
      await store.close();

      const again = await make();
      expect(await again.load()).toEqual([
        start,
        ev(1),
        ev(2),
        cp('B', 2),
        ev(3),
        { k: 'end', a: ARN, r: { status: 'SUCCEEDED', stopDate: 2000, output: '{}' } },
      ]);
      await again.close();
    });

    it('compaction replaces the whole log', async () => {
      const make = location();
      const store = await make();
      store.append(ev(9));
      await store.flush();
      await store.compact([start, ev(1)]);
      store.append(ev(2));
      await store.close();
      const again = await make();
      expect(await again.load()).toEqual([start, ev(1), ev(2)]);
      await again.close();
    });
  });
}

describe('file store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfn-store-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  let n = 0;
  storeContract('contract', () => {
    const folder = join(dir, `s${n++}`);
    return async () => createFileStore(folder);
  });

  it('one store per folder: a second is refused with a ConfigError while the first is open, and can open once it closed', async () => {
    const folder = join(dir, 'locked');
    const first = createFileStore(folder);
    await first.load();
    const second = createFileStore(folder);
    const refused = await second.load().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).path).toBe('stepFunctions.store.dir');
    expect((refused as ConfigError).message).toContain(`the Step Functions store folder ${folder} is in use`);
    first.append({ k: 'end', a: 'arn:kept' } as StoreRecord);
    await first.close();
    const third = createFileStore(folder);
    expect(await third.load()).toEqual([{ k: 'end', a: 'arn:kept' }]);
    await third.close();
  });

  it('takes over the lock of a process that is gone, refuses one that is alive or on another host', async () => {
    const folder = join(dir, 'stale');
    await mkdir(folder, { recursive: true });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await new Promise((r) => holder.once('spawn', r));
    await writeFile(join(folder, 'owner.lock'), `${holder.pid} ${hostname()}\n`);
    const refused = await createFileStore(folder)
      .load()
      .catch((e: unknown) => e);
    expect((refused as ConfigError).message).toContain(`in use by another running gateway (process ${holder.pid})`);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const store = createFileStore(folder);
    await store.load();
    expect(await readFile(join(folder, 'owner.lock'), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    await store.close();
    expect(existsSync(join(folder, 'owner.lock'))).toBe(false);

    await writeFile(join(folder, 'owner.lock'), `1 another-host\n`);
    const elsewhere = await createFileStore(folder)
      .load()
      .catch((e: unknown) => e);
    expect((elsewhere as ConfigError).message).toContain(`in use by process 1 on host another-host`);
    expect((elsewhere as ConfigError).message).toContain(`delete ${join(folder, 'owner.lock')}`);
  });

  it('a redrive is kept across restarts: a redriven execution waiting at the restart finishes, its history whole', async () => {
    const storeDir = join(dir, 'redrive');
    const options = {
      stateMachines: {
        flaky: {
          definition: {
            StartAt: 'Flaky',
            States: {
              // Item -1 of a one-item array fails; after one redrive it is item 0.
              Flaky: {
                Type: 'Pass',
                Parameters: { 'item.$': 'States.ArrayGetItem(States.Array(1), States.MathAdd($$.Execution.RedriveCount, -1))' },
                Next: 'Nap',
              },
              Nap: { Type: 'Wait', Seconds: 1, Next: 'Done' },
              Done: { Type: 'Pass', End: true },
            },
          },
        },
      },
      storeDir,
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
    };
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:flaky';
    let sfn = await createStepFunctionsService(options);
    const exec = sfn.service.startExecution(arn, 'flaky-1', '{}').execution!;
    await sfn.service.whenDone(exec);
    expect(exec.status).toBe('FAILED');
    await sfn.close();

    sfn = await createStepFunctionsService(options);
    const executionArn = exec.arn;
    sfn.service.redriveExecution(executionArn);
    const redriven = sfn.service.execution(executionArn);
    await new Promise((r) => setTimeout(r, 100));
    expect(sfn.service.history(redriven).at(-1)?.type).toBe('WaitStateEntered');
    await sfn.close();

    sfn = await createStepFunctionsService(options);
    const resumed = sfn.service.execution(executionArn);
    expect(resumed).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    await sfn.service.whenDone(resumed);
    expect(resumed.status).toBe('SUCCEEDED');
    const events = sfn.service.history(resumed);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'ExecutionFailed',
      'ExecutionRedriven',
      'PassStateEntered',
      'PassStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    await sfn.close();
  });

  it('versions and aliases are kept across restarts and compaction, with the definitions they froze', async () => {
    const storeDir = join(dir, 'versions');
    const options = {
      stateMachines: {},
      storeDir,
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
    };
    const says = (word: string) => JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: word, End: true } } });
    let sfn = await createStepFunctionsService(options);
    await sfn.service.load();
    const sm = sfn.service.createStateMachine({ name: 'kept', definition: says('old'), roleArn: 'arn:aws:iam::123456789012:role/r', type: 'STANDARD' });
    const v1 = sfn.service.publishVersion(sm.arn);
    sfn.service.updateStateMachine(sm.arn, { definition: says('new') });
    sfn.service.createAlias('stable', undefined, [{ stateMachineVersionArn: v1.arn, weight: 100 }]);
    await sfn.close();
    for (let restart = 0; restart < 2; restart++) {
      // The second start reads the log the first one compacted.
      sfn = await createStepFunctionsService(options);
      await sfn.service.load();
      const run = sfn.service.startExecution(`${sm.arn}:stable`, `via-alias-${restart}`, '{}').execution!;
      await sfn.service.whenDone(run);
      expect(run).toMatchObject({ status: 'SUCCEEDED', output: '"old"', versionArn: v1.arn, aliasArn: `${sm.arn}:stable` });
      const latest = sfn.service.startExecution(sm.arn, `latest-${restart}`, '{}').execution!;
      await sfn.service.whenDone(latest);
      expect(latest.output).toBe('"new"');
      await sfn.close();
    }
  });

  it('forgets the oldest closed executions beyond the limit and keeps the log compact', async () => {
    const storeDir = join(dir, 'retention');
    const options = {
      stateMachines: { chain: { definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } } } },
      storeDir,
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
      maxClosedExecutions: 5,
      compactAfterRecords: 50,
    };
    let sfn = await createStepFunctionsService(options);
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:chain';
    for (let i = 0; i < 40; i++) await sfn.service.whenDone(sfn.service.startExecution(arn, `run-${i}`, '{}').execution!);
    expect(sfn.service.listExecutions(arn).map((e) => e.name)).toEqual(['run-39', 'run-38', 'run-37', 'run-36', 'run-35']);
    await new Promise((r) => setTimeout(r, 50));
    await sfn.close();
    // 40 executions × 8 records were appended; compaction kept the log near the live state.
    const lines = (await readFile(join(storeDir, 'log.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(150);
    sfn = await createStepFunctionsService(options);
    const kept = sfn.service.listExecutions(arn);
    expect(kept.map((e) => e.name)).toEqual(['run-39', 'run-38', 'run-37', 'run-36', 'run-35']);
    expect(sfn.service.history(kept[0]!).map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    await sfn.close();
  });

  it('a parent resumed after a restart finds the nested .sync execution it had started instead of starting another', async () => {
    const storeDir = join(dir, 'nested');
    const child = 'arn:aws:states:us-east-1:123456789012:stateMachine:child';
    const options = {
      stateMachines: {
        child: {
          definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', Parameters: { 'got.$': '$.n' }, End: true } } },
        },
        parent: {
          definition: {
            StartAt: 'Call',
            States: {
              Call: {
                Type: 'Task',
                Resource: 'arn:aws:states:::states:startExecution.sync:2',
                Parameters: { StateMachineArn: child, 'Input.$': '$' },
                ResultSelector: { 'out.$': '$.Output' },
                ResultPath: '$.last',
                Next: 'Again',
              },
              // A loop: the same state starts a second child with other input.
              Again: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'Bump' }], Default: 'Done' },
              Bump: { Type: 'Pass', Parameters: { n: 2 }, Next: 'Call' },
              Done: { Type: 'Succeed' },
            },
          },
        },
      },
      storeDir,
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
    };
    let sfn = await createStepFunctionsService(options);
    const parent = sfn.service.startExecution('arn:aws:states:us-east-1:123456789012:stateMachine:parent', 'p1', '{"n":1}');
    const children = (s: typeof sfn) => [...s.service.executions.values()].filter((e) => e.stateMachineArn === child);
    for (let i = 0; i < 100 && children(sfn).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(children(sfn).map((e) => e.status)).toEqual(['RUNNING']);
    await sfn.close();

    sfn = await createStepFunctionsService(options);
    const resumed = sfn.service.executions.get(parent.executionArn)!;
    await sfn.service.whenDone(resumed);
    expect(resumed.status).toBe('SUCCEEDED');
    expect(JSON.parse(resumed.output!)).toEqual({ n: 2, last: { out: { got: 2 } } });
    // The first child ran once (resumed itself), the loop's second call started a second one.
    const started = children(sfn);
    expect(started.map((e) => [e.input, e.status])).toEqual([
      ['{"n":1}', 'SUCCEEDED'],
      ['{"n":2}', 'SUCCEEDED'],
    ]);
    expect(started[0]!.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await sfn.close();
  });

  it('a 30-day Wait waits (no timer overflow) and still waits for the same end after a restart', async () => {
    const storeDir = join(dir, 'long-wait');
    const options = {
      stateMachines: {
        long: { definition: { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 2_592_000, Next: 'After' }, After: { Type: 'Pass', End: true } } } },
      },
      storeDir,
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
    };
    let sfn = await createStepFunctionsService(options);
    const exec = sfn.service.startExecution('arn:aws:states:us-east-1:123456789012:stateMachine:long', 'nap', '{}').execution!;
    await new Promise((r) => setTimeout(r, 1500));
    expect(exec.status).toBe('RUNNING');
    const until = exec.checkpoint?.waitUntil;
    expect(until! - exec.startDate - 2_592_000_000).toBeGreaterThanOrEqual(0);
    expect(until! - exec.startDate - 2_592_000_000).toBeLessThan(1000);
    await sfn.close();

    sfn = await createStepFunctionsService(options);
    const resumed = sfn.service.execution(exec.arn);
    await new Promise((r) => setTimeout(r, 200));
    expect(resumed.status).toBe('RUNNING');
    expect(resumed.checkpoint?.waitUntil).toBe(until);
    expect(sfn.service.history(resumed).map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered']);
    sfn.service.stopExecution(exec.arn);
    await sfn.close();
  });

  it('a 20,000-state machine is kept across a restart without replaying its validation (the start was 42 s), and runs after it', async () => {
    const storeDir = join(dir, 'huge');
    const options = {
      stateMachines: {},
      storeDir,
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
    };
    const States: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) States[`S${i}`] = i === 19_999 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `S${i + 1}` };
    const definition = JSON.stringify({ StartAt: 'S0', States });
    let sfn = await createStepFunctionsService(options);
    await sfn.service.load();
    const sm = sfn.service.createStateMachine({ name: 'huge', definition, roleArn: 'arn:aws:iam::123456789012:role/r', type: 'STANDARD' });
    await sfn.close();
    const began = Date.now();
    sfn = await createStepFunctionsService(options);
    // Loose bound for a shared machine: the quadratic replay took 42 s.
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(sfn.service.machine(sm.arn).definition).toBe(definition);
    const exec = sfn.service.startExecution(sm.arn, 'after-restart', '{}').execution!;
    await sfn.service.whenDone(exec);
    expect([exec.status, exec.cause]).toEqual(['FAILED', 'The execution reached the maximum number of history events (25000).']);
    await sfn.close();
  }, 60_000);

  it('ignores a last line cut by a crash', async () => {
    const folder = join(dir, 'cut');
    const store = createFileStore(folder);
    store.append(start);
    store.append(ev(1));
    await store.close();
    await appendFile(join(folder, 'log.jsonl'), '{"k":"e","a":"arn:aws:states:us-e');
    expect(await createFileStore(folder).load()).toEqual([start, ev(1)]);
  });

  it('group commit: 100 concurrent flushes share about two fdatasyncs, and each resolves with its record on the disk', async () => {
    const folder = join(dir, 'group');
    const store = createFileStore(folder);
    await store.load();
    store.append(start);
    await store.flush();
    // The handle's class is only reachable through a handle.
    const probe = await open(join(folder, 'log.jsonl'), 'r');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(proto, 'datasync');
    try {
      const seen: number[] = [];
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          store.append(ev(i + 1));
          await store.flush();
          // On the disk by now: what the file holds includes this record.
          if ((await readFile(join(folder, 'log.jsonl'), 'utf8')).includes(`"id":${i + 1},`)) seen.push(i);
        }),
      );
      expect(seen).toHaveLength(100);
      expect(datasync.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      datasync.mockRestore();
      await store.close();
    }
  });

  it('a flush whose write failed rejects (and the store says why); later writes go on', async () => {
    const folder = join(dir, 'failing');
    const errors: unknown[] = [];
    const store = createFileStore(folder, (error) => errors.push(error));
    await store.load();
    // The log's name taken by a folder: opening it for appending fails.
    await mkdir(join(folder, 'log.jsonl'), { recursive: true });
    store.append(start);
    await expect(store.flush()).rejects.toThrow(/EISDIR|directory/);
    expect(errors).toHaveLength(1);
    await rm(join(folder, 'log.jsonl'), { recursive: true });
    store.append(ev(1));
    await store.flush();
    await store.close();
    expect(await createFileStore(folder).load()).toEqual([ev(1)]);
  });

  it('a flush after a failed compaction rejects: the records queued then were only in the rewrite', async () => {
    const folder = join(dir, 'failing-compaction');
    const store = createFileStore(folder, () => undefined);
    await store.load();
    store.append(start);
    await mkdir(join(folder, 'log.jsonl.tmp'), { recursive: true });
    const compaction = store.compact([start]);
    await expect(store.flush()).rejects.toThrow(/EISDIR|directory/);
    await expect(compaction).rejects.toThrow(/EISDIR|directory/);
    await rm(join(folder, 'log.jsonl.tmp'), { recursive: true });
    await store.close();
  });

  it('StartExecution is answered ServiceUnavailable when its record could not be written', async () => {
    const folder = join(dir, 'failing-service');
    const store = createFileStore(folder, () => undefined);
    const sfn = await createStepFunctionsService({
      stateMachines: { m: { definition: { StartAt: 'P', States: { P: { Type: 'Wait', Seconds: 60, End: true } } } } },
      storeDir: folder,
      store,
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
    });
    await sfn.service.durable();
    // The next batch cannot be written: the log is replaced by a folder once the handle is closed by a compaction.
    await store.compact([]);
    await rm(join(folder, 'log.jsonl'));
    await mkdir(join(folder, 'log.jsonl'));
    sfn.service.startExecution('arn:aws:states:us-east-1:123456789012:stateMachine:m', 'x', '{}');
    await expect(sfn.service.durable()).rejects.toMatchObject({ name: 'ServiceUnavailable', statusCode: 503 });
    await sfn.close();
  });
});

const pgUrl = inject('postgresUrl');
const pgSkip = pgUrl ? '' : inject('postgresSkipReason');

describe.skipIf(!!pgSkip)(`PostgreSQL store${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  const tables: string[] = [];
  afterAll(async () => {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    for (const t of tables) await client.query(`DROP TABLE IF EXISTS ${t}`);
    await client.end();
  });

  storeContract('contract', () => {
    const table = `sfn_store_test_${process.pid}_${tables.length}`;
    tables.push(table);
    return async () => createPostgresStore({ connectionString: pgUrl, table });
  });

  it('instances sharing a table each load and compact only their own rows; one id is one live instance', async () => {
    const table = `sfn_shared_test_${process.pid}`;
    tables.push(table);
    const a = createPostgresStore({ connectionString: pgUrl, table, instanceId: 'a' });
    const b = createPostgresStore({ connectionString: pgUrl, table, instanceId: 'b' });
    expect(await a.load()).toEqual([]);
    expect(await b.load()).toEqual([]);
    a.append(start);
    a.append(ev(1));
    b.append(ev(7));
    await Promise.all([a.flush(), b.flush()]);
    // b's compaction rewrites b's rows only: a's records survive it.
    await b.compact([ev(8)]);
    expect(await a.load()).toEqual([start, ev(1)]);
    expect(await b.load()).toEqual([ev(8)]);

    // A second live process claiming instance "a" is refused before it reads or writes anything.
    const twin = createPostgresStore({ connectionString: pgUrl, table, instanceId: 'a' });
    const refused = await twin.load().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toBe(
      `stepFunctions.store.instanceId: instance "a" of the Step Functions store table ${table} is in use by another running gateway; give each instance sharing the table its own instanceId`,
    );
    await twin.close();
    expect(await a.load()).toEqual([start, ev(1)]);

    // Once "a" stops, its id is free again and the records are all there.
    await a.close();
    const restarted = createPostgresStore({ connectionString: pgUrl, table, instanceId: 'a' });
    expect(await restarted.load()).toEqual([start, ev(1)]);
    await Promise.all([restarted.close(), b.close()]);
  });

  it('a table from before instance ids gets the owner column; its rows belong to the default instance', async () => {
    const table = `sfn_legacy_test_${process.pid}`;
    tables.push(table);
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`CREATE TABLE ${table} (seq BIGSERIAL PRIMARY KEY, record JSONB NOT NULL)`);
    await client.query(`INSERT INTO ${table} (record) VALUES ($1), ($2)`, [JSON.stringify(start), JSON.stringify(ev(1))]);
    await client.end();
    const store = createPostgresStore({ connectionString: pgUrl, table });
    expect(await store.load()).toEqual([start, ev(1)]);
    await store.close();
    const other = createPostgresStore({ connectionString: pgUrl, table, instanceId: 'new' });
    expect(await other.load()).toEqual([]);
    await other.close();
  });

  it('two services on one table run side by side and each resumes its own executions after a restart', async () => {
    const storeTable = `sfn_two_services_${process.pid}`;
    tables.push(storeTable);
    const optionsFor = (instanceId: string) => ({
      stateMachines: {
        waiter: { definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', OutputPath: '$.who', End: true } } } },
      },
      storeDir: '/nonexistent',
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
      store: { connectionString: pgUrl, table: storeTable, instanceId },
      // No takeover: this test is about each instance keeping its own.
      takeoverIntervalMs: 0,
    });
    const waiter = 'arn:aws:states:us-east-1:123456789012:stateMachine:waiter';
    const a = await createStepFunctionsService(optionsFor('a'));
    const b = await createStepFunctionsService(optionsFor('b'));
    const onA = a.service.startExecution(waiter, 'on-a', '{"who":"a"}');
    const onB = b.service.startExecution(waiter, 'on-b', '{"who":"b"}');
    const parked = async (sfn: typeof a, exec: typeof onA) => {
      for (let i = 0; i < 100 && !sfn.service.history(exec.execution!).some((e) => e.type === 'WaitStateEntered'); i++)
        await new Promise((r) => setTimeout(r, 20));
    };
    await Promise.all([parked(a, onA), parked(b, onB)]);
    // "a" stops mid-Wait; "b" keeps running and finishes its own execution meanwhile.
    await a.close();
    const bDone = b.service.executions.get(onB.executionArn)!;
    await b.service.whenDone(bDone);
    expect(bDone).toMatchObject({ status: 'SUCCEEDED', output: '"b"' });
    expect(b.service.executions.has(onA.executionArn)).toBe(false);

    const a2 = await createStepFunctionsService(optionsFor('a'));
    const resumed = a2.service.executions.get(onA.executionArn)!;
    expect(resumed.status).toBe('RUNNING');
    expect(a2.service.executions.has(onB.executionArn)).toBe(false);
    await a2.service.whenDone(resumed);
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', output: '"a"' });
    expect(a2.service.history(resumed).filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    await Promise.all([a2.close(), b.close()]);
  });

  it('an instance that stopped is taken over by another: its running executions finish there', async () => {
    const storeTable = `sfn_takeover_${process.pid}`;
    tables.push(storeTable);
    const optionsFor = (instanceId: string, takeoverIntervalMs: number) => ({
      stateMachines: {
        waiter: { definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', OutputPath: '$.who', End: true } } } },
        quick: { definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } },
      },
      storeDir: '/nonexistent',
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
      store: { connectionString: pgUrl, table: storeTable, instanceId },
      takeoverIntervalMs,
    });
    const sm = (name: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;
    const a = await createStepFunctionsService(optionsFor('a', 0));
    const b = await createStepFunctionsService(optionsFor('b', 100));
    const finished = a.service.startExecution(sm('quick'), 'done-on-a', '{"n":1}');
    await a.service.whenDone(finished.execution!);
    const waiting = a.service.startExecution(sm('waiter'), 'waiting-on-a', '{"who":"a"}');
    for (let i = 0; i < 100 && !a.service.history(waiting.execution!).some((e) => e.type === 'WaitStateEntered'); i++)
      await new Promise((r) => setTimeout(r, 20));
    // While "a" runs, "b" leaves it alone.
    await new Promise((r) => setTimeout(r, 400));
    expect(b.service.executions.has(waiting.executionArn)).toBe(false);

    await a.close();
    for (let i = 0; i < 150 && !b.service.executions.has(waiting.executionArn); i++) await new Promise((r) => setTimeout(r, 20));
    const taken = b.service.executions.get(waiting.executionArn)!;
    expect(taken).toBeDefined();
    await b.service.whenDone(taken);
    expect(taken).toMatchObject({ status: 'SUCCEEDED', output: '"a"' });
    const events = b.service.history(taken);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(b.service.executions.get(finished.executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"n":1}' });

    // "a" comes back with nothing of its own: it all lives on "b" now, in the store too.
    const a2 = await createStepFunctionsService(optionsFor('a', 0));
    expect(a2.service.executions.size).toBe(0);
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    const { rows } = await db.query(`SELECT owner, count(*)::int AS n FROM ${storeTable} WHERE record->>'k' = 'x' GROUP BY owner`);
    await db.end();
    expect(rows).toEqual([{ owner: 'b', n: 2 }]);
    await Promise.all([a2.close(), b.close()]);
  });

  it('a service on it resumes a waiting activity task and a Wait after a restart', async () => {
    const storeTable = `sfn_service_test_${process.pid}`;
    tables.push(storeTable);
    const options = {
      stateMachines: {
        waiter: { definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', Result: 'waited', End: true } } } },
      },
      storeDir: '/nonexistent',
      logger: silentLogger,
      config: () => ({ stepFunctions: { stateMachines: {} } }) as never,
      dataSources: () => new Map(),
      store: { connectionString: pgUrl, table: storeTable },
    };
    let sfn = await createStepFunctionsService(options);
    const activity = sfn.service.createActivity('pg-activity');
    const machine = sfn.service.createStateMachine({
      name: 'pg-activity-machine',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      type: 'STANDARD',
      definition: JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activity.arn, End: true } } }),
    });
    const working = sfn.service.startExecution(machine.arn, 'w1', '{"job":1}');
    const waiting = sfn.service.startExecution('arn:aws:states:us-east-1:123456789012:stateMachine:waiter', 'wait1', '{}');
    // Wait until both are parked (the activity task is queued, the Wait began).
    const first = await sfn.service.getActivityTask(activity.arn, 'before', new AbortController().signal, 5000);
    expect(first?.input).toBe('{"job":1}');
    for (let i = 0; i < 100 && !sfn.service.history(waiting.execution!).some((e) => e.type === 'WaitStateEntered'); i++)
      await new Promise((r) => setTimeout(r, 20));
    await sfn.close();

    sfn = await createStepFunctionsService(options);
    const resumed = sfn.service.executions.get(working.executionArn)!;
    expect(resumed.status).toBe('RUNNING');
    const task = await sfn.service.getActivityTask(activity.arn, 'after', new AbortController().signal, 5000);
    expect(task?.input).toBe('{"job":1}');
    sfn.service.sendTaskSuccess(task!.taskToken, '{"ok":true}');
    await sfn.service.whenDone(resumed);
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true}' });
    const waited = sfn.service.executions.get(waiting.executionArn)!;
    await sfn.service.whenDone(waited);
    expect(waited).toMatchObject({ status: 'SUCCEEDED', output: '"waited"' });
    for (const exec of [resumed, waited]) {
      const events = sfn.service.history(exec);
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    }
    expect(sfn.service.history(waited).map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    await sfn.close();
  });
});
