/**
 * The Step Functions service behind the API: state machines, activities, executions (Standard
 * with history and checkpoints, Express without), task tokens, and the store that makes Standard
 * executions survive a restart. Wire formats live in `api/`; this module speaks plain values.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../../datasources/types.js';
import type { StateMachineConfig } from '../../config/types.js';
import { StatesError, type Checkpoint, type EngineHost, type RunOutcome, type StateMachineDefinition, type TaskRequest } from '../engine/types.js';
import type { ActivityRecord, ExecutionEndRecord, ExecutionStatus, ExecutionStore, StateMachineAliasRecord, StateMachineRecord, StateMachineVersionRecord, StoredEvent, StoreRecord } from '../store/types.js';
import { checkName, defaultRoleArn, executionArn, expectArn, type ArnScope } from './arns.js';
import { Callbacks } from './callbacks.js';
import type { EngineModules, TaskRunner } from './engine.js';
import {
  executionAlreadyExists,
  executionDoesNotExist,
  invalidArn,
  SfnApiError,
  typeNotSupported,
} from './errors.js';
import { eventText, detailsKey, TERMINAL_EVENTS } from './eventText.js';
import { describe, newExecution, parseExecutionInput, type Execution } from './execution.js';
import { executionContext } from './executionContext.js';
import { HistorySlabs, slabString, type SlabText } from './historySlabs.js';
import { Catalogue } from './catalogue.js';
import { applyConfigMachines } from './configMachines.js';
import { Machines } from './machines.js';
import { Versions, type RoutingEntry } from './versions.js';

export { describe, type Execution } from './execution.js';

/**
 * AWS's longest execution: one year for Standard, five minutes for Express. A Wait (or any
 * state) still running then ends the execution as timed out (States.Timeout), as on AWS.
 */
const STANDARD_MAX_SECONDS = 365 * 24 * 3600;
const EXPRESS_MAX_SECONDS = 5 * 60;

/** How long after it stopped an execution may be redriven (AWS: 14 days). */
const REDRIVE_PERIOD_MS = 14 * 24 * 3600 * 1000;
const MAX_REDRIVES = 1000;

/** Resources that start a nested execution: their `Name` is derived when the definition gives none. */
const NESTED_START = /^arn:aws:states:::(states:startExecution(\.sync(:2)?|\.waitForTaskToken)?|aws-sdk:sfn:startExecution)$/;

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
}

/** The log is rewritten from the live state once this many records (or 4× the state) were appended. */
const COMPACT_MIN_RECORDS = 1_000_000;
/** How long new history events wait to be handed to the store together. */
const WRITE_DELAY_MS = 4;

const isActivityArn = (resource: string) => /^arn:[^:]+:states:[^:]+:[^:]+:activity:/.test(resource);

export class StepFunctionsService {
  private readonly machines: Machines;
  private readonly catalogue: Catalogue;
  private readonly versions: Versions;
  private readonly callbacks = new Callbacks();
  readonly executions = new Map<string, Execution>();
  /** Executions per state machine ARN in start order (ListExecutions shows them newest first). */
  private readonly executionsByMachine = new Map<string, Execution[]>();
  /** Running executions per state machine ARN in start order (ListExecutions RUNNING, polled often). */
  private readonly running = new Map<string, Set<Execution>>();
  private readonly expressRuns = new Set<AbortController>();
  private readonly syncRuns = new AbortController();
  /** Closed executions, oldest first (the retention queue). */
  private readonly closed: Execution[] = [];
  private readonly maxClosed: number;
  private readonly slabs = new HistorySlabs();
  private runTask: TaskRunner = async (request, signal) => {
    if (!this.loadTaskRunner) throw new StatesError('States.TaskFailed', 'no task runner');
    const runner = await (this.runnerLoading ??= this.loadTaskRunner());
    this.runTask = runner;
    return runner(request, signal);
  };
  private closing = false;
  /** Names `childName` derived and `startNested` has not used yet. */
  private readonly derivedChildNames = new Set<string>();
  private readonly dirty = new Set<Execution>();
  private dirtyTimer?: NodeJS.Timeout;
  private appended = 0;
  private compactAfter: number;
  private readonly compactMin: number;
  private compacting = false;
  readonly scope: ArnScope;
  private engineModules?: EngineModules;
  private engineLoading?: Promise<EngineModules>;
  private readonly loadEngine: () => Promise<EngineModules>;
  private readonly loadTaskRunner?: () => Promise<TaskRunner>;
  private runnerLoading?: Promise<TaskRunner>;
  private readonly store: ExecutionStore;
  private readonly logger: Logger;

