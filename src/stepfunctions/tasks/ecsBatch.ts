/**
 * `arn:aws:states:::ecs:runTask` and `arn:aws:states:::batch:submitJob` (request-response, `.sync`,
 * `.waitForTaskToken`): the task definition or job definition the Task names maps to a local
 * command in config (`stepFunctions.taskDefinitions` / `jobDefinitions`,
 * docs/stepfunctions.md#ecs-and-batch), run in a process group of its own (localProcess.ts).
 *
 * Results are AWS's shapes as Step Functions shows them (PascalCase, dates as epoch milliseconds):
 * RunTask's `{ Tasks, Failures }`, and for `.sync` the stopped task as DescribeTasks describes it;
 * SubmitJob's `{ JobArn, JobId, JobName }`, and for `.sync` the job as DescribeJobs describes it.
 * A `.sync` task whose command exits non-zero fails with `States.TaskFailed` and that description
 * as its cause, as Step Functions reports a failed ECS task or Batch job.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { LocalCommandConfig, NormalizedConfig } from '../../config/types.js';
import { StatesError } from '../engine/types.js';
import type { IntegrationPattern } from './resource.js';
import type { LocalProcess, LocalProcesses, ProcessEnd } from './localProcess.js';
import { sdkMetadata } from './serviceError.js';

export interface ContainerTaskContext {
  config(): NormalizedConfig;
  processes: LocalProcesses;
  region: string;
  accountId: string;
  /** Records the first answer as `TaskSubmitted` (`.sync`). */
  submitted?: (output: unknown) => void;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** A definition of config found by the name, `name:revision` or ARN a Task gives. */
interface FoundDefinition {
  name: string;
  revision: number;
  definition: LocalCommandConfig;
}

