/**
 * The Step Functions service behind the API: a thin front that checks what a call names and
 * hands it to the part that does the work. Wire formats live in `api/`; this module and its
 * parts speak plain values.
 *
 * | part | does |
 * | --- | --- |
 * | `catalogue.ts`, `versions.ts`, `applyConfigMachines.ts` | state machines, activities, versions and aliases; the config's machines |
 * | `standardRuns.ts` | Standard executions: start, run, record history, checkpoint, finish, stop |
 * | `expressRuns.ts` | Express executions (no history, not kept) |
 * | `redrive.ts` | RedriveExecution |
 * | `taskInvoker.ts` | Task resources: the task runner, activities, callbacks, nested starts |
 * | `executionTable.ts` | the executions kept, closed histories, retention |
 * | `eventLog.ts` | writing to the store: batching, compaction, durability |
 * | `replay.ts`, `snapshot.ts` | the store's records to the live state and back |
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../datasources/types.js';
import type { StateMachineConfig } from '../../config/types.js';
import type {
  ActivityRecord,
  ExecutionStore,
  StateMachineAliasRecord,
  StateMachineRecord,
  StateMachineVersionRecord,
  StoredEvent,
  StoreRecord,
} from '../store/types.js';
import { checkName, executionArn, expectArn, type ArnScope } from './arns.js';
import { Callbacks } from './callbacks.js';
import { Catalogue } from './catalogue.js';
import { applyConfigMachines } from './applyConfigMachines.js';
import type { EngineModules, TaskRunner } from './engine.js';
import { executionDoesNotExist, SfnApiError, typeNotSupported } from './errors.js';
import { EventLog } from './eventLog.js';
import { ExecutionLogs, type LoggedRun } from './executionLogs.js';
import { describe, parseExecutionInput, type Execution } from './execution.js';
import { StandardRuns } from './standardRuns.js';
import { ExecutionTable } from './executionTable.js';
import { ExpressRuns, type SyncResult } from './expressRuns.js';
import { Machines } from './machines.js';
import { redriveBlocker, redriveExecution } from './redrive.js';
import { replay, replayAdopted, rewindToCheckpoint } from './replay.js';
import { snapshot, type LiveState } from './snapshot.js';
import { TaskInvoker } from './taskInvoker.js';
import { Versions, type RoutingEntry } from './versions.js';

export type { Execution } from './execution.js';
export type { SyncResult } from './expressRuns.js';

export interface ServiceOptions {
  /** Loads the engine (once, on first need). */
  engine: () => Promise<EngineModules>;
  /** Creates the task runner (once, when the first Task runs). */
  taskRunner?: () => Promise<TaskRunner>;
  store: ExecutionStore;
  scope: ArnScope;
  logger: Logger;
  /**
   * Closed Standard executions kept (with their history); the oldest are forgotten beyond it,
   * in memory now and in the store at its next compaction.
   * Gateway choice: a count instead of AWS's 90 days, so memory stays bounded (a closed execution
   * of a 10-state machine takes about 5 kB).
   * @default 50000
   */
  maxClosedExecutions?: number;
  /** Rewrite the log once this many records were appended (at least; 4× the live state). @default 1000000 */
  compactAfterRecords?: number;
  /** The folder of the execution logs (`loggingConfiguration`, executionLogs.ts); absent: kept in memory. */
  logsDir?: string;
}

export class StepFunctionsService {
  readonly scope: ArnScope;
  private readonly logger: Logger;
  private readonly machines: Machines;
  /** What the log holds (machines and executions): what `replay` rebuilds and `snapshot` writes. */
  private readonly live: LiveState;
  private readonly catalogue: Catalogue;
  private readonly versions: Versions;
  private readonly table: ExecutionTable;
  private readonly log: EventLog;
  private readonly callbacks = new Callbacks();
  private readonly tasks: TaskInvoker;
  private readonly runs: StandardRuns;
  private readonly express: ExpressRuns;
  /** Execution logs of machines with a `loggingConfiguration`. */
  readonly executionLogs: ExecutionLogs;
  private engineModules?: EngineModules;
  private engineLoading?: Promise<EngineModules>;
  private readonly loadEngine: () => Promise<EngineModules>;