  constructor(options: ServiceOptions) {
    this.loadEngine = options.engine;
    this.loadTaskRunner = options.taskRunner;
    this.store = options.store;
    this.scope = options.scope;
    this.logger = options.logger;
    this.maxClosed = options.maxClosedExecutions ?? 50_000;
    this.compactMin = this.compactAfter = options.compactAfterRecords ?? COMPACT_MIN_RECORDS;
    this.machines = new Machines((text) => this.engine.validateDefinition(text).definition);
    this.catalogue = new Catalogue(this.machines, { engine: () => this.engine, scope: this.scope, append: (record) => this.append(record) });
    this.versions = new Versions(this.catalogue);
  }

  /** Appends to the store, compacting it in the background once it grew well past the live state. */
  private append(record: StoreRecord): void {
    this.store.append(record);
    this.counted();
  }

  private counted(): void {
    if (++this.appended < this.compactAfter || this.compacting) return;
    this.compacting = true;
    setImmediate(() => {
      const snapshot = this.snapshot();
      this.appended = 0;
      this.compactAfter = Math.max(this.compactMin, snapshot.length * 4);
      this.store
        .compact(snapshot)
        .catch((error: unknown) => this.logger.error('Step Functions store compaction failed', { error: (error as Error)?.message ?? String(error) }))
        .finally(() => (this.compacting = false));
    });
  }

  setTaskRunner(runner: TaskRunner): void {
    this.runTask = runner;
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

  // ---------------------------------------------------------------- start-up and config

  /** Replays the store, applies the config's machines, compacts the log, and resumes the Standard executions that were running. */
  async open(stateMachines: Record<string, StateMachineConfig>): Promise<void> {
    const records = await this.store.load();
    if (records.length > 0 || Object.keys(stateMachines ?? {}).length > 0) await this.load();
    for (const record of records) this.replay(record);
    this.applyConfig(stateMachines);
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    await this.resume(running);
    if (running.length > 0) this.logger.info(`Step Functions: resumed ${running.length} running execution(s)`);
  }

  /**
   * Takes over the log of a gateway instance that stopped for good (its rows are already this
   * instance's in the store): its machines and activities this instance lacks, its executions,
   * and the running ones resume here. Returns how many resumed.
   */
  async adopt(records: StoreRecord[], from: string): Promise<number> {
    if (records.length === 0 || this.closing) return 0;
    await this.load();
    // This instance's own machines, activities and executions win over the adopted ones.
    const clashing = new Set<string>();
    const adopted: Execution[] = [];
    for (const record of records) {
      if (record.k === 'sm' && this.machines.byArn.has(record.r.arn)) {
        // Its executions may run that definition: keep it as a revision.
        this.machines.addRevision(record.r.revisionId, record.r.definition);
        continue;
      }
      if (record.k === 'act' && this.machines.activities.has(record.r.arn)) continue;
      if (record.k === 'smdel' || record.k === 'actdel') continue;
      if (record.k === 'x' && this.executions.has(record.r.arn)) {
        clashing.add(record.r.arn);
        continue;
      }
      if (record.k !== 'sm' && record.k !== 'act' && record.k !== 'rev' && record.k !== 'x' && clashing.has(record.a)) continue;
      this.replay(record);
      if (record.k === 'x') adopted.push(this.executions.get(record.r.arn)!);
    }
    if (clashing.size > 0) this.logger.warn(`Step Functions: ${clashing.size} execution(s) of instance "${from}" have the ARN of one of this instance's and were left out`, { executions: [...clashing] });
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
      const cp = exec.checkpoint;
      // Events written after the last checkpoint belong to work that will run again.
      const last = cp?.lastEventId ?? 0;
      const kept = this.history(exec).filter((e) => e.id <= last);
      exec.eventTexts = kept.map((e) => JSON.stringify(e));
      exec.flushed = exec.eventTexts.length;
      exec.lastEventId = kept.length ? kept[kept.length - 1]!.id : 0;
      exec.lastEventType = kept[kept.length - 1]?.type;
      // Answers to a token handed out before the restart still land.
      if (cp?.taskToken) this.callbacks.adopt(cp.taskToken, exec.arn);
    }
    const snapshot = this.snapshot();
    this.appended = 0;
    this.compactAfter = Math.max(this.compactMin, snapshot.length * 4);
    await this.store.compact(snapshot);
    for (const exec of running) this.run(exec, exec.checkpoint);
  }

