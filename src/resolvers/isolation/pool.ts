/**
 * The gateway's side of resolver isolation: a few sandbox processes (child.ts), each holding
 * every registered module, that run resolver calls while the gateway's own event loop keeps
 * serving.
 *
 * Why processes and not worker threads or in-process `vm` timeouts: a call that overruns its time
 * limit must be stopped whatever it does (a loop in a Promise executor, a regular expression
 * backtracking, `Atomics.wait`), and a call that allocates without bound must fail without taking
 * the gateway down. Killing a process does the first; V8's heap limit in a process of its own does
 * the second (a worker thread's `resourceLimits` can still abort the whole process on one large
 * allocation, measured). Calls are batched per event-loop turn, so a busy gateway pays one write
 * per process and turn, not per call; they go on a pipe of their own as text records
 * (protocol.ts), which costs both sides less than Node's IPC channel, whose messages are JSON
 * documents in which each call's JSON texts would be escaped strings.
 *
 * Hand-written: no maintained npm package runs calls in killable Node processes with per-call
 * deadlines and a replay of registered code into replacements.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { setPriority } from 'node:os';
import type { Logger } from '../../datasources/types.js';
import { cpuTimeSupport, mainThreadCpuMs } from './cpuTime.js';
import {
  CALLS_FD,
  decodeReply,
  encodeCall,
  RecordReader,
  type Call,
  type ChildMessage,
  type InitMessage,
  type LogLine,
  type Registration,
  type Reply,
  type VtlTemplates,
} from './protocol.js';

export interface SandboxPoolOptions {
  logger: Logger;
  /** The child program's code (a CommonJS script). */
  program: string;
  /** Sent to every process first. */
  init: Omit<InitMessage, 't'>;
  /** How many processes run calls (default 2). */
  processes: number;
  /** Per-call time limit in ms. */
  timeoutMs: number;
  /** V8 heap limit of each process in MB. */
  memoryLimitMb: number;
  /** Resolver name of a call, for console lines. */
  onLog(label: string, line: LogLine): void;
}

/**
 * A process whose oldest call has run this long (ms) gets new runs only when no other can; once
 * that call has used this much CPU time it runs at the lowest CPU priority until it answers: on a
 * machine with few cores a resolver that spins to its limit then takes CPU time from nothing the
 * gateway needs. CPU time, not time on the clock: on a busy machine a call that had only waited
 * for a CPU was lowered too, then got almost none beside the load, and met its time limit.
 */
const BUSY_LONG_MS = 50;
/**
 * How long after the pool's first answered call its other processes start (ms), unless calls need
 * them sooner (Gateway choice). Each process costs ~150 ms of CPU to start (Node, ses lockdown, the
 * prelude, every registered module): started together with the first, they took that CPU from the
 * load and the first answer (docs/startup.md). After the first answer, not after the first process
 * is ready: on a busy machine the load takes more than a second after that. A pool that never runs
 * a call (every handler evaluated in the gateway) never starts them.
 */
const DEFERRED_START_MS = 1000;
/** How long a closing sandbox process may take to exit by itself (ms). */
const CLOSE_GRACE_MS = 200;
/** `nice` of a process whose call runs long. */
const LOW_PRIORITY = 19;

/** Why a call got no answer from its process. */
export type CallFailure =
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'memory'; memoryLimitMb: number }
  | { kind: 'crash'; detail: string }
  | { kind: 'restarted' }
  | { kind: 'closed' };

/** Thrown to the caller of a call whose process ended before answering. */
export class SandboxCallError extends Error {
  constructor(readonly failure: CallFailure) {
    super(describeFailure(failure));
    this.name = 'SandboxCallError';
  }
}

function describeFailure(failure: CallFailure): string {
  switch (failure.kind) {
    case 'timeout':
      return `execution timed out after ${failure.timeoutMs} ms; the sandbox process running it was stopped`;
    case 'memory':
      return `the resolver exceeded the sandbox memory limit of ${failure.memoryLimitMb} MB; the sandbox process running it was stopped`;
    case 'crash':
      return `the sandbox process running the resolver ended: ${failure.detail}`;
    case 'restarted':
      return 'the resolver run was lost: its sandbox process was stopped because another resolver in it overran a limit';
    case 'closed':
      return 'the resolver sandbox is closed';
  }
}

