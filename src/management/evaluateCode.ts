/**
 * EvaluateCode (`POST /v1/dataplane-evaluatecode`, docs/management-api.md#evaluatecode): runs one
 * handler of APPSYNC_JS code against a context given as JSON, on the resolver runtime that serves
 * GraphQL requests: the same compiler (esbuild, `@aws-appsync/utils*` from the sandbox), the same
 * lint rules, and the same sandbox with its prelude, `util`, modules and limits.
 *
 * One sandbox serves every evaluation of a gateway; it starts on the first call and holds each
 * distinct code once (compiled code is kept by content), so a test suite that evaluates the same
 * file many times compiles it once.
 */
import type { Logger } from '../datasources/types.js';
import {
  CodeSyntaxError,
  compileResolverText,
  lintAppSyncJs,
  locateFault,
  MAX_CODE_LENGTH,
  type Sandbox,
  type CompiledCode,
  type HandlerOutcome,
  type LogLine,
  type SandboxLimits,
} from '../resolvers/index.js';
import { EvaluationSandbox } from './evaluationSandbox.js';
import { ManagementApiError } from './restJson.js';

/** The name resolver code has in positions: AppSync calls the evaluated code `code.js`. */
const CODE_NAME = 'code.js';

/** One entry of `error.codeErrors` (API reference: CodeError, CodeErrorLocation). */
export interface CodeError {
  /** `PARSER_ERROR` (the code does not compile) or `LINT_ERROR` (a feature APPSYNC_JS lacks). */
  errorType: 'PARSER_ERROR' | 'LINT_ERROR';
  value: string;
  /** 1-based line and column (0 when unknown); `span` the length marked, -1 when unknown. */
  location: { line: number; column: number; span: number };
}

/** The EvaluateCode answer (API reference: EvaluateCodeResponse). */
export interface EvaluateCodeResponse {
  /** The handler's return value as JSON text; absent when it failed. */
  evaluationResult?: string;
  error?: { message: string; codeErrors?: CodeError[] };
  /** Console lines, `LEVEL - message`. */
  logs: string[];
  /** The run's stash after the handler, as JSON text. */
  stash: string;
  /** Errors `util.appendError` added, as JSON text of a list. */
  outErrors: string;
}

/** The request body, as the SDK sends it (API reference: EvaluateCode). */
export interface EvaluateCodeRequest {
  runtime: { name: 'APPSYNC_JS'; runtimeVersion: '1.0.0' };
  code: string;
  /** The resolver context as JSON text. */
  context: string;
  function?: 'request' | 'response';
}

export interface CodeEvaluatorOptions {
  logger: Logger;
  /** Limits of the evaluation sandbox (time per handler call, memory, result and log sizes); read when it starts. */
  limits(): SandboxLimits;
  /**
   * How many distinct codes one sandbox holds. Registered code stays in the sandbox process (and
   * is replayed into a replacement), so past this the sandbox is replaced by a fresh one.
   * @default 500
   */
  maxModules?: number;
}

/** Compiled, linted and registered code, or the code errors that keep it from running. */
type Prepared = { ok: true; id: number; compiled: CompiledCode } | CodeRefusal;

/** Why AppSync would refuse code: `message` as EvaluateCode words it, and the code errors. */
export interface CodeRefusal {
  ok: false;
  message: string;
  codeErrors: CodeError[];
}

/**
 * Compiles and lints APPSYNC_JS code as the resolver runtime does: the compiled code, or the
 * PARSER_ERROR / LINT_ERROR entries AppSync answers for it (EvaluateCode, and CreateResolver /
 * CreateFunction, which refuse such code).
 */
export async function checkCode(code: string): Promise<{ ok: true; compiled: CompiledCode } | CodeRefusal> {
  let compiled: CompiledCode;
  try {
    compiled = await compileResolverText(CODE_NAME, code);
  } catch (error) {
    if (!(error instanceof CodeSyntaxError)) throw error;
    return {
      ok: false,
      message: `${CODE_NAME}:${error.line ?? 0}:${error.column ?? 0}: ${error.text}`,
      codeErrors: [{ errorType: 'PARSER_ERROR', value: error.text, location: { line: error.line ?? 0, column: error.column ?? 0, span: error.span } }],
    };
  }
  // AppSync refuses code that uses features APPSYNC_JS lacks (docs/resolvers.md#the-language-subset).
  const findings = await lintAppSyncJs(CODE_NAME, code);
  if (findings.length > 0) {
    const listed = findings.map((f) => `${CODE_NAME}:${f.line}:${f.column}: APPSYNC_JS does not support ${f.feature}`).join('; ');
    return {
      ok: false,
      message: `The code contains ${findings.length} error${findings.length === 1 ? '' : 's'}: ${listed}`,
      codeErrors: findings.map((f) => ({
        errorType: 'LINT_ERROR',
        value: `APPSYNC_JS does not support ${f.feature}`,
        location: { line: f.line, column: f.column, span: -1 },
      })),
    };
  }
  return { ok: true, compiled };
}