  private replay(record: StoreRecord): void {
    switch (record.k) {
      case 'sm':
        this.machines.put(record.r);
        break;
      case 'smdel':
        this.machines.byArn.delete(record.arn);
        break;
      case 'rev':
        this.machines.addRevision(record.id, record.def);
        break;
      case 'act':
        this.machines.activities.set(record.r.arn, record.r);
        break;
      case 'actdel':
        this.machines.activities.delete(record.arn);
        break;
      case 'x': {
        const r = record.r;
        const smName = r.stateMachineArn.slice(r.stateMachineArn.lastIndexOf(':') + 1);
        const exec = newExecution(r.arn, r.stateMachineArn, smName, r.name, 'STANDARD', r.input, r.startDate, r.revisionId);
        if (r.redriveCount) {
          exec.redriveCount = r.redriveCount;
          exec.redriveDate = r.redriveDate;
        }
        if (r.versionArn) exec.versionArn = r.versionArn;
        if (r.aliasArn) exec.aliasArn = r.aliasArn;
        this.addExecution(exec);
        break;
      }
      case 'rd': {
        const exec = this.executions.get(record.a);
        if (exec && exec.status !== 'RUNNING') {
          const from = exec.redriveFrom;
          this.reopen(exec, record.count, record.date);
          // Until the redriven run's own checkpoint (the next records), resuming continues where the redrive did.
          exec.checkpoint = this.redriveCheckpoint(exec, from, exec.lastEventId);
          exec.redriveFrom = undefined;
        }
        break;
      }
      case 'e': {
        const exec = this.executions.get(record.a);
        if (exec) {
          exec.eventTexts.push(JSON.stringify(record.e));
          exec.flushed = exec.eventTexts.length;
          exec.lastEventType = record.e.type;
          exec.lastEventId = record.e.id;
        }
        break;
      }
      case 'ev': {
        const exec = this.executions.get(record.a);
        if (exec) {
          for (const e of record.ev) exec.eventTexts.push(JSON.stringify(e));
          exec.flushed = exec.eventTexts.length;
          const last = record.ev[record.ev.length - 1];
          if (last) {
            exec.lastEventId = last.id;
            exec.lastEventType = last.type;
          }
        }
        break;
      }
      case 'c': {
        const exec = this.executions.get(record.a);
        if (exec) exec.checkpoint = record.c;
        break;
      }
      case 'end': {
        const exec = this.executions.get(record.a);
        if (exec) this.applyEnd(exec, record.r);
        break;
      }
    }
  }

  /** The live state as records (what compaction writes). */
  private snapshot(): StoreRecord[] {
    const out: StoreRecord[] = [];
    const current = new Set<string>();
    for (const sm of this.machines.byArn.values()) {
      out.push({ k: 'sm', r: sm });
      current.add(sm.revisionId);
    }
    const needed = new Set<string>();
    for (const exec of this.executions.values()) if (!current.has(exec.revisionId)) needed.add(exec.revisionId);
    for (const id of needed) {
      const text = this.machines.revisionText(id);
      if (text !== undefined) out.push({ k: 'rev', id, def: text });
    }
    for (const act of this.machines.activities.values()) out.push({ k: 'act', r: act });
    for (const exec of this.executions.values()) {
      const optional = {
        ...(exec.redriveCount ? { redriveCount: exec.redriveCount, redriveDate: exec.redriveDate } : {}),
        ...(exec.versionArn ? { versionArn: exec.versionArn } : {}),
        ...(exec.aliasArn ? { aliasArn: exec.aliasArn } : {}),
      };
      out.push({ k: 'x', r: { arn: exec.arn, stateMachineArn: exec.stateMachineArn, name: exec.name, input: exec.input, startDate: exec.startDate, revisionId: exec.revisionId, ...optional } });
      const events = this.history(exec);
      if (events.length > 0) out.push({ k: 'ev', a: exec.arn, ev: events });
      if (exec.status === 'RUNNING') {
        if (exec.checkpoint) out.push({ k: 'c', a: exec.arn, c: exec.checkpoint });
      } else {
        out.push({ k: 'end', a: exec.arn, r: { status: exec.status, stopDate: exec.stopDate!, output: exec.output, error: exec.error, cause: exec.cause, redriveFrom: exec.redriveFrom } });
      }
    }
    return out;
  }

