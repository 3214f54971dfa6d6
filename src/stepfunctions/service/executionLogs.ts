/**
 * Execution logs: a state machine's `loggingConfiguration` (`level` ALL / ERROR / FATAL / OFF,
 * `includeExecutionData`) writes its executions' history events as CloudWatch Logs lines in AWS's
 * shape (`{ id, type, details, previous_event_id, event_timestamp, execution_arn, redrive_count }`,
 * the numbers as strings) — one JSON line per event, one file per state machine
 * (`<data>/stepfunctions/logs/<name>.jsonl`), and to standard output for machines whose config asks
 * for it (`loggingConfig.stdout`). Express executions keep no history; their log is how they are
 * looked at afterwards (the page lists their runs from it, `runs()`).
 */
import { createWriteStream, existsSync, mkdirSync, openSync, readSync, closeSync, fstatSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../datasources/types.js';
import { detailsKey } from './eventText.js';

/** A machine's logging settings as CreateStateMachine / the config give them (`stdout`: local addition). */
export interface LoggingSettings {
  level: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
  includeExecutionData: boolean;
  stdout?: boolean;
}

export const LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'] as const;

/** Reads a record's `loggingConfiguration`; undefined when it logs nothing. */
export function loggingSettings(value: unknown): LoggingSettings | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { level?: unknown; includeExecutionData?: unknown; stdout?: unknown };
  const level = typeof v.level === 'string' ? (v.level as LoggingSettings['level']) : 'OFF';
  if (level === 'OFF' || !LOG_LEVELS.includes(level)) return undefined;
  return { level, includeExecutionData: v.includeExecutionData === true, ...(v.stdout === true ? { stdout: true } : {}) };
}

const FATAL_EVENTS = new Set(['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
/** ERROR logs every failure event (…Failed, …TimedOut, …Aborted), FATAL only the execution's own end in failure. */
const isError = (type: string) => /(?:Failed|TimedOut|Aborted)$/.test(type);
/** Fields that carry execution data, left out without `includeExecutionData`. */
const DATA_FIELDS = new Set(['input', 'output', 'parameters']);

/** Newest runs `runs()` answers, and the most of a log file it reads (its end). */
const MAX_RUNS = 100;
const MAX_READ_BYTES = 8 * 1024 * 1024;
/** Lines kept per machine when there is no folder to write to. */
const MEMORY_LINES = 20_000;

/** One run read back from a log: its events in GetExecutionHistory's shape, oldest first. */
export interface LoggedRun {
  executionArn: string;
  events: Array<Record<string, unknown>>;
}

/** Writes one execution's events; `undefined` from {@link ExecutionLogs.writer} when its machine logs nothing. */
export type LogWriter = (type: string, id: number, previousEventId: number, details: Record<string, unknown> | undefined) => void;

export class ExecutionLogs {
  private readonly streams = new Map<string, WriteStream>();
  private readonly memory = new Map<string, string[]>();
  private madeDir = false;

  /**
   * @param dir the folder of the log files; absent: kept in memory only (in-memory and PostgreSQL stores)
   * @param stdout where `stdout: true` machines' lines go as well
   */
  constructor(
    private readonly dir: string | undefined,
    private readonly logger: Logger,
    private readonly stdout: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** The writer for one execution of machine `machineName` with settings `config`; undefined when it logs nothing. */
  writer(machineName: string, config: unknown, executionArn: string, redriveCount = 0): LogWriter | undefined {
    const settings = loggingSettings(config);
    if (!settings) return undefined;
    return (type, id, previousEventId, details) => {
      if (settings.level === 'ERROR' ? !isError(type) : settings.level === 'FATAL' ? !FATAL_EVENTS.has(type) : false) return;
      let inner = (details?.[detailsKey(type)] as Record<string, unknown> | undefined) ?? {};
      if (!settings.includeExecutionData) inner = Object.fromEntries(Object.entries(inner).filter(([k]) => !DATA_FIELDS.has(k)));
      const line = JSON.stringify({
        id: String(id),
        type,
        details: inner,
        previous_event_id: String(previousEventId),
        event_timestamp: String(Date.now()),
        execution_arn: executionArn,
        redrive_count: String(redriveCount),
      });
      this.write(machineName, line);
      if (settings.stdout) this.stdout(line);
    };
  }

  private write(machineName: string, line: string): void {
    if (!this.dir) {
      let lines = this.memory.get(machineName);
      if (!lines) this.memory.set(machineName, (lines = []));
      lines.push(line);
      if (lines.length > MEMORY_LINES) lines.splice(0, lines.length - MEMORY_LINES);
      return;
    }
    let stream = this.streams.get(machineName);
    if (!stream) {
      if (!this.madeDir) {
        mkdirSync(this.dir, { recursive: true });
        this.madeDir = true;
      }
      stream = createWriteStream(this.file(machineName), { flags: 'a' });
      stream.on('error', (error) => this.logger.warn(`step functions: the execution log of ${machineName} cannot be written`, { error: error.message }));
      this.streams.set(machineName, stream);
    }
    stream.write(`${line}\n`);
  }

  /** The log file of a machine. */
  file(machineName: string): string {
    return join(this.dir ?? '', `${machineName}.jsonl`);
  }

  /** Resolves once every line written so far is in its file. */
  async flush(): Promise<void> {
    // A write's callback runs once it and every write before it reached the file.
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  }

  /** The newest runs of a machine read back from its log (newest first), each with its events as GetExecutionHistory shows them. */
  runs(machineName: string): LoggedRun[] {
    const lines = this.dir ? this.readTail(machineName) : (this.memory.get(machineName) ?? []);
    const byArn = new Map<string, LoggedRun>();
    for (const line of lines) {
      if (!line) continue;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // The first line of a file read from the middle, or one cut by a crash: skipped.
        continue;
      }
      const arn = String(entry.execution_arn);
      let run = byArn.get(arn);
      if (!run) byArn.set(arn, (run = { executionArn: arn, events: [] }));
      const type = String(entry.type);
      run.events.push({
        id: Number(entry.id),
        previousEventId: Number(entry.previous_event_id),
        timestamp: Number(entry.event_timestamp) / 1000,
        type,
        [detailsKey(type)]: entry.details,
      });
    }
    // A Map keeps first-seen order: the newest runs are the last ones.
    return [...byArn.values()].slice(-MAX_RUNS).reverse();
  }

  private readTail(machineName: string): string[] {
    const file = this.file(machineName);
    if (!existsSync(file)) return [];
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, MAX_READ_BYTES);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      return buffer.toString('utf8').split('\n');
    } finally {
      closeSync(fd);
    }
  }

  /** Closes the files (their pending lines are written first). */
  async close(): Promise<void> {
    const streams = [...this.streams.values()];
    this.streams.clear();
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(resolve))));
  }
}
