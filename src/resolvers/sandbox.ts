/**
 * The host side of the resolver sandbox: one `node:vm` context per loaded API, holding the
 * prelude (src/resolvers/sandbox/prelude.ts) and every compiled resolver module, each in its
 * own function scope.
 *
 * Hand-written because no maintained library runs AppSync's APPSYNC_JS semantics; `node:vm` is
 * not a security boundary on its own, so the rules are: strings-to-code is disabled, only
 * primitives cross into the context, and every call runs under a time limit.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { Logger } from '../datasources/types.js';
import { instrumentLoops } from './instrument.js';
import type { SandboxHost } from './sandbox/host.js';

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
  stash: Record<string, unknown>;
}

/**
 * A run's base context as JSON texts per member (undefined: JSON.stringify left the key out)
 * and the strings that go in as they are.
 */
export interface RunParts {
  argumentsJson: string | undefined;
  identityJson: string | undefined;
  sourceJson: string | undefined;
  headersJson: string | undefined;
  fieldName: string;
  parentTypeName: string;
  variablesJson: string | undefined;
  selectionSetListJson: string;
  selectionSetGraphQL: string;
  envJson: string | undefined;
  authMode: string;
  operation: string;
}

export interface SandboxOptions {
  logger: Logger;
  /** Per-handler time limit (shared/spec/resolvers.md §7 Gateway choice: default 1 s). */
  timeoutMs?: number;
}

/**
 * The prelude already bundled: scripts/build.mjs inlines it into dist/ so a built CLI skips
 * esbuild here; when src runs through tsx the identifier is undeclared and `typeof` says so.
 */
declare const __APPSYNC_PRELUDE__: string | undefined;
let preludeCode: Promise<string> | undefined;