  constructor(options: ServiceOptions) {
    this.loadEngine = options.engine;
    this.scope = options.scope;
    this.logger = options.logger;
    const engine = () => this.engine;
    this.machines = new Machines((text) => this.engine.validateDefinition(text).definition);
    this.table = new ExecutionTable(options.maxClosedExecutions ?? 50_000);
    this.live = { machines: this.machines, executions: this.table };
    this.log = new EventLog({
      store: options.store,
      logger: options.logger,
      snapshot: () => snapshot(this.live),
      compactAfterRecords: options.compactAfterRecords,
    });
    this.catalogue = new Catalogue(this.machines, { engine, scope: this.scope, append: (record) => this.log.append(record) });
    this.versions = new Versions(this.catalogue);
    this.tasks = new TaskInvoker({ callbacks: this.callbacks, execution: (arn) => this.table.get(arn), loadTaskRunner: options.taskRunner });
    this.executionLogs = new ExecutionLogs(options.logsDir, options.logger);
    const parts = { machines: this.machines, callbacks: this.callbacks, tasks: this.tasks, engine, scope: this.scope, logs: this.executionLogs };
    this.runs = new StandardRuns({ ...parts, executions: this.table, log: this.log, logger: this.logger });
    this.express = new ExpressRuns(parts);
  }

  /** The Standard executions this instance knows, by ARN (read-only: tests and embedders look, the service changes). */
  get executions(): ReadonlyMap<string, Execution> {
    return this.table.byArn;
  }

  /** True once the engine is loaded (the API checks before every call). */
  get ready(): boolean {
    return this.engineModules !== undefined;
  }

  /** Loads the engine if it is not yet. */
  async load(): Promise<void> {
    this.engineModules ??= await (this.engineLoading ??= this.loadEngine());
  }

  private get engine(): EngineModules {
    if (!this.engineModules) throw new Error('Step Functions engine used before load()');
    return this.engineModules;
  }

  // ---------------------------------------------------------------- start-up and takeover

  /** Replays the store, applies the config's machines, compacts the log, and resumes the Standard executions that were running. */
  async open(stateMachines: Record<string, StateMachineConfig>): Promise<void> {
    const records = await this.log.load();
    if (records.length > 0 || Object.keys(stateMachines ?? {}).length > 0) await this.load();
    for (const record of records) replay(this.live, record);
    this.applyConfig(stateMachines);
    const running = [...this.table.byArn.values()].filter((e) => e.status === 'RUNNING');
    await this.resume(running);
    if (running.length > 0) this.logger.info(`Step Functions: resumed ${running.length} running execution(s)`);
  }

  /**
   * Takes over the log of a gateway instance that stopped for good (its rows are already this
   * instance's in the store): its machines and activities this instance lacks, its executions,
   * and the running ones resume here. Returns how many resumed.
   */
  async adopt(records: StoreRecord[], from: string): Promise<number> {
    if (records.length === 0 || this.runs.closed) return 0;
    await this.load();
    const { adopted, clashing } = replayAdopted(this.live, records);
    if (clashing.size > 0) {
      const message = `Step Functions: ${clashing.size} execution(s) of instance "${from}" have the ARN of one of this instance's and were left out`;
      this.logger.warn(message, { executions: [...clashing] });
    }
    const running = adopted.filter((e) => e.status === 'RUNNING');
    await this.resume(running);
    this.logger.info(`Step Functions: took over ${adopted.length} execution(s) of stopped instance "${from}", ${running.length} running`);
    return running.length;
  }

  /**
   * Resumes executions replayed from the log: events after each one's last checkpoint are
   * dropped (that work runs again), the log is rewritten to match, then they run on.
   */
  private async resume(running: Execution[]): Promise<void> {
    for (const exec of running) {
      rewindToCheckpoint(this.table, exec);
      // Answers to a token handed out before the restart still land.
      if (exec.checkpoint?.taskToken) this.callbacks.adopt(exec.checkpoint.taskToken, exec.arn);
    }
    await this.log.compact();
    for (const exec of running) this.runs.run(exec, exec.checkpoint);
  }

  /** Creates or updates the machines declared in the config and deletes declared ones that are gone. */
  applyConfig(stateMachines: Record<string, StateMachineConfig>): void {
    applyConfigMachines(this.catalogue, stateMachines, { engine: () => this.engine, scope: this.scope, logger: this.logger });
  }

  // ---------------------------------------------------------------- state machines, versions, aliases, activities

  validate(text: string) {
    return this.catalogue.validate(text);
  }

  createStateMachine(input: Parameters<Catalogue['createStateMachine']>[0]): StateMachineRecord {
    return this.catalogue.createStateMachine(input);
  }

