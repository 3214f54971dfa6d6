/**
 * The local commands ECS tasks and Batch jobs run (ecsBatch.ts). Each runs in a process group of
 * its own, so stopping it — StopExecution, a Task's TimeoutSeconds or HeartbeatSeconds, the
 * gateway closing — ends every process it started, as stopping a container does; when the command
 * itself exits, what it left running in its group is ended too (a container's processes end with
 * its main process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Logger } from '../../datasources/types.js';

/** How long a stopped group has between SIGTERM and SIGKILL. ECS waits 30 s; a local command is given 2 s. */
const STOP_GRACE_MS = 2_000;
/** Output lines longer than this are cut in the log. */
const MAX_LOG_LINE = 8_192;

/** How a local command ended. */
export interface ProcessEnd {
  /** The exit code; a command ended by a signal reports 128 + its number, as a container does. */
  exitCode: number;
  signal?: NodeJS.Signals;
  /** Set when the process was stopped by {@link LocalProcess.stop}: why. */
  stoppedBy?: string;
}

/** One running command. */
export interface LocalProcess {
  pid: number;
  startedAt: number;
  /** Settles when the command exited and its group was ended. */
  ended: Promise<ProcessEnd>;
  /** Ends the whole process group (SIGTERM, then SIGKILL after a grace period). */
  stop(reason: string): void;
}

export interface StartOptions {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** Prefix of the output lines written to the log. */
  label: string;
}

/** Starts commands and stops every one still running on `close()`. */
export class LocalProcesses {
  private readonly running = new Set<LocalProcess>();

  constructor(private readonly logger: Logger) {}

  /** Starts the command; rejects with the spawn error (ENOENT: no such program, EACCES, a missing `cwd`) when it could not start. */
  start(options: StartOptions): Promise<LocalProcess> {
    const [program, ...args] = options.command;
    // detached: the child leads a new process group, so the whole group can be signalled.
    const child = spawn(program!, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      child.once('error', (error) => {
        if (child.pid === undefined) reject(error);
        else this.logger.warn(`step functions: ${options.label}: ${error.message}`);
      });
      child.once('spawn', () => resolve(this.track(child, options)));
    });
  }

  private track(child: ChildProcess, options: StartOptions): LocalProcess {
    const pid = child.pid!;
    let stoppedBy: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch (error) {
        // ESRCH: the group is already gone, which is the goal.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH')
          this.logger.warn(`step functions: ${options.label}: could not signal its processes`, { error: (error as Error).message });
      }
    };
    this.pipeLines(child.stdout!, options.label, 'info');
    this.pipeLines(child.stderr!, options.label, 'warn');
    const ended = new Promise<ProcessEnd>((resolve) => {
      child.once('exit', (code, signal) => {
        // What the command left behind in its group ends with it.
        signalGroup('SIGKILL');
        if (killTimer) clearTimeout(killTimer);
        this.running.delete(handle);
        const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
        resolve({ exitCode, ...(signal ? { signal } : {}), ...(stoppedBy ? { stoppedBy } : {}) });
      });
    });
    const handle: LocalProcess = {
      pid,
      startedAt: Date.now(),
      ended,
      stop: (reason) => {
        if (stoppedBy !== undefined || child.exitCode !== null || child.signalCode !== null) return;
        stoppedBy = reason;
        signalGroup('SIGTERM');
        // Not unref'd: a gateway closing waits for it (at most the grace period), so a command that ignores SIGTERM is still killed.
        killTimer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
      },
    };
    this.running.add(handle);
    return handle;
  }

  /** Writes the command's output to the gateway's log line by line (what CloudWatch Logs would keep of a container). */
  private pipeLines(stream: NodeJS.ReadableStream, label: string, level: 'info' | 'warn'): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) this.logger[level](`${label}: ${line.slice(0, MAX_LOG_LINE)}`);
      if (rest.length > MAX_LOG_LINE) {
        this.logger[level](`${label}: ${rest.slice(0, MAX_LOG_LINE)}`);
        rest = '';
      }
    });
    stream.on('end', () => {
      if (rest) this.logger[level](`${label}: ${rest}`);
    });
  }

  /** Stops every command still running (the gateway is closing); resolves when they have exited. */
  async close(): Promise<void> {
    const all = [...this.running];
    for (const p of all) p.stop('the gateway is closing');
    await Promise.all(all.map((p) => p.ended));
  }
}
