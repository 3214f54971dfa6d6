/**
 * The Standard executions this instance knows: by ARN, per machine in start order, the running
 * ones per machine (ListExecutions RUNNING is polled often, so it does not scan closed ones),
 * and the closed ones oldest first, forgotten beyond `maxClosed` so memory stays bounded.
 */
import type { ExecutionEndRecord, StoredEvent } from '../store/types.js';
import type { Execution } from './execution.js';
import { HistorySlabs, slabString, type SlabText } from './historySlabs.js';

export class ExecutionTable {
  readonly byArn = new Map<string, Execution>();
  /** Per state machine ARN in start order (ListExecutions shows them newest first). */
  private readonly byMachine = new Map<string, Execution[]>();
  /** Running executions per state machine ARN in start order. */
  private readonly running = new Map<string, Set<Execution>>();
  /** Closed executions, oldest first (the retention queue). */
  private readonly closed: Execution[] = [];
  private readonly slabs = new HistorySlabs();

  constructor(private readonly maxClosed: number) {}

  get(arn: string): Execution | undefined {
    return this.byArn.get(arn);
  }

  add(exec: Execution): void {
    this.byArn.set(exec.arn, exec);
    let list = this.byMachine.get(exec.stateMachineArn);
    if (!list) this.byMachine.set(exec.stateMachineArn, (list = []));
    list.push(exec);
    this.markRunning(exec);
  }

  private markRunning(exec: Execution): void {
    let running = this.running.get(exec.stateMachineArn);
    if (!running) this.running.set(exec.stateMachineArn, (running = new Set()));
    running.add(exec);
  }

  /** A machine's executions, newest first, of one status if given. */
  list(smArn: string, status?: string): Execution[] {
    if (status === 'RUNNING') return [...(this.running.get(smArn) ?? [])].reverse();
    const list = this.byMachine.get(smArn) ?? [];
    const out: Execution[] = [];
    for (let i = list.length - 1; i >= 0; i--) if (!status || list[i]!.status === status) out.push(list[i]!);
    return out;
  }

  /** An execution's history events, in order. */
  history(exec: Execution): StoredEvent[] {
    const closed = exec.historyText;
    return JSON.parse(closed ? slabString(closed) : `[${exec.eventTexts.join(',')}]`) as StoredEvent[];
  }

  /** Keeps a closed history's JSON text off the heap (see `HistorySlabs`). */
  keepHistory(json: string): SlabText {
    return this.slabs.put(json);
  }

  /** Resolves when the execution has ended. */
  whenDone(exec: Execution): Promise<void> {
    if (exec.status !== 'RUNNING') return Promise.resolve();
    return new Promise((resolve) => (exec.onDone ??= []).push(resolve));
  }

  /** Closes an execution as `end` says (also when replaying the log); `history`: its history, already kept. */
  close(exec: Execution, end: ExecutionEndRecord, history?: SlabText): void {
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

  /** Makes a closed execution RUNNING again for its `count`-th redrive (also when replaying the log). */
  reopen(exec: Execution, count: number, date: number): void {
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

  private forget(exec: Execution): void {
    if (this.byArn.get(exec.arn) !== exec) return;
    this.byArn.delete(exec.arn);
    const list = this.byMachine.get(exec.stateMachineArn);
    const i = list ? list.indexOf(exec) : -1;
    if (i >= 0) list!.splice(i, 1);
  }
}
