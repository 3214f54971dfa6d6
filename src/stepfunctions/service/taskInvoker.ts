/**
 * How a Task state's resource runs: activities and callbacks (`.waitForTaskToken`) wait for their
 * token to be answered, nested StartExecution gets a derived name when the definition gives none,
 * everything else goes to the task runner (Lambda, DynamoDB, HTTP), loaded when the first Task runs.
 */
import { createHash } from 'node:crypto';
import { StatesError, type EngineHost, type TaskRequest } from '../engine/types.js';
import type { Callbacks } from './callbacks.js';
import type { TaskRunner } from './engine.js';
import type { Execution } from './execution.js';

/** Resources that start a nested execution: their `Name` is derived when the definition gives none. */
const NESTED_START = /^arn:aws:states:::(states:startExecution(\.sync(:2)?|\.waitForTaskToken)?|aws-sdk:sfn:startExecution)$/;

const isActivityArn = (resource: string) => /^arn:[^:]+:states:[^:]+:[^:]+:activity:/.test(resource);

export interface TaskInvokerDeps {
  callbacks: Callbacks;
  /** The Standard execution of an ARN, if this instance has it. */
  execution(arn: string): Execution | undefined;
  /** Creates the task runner (once, when the first Task runs). */
  loadTaskRunner?: () => Promise<TaskRunner>;
}

export class TaskInvoker {
  private readonly callbacks: Callbacks;
  private runTask: TaskRunner = async (request, signal) => {
    if (!this.deps.loadTaskRunner) throw new StatesError('States.TaskFailed', 'no task runner');
    const runner = await (this.runnerLoading ??= this.deps.loadTaskRunner());
    this.runTask = runner;
    return runner(request, signal);
  };
  private runnerLoading?: Promise<TaskRunner>;
  /** Names `childName` derived and `claimDerivedName` has not claimed yet. */
  private readonly derivedChildNames = new Set<string>();

  constructor(private readonly deps: TaskInvokerDeps) {
    this.callbacks = deps.callbacks;
  }

  /**
   * True once for a name `childName` derived: the nested start under that name may be one a
   * resumed parent had made before, so the caller looks for that child first.
   */
  claimDerivedName(name: string): boolean {
    return this.derivedChildNames.delete(name);
  }

  /** An engine host for runs that keep no history (Express executions, TestState). */
  historyless(arn: string): EngineHost {
    return {
      invokeTask: (request, signal) => this.invoke(arn, request, signal),
      recordEvent: () => 0,
      newTaskToken: () => this.callbacks.newToken(arn),
      recordsHistory: false,
    };
  }

  /** Runs a Task resource for execution `execArn`. */
  async invoke(execArn: string, request: TaskRequest, signal: AbortSignal): Promise<unknown> {
    if (NESTED_START.test(request.resource)) {
      const exec = this.deps.execution(execArn);
      const parameters = request.parameters;
      if (exec && parameters && typeof parameters === 'object' && !Array.isArray(parameters) && (parameters as Record<string, unknown>).Name === undefined) {
        request = { ...request, parameters: { ...(parameters as Record<string, unknown>), Name: this.childName(exec, request) } };
      }
    }
    if (isActivityArn(request.resource)) {
      const token = request.taskToken ?? this.callbacks.newToken(execArn);
      if (request.resumed) this.callbacks.adopt(token, execArn);
      // After a restart the queue is empty again: the task is offered anew either way.
      this.callbacks.scheduleActivity(request.resource, {
        taskToken: token,
        input: JSON.stringify(request.parameters ?? {}),
        onStarted: (workerName) => request.started?.(workerName),
      });
      const unschedule = () => this.callbacks.unscheduleActivity(request.resource, token);
      signal.addEventListener('abort', unschedule, { once: true });
      try {
        return await this.callbacks.wait(token, execArn, signal, request.heartbeat);
      } finally {
        signal.removeEventListener('abort', unschedule);
        unschedule();
      }
    }
    if (request.taskToken) {
      const token = request.taskToken;
      // A resumed callback Task already called its resource before the restart.
      if (request.resumed) this.callbacks.adopt(token, execArn);
      else {
        const answer = await this.runTask(request, signal);
        request.submitted?.(answer);
      }
      return this.callbacks.wait(token, execArn, signal, request.heartbeat);
    }
    return this.runTask(request, signal);
  }

  /**
   * The name of a nested execution a Task starts without `Name`. AWS picks a random UUID; here it
   * is a UUID derived from the parent, its last checkpoint, the state, the Map item and how many
   * children that state started since the checkpoint. A run resumed after a restart replays the
   * same steps from that checkpoint, so it derives the same names and finds the children it had
   * started (running or finished) instead of starting them twice.
   */
  private childName(exec: Execution, request: TaskRequest): string {
    const epoch = exec.checkpoint?.lastEventId ?? 0;
    if (exec.childEpoch !== epoch || !exec.childStarts) {
      exec.childEpoch = epoch;
      exec.childStarts = new Map();
    }
    const key = `${request.stateName}\u0000${request.context.Map?.Item.Index ?? ''}`;
    const n = exec.childStarts.get(key) ?? 0;
    exec.childStarts.set(key, n + 1);
    const hex = createHash('sha256').update(`${exec.arn}\u0000${epoch}\u0000${key}\u0000${n}`).digest('hex');
    // Shaped as a version-4 UUID: version nibble 4, variant bits 10.
    const variant = ((parseInt(hex[16]!, 16) & 3) | 8).toString(16);
    const name = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    if (this.derivedChildNames.size >= 10_000) this.derivedChildNames.clear();
    this.derivedChildNames.add(name);
    return name;
  }

  /** Closes the task runner (its clients), also one still loading. */
  async close(): Promise<void> {
    if (this.runTask.close) this.runTask.close();
    else if (this.runnerLoading) (await this.runnerLoading.catch(() => undefined))?.close?.();
  }
}