interface Pending {
  seq: number;
  sentAt: number;
  label: string;
  /** Where the call's console lines go instead of `onLog` (EvaluateCode hands them back). */
  logs?: LogLine[];
  /** The call's time limit when it is not the pool's `timeoutMs` (a call running several handlers). */
  limitMs?: number;
  resolve(text: string): void;
  reject(error: SandboxCallError): void;
}

/** One sandbox process and what the gateway knows about it. */
class SandboxProcess {
  readonly child: ChildProcess;
  /** The calls pipe (protocol.ts `CALLS_FD`): call records go out, answer records come in. */
  readonly calls: Socket;
  /** Calls sent and not answered, oldest first: the process runs them in this order. */
  readonly pending: Pending[] = [];
  /** Records of calls not sent yet: written at once when the turn ends and no earlier write is unanswered. */
  outgoing = '';
  /** How many of `outgoing`'s calls want an answer. */
  outgoingAnswers = 0;
  /** Answers still to come for the calls written. */
  awaiting = 0;
  /** Cuts the calls pipe's answers into records. */
  readonly answers = new RecordReader();
  /** Modules to register, sent as one message when the turn ends. */
  outgoingRegistrations: Registration[] = [];
  /** When the process last showed it was between calls (ready, or an answer arrived). */
  idleAt = Number.POSITIVE_INFINITY;
  /** Answered `init`. */
  started = false;
  /** Started and holds every registered module. */
  ready = false;
  /** Set once the gateway decided to stop it (why, for the call it was running). */
  stopping: CallFailure | undefined;
  exited = false;
  /** Lowered to LOW_PRIORITY while a call runs long. */
  lowPriority = false;
  /**
   * The process's CPU time (ms) at the first sweep that saw its call running since `since` (the
   * start `runningFor` estimates: an answer arriving starts it again).
   */
  cpuMark: { since: number; ms: number } | undefined;
  stderr = '';
  readonly registrations = new Map<number, { resolve(exports: string[]): void; reject(error: Error): void }>();

  constructor(child: ChildProcess) {
    this.child = child;
    this.calls = child.stdio[CALLS_FD] as Socket;
  }
}

export class SandboxPool {
  readonly #options: SandboxPoolOptions;
  readonly #processes: SandboxProcess[] = [];
  /** Every module registered so far, replayed into each new process. */
  readonly #registered: Registration[] = [];
  #nextSeq = 1;
  #flushScheduled = false;
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;
  #priorityWarned = false;
  #cpuTimeWarned = false;
  /** How many processes were replaced after a limit was hit or a crash. */
  #restarts = 0;
  /** Processes not started yet: they start DEFERRED_START_MS after the first answered call, or when calls wait (#startDeferred). */
  #deferred: number;
  #deferredTimer: NodeJS.Timeout | undefined;
  /** Registrations under way (`register` calls not settled). */
  #registering = 0;
  /** The deferred processes were due while a registration was under way: they start when none is. */
  #startWhenRegistered = false;

  constructor(options: SandboxPoolOptions) {
    this.#options = options;
    this.#processes.push(this.#spawn());
    this.#deferred = Math.max(1, options.processes) - 1;
  }

