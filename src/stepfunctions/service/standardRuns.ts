/**
 * Standard executions while they run: started (and written to the log), run by the engine with a
 * host that records their history and checkpoints, finished, or stopped. Each records into the
 * log as it goes, so a restart resumes it from its last checkpoint.
 */
import type { Logger } from '../../datasources/types.js';
import { StatesError, type Checkpoint, type EngineHost, type RunOutcome } from '../engine/types.js';
import type { ExecutionEndRecord, StateMachineRecord } from '../store/types.js';
import { defaultRoleArn, executionArn, type ArnScope } from './arns.js';
import type { Callbacks } from './callbacks.js';
import type { EngineModules } from './engine.js';
import { executionAlreadyExists } from './errors.js';
import type { EventLog } from './eventLog.js';
import type { ExecutionLogs, LogWriter } from './executionLogs.js';
import { detailsKey, eventText, TERMINAL_EVENTS } from './eventText.js';
import { newExecution, type Execution } from './execution.js';
import { executionContext } from './executionContext.js';
import type { ExecutionTable } from './executionTable.js';
import type { Machines } from './machines.js';
import type { TaskInvoker } from './taskInvoker.js';

/**
 * AWS's longest Standard execution: one year. A Wait (or any state) still running then ends the
 * execution as timed out (States.Timeout), as on AWS.
 */
const STANDARD_MAX_SECONDS = 365 * 24 * 3600;

export interface StandardRunsDeps {
  machines: Machines;
  executions: ExecutionTable;
  log: EventLog;
  callbacks: Callbacks;
  tasks: TaskInvoker;
  engine(): EngineModules;
  scope: ArnScope;
  logger: Logger;
  logs: ExecutionLogs;
}

export class StandardRuns {
  private closing = false;
  /** The execution-log writer of each running execution whose machine logs (set when its run starts). */
  private readonly logWriters = new WeakMap<Execution, LogWriter>();

  constructor(private readonly deps: StandardRunsDeps) {}

  /** True once the gateway is shutting down: runs still settling record nothing more. */
  get closed(): boolean {
    return this.closing;
  }

