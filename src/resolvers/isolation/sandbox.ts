/**
 * The gateway's handle on the resolver sandbox: resolver code runs in sandbox processes
 * (src/resolvers/isolation/), each holding the prelude (src/resolvers/guest/prelude.ts) and
 * every compiled module in a `node:vm` context with frozen intrinsics and no string-to-code.
 *
 * Every method that runs resolver code answers asynchronously; a call that overruns the time or
 * memory limit comes back as an outcome naming the limit, never as a stalled or dead gateway.
 * Only JSON text crosses the boundary.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../datasources/types.js';
import { templateSyntaxError } from '../guest/vtl/parseTemplate.js';
import { SandboxCallError, SandboxPool, type SandboxProcess } from './pool.js';
import type { LogLine, RunParts, VtlTemplates } from './protocol.js';

export type { LogLine, RunParts };

/** The outcome of one handler call, as the prelude's trampoline reports it. */
export type HandlerOutcome =
  | { k: 'ok'; v: unknown }
  | { k: 'early'; v: unknown; skipTo: 'END' | 'NEXT' | null }
  | { k: 'error'; e: { message: string; errorType: string | null; data: unknown; errorInfo: unknown } }
  | { k: 'fault'; name: string; message: string; stack: string }
  | { k: 'timeout'; message: string };

/** What the prelude returns when a run ends. */
export interface RunSummary {
  errors: Array<{ message: string; errorType: string | null; data: unknown; errorInfo: unknown }>;
  headers: Record<string, string>;
  subscriptionFilter?: unknown;
  invalidationFilter?: unknown;
  invalidations: Array<{ subscriptionField: string; payload: unknown }>;
  /** `extensions.evictFromApiCache` calls (docs/caching.md#eviction). */
  evictions?: Array<{ typeName: string; fieldName: string; keys: Record<string, unknown> }>;
  stash: Record<string, unknown>;
}

/** Limits of the resolver sandbox; every member has a default. */
export interface SandboxLimits {
  /** Per-handler time limit in ms (docs/resolvers.md, limits; default 1000). */
  timeoutMs?: number;
  /** V8 heap limit of each sandbox process in MB (default 256). */
  memoryLimitMb?: number;
  /** How many sandbox processes run resolver code side by side (default 2). */
  processes?: number;
  /** Longest JSON a handler may return, in characters (default 5 MB, AppSync's evaluated template limit). */
  maxResultChars?: number;
  /** Longest console line kept, in characters (default 256 KiB, CloudWatch's event size). */
  maxLogChars?: number;
  /**
   * Not a limit: whether unit resolvers whose handlers are in the small subset the gateway
   * evaluates itself skip the sandbox (docs/resolvers.md#handlers-the-gateway-evaluates; default true).
   */
  evaluateSimpleHandlers?: boolean;
}

export interface SandboxOptions extends SandboxLimits {
  logger: Logger;
}

/** A resolver run: its id and the sandbox process that holds its state. */
export interface RunHandle {
  readonly id: number;
  readonly process: SandboxProcess;
  /** Set when the run ended with its last handler (`invokeAndClose`). */
  summary?: RunSummary;
  /** The run's parts until its first call, which opens the run in the same record. */
  opening?: RunParts;
}

/** What a unit resolver on NONE gave in one call: which handler ended it, its outcome, the run's summary. */
export interface UnitOutcome {
  handler: 'request' | 'response';
  outcome: HandlerOutcome;
  summary: RunSummary;
}

/** What a pipeline on NONE gave in one call (see `Sandbox.invokePipeline`). */
export interface PipelineOutcome extends UnitOutcome {
  /** Whose handler gave `outcome`: -1 the resolver's own code, else the function's position. */
  index: number;
}

/**
 * The prelude and the child program already bundled: scripts/build.mjs inlines both into dist/ so
 * a built CLI skips esbuild here; when src runs through tsx the identifiers are undeclared.
 */
declare const __APPSYNC_PRELUDE__: string | undefined;
declare const __APPSYNC_SANDBOX_CHILD__: string | undefined;
let preludeCode: Promise<string> | undefined;
let childCode: Promise<string> | undefined;
let lockdownCode: Promise<string> | undefined;

/** Bundles `entry` with esbuild; used from src/ only. */
function bundle(entry: URL, platform: 'neutral' | 'node', format: 'iife' | 'cjs'): Promise<string> {
  return import('esbuild')
    .then(({ build }) =>
      build({
        entryPoints: [fileURLToPath(entry)],
        bundle: true,
        format,
        platform,
        target: platform === 'node' ? 'node20' : 'es2022',
        write: false,
        logLevel: 'silent',
        ...(platform === 'neutral' ? guestBundleOptions(fileURLToPath(entry)) : {}),
      }),
    )
    .then((result) => result.outputFiles[0]!.text);
}