/** Finds `ref` (`name`, `name:3`, `arn:aws:ecs:…:task-definition/name:3`) among the configured definitions. */
function findDefinition(defs: Record<string, LocalCommandConfig> | undefined, ref: string, arnKind: string): FoundDefinition | undefined {
  if (!defs) return undefined;
  const bare = ref.includes(`:${arnKind}/`) ? ref.slice(ref.indexOf(`:${arnKind}/`) + arnKind.length + 2) : ref;
  const m = /^([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(bare);
  if (!m) return undefined;
  const name = m[1]!;
  const revision = m[2] ? Number(m[2]) : 1;
  const definition = defs[ref] ?? defs[bare] ?? defs[name];
  if (definition) return { name, revision, definition };
  // A key written as an ARN or with a revision matches the same family.
  for (const [key, value] of Object.entries(defs)) {
    const keyBare = key.includes(`:${arnKind}/`) ? key.slice(key.indexOf(`:${arnKind}/`) + arnKind.length + 2) : key;
    if (keyBare.split(':')[0] === name) return { name, revision, definition: value };
  }
  return undefined;
}

/** `[{ Name, Value }]` (ECS) or `[{ name, value }]` as a map. */
function environmentOf(list: unknown, where: string): Record<string, string> {
  if (list === undefined) return {};
  if (!Array.isArray(list)) throw new StatesError('States.Runtime', `The field '${where}' must be a list of { Name, Value }`);
  const out: Record<string, string> = {};
  for (const entry of list) {
    if (!isObject(entry)) continue;
    const name = entry.Name ?? entry.name;
    const value = entry.Value ?? entry.value;
    if (typeof name === 'string') out[name] = value === undefined || value === null ? '' : String(value);
  }
  return out;
}

function commandOf(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string'))
    throw new StatesError('States.Runtime', `The field '${where}' must be a non-empty list of strings`);
  return value as string[];
}

/** Runs the command of a Task; a program that cannot start fails the task (States.TaskFailed) with the stopped task/job as cause. */
async function startProcess(
  ctx: ContainerTaskContext,
  command: string[],
  definition: LocalCommandConfig,
  env: Record<string, string>,
  label: string,
): Promise<LocalProcess | Error> {
  const cwd = definition.cwd ?? ctx.config().configDir;
  // spawn reports a missing working folder as the program not being found: tell them apart.
  if (!existsSync(cwd)) return new Error(`the working folder ${cwd} does not exist`);
  try {
    return await ctx.processes.start({
      command,
      cwd,
      env: { ...process.env, ...definition.env, ...env } as Record<string, string>,
      label,
    });
  } catch (error) {
    return error as Error;
  }
}

/** Kills the process when the Task is stopped (StopExecution, TimeoutSeconds, HeartbeatSeconds); the listener goes when the process ends. */
function stopOnAbort(proc: LocalProcess, signal: AbortSignal, why: string): void {
  const onAbort = () => proc.stop(why);
  if (signal.aborted) return onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  void proc.ended.finally(() => signal.removeEventListener('abort', onAbort));
}

/** What a process that could not start reports as its container's reason. */
const startFailure = (error: Error, program: string) => {
  const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return `CannotStartContainerError: ${notFound ? `${program}: executable file not found (${error.message})` : error.message}`;
};

// ---------------------------------------------------------------- ECS

/** Runs `ecs:runTask`. */
export async function runEcsTask(ctx: ContainerTaskContext, parameters: unknown, pattern: IntegrationPattern, signal: AbortSignal): Promise<unknown> {
  const p = isObject(parameters) ? parameters : {};
  if (typeof p.TaskDefinition !== 'string') throw new StatesError('States.Runtime', "The field 'TaskDefinition' is required and must be a string");
  const requestId = randomUUID();
  const found = findDefinition(ctx.config().stepFunctions.taskDefinitions, p.TaskDefinition, 'task-definition');
  if (!found) {
    throw new StatesError(
      'ECS.ClientException',
      `TaskDefinition not found. (Service: AmazonECS; Status Code: 400; Error Code: ClientException; Request ID: ${requestId}; Proxy: null)`,
    );
  }
  const { name: family, revision, definition } = found;
  const arn = (kind: string, rest: string) => `arn:aws:ecs:${ctx.region}:${ctx.accountId}:${kind}/${rest}`;
  const clusterName =
    typeof p.Cluster === 'string' ? (p.Cluster.includes(':cluster/') ? p.Cluster.slice(p.Cluster.indexOf(':cluster/') + 9) : p.Cluster) : 'default';
  const taskId = randomUUID().replaceAll('-', '');
  const taskArn = arn('task', `${clusterName}/${taskId}`);
  const containerName = definition.containerName ?? family;

  const overrides = isObject(p.Overrides) ? p.Overrides : {};
  const containerOverrides = Array.isArray(overrides.ContainerOverrides) ? overrides.ContainerOverrides.filter(isObject) : [];
  // An override names its container; the one container of a local task definition takes an unnamed one too.
  const mine = containerOverrides.filter((o) => o.Name === undefined || o.Name === containerName);
  let command = definition.command;
  const env: Record<string, string> = {};
  for (const [i, o] of mine.entries()) {
    command = commandOf(o.Command, `Overrides.ContainerOverrides[${i}].Command`) ?? command;
    Object.assign(env, environmentOf(o.Environment, `Overrides.ContainerOverrides[${i}].Environment`));
  }
  const createdAt = Date.now();
  const startedBy = pattern === 'sync' || pattern === 'sync:2' ? 'AWS Step Functions' : typeof p.StartedBy === 'string' ? p.StartedBy : undefined;
  const proc = await startProcess(ctx, command, definition, env, `ecs ${family} task ${taskId}`);

  const describe = (end?: ProcessEnd, failure?: string): Json => {
    const stopped = end !== undefined || failure !== undefined;
    const now = Date.now();
    const container: Json = {
      ContainerArn: arn('container', `${clusterName}/${taskId}/${randomUUIDFor(taskId)}`),
      Cpu: '0',
      ...(end ? { ExitCode: end.exitCode } : {}),
      GpuIds: [],
      Image: 'local-command',
      LastStatus: stopped ? 'STOPPED' : 'RUNNING',
      ManagedAgents: [],
      Name: containerName,
      NetworkBindings: [],
      NetworkInterfaces: [],
      ...(failure ? { Reason: failure } : {}),
      ...(proc instanceof Error ? {} : { RuntimeId: String(proc.pid) }),
      TaskArn: taskArn,
    };
    const task: Json = {
      Attachments: [],
      Attributes: [{ Name: 'ecs.cpu-architecture', Value: process.arch === 'arm64' ? 'arm64' : 'x86_64' }],
      AvailabilityZone: `${ctx.region}a`,
      ClusterArn: arn('cluster', clusterName),
      Containers: [container],
      Cpu: '256',
      CreatedAt: createdAt,
      DesiredStatus: stopped ? 'STOPPED' : 'RUNNING',
      EnableExecuteCommand: false,
      Group: typeof p.Group === 'string' ? p.Group : `family:${family}`,
      LastStatus: stopped ? 'STOPPED' : 'RUNNING',
      LaunchType: typeof p.LaunchType === 'string' ? p.LaunchType : 'FARGATE',
      Memory: '512',
      Overrides: {
        ContainerOverrides: mine.map((o) => ({ Command: o.Command ?? [], Environment: o.Environment ?? [], Name: containerName })),
        InferenceAcceleratorOverrides: [],
      },
      ...(proc instanceof Error ? {} : { StartedAt: proc.startedAt }),
      ...(startedBy ? { StartedBy: startedBy } : {}),
      Tags: Array.isArray(p.Tags) ? p.Tags : [],
      TaskArn: taskArn,
      TaskDefinitionArn: arn('task-definition', `${family}:${revision}`),
      Version: stopped ? 3 : 2,
    };
    if (stopped) {
      Object.assign(task, {
        ExecutionStoppedAt: now,
        StopCode: failure ? 'TaskFailedToStart' : end?.stoppedBy ? 'UserInitiated' : 'EssentialContainerExited',
        StoppedAt: now,
        StoppedReason: failure ?? (end?.stoppedBy ? `Task stopped: ${end.stoppedBy}` : 'Essential container in task exited'),
        StoppingAt: now,
      });
    }
    return task;
  };

  if (proc instanceof Error) {
    // AWS answers RunTask and the task stops later with TaskFailedToStart; locally it fails the Task at once.
    throw new StatesError('States.TaskFailed', JSON.stringify(describe(undefined, startFailure(proc, command[0]!))));
  }
  stopOnAbort(proc, signal, 'the Task state was stopped (StopExecution, TimeoutSeconds or HeartbeatSeconds)');
  const response = {
    Failures: [],
    Tasks: [describe()],
    ...sdkMetadata(requestId, { 'Content-Type': 'application/x-amz-json-1.1', Date: new Date().toUTCString(), 'x-amzn-RequestId': requestId }),
  };
  if (pattern !== 'sync' && pattern !== 'sync:2') return response;
  ctx.submitted?.(response);
  const end = await proc.ended;
  const task = describe(end);
  if (end.exitCode !== 0) throw new StatesError('States.TaskFailed', JSON.stringify(task));
  return task;
}

/** A stable UUID-shaped id derived from another (container ids of one task stay the same between descriptions). */
function randomUUIDFor(seed: string): string {
  const hex = seed.padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------- Batch

/** Runs `batch:submitJob`. */
export async function runBatchJob(ctx: ContainerTaskContext, parameters: unknown, pattern: IntegrationPattern, signal: AbortSignal): Promise<unknown> {
  const p = isObject(parameters) ? parameters : {};
  for (const field of ['JobDefinition', 'JobName', 'JobQueue']) {
    if (typeof p[field] !== 'string') throw new StatesError('States.Runtime', `The field '${field}' is required and must be a string`);
  }
  const requestId = randomUUID();
  const found = findDefinition(ctx.config().stepFunctions.jobDefinitions, p.JobDefinition as string, 'job-definition');
  if (!found) {
    const message = `JobDefinition ${String(p.JobDefinition)} not found`;
    throw new StatesError(
      'Batch.ClientException',
      `Error executing request, Exception : ${message}, RequestId: ${requestId} ` +
        `(Service: AWSBatch; Status Code: 400; Error Code: ClientException; Request ID: ${requestId}; Proxy: null)`,
    );
  }
  const { name, revision, definition } = found;
  const jobId = randomUUID();
  const jobName = p.JobName as string;
  const jobArn = `arn:aws:batch:${ctx.region}:${ctx.accountId}:job/${jobId}`;
  const queue = p.JobQueue as string;
  const jobQueueArn = queue.startsWith('arn:') ? queue : `arn:aws:batch:${ctx.region}:${ctx.accountId}:job-queue/${queue}`;
  const overrides = isObject(p.ContainerOverrides) ? p.ContainerOverrides : {};
  const refs: Record<string, string> = { ...definition.parameters };
  if (isObject(p.Parameters)) for (const [k, v] of Object.entries(p.Parameters)) refs[k] = String(v);
  // Batch substitutes Ref::<name> placeholders of the command with the job's parameters.
  const command = (commandOf(overrides.Command, 'ContainerOverrides.Command') ?? definition.command).map((part) =>
    part.replace(/Ref::([A-Za-z0-9_-]+)/g, (whole, key: string) => refs[key] ?? whole),
  );
  const env: Record<string, string> = {
    ...environmentOf(overrides.Environment, 'ContainerOverrides.Environment'),
    AWS_BATCH_JOB_ID: jobId,
    AWS_BATCH_JQ_NAME: queue.split('/').pop()!,
    AWS_BATCH_JOB_ATTEMPT: '1',
  };
  if (pattern === 'sync') env.MANAGED_BY_AWS = 'STARTED_BY_STEP_FUNCTIONS';
  const createdAt = Date.now();
  const proc = await startProcess(ctx, command, definition, env, `batch ${name} job ${jobId}`);
  const logStreamName = `${name}/default/${jobId.replaceAll('-', '')}`;

  const describe = (end: ProcessEnd | undefined, failure?: string): Json => {
    const now = Date.now();
    const succeeded = end !== undefined && end.exitCode === 0;
    const reason = failure ?? (end?.stoppedBy ? `Job stopped: ${end.stoppedBy}` : 'Essential container in task exited');
    const container: Json = {
      Command: command,
      Environment: Object.entries(env).map(([k, v]) => ({ Name: k, Value: v })),
      ...(end ? { ExitCode: end.exitCode } : {}),
      Image: 'local-command',
      LogStreamName: logStreamName,
      ...(failure ? { Reason: failure } : {}),
      ResourceRequirements: [],
      Secrets: [],
      Ulimits: [],
      Volumes: [],
      MountPoints: [],
    };
    return {
      Attempts: [
        {
          Container: { ...(end ? { ExitCode: end.exitCode } : {}), LogStreamName: logStreamName, ...(failure ? { Reason: failure } : {}) },
          ...(proc instanceof Error ? {} : { StartedAt: proc.startedAt }),
          StatusReason: reason,
          StoppedAt: now,
        },
      ],
      Container: container,
      CreatedAt: createdAt,
      DependsOn: [],
      JobArn: jobArn,
      JobDefinition: `arn:aws:batch:${ctx.region}:${ctx.accountId}:job-definition/${name}:${revision}`,
      JobId: jobId,
      JobName: jobName,
      JobQueue: jobQueueArn,
      Parameters: refs,
      PlatformCapabilities: [],
      PropagateTags: false,
      ...(proc instanceof Error ? {} : { StartedAt: proc.startedAt }),
      Status: succeeded ? 'SUCCEEDED' : 'FAILED',
      ...(succeeded ? {} : { StatusReason: reason }),
      StoppedAt: now,
      Tags: isObject(p.Tags) ? p.Tags : {},
    };
  };

  if (proc instanceof Error) {
    throw new StatesError('States.TaskFailed', JSON.stringify(describe(undefined, startFailure(proc, command[0]!))));
  }
  stopOnAbort(proc, signal, 'the Task state was stopped (StopExecution, TimeoutSeconds or HeartbeatSeconds)');
  const response = {
    JobArn: jobArn,
    JobId: jobId,
    JobName: jobName,
    ...sdkMetadata(requestId, { 'Content-Type': 'application/json', Date: new Date().toUTCString(), 'x-amzn-RequestId': requestId }),
  };
  if (pattern !== 'sync') return response;
  ctx.submitted?.(response);
  const end = await proc.ended;
  const job = describe(end);
  if (job.Status !== 'SUCCEEDED') throw new StatesError('States.TaskFailed', JSON.stringify(job));
  return job;
}