  /** The state machines of this instance (ListStateMachines; other instances sharing a store list theirs). */
  stateMachines(): StateMachineRecord[] {
    return this.catalogue.stateMachines();
  }

  /** True when this instance has the machine (not one of its versions or aliases). */
  hasStateMachine(arn: string): boolean {
    return this.catalogue.hasStateMachine(arn);
  }

  /**
   * DescribeStateMachineForExecution: the definition the execution runs (its revision, kept while
   * it may be needed) and the machine, unless it was deleted since.
   */
  machineOfExecution(exec: Execution): { definition?: string; machine?: StateMachineRecord } {
    return { definition: this.machines.revisionText(exec.revisionId), machine: this.machines.byArn.get(exec.stateMachineArn) };
  }

  machine(arn: string): StateMachineRecord {
    return this.catalogue.machine(arn);
  }

  updateStateMachine(arn: string, changes: Parameters<Catalogue['updateStateMachine']>[1]): StateMachineRecord {
    return this.catalogue.updateStateMachine(arn, changes);
  }

  /** Deletes a machine; its running executions go on with the revision they started with. */
  deleteStateMachine(arn: string): void {
    this.catalogue.deleteStateMachine(arn);
  }

  publishVersion(arn: string, options?: { revisionId?: string; description?: string }): StateMachineVersionRecord & { arn: string } {
    return this.versions.publish(arn, options);
  }

  /** The machine, version or alias a qualified ARN (`…:stateMachine:<name>:<version|alias>`) names. */
  qualified(arn: string): ReturnType<Versions['qualified']> {
    return this.versions.qualified(arn);
  }

  deleteVersion(versionArn: string): void {
    this.versions.deleteVersion(versionArn);
  }

  createAlias(name: string, description: string | undefined, routing: RoutingEntry[]): { arn: string; creationDate: number } {
    return this.versions.createAlias(name, description, routing);
  }

  alias(aliasArn: string): { sm: StateMachineRecord; alias: StateMachineAliasRecord } {
    return this.versions.alias(aliasArn);
  }

  updateAlias(aliasArn: string, changes: { description?: string; routing?: RoutingEntry[] }): number {
    return this.versions.updateAlias(aliasArn, changes);
  }

  deleteAlias(aliasArn: string): void {
    this.versions.deleteAlias(aliasArn);
  }

  createActivity(name: string): ActivityRecord {
    return this.catalogue.createActivity(name);
  }

  activity(arn: string): ActivityRecord {
    return this.catalogue.activity(arn);
  }

  /** The activities of this instance. */
  activities(): ActivityRecord[] {
    return this.catalogue.activities();
  }

  hasActivity(arn: string): boolean {
    return this.catalogue.hasActivity(arn);
  }

  deleteActivity(arn: string): void {
    this.catalogue.deleteActivity(arn);
  }

  // ---------------------------------------------------------------- executions
  // ---------------------------------------------------------------- executions

  /**
   * StartExecution. Standard: idempotent for the same name and input while the first one runs;
   * Express: runs in the background and is not kept (as AWS, it cannot be described).
   */
  startExecution(smArn: string, name: string | undefined, inputText: string | undefined): { executionArn: string; startDate: number; execution?: Execution } {
    const { sm, versionArn, aliasArn } = this.versions.runnable(smArn);
    const execName = name === undefined ? randomUUID() : checkName(name);
    const input = inputText ?? '{}';
    const parsed = parseExecutionInput(input);
    if (sm.type === 'EXPRESS') return this.express.start(sm, execName, parsed);
    return this.runs.start(sm, execName, input, parsed, { versionArn, aliasArn });
  }

  /** StartSyncExecution: Express machines only; no disk, no history. */
  async startSyncExecution(smArn: string, name: string | undefined, inputText: string | undefined): Promise<SyncResult> {
    const { sm } = this.versions.runnable(smArn);
    if (sm.type !== 'EXPRESS') throw typeNotSupported();
    return this.express.runSync(sm, name, inputText);
  }

  /**
   * Resolves once everything appended so far is durable in the store (concurrent callers share
   * one write); a failed write is ServiceUnavailable. See `EventLog.durable`.
   */
  durable(): Promise<void> {
    return this.log.durable();
  }

  /** An execution by ARN for Describe/History/Stop (Express ARNs are refused as AWS does). */
  execution(arn: string): Execution {
    expectArn(arn, ['execution'], 2);
    const exec = this.table.get(arn);
    if (!exec) throw executionDoesNotExist(arn);
    return exec;
  }