const MAX_MODULES = 500;

const LEVELS: Record<LogLine[0], string> = { log: 'INFO', info: 'INFO', debug: 'DEBUG', warn: 'WARN', error: 'ERROR' };

export class CodeEvaluator {
  readonly #evaluations: EvaluationSandbox<Prepared>;

  constructor(options: CodeEvaluatorOptions) {
    this.#evaluations = new EvaluationSandbox<Prepared>({
      logger: options.logger,
      label: 'EvaluateCode',
      limits: options.limits,
      maxEntries: options.maxModules ?? MAX_MODULES,
      register: (sandbox, code) => this.#compileAndRegister(sandbox, code),
      // A failure to register (the module threw while loading) may depend on the process it met.
      keep: (p) => p.ok || p.codeErrors.length > 0,
    });
  }

  /** Checks the request's members as AppSync does; throws a BadRequestException naming the one at fault. */
  static parseRequest(body: unknown): EvaluateCodeRequest & { contextValue: Record<string, unknown> } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ManagementApiError.badRequest('The request body must be a JSON object.');
    const { runtime, code, context, function: fn } = body as Record<string, unknown>;
    if (typeof runtime !== 'object' || runtime === null)
      throw ManagementApiError.badRequest('runtime is required: { "name": "APPSYNC_JS", "runtimeVersion": "1.0.0" }.');
    const { name, runtimeVersion } = runtime as Record<string, unknown>;
    if (name !== 'APPSYNC_JS') throw ManagementApiError.badRequest(`Unsupported runtime name ${JSON.stringify(name ?? null)}: the only runtime is APPSYNC_JS.`);
    if (runtimeVersion !== '1.0.0')
      throw ManagementApiError.badRequest(`Unsupported runtime version ${JSON.stringify(runtimeVersion ?? null)} for APPSYNC_JS: the only version is 1.0.0.`);
    if (typeof code !== 'string' || code.length === 0) throw ManagementApiError.badRequest('code is required: the APPSYNC_JS code to evaluate.');
    if (code.length > MAX_CODE_LENGTH) throw ManagementApiError.badRequest(`code is ${code.length} characters; at most ${MAX_CODE_LENGTH} are allowed.`);
    if (typeof context !== 'string') throw ManagementApiError.badRequest('context is required: the resolver context as a JSON string.');
    if (fn !== undefined && fn !== 'request' && fn !== 'response')
      throw ManagementApiError.badRequest(`function must be "request" or "response", got ${JSON.stringify(fn)}.`);
    let contextValue: unknown;
    try {
      contextValue = JSON.parse(context);
    } catch (error) {
      throw ManagementApiError.badRequest(`context is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof contextValue !== 'object' || contextValue === null || Array.isArray(contextValue))
      throw ManagementApiError.badRequest('context must be a JSON object.');
    return { runtime: { name, runtimeVersion }, code, context, function: fn, contextValue: contextValue as Record<string, unknown> };
  }

  /** Evaluates one handler (`request` unless `function` says otherwise). */
  async evaluate(code: string, context: Record<string, unknown>, fn: 'request' | 'response' = 'request'): Promise<EvaluateCodeResponse> {
    const { sandbox, prepared } = await this.#evaluations.prepare(code);
    const { base, step, operation } = runInput(context);
    if (!prepared.ok)
      return { error: { message: prepared.message, codeErrors: prepared.codeErrors }, logs: [], stash: JSON.stringify(base.stash ?? {}), outErrors: '[]' };
    const logs: LogLine[] = [];
    const run = sandbox.openRun(JSON.stringify(base));
    const outcome = await sandbox.invokeAndClose(run, prepared.id, fn, `${operation}:${fn}`, JSON.stringify(step), `EvaluateCode ${fn}`, logs);
    const summary = await sandbox.closeRun(run);
    const answer: EvaluateCodeResponse = {
      logs: logs.map(([level, message]) => `${LEVELS[level]} - ${message}`),
      // A call whose sandbox process was stopped (time or memory limit) took the run's state with it.
      stash: JSON.stringify(lostWithProcess(outcome) ? (base.stash ?? {}) : summary.stash),
      outErrors: JSON.stringify(summary.errors),
    };
    const failure = failureOf(outcome, prepared.compiled, fn);
    if (failure !== undefined) answer.error = { message: failure };
    else answer.evaluationResult = JSON.stringify((outcome as { v: unknown }).v ?? null);
    return answer;
  }

  /** Stops the evaluation sandbox (with the gateway). */
  close(): Promise<void> {
    return this.#evaluations.close();
  }

  async #compileAndRegister(sandbox: Sandbox, code: string): Promise<Prepared> {
    const checked = await checkCode(code);
    if (!checked.ok) return checked;
    const { compiled } = checked;
    try {
      const { id } = await sandbox.register(compiled.code, CODE_NAME);
      return { ok: true, id, compiled };
    } catch (error) {
      return { ok: false, message: `${CODE_NAME}: the code failed to load: ${error instanceof Error ? error.message : String(error)}`, codeErrors: [] };
    }
  }
}

/** The error message an outcome stands for (as a resolver's field error would say it), or undefined for a value. */
function failureOf(outcome: HandlerOutcome, compiled: CompiledCode, fn: 'request' | 'response'): string | undefined {
  switch (outcome.k) {
    case 'ok':
      return undefined;
    case 'early':
      return fn === 'response' ? `${CODE_NAME}: runtime.earlyReturn can only be called in a request handler` : undefined;
    case 'error':
      // util.error: its message as given, no position (docs/management-api.md#evaluatecode).
      return outcome.e.message;
    case 'timeout':
      return `${CODE_NAME}: ${outcome.message}`;
    case 'fault': {
      const where = locateFault(compiled, outcome.stack);
      return `${CODE_NAME}${where ? `:${where}` : ''}: ${outcome.name}: ${outcome.message}`;
    }
  }
}

/** Whether the call's sandbox process was stopped (time or memory limit), taking the run's state with it. */
export function lostWithProcess(outcome: HandlerOutcome): boolean {
  return outcome.k === 'timeout' || (outcome.k === 'fault' && (outcome.name === 'MemoryLimitExceeded' || outcome.name === 'SandboxError'));
}

export interface RunInput {
  base: Record<string, unknown> & { stash?: unknown };
  step: Record<string, unknown>;
  operation: 'query' | 'mutation' | 'subscription';
}

/**
 * The sandbox's base context and step from EvaluateCode's context: what AppSync documents of the
 * context object, each member defaulted as a request would have it.
 *
 * Gateway choice: the context carries no operation or auth mode, so the operation follows
 * `info.parentTypeName` (Mutation, Subscription, else query: `extensions` checks it) and the auth
 * mode follows the identity's shape (none: API_KEY; `accountId`: AWS_IAM; `resolverContext`:
 * AWS_LAMBDA; a Cognito issuer: AMAZON_COGNITO_USER_POOLS; other `sub`/`issuer`: OPENID_CONNECT).
 */
export function runInput(context: Record<string, unknown>): RunInput {
  const object = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const info = object(context.info) ?? {};
  const parentTypeName = typeof info.parentTypeName === 'string' ? info.parentTypeName : 'Query';
  const operation = parentTypeName === 'Mutation' ? 'mutation' : parentTypeName === 'Subscription' ? 'subscription' : 'query';
  const identity = context.identity ?? null;
  const request = object(context.request) ?? {};
  const base: RunInput['base'] = {
    arguments: object(context.arguments) ?? object(context.args) ?? {},
    identity,
    source: context.source ?? null,
    request: { headers: object(request.headers) ?? {}, domainName: request.domainName ?? null },
    info: {
      fieldName: typeof info.fieldName === 'string' ? info.fieldName : '',
      parentTypeName,
      variables: object(info.variables) ?? {},
      selectionSetList: Array.isArray(info.selectionSetList) ? info.selectionSetList : [],
      selectionSetGraphQL: typeof info.selectionSetGraphQL === 'string' ? info.selectionSetGraphQL : '',
    },
    env: object(context.env) ?? {},
    authMode: authModeOf(object(identity)),
    operation,
  };
  const stash = object(context.stash);
  if (stash) base.stash = stash;
  const step: Record<string, unknown> = { prev: object(context.prev)?.result ?? null };
  if (Object.hasOwn(context, 'result')) {
    step.hasResult = true;
    step.result = context.result;
  }
  if (context.error !== undefined && context.error !== null) step.error = context.error;
  return { base, step, operation };
}

function authModeOf(identity: Record<string, unknown> | undefined): string {
  if (!identity) return 'API_KEY';
  if ('accountId' in identity || 'cognitoIdentityPoolId' in identity) return 'AWS_IAM';
  if ('resolverContext' in identity) return 'AWS_LAMBDA';
  if (typeof identity.issuer === 'string' && identity.issuer.includes('cognito-idp')) return 'AMAZON_COGNITO_USER_POOLS';
  return 'OPENID_CONNECT';
}
