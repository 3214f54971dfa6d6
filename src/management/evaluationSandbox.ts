/**
 * The sandbox EvaluateCode and EvaluateMappingTemplate each evaluate in: one process whatever the
 * resolvers' sandbox has (evaluations are short, and a second process would double the memory kept
 * for them), started on the first call, holding each distinct text once (by its sha256), and
 * replaced by a fresh one once it holds `maxEntries` texts; calls in flight finish on the old one.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../datasources/types.js';
import { Sandbox, type SandboxLimits } from '../resolvers/index.js';
import { ManagementApiError } from './restJson.js';

export interface EvaluationSandboxOptions<P> {
  logger: Logger;
  /** The operation, in log lines. */
  label: string;
  /** Limits of the sandbox; read when it starts. */
  limits(): SandboxLimits;
  maxEntries: number;
  /** Registers one text in `sandbox`; a rejection is answered but not kept. */
  register(sandbox: Sandbox, text: string): Promise<P>;
  /** Whether a registered text is kept for the next call (a failure that may depend on the process it met is not). @default always */
  keep?(prepared: P): boolean;
}

export class EvaluationSandbox<P> {
  readonly #options: EvaluationSandboxOptions<P>;
  #sandbox: Promise<Sandbox> | undefined;
  /** Registered texts by their sha256, for the current sandbox. */
  #prepared = new Map<string, Promise<P>>();
  #closed = false;

  constructor(options: EvaluationSandboxOptions<P>) {
    this.#options = options;
  }

  /** The sandbox and `text` registered in it (once per sandbox). */
  async prepare(text: string): Promise<{ sandbox: Sandbox; prepared: P }> {
    const key = createHash('sha256').update(text).digest('hex');
    if (!this.#prepared.has(key) && this.#prepared.size >= this.#options.maxEntries) this.#recycle();
    const sandbox = await this.#sandboxNow();
    let prepared = this.#prepared.get(key);
    if (!prepared) {
      prepared = this.#options.register(sandbox, text);
      const held = this.#prepared;
      held.set(key, prepared);
      const { keep } = this.#options;
      prepared.then(
        (p) => {
          if (keep && !keep(p)) held.delete(key);
        },
        () => held.delete(key),
      );
    }
    return { sandbox, prepared: await prepared };
  }

  /** Stops the sandbox (with the gateway). */
  async close(): Promise<void> {
    this.#closed = true;
    const sandbox = await this.#sandbox?.catch(() => undefined);
    this.#sandbox = undefined;
    await sandbox?.close(0);
  }

  #sandboxNow(): Promise<Sandbox> {
    if (this.#closed) return Promise.reject(new ManagementApiError('InternalFailureException', 'The gateway is closing.', 500));
    if (!this.#sandbox) {
      const starting = Sandbox.create({ ...this.#options.limits(), processes: 1, logger: this.#options.logger });
      this.#sandbox = starting;
      // A sandbox that failed to start is tried again at the next call.
      starting.catch(() => {
        if (this.#sandbox === starting) this.#sandbox = undefined;
      });
    }
    return this.#sandbox;
  }

  #recycle(): void {
    const old = this.#sandbox;
    this.#prepared = new Map();
    this.#sandbox = undefined;
    old
      ?.then((sandbox) => sandbox.close())
      .catch((error: Error) => this.#options.logger.warn(`${this.#options.label}: closing a full sandbox failed: ${error.message}`));
  }
}