  /** Creates or updates the machines declared in the config and deletes declared ones that are gone. */
  applyConfig(stateMachines: Record<string, StateMachineConfig>): void {
    applyConfigMachines(this.catalogue, stateMachines, { engine: () => this.engine, scope: this.scope, logger: this.logger });
  }

  // ---------------------------------------------------------------- state machines, versions, aliases, activities

  /** Parses and validates a definition; throws InvalidDefinition. */
  checkDefinition(text: string): StateMachineDefinition {
    return this.catalogue.checkDefinition(text);
  }

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

  private addExecution(exec: Execution): void {
    this.executions.set(exec.arn, exec);
    let list = this.executionsByMachine.get(exec.stateMachineArn);
    if (!list) this.executionsByMachine.set(exec.stateMachineArn, (list = []));
    list.push(exec);
    this.markRunning(exec);
  }

  private markRunning(exec: Execution): void {
    let running = this.running.get(exec.stateMachineArn);
    if (!running) this.running.set(exec.stateMachineArn, (running = new Set()));
    running.add(exec);
  }

  /**
   * StartExecution. Standard: idempotent for the same name and input while the first one runs;
   * Express: runs in the background and is not kept (as AWS, it cannot be described).
   */
  startExecution(smArn: string, name: string | undefined, inputText: string | undefined): { executionArn: string; startDate: number; execution?: Execution } {
    const { sm, versionArn, aliasArn } = this.versions.runnable(smArn);
    const execName = name === undefined ? randomUUID() : checkName(name);
    const input = inputText ?? '{}';
    const parsed = parseExecutionInput(input);
    if (sm.type === 'EXPRESS') {
      const arn = executionArn(this.scope, sm.name, `${execName}`, true);
      const startDate = Date.now();
      const controller = new AbortController();
      this.expressRuns.add(controller);
      void this.runExpress(sm, arn, execName, parsed, startDate, controller).finally(() => this.expressRuns.delete(controller));
      return { executionArn: arn, startDate };
    }
    const arn = executionArn(this.scope, sm.name, execName);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: existing.startDate, execution: existing };
      throw executionAlreadyExists(arn);
    }
    const exec = newExecution(arn, sm.arn, sm.name, execName, 'STANDARD', input, Date.now(), sm.revisionId);
    if (versionArn) exec.versionArn = versionArn;
    if (aliasArn) exec.aliasArn = aliasArn;
    this.addExecution(exec);
    this.append({ k: 'x', r: { arn, stateMachineArn: sm.arn, name: execName, input, startDate: exec.startDate, revisionId: sm.revisionId, versionArn, aliasArn } });
    this.run(exec, undefined, parsed);
    return { executionArn: arn, startDate: exec.startDate, execution: exec };
  }

  /**
   * Resolves once everything appended so far is durable in the store (concurrent callers share
   * one write): an answered StartExecution survives a crash, and on a shared store another
   * instance asked about it right away finds it. A failed write answers ServiceUnavailable (the
   * store already reported why), never a success the store does not have.
   */
  async durable(): Promise<void> {
    try {
      await this.store.flush();
    } catch (error) {
      throw new SfnApiError('ServiceUnavailable', `The change could not be written to the Step Functions store: ${(error as Error)?.message ?? String(error)}`, 503);
    }
  }

  private run(exec: Execution, resumeFrom?: Checkpoint, input: unknown = JSON.parse(exec.input)): void {
    const revision = this.machines.revision(exec.revisionId);
    if (!revision) {
      this.finish(exec, { status: 'FAILED', error: 'States.Runtime', cause: 'The state machine definition of this execution is no longer available.' });
      return;
    }
    const controller = new AbortController();
    exec.controller = controller;
    const roleArn = this.machines.byArn.get(exec.stateMachineArn)?.roleArn ?? defaultRoleArn(this.scope);
    // A run stopped by StopExecution may still settle after a redrive started the next run of the
    // same execution: only the current run records, checkpoints and finishes.
    const current = () => exec.controller === controller;
    const host: EngineHost = {
      invokeTask: (request, signal) => this.invokeTask(exec.arn, request, signal),
      recordEvent: (type, details, previousEventId) => (current() ? this.record(exec, type, details, previousEventId) : 0),
      newTaskToken: () => this.callbacks.newToken(exec.arn),
      checkpoint: (checkpoint) => (current() ? this.checkpoint(exec, checkpoint) : undefined),
    };
    this.engine
      .runExecution({
        definition: revision.parsed,
        input,
        context: executionContext(exec.arn, exec.name, input, exec.startDate, { arn: exec.stateMachineArn, name: exec.stateMachineName, roleArn }, exec.redriveCount),
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
            this.logger.error('Step Functions engine failure', { execution: exec.arn, error: error instanceof Error ? error.stack : String(error) });
            this.finish(exec, { status: 'FAILED', error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) });
          }
        },
      );
  }

  private record(exec: Execution, type: string, details: Record<string, unknown> | undefined, previousEventId: number): number {
    if (exec.status !== 'RUNNING' || this.closing) return 0;
    const id = exec.lastEventId + 1;
    const text = eventText(Date.now(), type, id, previousEventId, details);
    if (type === 'ExecutionSucceeded') exec.outputText = (details?.executionSucceededEventDetails as { output?: string } | undefined)?.output;
    exec.lastEventId = id;
    exec.lastEventType = type;
    exec.eventTexts.push(text);
    this.markDirty(exec);
    return id;
  }

  private checkpoint(exec: Execution, checkpoint: Checkpoint): Promise<void> | void {
    if (exec.status !== 'RUNNING' || this.closing) return;
    exec.checkpoint = checkpoint;
    exec.checkpointDirty = true;
    // A Wait begun or a token handed out must survive a crash: write now and wait for the disk.
    if (checkpoint.waitUntil !== undefined || checkpoint.taskToken !== undefined) {
      this.dirty.delete(exec);
      this.writeExecution(exec);
      // A failed write was reported by the store; the run goes on (as it would had it succeeded).
      return this.store.flush().catch(() => undefined);
    }
    this.markDirty(exec);
  }

  /**
   * Executions with events or a checkpoint the store does not have yet. They are written once
   * per tick, one record per execution (its new events together), so a short execution costs one
   * log line for its whole history instead of one per event.
   */
  private markDirty(exec: Execution): void {
    this.dirty.add(exec);
    this.dirtyTimer ??= setTimeout(() => this.writeDirty(), WRITE_DELAY_MS);
  }

  private writeDirty(): void {
    if (this.dirtyTimer) clearTimeout(this.dirtyTimer);
    this.dirtyTimer = undefined;
    for (const exec of this.dirty) this.writeExecution(exec);
    this.dirty.clear();
  }

  /** Hands the store an execution's new events (`all`: the whole history as JSON, if known) and latest checkpoint. */
  private writeExecution(exec: Execution, all?: string | Uint8Array): void {
    const texts = exec.eventTexts;
    if (texts.length > exec.flushed) {
      const json = exec.flushed === 0 ? (all ?? `[${texts.join(',')}]`) : `[${texts.slice(exec.flushed).join(',')}]`;
      this.store.appendEvents(exec.arn, json);
      exec.flushed = texts.length;
      this.counted();
    }
    // The checkpoint goes after the events it refers to (the store keeps that order).
    if (exec.checkpointDirty && exec.status === 'RUNNING' && exec.checkpoint) this.append({ k: 'c', a: exec.arn, c: exec.checkpoint });
    exec.checkpointDirty = false;
  }

  private applyEnd(exec: Execution, end: ExecutionEndRecord, history?: SlabText): void {
    exec.status = end.status;
    exec.stopDate = end.stopDate;
    exec.output = end.output;
    exec.error = end.error;
    exec.cause = end.cause;
    exec.controller = undefined;
    exec.checkpoint = undefined;
    exec.outputText = undefined;
    exec.redriveFrom = end.redriveFrom;
    this.running.get(exec.stateMachineArn)?.delete(exec);
    // One string per closed history: far less memory than one per event.
    exec.historyText = history ?? this.slabs.put(`[${exec.eventTexts.join(',')}]`);
    exec.eventTexts = [];
    if (exec.onDone) for (const fn of exec.onDone.splice(0)) fn();
    this.closed.push(exec);
    while (this.closed.length > this.maxClosed) this.forget(this.closed.shift()!);
  }

  /** An execution's history events, in order. */
  history(exec: Execution): StoredEvent[] {
    const closed = exec.historyText;
    return JSON.parse(closed ? slabString(closed) : `[${exec.eventTexts.join(',')}]`) as StoredEvent[];
  }

  /** Resolves when the execution has ended. */
  whenDone(exec: Execution): Promise<void> {
    if (exec.status !== 'RUNNING') return Promise.resolve();
    return new Promise((resolve) => (exec.onDone ??= []).push(resolve));
  }

  private forget(exec: Execution): void {
    if (this.executions.get(exec.arn) !== exec) return;
    this.executions.delete(exec.arn);
    const list = this.executionsByMachine.get(exec.stateMachineArn);
    const i = list ? list.indexOf(exec) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  private end(exec: Execution, end: ExecutionEndRecord, terminalType: string, details: Record<string, unknown>): void {
    // The state that did not complete is where a redrive continues.
    if (end.status !== 'SUCCEEDED' && exec.checkpoint) end.redriveFrom = exec.checkpoint;
    if (!exec.lastEventType || !TERMINAL_EVENTS.has(exec.lastEventType)) this.record(exec, terminalType, { [detailsKey(terminalType)]: details }, exec.lastEventId);
    // Encoded once: the slab keeps the bytes and the store writes the same bytes.
    const history = this.slabs.put(`[${exec.eventTexts.join(',')}]`);
    this.dirty.delete(exec);
    exec.checkpointDirty = false;
    this.writeExecution(exec, history.slab.subarray(history.start, history.end));
    this.append({ k: 'end', a: exec.arn, r: end });
    this.applyEnd(exec, end, history);
    this.callbacks.dropExecution(exec.arn);
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
        this.end(exec, { status: 'FAILED', stopDate, error: outcome.error, cause: outcome.cause }, 'ExecutionFailed', { error: outcome.error, cause: outcome.cause });
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
    const name = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    if (this.derivedChildNames.size >= 10_000) this.derivedChildNames.clear();
    this.derivedChildNames.add(name);
    return name;
  }

  /** Runs a Task resource: the runner for most, a token wait for callbacks and activities. */
  private async invokeTask(execArn: string, request: TaskRequest, signal: AbortSignal): Promise<unknown> {
    if (NESTED_START.test(request.resource)) {
      const exec = this.executions.get(execArn);
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

  /** Runs an Express execution to its end without history. */
  private async runExpress(sm: StateMachineRecord, arn: string, name: string, input: unknown, startDate: number, controller: AbortController): Promise<RunOutcome> {
    const revision = this.machines.revision(sm.revisionId);
    if (!revision) return { status: 'FAILED', error: 'States.Runtime', cause: 'The state machine definition is not available.' };
    const host: EngineHost = {
      invokeTask: (request, signal) => this.invokeTask(arn, request, signal),
      recordEvent: () => 0,
      newTaskToken: () => this.callbacks.newToken(arn),
      recordsHistory: false,
    };
    try {
      return await this.engine.runExecution({ definition: revision.parsed, input, context: executionContext(arn, name, input, startDate, sm), host, signal: controller.signal, maxDurationSeconds: EXPRESS_MAX_SECONDS });
    } catch (error) {
      if (error instanceof StatesError) return { status: 'FAILED', error: error.error, cause: error.cause };
      return { status: 'FAILED', error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) };
    } finally {
      this.callbacks.dropExecution(arn);
    }
  }

  /** StartSyncExecution: Express machines only; no disk, no history. */
  async startSyncExecution(smArn: string, name: string | undefined, inputText: string | undefined): Promise<SyncResult> {
    const { sm } = this.versions.runnable(smArn);
    if (sm.type !== 'EXPRESS') throw typeNotSupported();
    const execName = name === undefined ? randomUUID() : checkName(name);
    const input = inputText ?? '{}';
    const parsed = parseExecutionInput(input);
    const arn = executionArn(this.scope, sm.name, execName, true);
    const startDate = Date.now();
    // Sync runs cannot be stopped one by one: they share one controller (aborted on close), which
    // saves an AbortController per execution on the hottest path.
    const outcome = await this.runExpress(sm, arn, execName, parsed, startDate, this.syncRuns);
    const result: SyncResult = { executionArn: arn, stateMachineArn: sm.arn, name: execName, startDate, stopDate: Date.now(), status: outcome.status, input };
    if (outcome.status === 'SUCCEEDED') result.output = JSON.stringify(outcome.output ?? null);
    else if (outcome.status !== 'ABORTED') {
      result.error = outcome.error;
      result.cause = outcome.cause;
    }
    return result;
  }

  /** An execution by ARN for Describe/History/Stop (Express ARNs are refused as AWS does). */
  execution(arn: string): Execution {
    const parsed = expectArn(arn, ['execution'], 2);
    void parsed;
    const exec = this.executions.get(arn);
    if (!exec) throw executionDoesNotExist(arn);
    return exec;
  }

  /** StopExecution: marks the execution ABORTED at once and stops its run. */
  stopExecution(arn: string, error?: string, cause?: string): number {
    const exec = this.execution(arn);
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

  /**
   * Why `exec` cannot be redriven now (AWS's `redriveStatusReason` wording), or undefined when it
   * can: a Standard execution that failed, was aborted or timed out within the last 14 days.
   */
  redriveBlocker(exec: Execution, now = Date.now()): string | undefined {
    if (exec.status === 'RUNNING') return 'Execution is RUNNING and cannot be redriven';
    if (exec.status === 'SUCCEEDED') return 'Execution is SUCCEEDED and cannot be redriven';
    if (exec.stopDate !== undefined && now - exec.stopDate > REDRIVE_PERIOD_MS) return 'Execution redrivable period exceeded';
    if ((exec.redriveCount ?? 0) >= MAX_REDRIVES) return 'Execution redrive limit exceeded';
    if (this.machines.revisionText(exec.revisionId) === undefined) return 'State machine is in DELETING status';
    return undefined;
  }

  /**
   * RedriveExecution: runs a failed, aborted or timed-out execution again from the top-level state
   * that did not complete, with that state's input and variables; the history keeps what ran and
   * continues after an `ExecutionRedriven` event. Gateway choice: a Parallel or Map state redrives
   * as a whole, not only its failed branches or iterations.
   */
  redriveExecution(arn: string): number {
    const exec = this.execution(arn);
    const blocker = this.redriveBlocker(exec);
    if (blocker) throw new SfnApiError('ExecutionNotRedrivable', `Execution cannot be redriven: ${blocker}: '${arn}'`);
    const date = Date.now();
    const count = (exec.redriveCount ?? 0) + 1;
    this.reopen(exec, count, date);
    this.append({ k: 'rd', a: exec.arn, count, date });
    const redrivenId = this.record(exec, 'ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: count } }, exec.lastEventId);
    const resumeFrom = this.redriveCheckpoint(exec, exec.redriveFrom, redrivenId);
    exec.redriveFrom = undefined;
    exec.checkpoint = resumeFrom;
    exec.checkpointDirty = true;
    this.markDirty(exec);
    this.run(exec, resumeFrom);
    return date;
  }

  /**
   * Where a redrive continues: the state that did not complete, entered afresh (no Wait deadline,
   * task token or retry counts kept); without a checkpoint (it failed before its first state
   * ran), StartAt with the execution's input.
   */
  private redriveCheckpoint(exec: Execution, from: Checkpoint | undefined, lastEventId: number): Checkpoint {
    if (from) return { stateName: from.stateName, input: from.input, variables: from.variables, lastEventId };
    return { stateName: this.machines.revision(exec.revisionId)?.parsed.StartAt ?? '', input: JSON.parse(exec.input) as unknown, variables: {}, lastEventId };
  }

  /** Makes a closed execution RUNNING again for its `count`-th redrive (also when replaying the log). */
  private reopen(exec: Execution, count: number, date: number): void {
    exec.eventTexts = this.history(exec).map((e) => JSON.stringify(e));
    exec.flushed = exec.eventTexts.length;
    exec.historyText = undefined;
    exec.status = 'RUNNING';
    exec.stopDate = undefined;
    exec.output = undefined;
    exec.error = undefined;
    exec.cause = undefined;
    exec.redriveCount = count;
    exec.redriveDate = date;
    const i = this.closed.indexOf(exec);
    if (i >= 0) this.closed.splice(i, 1);
    this.markRunning(exec);
  }

  listExecutions(smArn: string, status?: string): Execution[] {
    const sm = this.machine(smArn);
    if (sm.type === 'EXPRESS') throw typeNotSupported();
    if (status === 'RUNNING') return [...(this.running.get(smArn) ?? [])].reverse();
    const list = this.executionsByMachine.get(smArn) ?? [];
    const out: Execution[] = [];
    for (let i = list.length - 1; i >= 0; i--) if (!status || list[i]!.status === status) out.push(list[i]!);
    return out;
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
  async testState(input: { definition: Record<string, unknown>; input: unknown; inspectionLevel?: 'INFO' | 'DEBUG' | 'TRACE'; variables?: Record<string, unknown> }) {
    if (!this.engine.testState) throw new SfnApiError('ValidationException', 'TestState is not available in this build.');
    const arn = executionArn(this.scope, 'TestStateMachine', randomUUID());
    const host: EngineHost = {
      invokeTask: (request, signal) => this.invokeTask(arn, request, signal),
      recordEvent: () => 0,
      newTaskToken: () => this.callbacks.newToken(arn),
      recordsHistory: false,
    };
    return this.engine.testState({ ...input, host });
  }

  /**
   * For nested machines (`arn:aws:states:::states:startExecution[.sync]`): starts an execution
   * and, with `waitForCompletion`, resolves once it ended with its description.
   */
  async startNested(smArn: string, input: unknown, name: string | undefined, waitForCompletion: boolean) {
    const sm = this.machine(smArn);
    const text = JSON.stringify(input ?? {});
    if (sm.type === 'EXPRESS' && waitForCompletion) return this.startSyncExecution(smArn, name, text);
    if (name !== undefined && sm.type === 'STANDARD' && this.derivedChildNames.delete(name)) {
      // A derived name that exists already: a resumed parent finds the child it had started.
      const child = this.executions.get(executionArn(this.scope, sm.name, name));
      if (child && child.input === text) {
        if (!waitForCompletion) return { executionArn: child.arn, startDate: child.startDate };
        await this.whenDone(child);
        return describe(child);
      }
    }
    const started = this.startExecution(smArn, name, text);
    if (!waitForCompletion || !started.execution) return { executionArn: started.executionArn, startDate: started.startDate };
    await this.whenDone(started.execution);
    return describe(started.execution);
  }

  async close(): Promise<void> {
    // Running executions are left RUNNING in the store: the next start resumes them.
    this.writeDirty();
    this.closing = true;
    for (const exec of this.executions.values()) exec.controller?.abort(new StatesError('States.Runtime', 'The gateway is shutting down.'));
    for (const controller of this.expressRuns) controller.abort(new StatesError('States.Runtime', 'The gateway is shutting down.'));
    this.syncRuns.abort(new StatesError('States.Runtime', 'The gateway is shutting down.'));
    this.callbacks.close();
    if (this.runTask.close) this.runTask.close();
    else if (this.runnerLoading) (await this.runnerLoading.catch(() => undefined))?.close?.();
    await this.store.close();
  }

  /** Throws InvalidArn for an ARN of the wrong kind (used by the API for early checks). */
  static invalidArn(detail: string): SfnApiError {
    return invalidArn(detail);
  }
}
