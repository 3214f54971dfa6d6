/**
 * `arn:aws:states:::ecs:runTask` and `arn:aws:states:::batch:submitJob` as local commands, through
 * the real `@aws-sdk/client-sfn`: `.sync` success and failure (caught by Catch), request-response,
 * unknown definitions, a program that does not exist, and the process group killed by
 * TimeoutSeconds, HeartbeatSeconds and StopExecution (checked by its pids being gone).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { normalizeConfig } from '../../../src/config/normalize.js';
import { ConfigErrors } from '../../../src/errors.js';
import { createGateway, type Gateway, type GatewayConfig } from '../../../src/index.js';
import { freePort } from '../../utils/freePort.js';
import { smArn } from '../services/serve.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

// Writes its pid and a background child's pid to $PIDS (the child is in its process group), then hangs.
const HANG = ['sh', '-c', 'sleep 60 & echo "$$ $!" > "$PIDS.tmp"; mv "$PIDS.tmp" "$PIDS"; wait'];

const task = (resource: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  StartAt: 'Run',
  States: {
    Run: { Type: 'Task', Resource: resource, Parameters: parameters, End: true, ...extra },
  },
});
const caught = (resource: string, parameters: Record<string, unknown>, error: string) => ({
  StartAt: 'Run',
  States: {
    Run: { Type: 'Task', Resource: resource, Parameters: parameters, Catch: [{ ErrorEquals: [error], Next: 'Caught' }], End: true },
    Caught: { Type: 'Pass', End: true },
  },
});
const envOverride = {
  ContainerOverrides: [
    {
      Name: 'app',
      Environment: [
        { Name: 'CODE', 'Value.$': '$.code' },
        { Name: 'GREETING', 'Value.$': '$.greeting' },
      ],
    },
  ],
};

const CONFIG = {
  name: 'sfn-ecs',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-sfnecs000000000000000000' }],
  stepFunctions: {
    taskDefinitions: {
      greeter: {
        command: [process.execPath, '-e', "console.log(process.env.GREETING + ' from ' + process.env.WHO); process.exit(Number(process.env.CODE || 0))"],
        env: { WHO: 'config' },
        containerName: 'app',
      },
      'arn:aws:ecs:us-east-1:123456789012:task-definition/hang:2': { command: HANG },
      ghost: { command: ['no-such-program-appsync-gateway-test'] },
      nowhere: { command: ['true'], cwd: 'no-such-folder' },
    },
    jobDefinitions: {
      report: {
        command: [
          process.execPath,
          '-e',
          'console.log(process.argv[1], process.env.AWS_BATCH_JOB_ID); process.exit(Number(process.argv[2]))',
          'Ref::title',
          'Ref::code',
        ],
        parameters: { title: 'default-title', code: '0' },
      },
    },
    stateMachines: {
      ecsSync: {
        definition: task('arn:aws:states:::ecs:runTask.sync', { Cluster: 'work', TaskDefinition: 'greeter', Overrides: envOverride }),
      },
      ecsCaught: {
        type: 'EXPRESS',
        definition: caught('arn:aws:states:::ecs:runTask.sync', { TaskDefinition: 'greeter:4', Overrides: envOverride }, 'States.TaskFailed'),
      },
      ecsRequestResponse: {
        type: 'EXPRESS',
        definition: task('arn:aws:states:::ecs:runTask', { TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/greeter:1' }),
      },
      ecsUnknown: {
        type: 'EXPRESS',
        definition: caught('arn:aws:states:::ecs:runTask.sync', { TaskDefinition: 'nothing-here' }, 'ECS.ClientException'),
      },
      ecsGhost: {
        type: 'EXPRESS',
        definition: caught('arn:aws:states:::ecs:runTask.sync', { TaskDefinition: 'ghost' }, 'States.TaskFailed'),
      },
      ecsNowhere: {
        type: 'EXPRESS',
        definition: caught('arn:aws:states:::ecs:runTask.sync', { TaskDefinition: 'nowhere' }, 'States.TaskFailed'),
      },
      ecsTimeout: {
        type: 'EXPRESS',
        definition: task(
          'arn:aws:states:::ecs:runTask.sync',
          { TaskDefinition: 'hang', Overrides: { ContainerOverrides: [{ Environment: [{ Name: 'PIDS', 'Value.$': '$.pids' }] }] } },
          { TimeoutSeconds: 1 },
        ),
      },
      ecsHeartbeat: {
        type: 'EXPRESS',
        definition: task(
          'arn:aws:states:::ecs:runTask.waitForTaskToken',
          {
            TaskDefinition: 'hang',
            Overrides: {
              ContainerOverrides: [
                {
                  Environment: [
                    { Name: 'PIDS', 'Value.$': '$.pids' },
                    { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' },
                  ],
                },
              ],
            },
          },
          { HeartbeatSeconds: 1 },
        ),
      },
      ecsStop: {
        definition: task('arn:aws:states:::ecs:runTask.sync', {
          TaskDefinition: 'hang',
          Overrides: { ContainerOverrides: [{ Environment: [{ Name: 'PIDS', 'Value.$': '$.pids' }] }] },
        }),
      },
      batchSync: {
        type: 'EXPRESS',
        definition: caught(
          'arn:aws:states:::batch:submitJob.sync',
          { JobDefinition: 'report', JobName: 'nightly', JobQueue: 'main', 'Parameters.$': '$.parameters' },
          'States.TaskFailed',
        ),
      },
      batchUnknown: {
        type: 'EXPRESS',
        definition: caught('arn:aws:states:::batch:submitJob.sync', { JobDefinition: 'nope', JobName: 'x', JobQueue: 'main' }, 'Batch.ClientException'),
      },
    },
  },
};

let dir: string;
let gateway: Gateway;
let sfn: SFNClient;
const logged: string[] = [];
const logger = {
  debug() {},
  info: (message: string) => void logged.push(message),
  warn: (message: string) => void logged.push(message),
  error: (message: string) => void logged.push(message),
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-ecs-'));
  await writeFile(join(dir, 'appsync.config.json'), JSON.stringify(CONFIG));
  await writeFile(join(dir, 'schema.graphql'), 'type Query { ok: Boolean }');
  const { config, configDir } = await loadConfigFile(join(dir, 'appsync.config.json'));
  const port = await freePort();
  gateway = await createGateway(config, { configDir, logger, inMemory: true });
  await gateway.listen({ port, host: '127.0.0.1' });
  await gateway.ready();
  sfn = new SFNClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials, disableHostPrefix: true });
});

afterAll(async () => {
  sfn?.destroy();
  await gateway?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const runSync = async (machine: string, input: unknown) => {
  const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn(machine), input: JSON.stringify(input) }));
  return { ...out, value: out.output ? JSON.parse(out.output) : undefined };
};

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while `pid` is a live process (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const pidsOf = async (file: string) => (await until(() => (existsSync(file) ? readFile(file, 'utf8') : undefined))).trim().split(/\s+/).map(Number);
const allGone = (pids: number[]) => until(() => (pids.every((pid) => !alive(pid)) ? true : undefined), 5_000);

describe('ecs:runTask as a local command', () => {
  it('.sync waits for the command and answers the stopped task as DescribeTasks describes it; overrides apply', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn('ecsSync'), input: JSON.stringify({ code: '0', greeting: 'hello' }) }),
    );
    const done = await until(async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    });
    expect(done.status).toBe('SUCCEEDED');
    const task = JSON.parse(done.output!);
    expect(task).toMatchObject({
      ClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/work',
      LastStatus: 'STOPPED',
      DesiredStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
      StartedBy: 'AWS Step Functions',
      Group: 'family:greeter',
      TaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/greeter:1',
      Containers: [{ Name: 'app', ExitCode: 0, LastStatus: 'STOPPED' }],
      Overrides: { ContainerOverrides: [{ Name: 'app' }] },
    });
    expect(task.TaskArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/work\/[0-9a-f]{32}$/);
    expect(typeof task.StoppedAt).toBe('number');
    // The command's output goes to the gateway's log; the definition's env and the override's both reached it.
    expect(logged.some((line) => line.includes(`task ${task.TaskArn.split('/').pop()}: hello from config`))).toBe(true);
    // TaskSubmitted carries RunTask's answer (the running task), TaskSucceeded the stopped one.
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const submitted = events!.find((e) => e.type === 'TaskSubmitted');
    expect(JSON.parse(submitted!.taskSubmittedEventDetails!.output!)).toMatchObject({
      Failures: [],
      Tasks: [{ LastStatus: 'RUNNING', TaskArn: task.TaskArn }],
    });
    expect(submitted!.taskSubmittedEventDetails).toMatchObject({ resourceType: 'ecs', resource: 'runTask.sync' });
  });

  it('a command that exits non-zero fails the task with States.TaskFailed, caught by Catch; the cause is the stopped task', async () => {
    const out = await runSync('ecsCaught', { code: '3', greeting: 'bye' });
    expect(out.status).toBe('SUCCEEDED');
    expect(out.value.Error).toBe('States.TaskFailed');
    const cause = JSON.parse(out.value.Cause);
    expect(cause).toMatchObject({ LastStatus: 'STOPPED', StopCode: 'EssentialContainerExited', Containers: [{ ExitCode: 3 }] });
    expect(cause.TaskDefinitionArn).toMatch(/task-definition\/greeter:4$/);
  });

  it('request-response answers RunTask at once ({ Tasks, Failures }) with the task running', async () => {
    const out = await runSync('ecsRequestResponse', {});
    expect(out.status).toBe('SUCCEEDED');
    expect(out.value).toMatchObject({
      Failures: [],
      Tasks: [{ LastStatus: 'RUNNING', DesiredStatus: 'RUNNING', Containers: [{ Name: 'app', LastStatus: 'RUNNING' }] }],
    });
    expect(out.value.SdkResponseMetadata.RequestId).toBeTruthy();
    expect(out.value.Tasks[0].StartedBy).toBeUndefined();
  });

  it('an unknown task definition is ECS.ClientException (catchable); a program that does not exist fails the task clearly', async () => {
    const unknown = await runSync('ecsUnknown', {});
    expect(unknown.value.Error).toBe('ECS.ClientException');
    expect(unknown.value.Cause).toMatch(/^TaskDefinition not found\. \(Service: AmazonECS; Status Code: 400; Error Code: ClientException; Request ID: /);

    const ghost = await runSync('ecsGhost', {});
    expect(ghost.value.Error).toBe('States.TaskFailed');
    const cause = JSON.parse(ghost.value.Cause);
    expect(cause).toMatchObject({ LastStatus: 'STOPPED', StopCode: 'TaskFailedToStart' });
    expect(cause.StoppedReason).toMatch(/^CannotStartContainerError: no-such-program-appsync-gateway-test: executable file not found/);

    const nowhere = await runSync('ecsNowhere', {});
    expect(JSON.parse(nowhere.value.Cause).StoppedReason).toMatch(/^CannotStartContainerError: the working folder .*no-such-folder does not exist$/);
  });

  it('TimeoutSeconds kills the command and everything it started', async () => {
    const pids = join(dir, 'timeout.pids');
    const started = Date.now();
    const out = await runSync('ecsTimeout', { pids });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('States.Timeout');
    expect(Date.now() - started).toBeLessThan(8_000);
    const [leader, child] = await pidsOf(pids);
    expect(leader).toBeGreaterThan(0);
    expect(child).toBeGreaterThan(0);
    await allGone([leader!, child!]);
  });

  it('HeartbeatSeconds of .waitForTaskToken kills the command when no heartbeat comes', async () => {
    const pids = join(dir, 'heartbeat.pids');
    const out = await runSync('ecsHeartbeat', { pids });
    expect(out.status).toBe('FAILED');
    // AWS reports a missed heartbeat as States.Timeout (Retry/Catch also match it as States.HeartbeatTimeout).
    expect(out.error).toBe('States.Timeout');
    await allGone(await pidsOf(pids));
  });

  it('StopExecution kills the command and everything it started', async () => {
    const pids = join(dir, 'stop.pids');
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('ecsStop'), input: JSON.stringify({ pids }) }));
    const all = await pidsOf(pids);
    expect(all.every(alive)).toBe(true);
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Enough' }));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
    await allGone(all);
  });
});

describe('batch:submitJob as a local command', () => {
  it('.sync answers the job as DescribeJobs describes it, with Ref:: parameters substituted', async () => {
    const out = await runSync('batchSync', { parameters: { title: 'weekly' } });
    expect(out.status).toBe('SUCCEEDED');
    expect(out.value).toMatchObject({
      Status: 'SUCCEEDED',
      JobName: 'nightly',
      JobQueue: 'arn:aws:batch:us-east-1:123456789012:job-queue/main',
      JobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/report:1',
      Container: { ExitCode: 0 },
      Attempts: [{ Container: { ExitCode: 0 } }],
      Parameters: { title: 'weekly', code: '0' },
    });
    expect(out.value.JobArn).toBe(`arn:aws:batch:us-east-1:123456789012:job/${out.value.JobId}`);
    expect(logged.some((line) => line.endsWith(`: weekly ${out.value.JobId}`))).toBe(true);
  });

  it('a job that exits non-zero is Status FAILED and States.TaskFailed (caught); an unknown definition is Batch.ClientException', async () => {
    const failed = await runSync('batchSync', { parameters: { title: 'broken', code: '2' } });
    expect(failed.value.Error).toBe('States.TaskFailed');
    expect(JSON.parse(failed.value.Cause)).toMatchObject({ Status: 'FAILED', StatusReason: 'Essential container in task exited', Container: { ExitCode: 2 } });

    const unknown = await runSync('batchUnknown', {});
    expect(unknown.value.Error).toBe('Batch.ClientException');
    expect(unknown.value.Cause).toMatch(/\(Service: AWSBatch; Status Code: 400; Error Code: ClientException; Request ID: .*; Proxy: null\)$/);
  });
});

describe('stepFunctions.taskDefinitions / jobDefinitions in config', () => {
  const base = { schemaSdl: 'type Query { ok: Boolean }', authentication: { type: 'API_KEY' } } as unknown as GatewayConfig;
  const normalize = (stepFunctions: unknown) => normalizeConfig({ ...base, stepFunctions } as GatewayConfig, { configDir: '/srv/app' });

  it('resolves cwd from the config folder (default: the config folder)', () => {
    const config = normalize({ taskDefinitions: { a: { command: ['true'], cwd: 'jobs' } }, jobDefinitions: { b: { command: ['true'] } } });
    expect(config.stepFunctions.taskDefinitions).toEqual({ a: { command: ['true'], cwd: '/srv/app/jobs' } });
    expect(config.stepFunctions.jobDefinitions).toEqual({ b: { command: ['true'], cwd: '/srv/app' } });
  });

  it('names the key path of each bad entry', () => {
    let errors: string[] = [];
    try {
      normalize({
        taskDefinitions: { a: { command: 'echo hi' }, b: { command: ['x'], env: { N: 1 }, image: 'busybox' } },
        jobDefinitions: { c: { command: ['x'], parameters: [] } },
      });
    } catch (error) {
      if (!(error instanceof ConfigErrors)) throw error;
      errors = error.errors.map((e) => e.message);
    }
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stepFunctions\.taskDefinitions\.a\.command: expected a non-empty list of strings/),
        expect.stringMatching(/^stepFunctions\.taskDefinitions\.b\.env: expected \{ NAME: value \}/),
        expect.stringMatching(/^stepFunctions\.taskDefinitions\.b\.image: unknown key/),
        expect.stringMatching(/^stepFunctions\.jobDefinitions\.c\.parameters: expected/),
      ]),
    );
  });
});
