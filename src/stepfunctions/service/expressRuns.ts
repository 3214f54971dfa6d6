/**
 * Express executions: run to their end without history, checkpoints or the store, as on AWS
 * (they cannot be described or listed). StartExecution runs one in the background,
 * StartSyncExecution waits for its result.
 */
import { randomUUID } from 'node:crypto';
import { StatesError, type RunOutcome } from '../engine/types.js';
import type { ExecutionStatus, StateMachineRecord } from '../store/types.js';
import { checkName, executionArn, type ArnScope } from './arns.js';
import type { Callbacks } from './callbacks.js';
import type { EngineModules } from './engine.js';
import { parseExecutionInput } from './execution.js';
import { executionContext } from './executionContext.js';
import type { Machines } from './machines.js';
import type { TaskInvoker } from './taskInvoker.js';
import type { EngineHost } from '../engine/types.js';
import type { ExecutionLogs, LogWriter } from './executionLogs.js';
import { detailsKey, TERMINAL_EVENTS } from './eventText.js';

/** AWS's longest Express execution: five minutes; a state still running then ends it as timed out (States.Timeout). */
const EXPRESS_MAX_SECONDS = 5 * 60;

/** What StartSyncExecution answers with (times in epoch ms). */
export interface SyncResult {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  startDate: number;
  stopDate: number;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ExpressDeps {
  machines: Machines;
  tasks: TaskInvoker;
  callbacks: Callbacks;
  engine(): EngineModules;
  scope: ArnScope;
  logs: ExecutionLogs;
}

export class ExpressRuns {
  /** Runs started by StartExecution, each stoppable (on close). */
  private readonly background = new Set<AbortController>();
  /**
   * Sync runs cannot be stopped one by one: they share one controller (aborted on close), which
   * saves an AbortController per execution on the hottest path.
   */
  private readonly sync = new AbortController();

  constructor(private readonly deps: ExpressDeps) {}

  /** StartExecution of an Express machine: answers at once, the run goes on in the background. */
  start(sm: StateMachineRecord, name: string, input: unknown): { executionArn: string; startDate: number } {
    const arn = executionArn(this.deps.scope, sm.name, name, true);
    const startDate = Date.now();
    const controller = new AbortController();
    this.background.add(controller);
    void this.run(sm, arn, name, input, startDate, controller).finally(() => this.background.delete(controller));
    return { executionArn: arn, startDate };
  }

  /** StartSyncExecution: runs `sm` (an Express machine) and answers its result. */
  async runSync(sm: StateMachineRecord, name: string | undefined, inputText: string | undefined): Promise<SyncResult> {
    const execName = name === undefined ? randomUUID() : checkName(name);
    const input = inputText ?? '{}';
    const parsed = parseExecutionInput(input);
    const arn = executionArn(this.deps.scope, sm.name, execName, true);
    const startDate = Date.now();
    const outcome = await this.run(sm, arn, execName, parsed, startDate, this.sync);
    const result: SyncResult = { executionArn: arn, stateMachineArn: sm.arn, name: execName, startDate, stopDate: Date.now(), status: outcome.status, input };
    if (outcome.status === 'SUCCEEDED') result.output = JSON.stringify(outcome.output ?? null);
    else if (outcome.status !== 'ABORTED') {
      result.error = outcome.error;
      result.cause = outcome.cause;
    }
    return result;
  }

  /** Runs an Express execution to its end. */
  private async run(sm: StateMachineRecord, arn: string, name: string, input: unknown, startDate: number, controller: AbortController): Promise<RunOutcome> {
    const revision = this.deps.machines.revision(sm.revisionId);
    if (!revision) return { status: 'FAILED', error: 'States.Runtime', cause: 'The state machine definition is not available.' };
    const writer = this.deps.logs.writer(sm.name, sm.loggingConfiguration, arn);
    const logged = writer ? loggingHost(this.deps.tasks.historyless(arn), writer) : undefined;
    try {
      const outcome = await this.deps.engine().runExecution({
        definition: revision.parsed,
        input,
        context: executionContext(arn, name, input, startDate, sm),
        host: logged?.host ?? this.deps.tasks.historyless(arn),
        signal: controller.signal,
        maxDurationSeconds: EXPRESS_MAX_SECONDS,
      });
      logged?.end(outcome);
      return outcome;
    } catch (error) {
      const outcome: RunOutcome =
        error instanceof StatesError
          ? { status: 'FAILED', error: error.error, cause: error.cause }
          : { status: 'FAILED', error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) };
      logged?.end(outcome);
      return outcome;
    } finally {
      this.deps.callbacks.dropExecution(arn);
    }
  }

  /** Stops every Express run (the gateway is shutting down). */
  close(): void {
    for (const controller of this.background) controller.abort(new StatesError('States.Runtime', 'The gateway is shutting down.'));
    this.sync.abort(new StatesError('States.Runtime', 'The gateway is shutting down.'));
  }
}

/**
 * A host that records an Express execution's events only into its execution log (Express
 * executions keep no history), and `end` writes the closing event the engine leaves to the
 * service (ExecutionFailed, …) when the run ended without one.
 */
function loggingHost(base: EngineHost, writer: LogWriter): { host: EngineHost; end(outcome: RunOutcome): void } {
  let lastId = 0;
  let lastType: string | undefined;
  const host: EngineHost = {
    ...base,
    recordsHistory: true,
    recordEvent: (type, details, previousEventId) => {
      lastId += 1;
      lastType = type;
      writer(type, lastId, previousEventId, details);
      return lastId;
    },
  };
  const end = (outcome: RunOutcome) => {
    if (lastType && TERMINAL_EVENTS.has(lastType)) return;
    const [type, details]: [string, Record<string, unknown>] =
      outcome.status === 'SUCCEEDED'
        ? ['ExecutionSucceeded', { output: JSON.stringify(outcome.output ?? null), outputDetails: { truncated: false } }]
        : outcome.status === 'TIMED_OUT'
          ? ['ExecutionTimedOut', { error: outcome.error, cause: outcome.cause }]
          : outcome.status === 'ABORTED'
            ? ['ExecutionAborted', {}]
            : ['ExecutionFailed', { error: outcome.error, cause: outcome.cause }];
    host.recordEvent(type, { [detailsKey(type)]: details }, lastId);
  };
  return { host, end };
}