  /** An execution's history events, in order. */
  history(exec: Execution): StoredEvent[] {
    return this.table.history(exec);
  }

  /** Resolves when the execution has ended. */
  whenDone(exec: Execution): Promise<void> {
    return this.table.whenDone(exec);
  }

  /** StopExecution: marks the execution ABORTED at once and stops its run. */
  stopExecution(arn: string, error?: string, cause?: string): number {
    return this.runs.stop(this.execution(arn), error, cause);
  }

  /** Why `exec` cannot be redriven now (AWS's `redriveStatusReason`), or undefined when it can. */
  redriveBlocker(exec: Execution, now = Date.now()): string | undefined {
    return redriveBlocker(exec, this.machines, now);
  }

  /** RedriveExecution; answers the redrive date. */
  redriveExecution(arn: string): number {
    return redriveExecution(this.execution(arn), { machines: this.machines, executions: this.table, log: this.log, runs: this.runs });
  }

  listExecutions(smArn: string, status?: string): Execution[] {
    const sm = this.machine(smArn);
    if (sm.type === 'EXPRESS') throw typeNotSupported();
    return this.table.list(smArn, status);
  }

  /**
   * For nested machines (`arn:aws:states:::states:startExecution[.sync]`): starts an execution
   * and, with `waitForCompletion`, resolves once it ended with its description.
   */
  async startNested(smArn: string, input: unknown, name: string | undefined, waitForCompletion: boolean) {
    const sm = this.machine(smArn);
    const text = JSON.stringify(input ?? {});
    if (sm.type === 'EXPRESS' && waitForCompletion) return this.startSyncExecution(smArn, name, text);
    if (name !== undefined && sm.type === 'STANDARD' && this.tasks.claimDerivedName(name)) {
      // A derived name that exists already: a resumed parent finds the child it had started.
      const child = this.table.get(executionArn(this.scope, sm.name, name));
      if (child && child.input === text) {
        if (!waitForCompletion) return { executionArn: child.arn, startDate: child.startDate };
        await this.table.whenDone(child);
        return describe(child);
      }
    }
    const started = this.startExecution(smArn, name, text);
    if (!waitForCompletion || !started.execution) return { executionArn: started.executionArn, startDate: started.startDate };
    await this.table.whenDone(started.execution);
    return describe(started.execution);
  }

  // ---------------------------------------------------------------- callbacks and activities

  sendTaskSuccess(token: unknown, outputText: string): void {
    let output: unknown;
    try {
      output = JSON.parse(outputText);
    } catch (error) {
      throw new SfnApiError('InvalidOutput', `Invalid Output: '${(error as Error).message}'`);
    }
    this.callbacks.succeed(token, output);
  }

  sendTaskFailure(token: unknown, error: string | undefined, cause: string | undefined): void {
    this.callbacks.fail(token, error, cause);
  }

  sendTaskHeartbeat(token: unknown): void {
    this.callbacks.heartbeat(token);
  }

  async getActivityTask(arn: string, workerName: string | undefined, signal: AbortSignal, timeoutMs = 60_000) {
    this.catalogue.activity(arn);
    const task = await this.callbacks.pollActivity(arn, timeoutMs, signal);
    if (!task) return undefined;
    task.onStarted(workerName);
    return task;
  }

  /** TestState: one state run alone with a host that keeps nothing. */
  async testState(input: {
    definition: Record<string, unknown>;
    input: unknown;
    inspectionLevel?: 'INFO' | 'DEBUG' | 'TRACE';
    variables?: Record<string, unknown>;
  }) {
    if (!this.engine.testState) throw new SfnApiError('ValidationException', 'TestState is not available in this build.');
    const arn = executionArn(this.scope, 'TestStateMachine', randomUUID());
    return this.engine.testState({ ...input, host: this.tasks.historyless(arn) });
  }

  async close(): Promise<void> {
    // Running executions are left RUNNING in the store: the next start resumes them.
    this.log.writeDirty();
    this.runs.close();
    this.express.close();
    this.callbacks.close();
    await this.tasks.close();
    await this.log.close();
    await this.executionLogs.close();
  }

  /** The newest runs of a machine read back from its execution log (newest first). */
  loggedRuns(stateMachineArn: string): LoggedRun[] {
    const sm = this.machine(stateMachineArn);
    return this.executionLogs.runs(sm.name);
  }
}