  /**
   * StartExecution of a Standard machine (`sm`: the revision to run). Idempotent for the same
   * name and input while the first one runs.
   */
  start(
    sm: StateMachineRecord,
    name: string,
    input: string,
    parsed: unknown,
    through: { versionArn?: string; aliasArn?: string },
  ): { executionArn: string; startDate: number; execution: Execution } {
    const { executions, log } = this.deps;
    const arn = executionArn(this.deps.scope, sm.name, name);
    const existing = executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: existing.startDate, execution: existing };
      throw executionAlreadyExists(arn);
    }
    const { versionArn, aliasArn } = through;
    const exec = newExecution(arn, sm.arn, sm.name, name, 'STANDARD', input, Date.now(), sm.revisionId);
    if (versionArn) exec.versionArn = versionArn;
    if (aliasArn) exec.aliasArn = aliasArn;
    executions.add(exec);
    log.append({ k: 'x', r: { arn, stateMachineArn: sm.arn, name, input, startDate: exec.startDate, revisionId: sm.revisionId, versionArn, aliasArn } });
    this.run(exec, undefined, parsed);
    return { executionArn: arn, startDate: exec.startDate, execution: exec };
  }

  /** Runs `exec` from its start or from a checkpoint (resumed after a restart, or redriven). */
  run(exec: Execution, resumeFrom?: Checkpoint, input: unknown = JSON.parse(exec.input)): void {
    const { machines, callbacks, tasks } = this.deps;
    const revision = machines.revision(exec.revisionId);
    if (!revision) {
      this.finish(exec, { status: 'FAILED', error: 'States.Runtime', cause: 'The state machine definition of this execution is no longer available.' });
      return;
    }
    const controller = new AbortController();
    exec.controller = controller;
    const roleArn = machines.byArn.get(exec.stateMachineArn)?.roleArn ?? defaultRoleArn(this.deps.scope);
    const machine = { arn: exec.stateMachineArn, name: exec.stateMachineName, roleArn };
    const logWriter = this.deps.logs.writer(exec.stateMachineName, machines.byArn.get(exec.stateMachineArn)?.loggingConfiguration, exec.arn, exec.redriveCount);
    if (logWriter) this.logWriters.set(exec, logWriter);
    else this.logWriters.delete(exec);
    // A run stopped by StopExecution may still settle after a redrive started the next run of the
    // same execution: only the current run records, checkpoints and finishes.
    const current = () => exec.controller === controller;
    const host: EngineHost = {
      invokeTask: (request, signal) => tasks.invoke(exec.arn, request, signal),
      recordEvent: (type, details, previousEventId) => (current() ? this.record(exec, type, details, previousEventId) : 0),
      newTaskToken: () => callbacks.newToken(exec.arn),
      checkpoint: (checkpoint) => (current() ? this.checkpoint(exec, checkpoint) : undefined),
    };
    this.deps
      .engine()
      .runExecution({
        definition: revision.parsed,
        input,
        context: executionContext(exec.arn, exec.name, input, exec.startDate, machine, exec.redriveCount),
        host,
        signal: controller.signal,
        resumeFrom,
        // Gateway choice: a redriven run's TimeoutSeconds counts from the redrive, or a timed-out execution could never finish.
        timeoutFrom: exec.redriveDate === undefined ? undefined : new Date(exec.redriveDate).toISOString(),
        maxDurationSeconds: STANDARD_MAX_SECONDS,
      })
      .then(
        (outcome) => {
          if (current()) this.finish(exec, outcome);
        },
        (error: unknown) => {
          if (!current()) return;
          if (error instanceof StatesError) this.finish(exec, { status: 'FAILED', error: error.error, cause: error.cause });
          else {
            this.deps.logger.error('Step Functions engine failure', { execution: exec.arn, error: error instanceof Error ? error.stack : String(error) });
            this.finish(exec, { status: 'FAILED', error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) });
          }
        },
      );
  }

  /** Adds a history event; answers its id (0 when the execution no longer records). */
  record(exec: Execution, type: string, details: Record<string, unknown> | undefined, previousEventId: number): number {
    if (exec.status !== 'RUNNING' || this.closing) return 0;
    const id = exec.lastEventId + 1;
    const text = eventText(Date.now(), type, id, previousEventId, details);
    if (type === 'ExecutionSucceeded') exec.outputText = (details?.executionSucceededEventDetails as { output?: string } | undefined)?.output;
    exec.lastEventId = id;
    exec.lastEventType = type;
    exec.eventTexts.push(text);
    this.deps.log.markDirty(exec);
    this.logWriters.get(exec)?.(type, id, previousEventId, details);
    return id;
  }

  private checkpoint(exec: Execution, checkpoint: Checkpoint): Promise<void> | void {
    if (exec.status !== 'RUNNING' || this.closing) return;
    exec.checkpoint = checkpoint;
    exec.checkpointDirty = true;
    // A Wait begun or a token handed out must survive a crash: write now and wait for the disk.
    if (checkpoint.waitUntil !== undefined || checkpoint.taskToken !== undefined) {
      this.deps.log.writeNow(exec);
      // A failed write was reported by the store; the run goes on (as it would had it succeeded).
      return this.deps.log.flush().catch(() => undefined);
    }
    this.deps.log.markDirty(exec);
  }

  /** StopExecution: marks the execution ABORTED at once and stops its run; answers the stop date. */
  stop(exec: Execution, error?: string, cause?: string): number {
    if (exec.status !== 'RUNNING') return exec.stopDate ?? Date.now();
    const stopDate = Date.now();
    const details: Record<string, unknown> = {};
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    const controller = exec.controller;
    this.end(exec, { status: 'ABORTED', stopDate, error, cause }, 'ExecutionAborted', details);
    controller?.abort(new StatesError('States.Aborted', 'Execution aborted'));
    return stopDate;
  }

  private finish(exec: Execution, outcome: RunOutcome): void {
    if (exec.status !== 'RUNNING' || this.closing) return;
    const stopDate = Date.now();
    switch (outcome.status) {
      case 'SUCCEEDED': {
        // The engine's ExecutionSucceeded event already carries the output's text.
        const output = exec.outputText ?? JSON.stringify(outcome.output ?? null);
        this.end(exec, { status: 'SUCCEEDED', stopDate, output }, 'ExecutionSucceeded', { output, outputDetails: { truncated: false } });
        break;
      }
      case 'FAILED':
        const { error, cause } = outcome;
        this.end(exec, { status: 'FAILED', stopDate, error, cause }, 'ExecutionFailed', { error, cause });
        break;
      case 'TIMED_OUT':
        // As AWS: the ExecutionTimedOut event carries States.Timeout, DescribeExecution no error/cause.
        this.end(exec, { status: 'TIMED_OUT', stopDate }, 'ExecutionTimedOut', { error: outcome.error, cause: outcome.cause });
        break;
      case 'ABORTED':
        this.end(exec, { status: 'ABORTED', stopDate }, 'ExecutionAborted', {});
        break;
    }
  }

  private end(exec: Execution, end: ExecutionEndRecord, terminalType: string, details: Record<string, unknown>): void {
    const { executions, log } = this.deps;
    // The state that did not complete is where a redrive continues.
    if (end.status !== 'SUCCEEDED' && exec.checkpoint) end.redriveFrom = exec.checkpoint;
    if (!exec.lastEventType || !TERMINAL_EVENTS.has(exec.lastEventType)) {
      this.record(exec, terminalType, { [detailsKey(terminalType)]: details }, exec.lastEventId);
    }
    // Encoded once: the slab keeps the bytes and the store writes the same bytes.
    const history = executions.keepHistory(`[${exec.eventTexts.join(',')}]`);
    exec.checkpointDirty = false;
    log.writeNow(exec, history.slab.subarray(history.start, history.end));
    log.append({ k: 'end', a: exec.arn, r: end });
    executions.close(exec, end, history);
    this.deps.callbacks.dropExecution(exec.arn);
  }

  /** Stops every run (the gateway is shutting down); running executions stay RUNNING in the store. */
  close(): void {
    this.closing = true;
    for (const exec of this.deps.executions.byArn.values()) exec.controller?.abort(new StatesError('States.Runtime', 'The gateway is shutting down.'));
  }
}