/**
 * The prelude's npm package velocityjs (VTL) ships its ESM under `module`, and imports `debug`,
 * which is swapped for a stub (guest/vtl/noDebug.ts): scripts/build.mjs does the same for dist/.
 */
function guestBundleOptions(preludeFile: string): { mainFields: string[]; plugins: import('esbuild').Plugin[] } {
  const stub = join(dirname(preludeFile), 'vtl', 'noDebug.ts');
  return { mainFields: ['module', 'main'], plugins: [{ name: 'no-debug', setup: (b) => void b.onResolve({ filter: /^debug$/ }, () => ({ path: stub })) }] };
}

/** The prelude, bundled once per process (or taken prebuilt). */
function loadPrelude(): Promise<string> {
  if (typeof __APPSYNC_PRELUDE__ === 'string') return (preludeCode ??= Promise.resolve(__APPSYNC_PRELUDE__));
  return (preludeCode ??= bundle(new URL('../guest/prelude.ts', import.meta.url), 'neutral', 'iife'));
}

/** The sandbox process's program, bundled once per process (or taken prebuilt). */
function loadChildProgram(): Promise<string> {
  if (typeof __APPSYNC_SANDBOX_CHILD__ === 'string') return (childCode ??= Promise.resolve(__APPSYNC_SANDBOX_CHILD__));
  return (childCode ??= bundle(new URL('./child.ts', import.meta.url), 'node', 'cjs'));
}

/** ses's lockdown script, read from its package. */
function loadLockdown(): Promise<string> {
  const require = createRequire(import.meta.url);
  return (lockdownCode ??= readFile(join(dirname(require.resolve('ses/package.json')), 'dist', 'lockdown.umd.min.js'), 'utf8'));
}

const DEFAULTS = {
  timeoutMs: 1000,
  memoryLimitMb: 256,
  processes: 2,
  maxResultChars: 5 * 1024 * 1024,
  maxLogChars: 256 * 1024,
};

const EMPTY_SUMMARY = (): RunSummary => ({ errors: [], headers: {}, invalidations: [], stash: {} });

export class Sandbox {
  readonly #pool: SandboxPool;
  readonly #timeoutMs: number;
  /** Longest JSON a handler may return, in characters (what the sandbox processes enforce). */
  readonly maxResultChars: number;
  #nextModule = 0;
  #nextRun = 1;
  /** Runs opened and not ended (close waits for them). */
  #openRuns = 0;
  #drained: (() => void) | undefined;

  private constructor(pool: SandboxPool, timeoutMs: number, maxResultChars: number) {
    this.#pool = pool;
    this.#timeoutMs = timeoutMs;
    this.maxResultChars = maxResultChars;
  }

  static async create(options: SandboxOptions): Promise<Sandbox> {
    const [prelude, program, lockdown] = await Promise.all([loadPrelude(), loadChildProgram(), loadLockdown()]);
    const limits = { ...DEFAULTS, ...definedOnly(options) };
    const { logger } = options;
    const pool = new SandboxPool({
      logger,
      program,
      init: { prelude, lockdown, maxResultChars: limits.maxResultChars, maxLogChars: limits.maxLogChars },
      processes: limits.processes,
      timeoutMs: limits.timeoutMs,
      memoryLimitMb: limits.memoryLimitMb,
      onLog: (label, [level, message]) => {
        const line = `resolver console.${level}${label ? ` [${label}]` : ''}: ${message}`;
        if (level === 'error') logger.error(line);
        else if (level === 'warn') logger.warn(line);
        else if (level === 'debug') logger.debug(line);
        else logger.info(line);
      },
    });
    return new Sandbox(pool, limits.timeoutMs, limits.maxResultChars);
  }

  /** The sandbox processes: how many, how many ready, how many were replaced, how many start on use (GET /health `sandbox`). */
  stats(): { processes: number; ready: number; restarts: number; deferred: number } {
    return this.#pool.stats();
  }

  /**
   * Evaluates a compiled module (esbuild IIFE output assigning `__m`) in every sandbox process;
   * resolves to its id and the names of the functions it exports. `filename` names the code in
   * stack traces.
   */
  async register(compiledIife: string, filename: string): Promise<{ id: number; exports: string[] }> {
    const id = this.#nextModule++;
    try {
      const exports = await this.#pool.register(id, compiledIife, filename);
      return { id, exports };
    } catch (error) {
      // A failed id stays unused in every process that did register it; the next module gets a new one.
      this.#nextModule = Math.max(this.#nextModule, id + 1);
      throw error;
    }
  }

