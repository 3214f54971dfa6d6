/**
 * Task tokens and activity queues: the parts of a Task that wait for the outside world
 * (`.waitForTaskToken` resources and activities answered with SendTaskSuccess/Failure/Heartbeat).
 */
import { randomBytes } from 'node:crypto';
import { StatesError } from '../engine/types.js';
import { invalidToken, taskDoesNotExist, taskTimedOut } from './errors.js';

/** What an activity worker receives from GetActivityTask. */
export interface ActivityTask {
  taskToken: string;
  input: string;
  /** Called when a worker takes the task (records ActivityStarted). */
  onStarted(workerName: string | undefined): void;
}

interface Waiter {
  executionArn: string;
  resolve(output: unknown): void;
  reject(error: unknown): void;
  onHeartbeat?: () => void;
}

// Tokens are opaque to callers; the prefix and length let us tell a token of ours that names no
// task (TaskDoesNotExist) from something that is not a token at all (InvalidToken).
const TOKEN_PREFIX = 'AQ';
const TOKEN_RE = /^AQ[A-Za-z0-9_-]{86}$/;
const MAX_REMEMBERED = 10_000;

export class Callbacks {
  private readonly waiters = new Map<string, Waiter>();
  /** Answers that arrived before the task started waiting (the resource replied very fast). */
  private readonly early = new Map<string, { ok: true; output: unknown } | { ok: false; error: StatesError }>();
  /** Tokens handed out whose task is not waiting yet (between newTaskToken and invokeTask). */
  private readonly issued = new Map<string, string>();
  /** Tokens per execution, so an ending execution drops its own without scanning every token. */
  private readonly byExecution = new Map<string, Set<string>>();
  private readonly timedOut = new Set<string>();
  private readonly activityTasks = new Map<string, ActivityTask[]>();
  private readonly activityPollers = new Map<string, Array<(task: ActivityTask | undefined) => void>>();

  newToken(executionArn: string): string {
    const token = TOKEN_PREFIX + randomBytes(64).toString('base64url').slice(0, 86);
    this.adopt(token, executionArn);
    return token;
  }

  /** Marks a token known (after a restart, a checkpoint names it). */
  adopt(token: string, executionArn: string): void {
    this.issued.set(token, executionArn);
    let set = this.byExecution.get(executionArn);
    if (!set) this.byExecution.set(executionArn, (set = new Set()));
    set.add(token);
  }

  /**
   * Waits for SendTaskSuccess/Failure on `token`. SendTaskHeartbeat calls `onHeartbeat` (the
   * engine keeps the `HeartbeatSeconds` clock). `signal` (the state's timeout, StopExecution)
   * ends the wait with its reason; later answers then get TaskTimedOut.
   */
  wait(token: string, executionArn: string, signal: AbortSignal, onHeartbeat?: () => void): Promise<unknown> {
    const early = this.early.get(token);
    if (early) {
      this.early.delete(token);
      this.issued.delete(token);
      return early.ok ? Promise.resolve(early.output) : Promise.reject(early.error);
    }
    return new Promise((resolve, reject) => {
      const finish = () => {
        this.waiters.delete(token);
        this.issued.delete(token);
        signal.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        executionArn,
        onHeartbeat,
        resolve: (output) => {
          finish();
          resolve(output);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = () => {
        this.remember(this.timedOut, token);
        waiter.reject(signal.reason ?? new StatesError('States.Timeout', ''));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(token, waiter);
    });
  }

  private remember(set: Set<string>, token: string) {
    if (set.size >= MAX_REMEMBERED) set.delete(set.values().next().value!);
    set.add(token);
  }

  private check(token: unknown): string {
    if (typeof token !== 'string' || !TOKEN_RE.test(token)) throw invalidToken();
    if (this.timedOut.has(token)) throw taskTimedOut();
    if (!this.waiters.has(token) && !this.issued.has(token)) throw taskDoesNotExist();
    return token;
  }

  succeed(token: unknown, output: unknown): void {
    const t = this.check(token);
    const waiter = this.waiters.get(t);
    if (waiter) waiter.resolve(output);
    else this.early.set(t, { ok: true, output });
  }

  fail(token: unknown, error: string | undefined, cause: string | undefined): void {
    const t = this.check(token);
    const failure = new StatesError(error ?? '', cause ?? '');
    const waiter = this.waiters.get(t);
    if (waiter) waiter.reject(failure);
    else this.early.set(t, { ok: false, error: failure });
  }

  heartbeat(token: unknown): void {
    const t = this.check(token);
    this.waiters.get(t)?.onHeartbeat?.();
  }

  /** Forgets every token of an execution (it ended). */
  dropExecution(executionArn: string): void {
    const tokens = this.byExecution.get(executionArn);
    if (!tokens) return;
    this.byExecution.delete(executionArn);
    for (const token of tokens) {
      this.issued.delete(token);
      this.early.delete(token);
    }
  }

  /** Queues an activity task, or hands it to a worker already polling. */
  scheduleActivity(activityArn: string, task: ActivityTask): void {
    const pollers = this.activityPollers.get(activityArn);
    const poller = pollers?.shift();
    if (poller) return poller(task);
    let queue = this.activityTasks.get(activityArn);
    if (!queue) this.activityTasks.set(activityArn, (queue = []));
    queue.push(task);
  }

  /** Removes a queued activity task nobody took (its execution stopped). */
  unscheduleActivity(activityArn: string, token: string): void {
    const queue = this.activityTasks.get(activityArn);
    const i = queue?.findIndex((t) => t.taskToken === token) ?? -1;
    if (i >= 0) queue!.splice(i, 1);
  }

  /** GetActivityTask: the next task, waiting up to `timeoutMs`; undefined when none came. */
  pollActivity(activityArn: string, timeoutMs: number, signal?: AbortSignal): Promise<ActivityTask | undefined> {
    const queued = this.activityTasks.get(activityArn)?.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      let pollers = this.activityPollers.get(activityArn);
      if (!pollers) this.activityPollers.set(activityArn, (pollers = []));
      const done = (task: ActivityTask | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(task);
      };
      const remove = () => {
        const list = this.activityPollers.get(activityArn);
        const i = list?.indexOf(done) ?? -1;
        if (i >= 0) list!.splice(i, 1);
      };
      const onAbort = () => {
        remove();
        done(undefined);
      };
      const timer = setTimeout(onAbort, timeoutMs);
      timer.unref?.();
      signal?.addEventListener('abort', onAbort, { once: true });
      pollers.push(done);
    });
  }

  /** Ends every long poll (shutdown). */
  close(): void {
    for (const pollers of this.activityPollers.values()) for (const p of pollers.splice(0)) p(undefined);
  }
}
