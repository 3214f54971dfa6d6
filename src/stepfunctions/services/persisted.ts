/**
 * Keeps the in-process SQS queues (with their messages), SNS topics (with their subscriptions) and
 * EventBridge rules (with their targets) in `services.json` of the Step Functions file-store folder
 * under the data folder (docs/where-data-lives.md), so they come back after a restart.
 *
 * The whole state is one small JSON document: it is written again (temporary file, fdatasync,
 * rename: a crash leaves the old or the new file, never half of one) after each API call or task
 * that may change it, when it did change, and every {@link FLUSH_MS} for background deliveries.
 * Written by hand: a dozen lines over node:fs, which no maintained library does with the fsync.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../datasources/types.js';
import type { EventRules } from './eventbridge.js';
import type { SnsTopics } from './sns.js';
import type { SqsQueues } from './sqs.js';

/** The file's name inside the Step Functions store folder. */
export const SERVICES_FILE = 'services.json';
/** How often background changes (EventBridge and SNS deliveries, delayed messages) are looked for. */
const FLUSH_MS = 500;

interface Snapshot {
  version: 1;
  queues: unknown[];
  topics: unknown[];
  rules: unknown[];
}

/** The persisted services: `flush()` writes what changed; `close()` writes a last time and stops the timer. */
export class PersistedServices {
  private last = '';
  private readonly timer: NodeJS.Timeout;
  private readonly path: string;
  private failed = false;

  constructor(
    dir: string,
    private readonly services: { sqs: SqsQueues; sns: SnsTopics; events: EventRules },
    private readonly logger: Logger,
  ) {
    this.path = join(dir, SERVICES_FILE);
    this.timer = setInterval(() => this.flush(), FLUSH_MS).unref();
  }

  /**
   * Reads the file, if any, back into the services. A file that cannot be read stops the start
   * (as a corrupted store does) rather than starting empty and overwriting it.
   */
  load(): void {
    if (!existsSync(this.path)) {
      // Nothing to write until something exists: a gateway that never uses these services leaves no file.
      this.last = this.serialize();
      return;
    }
    let data: Snapshot;
    try {
      data = JSON.parse(readFileSync(this.path, 'utf8')) as Snapshot;
    } catch (error) {
      throw new Error(`the in-process SQS/SNS/EventBridge file ${this.path} cannot be read (${(error as Error).message}); move it away to start empty`);
    }
    this.services.sqs.restore(Array.isArray(data.queues) ? data.queues : []);
    this.services.sns.restore(Array.isArray(data.topics) ? data.topics : []);
    this.services.events.restore(Array.isArray(data.rules) ? data.rules : []);
    this.last = this.serialize();
  }

  private serialize(): string {
    const snapshot: Snapshot = {
      version: 1,
      queues: this.services.sqs.snapshot(),
      topics: this.services.sns.snapshot(),
      rules: this.services.events.snapshot(),
    };
    return JSON.stringify(snapshot);
  }

  /** Writes the state when it changed since the last write. */
  flush(): void {
    const text = this.serialize();
    if (text === this.last) return;
    try {
      mkdirSync(join(this.path, '..'), { recursive: true });
      const tmp = `${this.path}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, text);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      this.last = text;
      this.failed = false;
    } catch (error) {
      // Logged once per run of failures; the next flush tries again.
      if (!this.failed) this.logger.warn('in-process SQS/SNS/EventBridge state could not be written', { path: this.path, error: (error as Error).message });
      this.failed = true;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