  /**
   * Registers a VTL resolver or function (its mapping templates' text) in every sandbox process;
   * it is called like a module exporting `request` and `response`. Rejects when a template does
   * not parse (checked here first: a replacement process replays only what registered).
   */
  async registerVtl(templates: VtlTemplates, filename: string): Promise<{ id: number }> {
    // A template sent with its tree was parsed by the gateway's load already (src/resolvers/vtl/templateCache.ts).
    for (const [text, ast] of [
      [templates.request, templates.requestAst],
      [templates.response, templates.responseAst],
    ] as const) {
      const syntax = text === null || ast !== undefined ? null : templateSyntaxError(text);
      if (syntax) throw new Error(`${filename}:${syntax.line}:${syntax.column}: ${syntax.reason}`);
    }
    const id = this.#nextModule++;
    try {
      await this.#pool.register(id, '', filename, templates);
      return { id };
    } catch (error) {
      this.#nextModule = Math.max(this.#nextModule, id + 1);
      throw error;
    }
  }

  /**
   * Opens a run from the base context in pieces on the least busy sandbox process (or on the one
   * `affinity` names: one request's runs stay together); its handlers all run there. The process
   * keeps parsed copies of the pieces that recur (env, selection lists, one request's headers,
   * identity and variables) and hands each run its own copy. Nothing is sent yet: the run's first
   * call carries the parts and opens the run in the same record (one record and dispatch fewer).
   */
  openRunParts(parts: RunParts, affinity?: { sandboxAffinity: unknown }): RunHandle {
    let process = affinity?.sandboxAffinity as SandboxProcess | undefined;
    if (!process || !this.#pool.accepts(process)) {
      process = this.#pool.pick();
      if (affinity) affinity.sandboxAffinity = process;
    }
    const id = this.#nextRun++;
    this.#openRuns += 1;
    return { id, process, opening: parts };
  }