/** Bundles the prelude once per process (or takes the prebuilt one). */
function loadPrelude(): Promise<string> {
  if (typeof __APPSYNC_PRELUDE__ === 'string') return (preludeCode ??= Promise.resolve(__APPSYNC_PRELUDE__));
  // From src/ only (dist/ inlines the prelude): esbuild is loaded here, not at module level.
  preludeCode ??= import('esbuild').then(({ build }) => build({
    entryPoints: [fileURLToPath(new URL('./sandbox/prelude.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })).then((result) => result.outputFiles[0]!.text);
  return preludeCode;
}

interface Trampoline {
  register(factory: (tick: () => void) => () => Record<string, unknown>): number;
  exportsOf(id: number): string;
  openRun(id: number, baseJson: string): void;
  openRunParts(
    id: number,
    argumentsJson: string | undefined,
    identityJson: string | undefined,
    sourceJson: string | undefined,
    headersJson: string | undefined,
    fieldName: string,
    parentTypeName: string,
    variablesJson: string | undefined,
    selectionSetListJson: string,
    selectionSetGraphQL: string,
    envJson: string | undefined,
    authMode: string,
    operation: string,
  ): void;
  closeRun(id: number): string;
  stashOf(id: number): string;
  invoke(runId: number, moduleId: number, handler: string, phase: string, stepJson: string, timeoutMs: number): string;
  invokeUnitPassThrough(runId: number, moduleId: number, requestPhase: string, responsePhase: string, timeoutMs: number): string;
}

const INVOKE_SCRIPT = new vm.Script('__appsyncTrampoline.invoke(__c_run, __c_mod, __c_handler, __c_phase, __c_step, 0)', {
  filename: 'appsync-gateway:invoke',
});

export class Sandbox {
  readonly #context: vm.Context;
  readonly #trampoline: Trampoline;
  readonly #timeoutMs: number;
  #nextRun = 1;
  /** Per module: true when it runs under vm's watchdog instead of instrumented ticks. */
  readonly #watchdog: boolean[] = [];
  /** Name of the resolver whose handler runs now, for console output. */
  currentLabel = '';

  private constructor(context: vm.Context, timeoutMs: number) {
    this.#context = context;
    this.#trampoline = (context as { __appsyncTrampoline: Trampoline }).__appsyncTrampoline;
    this.#timeoutMs = timeoutMs;
  }

  static async create(options: SandboxOptions): Promise<Sandbox> {
    const code = await loadPrelude();
    const context = vm.createContext(Object.create(null), {
      name: 'appsync-resolvers',
      codeGeneration: { strings: false, wasm: false },
    });
    new vm.Script(code, { filename: 'appsync-gateway:prelude' }).runInContext(context);
    const sandbox: { current?: Sandbox } = {};
    const host: SandboxHost = {
      randomHex: (n) => randomBytes(Math.max(0, Math.min(1024, Math.floor(Number(n)) || 0))).toString('hex'),
      log: (level, message) => {
        const label = sandbox.current?.currentLabel ?? '';
        const line = `resolver console.${level}${label ? ` [${label}]` : ''}: ${message}`;
        if (level === 'error') options.logger.error(line);
        else if (level === 'warn') options.logger.warn(line);
        else if (level === 'debug') options.logger.debug(line);
        else options.logger.info(line);
      },
    };
    const bootstrap = (context as { __appsyncBootstrap: (host: SandboxHost) => void }).__appsyncBootstrap;
    bootstrap(host);
    vm.runInContext('delete globalThis.__appsyncBootstrap', context);
    sandbox.current = new Sandbox(context, options.timeoutMs ?? 1000);
    return sandbox.current;
  }

  /**
   * Evaluates a compiled module (esbuild IIFE output assigning `__m`) in its own scope and returns
   * its id. `filename` names the code in stack traces.
   *
   * The code is instrumented with time-limit ticks and called directly, except code that can
   * catch exceptions (try/catch, unsupported by APPSYNC_JS but run anyway): it could swallow the
   * tick's timeout, so it runs under vm's per-call watchdog thread instead (slower, still safe).
   * `instrumented` is `instrumentLoops(compiledIife)` when the caller has it (compile cache).
   */
  register(compiledIife: string, filename: string, instrumented: { code: string; catches: boolean } = instrumentLoops(compiledIife)): number {
    const watchdog = instrumented.catches;
    const body = watchdog ? compiledIife : instrumented.code;
    // The tick arrives as an outer function's parameter: instrumented code calls it on every
    // function entry, and a global name costs a vm interceptor call each time. The module's own
    // function is unchanged (its leading "use strict" stays a directive, `arguments` stays empty).
    const wrapped = `__appsyncTrampoline.register(function (__appsyncTick) { return function () { ${body}\nreturn __m; }; })`;
    const script = new vm.Script(wrapped, { filename });
    const id = script.runInContext(this.#context, { timeout: this.#timeoutMs }) as number;
    this.#watchdog[id] = watchdog;
    return id;
  }

  /** Names of the functions a module exports. */
  exportsOf(moduleId: number): string[] {
    return JSON.parse(this.#trampoline.exportsOf(moduleId)) as string[];
  }

  /** Opens a resolver run (one stash, one error list) and returns its id. */
  openRun(baseJson: string): number {
    const id = this.#nextRun++;
    this.#trampoline.openRun(id, baseJson);
    return id;
  }

  /**
   * Opens a run from the base context in pieces: the sandbox keeps parsed copies of the pieces
   * that recur (env, selection lists, one request's headers, identity and variables) and hands
   * each run its own copy, where `openRun` parses everything every time. The run sees exactly
   * what `openRun` with `{"arguments":…,"identity":…,"source":…,"request":{"headers":…,
   * "domainName":null},"info":{…},"env":…,"authMode":…,"operation":…}` would give it.
   */
  openRunParts(parts: RunParts): number {
    const id = this.#nextRun++;
    this.#trampoline.openRunParts(
      id,
      parts.argumentsJson,
      parts.identityJson,
      parts.sourceJson,
      parts.headersJson,
      parts.fieldName,
      parts.parentTypeName,
      parts.variablesJson,
      parts.selectionSetListJson,
      parts.selectionSetGraphQL,
      parts.envJson,
      parts.authMode,
      parts.operation,
    );
    return id;
  }

  stashOf(runId: number): Record<string, unknown> {
    return JSON.parse(this.#trampoline.stashOf(runId)) as Record<string, unknown>;
  }

  closeRun(runId: number): RunSummary {
    const text = this.#trampoline.closeRun(runId);
    // '' (nothing to report) and 'null' (unknown run) both mean an empty summary.
    return (text === '' ? null : (JSON.parse(text) as RunSummary | null)) ?? { errors: [], headers: {}, invalidations: [], stash: {} };
  }

  /**
   * A unit resolver on a NONE data source: request handler, `ctx.result` = its `payload` (through
   * JSON, as `invoke` + the data source + `invoke` would give it), response handler, in one call
   * into the sandbox. Returns which handler's outcome ended the run, or undefined for a module
   * that runs under the watchdog (the caller then takes the general path).
   */
  invokeUnitPassThrough(runId: number, moduleId: number, requestPhase: string, responsePhase: string): { handler: 'request' | 'response'; outcome: HandlerOutcome } | undefined {
    if (this.#watchdog[moduleId]) return undefined;
    let text: string;
    try {
      text = this.#trampoline.invokeUnitPassThrough(runId, moduleId, requestPhase, responsePhase, this.#timeoutMs);
    } catch (error) {
      return { handler: 'request', outcome: { k: 'fault', name: 'Error', message: error instanceof Error ? error.message : String(error), stack: '' } };
    }
    return { handler: text.charCodeAt(0) === 83 /* S */ ? 'response' : 'request', outcome: JSON.parse(text.slice(1)) as HandlerOutcome };
  }

  /** Calls `handler` of `moduleId` under the time limit. */
  invoke(runId: number, moduleId: number, handler: 'request' | 'response', phase: string, stepJson: string): HandlerOutcome {
    if (!this.#watchdog[moduleId]) {
      let text: string;
      try {
        text = this.#trampoline.invoke(runId, moduleId, handler, phase, stepJson, this.#timeoutMs);
      } catch (error) {
        return { k: 'fault', name: 'Error', message: error instanceof Error ? error.message : String(error), stack: '' };
      }
      return JSON.parse(text) as HandlerOutcome;
    }
    const context = this.#context as Record<string, unknown>;
    context.__c_run = runId;
    context.__c_mod = moduleId;
    context.__c_handler = handler;
    context.__c_phase = phase;
    context.__c_step = stepJson;
    let text: unknown;
    try {
      text = INVOKE_SCRIPT.runInContext(this.#context, { timeout: this.#timeoutMs });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        return { k: 'timeout', message: `Execution of the ${handler} handler timed out after ${this.#timeoutMs} ms.` };
      }
      return { k: 'fault', name: 'Error', message: error instanceof Error ? error.message : String(error), stack: '' };
    } finally {
      context.__c_step = undefined;
    }
    if (typeof text !== 'string') {
      return { k: 'fault', name: 'TypeError', message: 'the handler returned a value that cannot be serialised to JSON', stack: '' };
    }
    return JSON.parse(text) as HandlerOutcome;
  }
}