  /** How many processes there are (those still to start included), how many are ready for calls, and how many start on use (`deferred`). */
  stats(): { processes: number; ready: number; restarts: number; deferred: number } {
    const ready = this.#processes.filter((p) => p.ready && !p.stopping && !p.exited).length;
    return { processes: this.#processes.length + this.#deferred, ready, restarts: this.#restarts, deferred: this.#deferred };
  }

  /** Registers a module in every process started; those started later get it replayed. Resolves to its exported names. */
  async register(id: number, code: string, filename: string, vtl?: VtlTemplates): Promise<string[]> {
    const registration: Registration = vtl ? { id, code, filename, vtl } : { id, code, filename };
    const answers = this.#processes.map((p) => this.#registerIn(p, registration));
    this.#registering += 1;
    let results: PromiseSettledResult<string[]>[];
    try {
      results = await Promise.allSettled(answers);
    } finally {
      this.#registering -= 1;
    }
    const failed = results.find((r) => r.status === 'rejected');
    if (!failed) this.#registered.push(registration);
    if (this.#registering === 0 && this.#startWhenRegistered) this.#startDeferred();
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return (results[0] as PromiseFulfilledResult<string[]>).value;
  }

  /**
   * Starts the processes still deferred (when a new run finds every started process with calls
   * waiting, or a while after the first answered call). A process starts with the modules registered so far (#spawn replays them),
   * so while a registration is under way the start waits for it: the new process would miss it.
   */
  #startDeferred(): void {
    if (this.#deferredTimer) clearTimeout(this.#deferredTimer);
    this.#deferredTimer = undefined;
    if (this.#closed || this.#deferred === 0) return;
    this.#startWhenRegistered = this.#registering > 0;
    if (this.#startWhenRegistered) return;
    for (; this.#deferred > 0; this.#deferred--) this.#processes.push(this.#spawn());
  }

  /**
   * The process new runs go to: a ready one with the fewest calls waiting (a replacement still
   * starting only when no process is ready).
   */
  pick(): SandboxProcess {
    // Every process has calls waiting: this is what the deferred ones are for.
    if (this.#deferred > 0 && this.#processes.every((p) => p.pending.length > 0 || !p.ready)) this.#startDeferred();
    const now = Date.now();
    let best = this.#processes[0]!;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const p of this.#processes) {
      if (p.stopping || p.exited) continue;
      // A call running for a while may run to the limit: a process still starting answers sooner.
      const score = p.pending.length + (p.ready ? 0 : 1_000) + (runningFor(p, now) > BUSY_LONG_MS ? 1_000_000 : 0);
      if (score < bestScore) {
        best = p;
        bestScore = score;
      }
    }
    return best;
  }

  /** Whether `process` takes new runs: live, ready, and not busy with a long call. */
  accepts(process: SandboxProcess): boolean {
    return !process.stopping && !process.exited && process.ready && runningFor(process, Date.now()) <= BUSY_LONG_MS;
  }

  /** Queues a call that wants no answer. */
  post(process: SandboxProcess, call: Call): void {
    if (this.#closed || process.exited || process.stopping) return;
    process.outgoing += encodeCall(call);
    this.#scheduleFlush();
  }

  /**
   * Queues a call and resolves to its answer text (rejects with SandboxCallError). The call's
   * console lines go to `logs` when given, else to `onLog`; `limitMs` replaces the pool's time
   * limit for this call.
   */
  call(process: SandboxProcess, call: Call, label: string, logs?: LogLine[], limitMs?: number): Promise<string> {
    if (this.#closed) return Promise.reject(new SandboxCallError({ kind: 'closed' }));
    if (process.exited || process.stopping) return Promise.reject(new SandboxCallError({ kind: 'restarted' }));
    const seq = this.#nextSeq++;
    call.seq = seq;
    return new Promise<string>((resolve, reject) => {
      process.pending.push({ seq, sentAt: Date.now(), label, logs, limitMs, resolve, reject });
      process.outgoing += encodeCall(call);
      process.outgoingAnswers += 1;
      this.#scheduleFlush();
      this.#armSweeper();
    });
  }

  /** Stops every process. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    if (this.#deferredTimer) clearTimeout(this.#deferredTimer);
    await Promise.all(
      this.#processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exited) return resolve();
            p.child.once('exit', () => resolve());
            p.stopping ??= { kind: 'closed' };
            // Closing the channel lets an idle process exit by itself; one still busy is killed.
            if (p.child.connected) p.child.disconnect();
            setTimeout(() => p.child.kill('SIGKILL'), CLOSE_GRACE_MS).unref();
          }),
      ),
    );
  }

  #spawn(): SandboxProcess {
    const { memoryLimitMb } = this.#options;
    // An empty environment: resolver code cannot reach `process`, and nothing of the gateway's
    // (credentials, NODE_OPTIONS loaders) should reach the sandbox either.
    // APPSYNC_GATEWAY_SANDBOX_NODE_OPTIONS adds V8/Node flags (e.g. --cpu-prof) for profiling.
    const extra = (process.env.APPSYNC_GATEWAY_SANDBOX_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${memoryLimitMb}`, '--max-semi-space-size=16', '--stack-size=984', ...extra, '-e', this.#options.program],
      {
        // 3: the IPC channel (start-up, registrations); CALLS_FD: the calls pipe.
        stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'],
        // JSON: every member is a string, number or boolean (RunPartsArgs' undefined travels as null).
        serialization: 'json',
        env: {},
      },
    );
    const p = new SandboxProcess(child);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      // Kept short: only the end matters (V8's out-of-memory report).
      p.stderr = (p.stderr + chunk).slice(-4096);
    });
    child.on('message', (message: ChildMessage) => this.#onMessage(p, message));
    p.calls.setEncoding('utf8');
    p.calls.on('data', (chunk: string) => this.#onAnswers(p, chunk));
    p.calls.on('error', (error) => {
      // A write to a process that was just killed fails (EPIPE); its calls fail with the reason
      // its exit gives (#onExit), which is what callers are told.
      this.#options.logger.debug(`resolver sandbox process ${child.pid}: calls pipe: ${error.message}`);
    });
    child.on('exit', (code, signal) => this.#onExit(p, code, signal));
    child.on('error', (error) => {
      this.#options.logger.error(`resolver sandbox process failed: ${error.message}`);
    });
    child.send({ t: 'init', ...this.#options.init });
    for (const registration of this.#registered) void this.#registerIn(p, registration).catch(() => undefined);
    return p;
  }

  #registerIn(p: SandboxProcess, registration: Registration): Promise<string[]> {
    return new Promise<string[]>((resolve, reject) => {
      p.registrations.set(registration.id, { resolve, reject });
      // Sent with the other registrations of this turn (#flush): an API's modules go as one message.
      p.outgoingRegistrations.push(registration);
      this.#scheduleFlush();
      // Module evaluation runs under the same time limit as a call.
      p.pending.push({
        seq: -registration.id - 1,
        sentAt: Date.now(),
        label: registration.filename,
        resolve: () => undefined,
        reject: (error) => {
          p.registrations.delete(registration.id);
          reject(error);
        },
      });
      this.#armSweeper();
    });
  }

  #onMessage(p: SandboxProcess, message: ChildMessage): void {
    p.idleAt = Date.now();
    if (p.lowPriority) this.#setLowPriority(p, false);
    switch (message.t) {
      case 'ready':
        p.started = true;
        p.ready = p.registrations.size === 0;
        if (p.ready && p.outgoing !== '') this.#scheduleFlush();
        return;
      case 'regs':
        for (const result of message.results) {
          const waiter = p.registrations.get(result.id);
          p.registrations.delete(result.id);
          this.#settlePending(p, -result.id - 1);
          if (p.started && p.registrations.size === 0 && !p.ready) {
            p.ready = true;
            if (p.outgoing !== '') this.#scheduleFlush();
          }
          if (!waiter) continue;
          if (result.error !== undefined) waiter.reject(new Error(result.error));
          else waiter.resolve(result.exports ?? []);
        }
        return;
      case 'fatal':
        this.#options.logger.error(`resolver sandbox process failed: ${message.message}`);
        this.#stop(p, { kind: 'crash', detail: message.message.split('\n')[0]! });
        return;
    }
  }

  /** Lowers the priority of a process whose call runs long; restores it when it answers. */
  #setLowPriority(p: SandboxProcess, low: boolean): void {
    if (p.lowPriority === low || p.exited || p.child.pid === undefined) return;
    try {
      setPriority(p.child.pid, low ? LOW_PRIORITY : 0);
      p.lowPriority = low;
    } catch (error) {
      // Raising a priority again needs privileges a process may not have: the process then stays
      // low until it is replaced, which costs speed only when the machine is busy.
      if (!this.#priorityWarned) {
        this.#priorityWarned = true;
        this.#options.logger.warn(
          `resolver sandbox: cannot change a sandbox process's CPU priority (${(error as Error).message}); a long call keeps the priority it had`,
        );
      }
      if (!low) p.lowPriority = false;
    }
  }

  /** Answer records from the calls pipe. */
  #onAnswers(p: SandboxProcess, chunk: string): void {
    p.idleAt = Date.now();
    if (p.lowPriority) this.#setLowPriority(p, false);
    p.answers.read(chunk, (record) => this.#onReply(p, decodeReply(record)));
  }

  #onReply(p: SandboxProcess, [seq, text, logs]: Reply): void {
    if (seq !== 0 && --p.awaiting === 0 && p.outgoing !== '') this.#scheduleFlush();
    const pending = seq === 0 ? undefined : this.#settlePending(p, seq);
    if (pending && this.#deferred > 0 && !this.#deferredTimer && !this.#closed) {
      this.#deferredTimer = setTimeout(() => this.#startDeferred(), DEFERRED_START_MS);
      this.#deferredTimer.unref();
    }
    if (logs && pending?.logs) pending.logs.push(...logs);
    else if (logs) for (const line of logs) this.#options.onLog(pending?.label ?? '', line);
    pending?.resolve(text);
  }

  /** Removes the pending call `seq` (the oldest, as the process answers in order). */
  #settlePending(p: SandboxProcess, seq: number): Pending | undefined {
    const index = p.pending[0]?.seq === seq ? 0 : p.pending.findIndex((x) => x.seq === seq);
    if (index < 0) return undefined;
    return p.pending.splice(index, 1)[0];
  }

  #onExit(p: SandboxProcess, code: number | null, signal: NodeJS.Signals | null): void {
    p.exited = true;
    const failure: CallFailure =
      p.stopping ??
      (/heap out of memory|Reached heap limit|Allocation failed/i.test(p.stderr)
        ? { kind: 'memory', memoryLimitMb: this.#options.memoryLimitMb }
        : { kind: 'crash', detail: signal ? `killed by ${signal}` : `exit code ${code}` });
    const [head, ...rest] = p.pending.splice(0);
    head?.reject(new SandboxCallError(failure));
    for (const other of rest) other.reject(new SandboxCallError({ kind: 'restarted' }));
    for (const waiter of p.registrations.values()) waiter.reject(new SandboxCallError(failure));
    p.registrations.clear();
    if (this.#closed) return;
    if (failure.kind !== 'closed') {
      this.#restarts += 1;
      this.#options.logger.warn(`resolver sandbox process ${p.child.pid} stopped (${describeFailure(failure)}); starting another`);
    }
    const index = this.#processes.indexOf(p);
    if (index >= 0) this.#processes[index] = this.#spawn();
  }

  #stop(p: SandboxProcess, why: CallFailure): void {
    if (p.stopping || p.exited) return;
    p.stopping = why;
    p.child.kill('SIGKILL');
  }

  /**
   * Whether the running call has used BUSY_LONG_MS of CPU time, counted from the first sweep that
   * saw it running since `now - running` (up to one sweep's worth before is not counted: errs on the
   * late side, as `runningFor` does). Where CPU time cannot be read, whether it has run BUSY_LONG_MS
   * on the clock (said once).
   */
  #computedLong(p: SandboxProcess, now: number, running: number): boolean {
    const support = cpuTimeSupport();
    if (!support.ok) {
      if (!this.#cpuTimeWarned) {
        this.#cpuTimeWarned = true;
        this.#options.logger.warn(
          `resolver sandbox: cannot read a sandbox process's CPU time (${support.reason}); a call running past ${BUSY_LONG_MS} ms ` +
            'drops to the lowest CPU priority even when it was only waiting for a busy CPU, and may then meet its time limit',
        );
      }
      return running > BUSY_LONG_MS;
    }
    // No more CPU time than time on the clock has passed since the mark: no read needed yet.
    const since = now - running;
    if (p.cpuMark?.since === since && running <= BUSY_LONG_MS) return false;
    const ms = p.child.pid === undefined ? undefined : mainThreadCpuMs(p.child.pid);
    // The process has just ended: its exit is on the way.
    if (ms === undefined) return false;
    if (p.cpuMark?.since !== since) {
      p.cpuMark = { since, ms };
      return false;
    }
    return ms - p.cpuMark.ms > BUSY_LONG_MS;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // After the current turn's microtasks: every resolver graphql-js starts in this turn joins
    // the same message.
    setImmediate(() => this.#flush());
  }

  /**
   * Sends each process its calls of this turn, unless it still owes answers to an earlier write:
   * it runs calls one after another anyway, and what waits meanwhile goes out as one write when
   * the answers are in. Fewer, larger writes cost both processes less than many small ones
   * (the write and read per message, not per call, dominated under HTTP load). A process still
   * starting gets its calls once it holds every module: registrations go on the IPC channel,
   * calls on the calls pipe, and the two are not ordered with each other.
   */
  #flush(): void {
    this.#flushScheduled = false;
    for (const p of this.#processes) {
      // Registrations first: calls sent in the same turn may use the modules they register.
      if (p.outgoingRegistrations.length > 0 && !p.exited && !p.stopping) {
        p.child.send({ t: 'regs', list: p.outgoingRegistrations });
        p.outgoingRegistrations = [];
      }
      if (p.outgoing === '' || p.awaiting > 0 || !p.ready) continue;
      const batch = p.outgoing;
      const answers = p.outgoingAnswers;
      p.outgoing = '';
      p.outgoingAnswers = 0;
      if (p.exited || p.stopping) continue;
      p.awaiting += answers;
      p.calls.write(batch);
    }
  }

  /** Checks deadlines while any call is outstanding; idle gateways keep no timer. */
  #armSweeper(): void {
    if (this.#sweeper || this.#closed) return;
    const every = Math.max(10, Math.min(BUSY_LONG_MS, Math.floor(this.#options.timeoutMs / 10)));
    this.#sweeper = setInterval(() => this.#sweep(), every);
    this.#sweeper.unref();
  }

  #sweep(): void {
    const now = Date.now();
    let outstanding = false;
    for (const p of this.#processes) {
      const head = p.pending[0];
      if (!head || p.stopping || p.exited) continue;
      outstanding = true;
      const running = runningFor(p, now);
      if (running > 0 && !p.lowPriority && this.#computedLong(p, now, running)) this.#setLowPriority(p, true);
      const limit = head.seq < 0 ? Math.max(this.#options.timeoutMs, REGISTRATION_TIMEOUT_MS) : (head.limitMs ?? this.#options.timeoutMs);
      if (running > limit) {
        this.#stop(p, { kind: 'timeout', timeoutMs: limit });
      }
    }
    if (!outstanding && this.#sweeper) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}

/**
 * How long (ms) the process's oldest unanswered call has run, 0 when none runs. The process runs
 * calls in order, so that call started when it was sent or when the process last answered,
 * whichever came later (an estimate that errs on the late side). A process still starting runs
 * nothing yet.
 */
/**
 * The time a module's registration may take (Gateway choice): AppSync's per-handler limit bounds a
 * resolver's run, not its load. Parsing an API's VTL templates (Amplify's are ~300, some taking
 * ~150 ms of CPU each) on a busy machine passed the handler limit and failed the whole load.
 */
const REGISTRATION_TIMEOUT_MS = 10_000;

function runningFor(p: SandboxProcess, now: number): number {
  const head = p.pending[0];
  if (!head || !p.started) return 0;
  return now - Math.max(head.sentAt, p.idleAt);
}

export type { SandboxProcess };