  /** The parts a run's first call opens it with (then none: the run is open in its process). */
  #opens(run: RunHandle): RunParts | undefined {
    const parts = run.opening;
    if (parts !== undefined) run.opening = undefined;
    return parts;
  }

  /**
   * Opens a run from the whole base context as one JSON text (what `openRunParts` is measured
   * against, and what EvaluateCode uses); a `stash` object in it is the run's first stash.
   */
  openRun(baseJson: string): RunHandle {
    const process = this.#pool.pick();
    const id = this.#nextRun++;
    this.#openRuns += 1;
    this.#pool.post(process, { seq: 0, op: 'openJson', run: id, base: baseJson });
    return { id, process };
  }

  /** The run's stash (direct Lambda functions send it in their event). */
  async stashOf(run: RunHandle): Promise<Record<string, unknown>> {
    const text = await this.#pool.call(run.process, { seq: 0, op: 'stash', run: run.id, open: this.#opens(run) }, '');
    return JSON.parse(text) as Record<string, unknown>;
  }

  /** Ends a run; its summary is empty when the run's process is gone. */
  async closeRun(run: RunHandle): Promise<RunSummary> {
    if (run.summary) return run.summary;
    // A run no call reached was never opened in its process: nothing ran, nothing to report.
    if (run.opening !== undefined) return this.#ended(run, EMPTY_SUMMARY());
    let text: string;
    try {
      text = await this.#pool.call(run.process, { seq: 0, op: 'close', run: run.id }, '');
    } catch (error) {
      if (error instanceof SandboxCallError) return this.#ended(run, EMPTY_SUMMARY());
      throw error;
    }
    return this.#ended(run, summaryOf(text));
  }

  /**
   * A unit resolver on a NONE data source: request handler, `ctx.result` = its `payload` (through
   * JSON, as `invoke` + the data source + `invoke` would give it), response handler and the run's
   * end, in one call.
   */
  async invokeUnit(run: RunHandle, moduleId: number, requestPhase: string, responsePhase: string, label: string): Promise<UnitOutcome> {
    let text: string;
    try {
      text = await this.#pool.call(
        run.process,
        { seq: 0, op: 'unit', run: run.id, open: this.#opens(run), mod: moduleId, request: requestPhase, response: responsePhase, label },
        label,
      );
    } catch (error) {
      return { handler: 'request', outcome: this.#failed(error, 'request'), summary: this.#ended(run, EMPTY_SUMMARY()) };
    }
    const newline = text.indexOf('\n');
    return {
      handler: text.charCodeAt(0) === 83 /* S */ ? 'response' : 'request',
      outcome: JSON.parse(text.slice(1, newline)) as HandlerOutcome,
      summary: this.#ended(run, summaryOf(text.slice(newline + 1))),
    };
  }

  /**
   * A pipeline resolver whose functions all use the built-in NONE data source: its before handler,
   * each function's request handler, `ctx.result` = the request's `payload` and response handler,
   * then its after handler and the run's end, in one call (what `invoke` + the data source +
   * `invoke` for each would give, JSON between steps included). `beforeId` is the resolver's own
   * module (-1: none). The call's time limit is the per-handler limit for each handler it may
   * run, so no pipeline that passes handler by handler fails here. `index` tells whose handler
   * gave the outcome: -1 the resolver's own code, else the function's position.
   */
  async invokePipeline(run: RunHandle, beforeId: number, functionIds: number[], operation: string, label: string): Promise<PipelineOutcome> {
    const handlers = (beforeId < 0 ? 0 : 2) + 2 * functionIds.length;
    const limitMs = this.#timeoutMs * Math.max(1, handlers);
    let text: string;
    try {
      text = await this.#pool.call(
        run.process,
        { seq: 0, op: 'pipeline', run: run.id, open: this.#opens(run), mod: beforeId, fns: functionIds, operation, label },
        label,
        undefined,
        limitMs,
      );
    } catch (error) {
      const outcome: HandlerOutcome =
        error instanceof SandboxCallError && error.failure.kind === 'timeout'
          ? { k: 'timeout', message: `Execution of the pipeline's ${handlers} handlers timed out after ${limitMs} ms (${this.#timeoutMs} ms each).` }
          : this.#failed(error, 'request');
      return { index: beforeId < 0 ? 0 : -1, handler: 'request', outcome, summary: this.#ended(run, EMPTY_SUMMARY()) };
    }
    const space = text.indexOf(' ');
    const newline = text.indexOf('\n', space);
    return {
      index: Number(text.slice(1, space)),
      handler: text.charCodeAt(0) === 83 /* S */ ? 'response' : 'request',
      outcome: JSON.parse(text.slice(space + 1, newline)) as HandlerOutcome,
      summary: this.#ended(run, summaryOf(text.slice(newline + 1))),
    };
  }

  /** Calls `handler` of `moduleId` under the limits; its console lines go to `logs` when given, else to the logger. */
  async invoke(
    run: RunHandle,
    moduleId: number,
    handler: 'request' | 'response' | 'render',
    phase: string,
    stepJson: string,
    label: string,
    logs?: LogLine[],
  ): Promise<HandlerOutcome> {
    try {
      const text = await this.#pool.call(
        run.process,
        { seq: 0, op: 'invoke', run: run.id, open: this.#opens(run), mod: moduleId, handler, phase, step: stepJson, label },
        label,
        logs,
      );
      return JSON.parse(text) as HandlerOutcome;
    } catch (error) {
      return this.#failed(error, handler);
    }
  }

  /** `invoke`, then the run's end, in one call: for the last handler of a run (`closeRun` then answers its summary). */
  async invokeAndClose(
    run: RunHandle,
    moduleId: number,
    handler: 'request' | 'response' | 'render',
    phase: string,
    stepJson: string,
    label: string,
    logs?: LogLine[],
  ): Promise<HandlerOutcome> {
    let text: string;
    try {
      text = await this.#pool.call(
        run.process,
        { seq: 0, op: 'invoke', run: run.id, open: this.#opens(run), mod: moduleId, handler, phase, step: stepJson, label, close: true },
        label,
        logs,
      );
    } catch (error) {
      this.#ended(run, EMPTY_SUMMARY());
      return this.#failed(error, handler);
    }
    const newline = text.indexOf('\n');
    this.#ended(run, summaryOf(text.slice(newline + 1)));
    return JSON.parse(text.slice(0, newline)) as HandlerOutcome;
  }

  /**
   * Stops the sandbox processes once the runs already open have ended (a reloaded API's requests
   * in flight finish on the code they started with), or after `graceMs` at the latest.
   */
  async close(graceMs = 30_000): Promise<void> {
    if (this.#openRuns > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        timer.unref();
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await this.#pool.close();
  }

  /** Records a run's end (once) and hands its summary back. */
  #ended(run: RunHandle, summary: RunSummary): RunSummary {
    if (run.summary) return run.summary;
    run.summary = summary;
    this.#openRuns -= 1;
    if (this.#openRuns === 0) this.#drained?.();
    return summary;
  }

  #failed(error: unknown, handler: string): HandlerOutcome {
    if (!(error instanceof SandboxCallError)) throw error;
    if (error.failure.kind === 'timeout') {
      return { k: 'timeout', message: `Execution of the ${handler} handler timed out after ${this.#timeoutMs} ms.` };
    }
    const name = error.failure.kind === 'memory' ? 'MemoryLimitExceeded' : 'SandboxError';
    return { k: 'fault', name, message: error.message, stack: '' };
  }
}

/** '' (nothing to report) and 'null' (unknown run) both mean an empty summary. */
function summaryOf(text: string): RunSummary {
  return (text === '' ? null : (JSON.parse(text) as RunSummary | null)) ?? EMPTY_SUMMARY();
}

function definedOnly(limits: SandboxLimits): SandboxLimits {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(limits)) if (typeof value === 'number') out[key] = value;
  return out;
}
