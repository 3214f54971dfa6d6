/**
 * Unit and pipeline execution (shared/spec/resolvers.md §4): loads every resolver and function
 * once, then attaches a graphql-js `resolve` to each schema field that checks auth and, for bound
 * fields, runs request → data source → response in the sandbox.
 */
import { basename } from 'node:path';
import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { AuthRules } from '../auth/rules.js';
import type { NormalizedConfig, NormalizedResolver } from '../config/types.js';
import { noneKind } from '../datasources/none.js';
import type { DataSource, DataSourceInit, DataSourceResult, Logger } from '../datasources/types.js';
import {
  AppSyncError,
  CodeLoadError,
  ConfigError,
  ConfigErrors,
  FieldError,
  FieldUnauthorizedError,
  ResolverCodeError,
} from '../errors.js';
import { compiledCode, compileResolverCode, locateFault, MAX_CODE_LENGTH, MODULE_URL as COMPILE_URL, readResolverSource, sandboxModuleExports, type CompiledCode } from './appsync-js/compile.js';
import { CompileCache } from './appsync-js/compileCache.js';
import { formatLintFinding, lintAppSyncJs, MODULE_URL as LINT_URL, type LintFinding } from './appsync-js/lint.js';
import type { RequestContext, RequestJson } from './requestContext.js';
import { Sandbox, type HandlerOutcome, type RunHandle, type RunParts, type RunSummary, type SandboxLimits } from './isolation/sandbox.js';
import { filterBySelection, selectionInfo, type SelectionInfo } from './selection.js';

export interface ResolverRuntimeOptions {
  config: NormalizedConfig;
  schema: GraphQLSchema;
  dataSources: ReadonlyMap<string, DataSource>;
  rules: AuthRules;
  logger: Logger;
  /** Unsupported APPSYNC_JS features are load errors instead of warnings. */
  strict?: boolean;
  /** Per-handler time limit in ms (default 1000). */
  handlerTimeoutMs?: number;
  /** The sandbox's other limits (memory, processes, result and log sizes). */
  sandbox?: Omit<SandboxLimits, 'timeoutMs'>;
}

interface LoadedModule {
  id: number;
  compiled: CompiledCode;
}

interface Step {
  /** `Type.field` or the pipeline function's name, for messages and logs. */
  label: string;
  module?: LoadedModule;
  dataSource?: DataSource;
  maxBatchSize?: number;
}

interface BoundResolver {
  resolver: NormalizedResolver;
  label: string;
  /** UNIT: the resolver itself; PIPELINE: before/after code (may be absent). */
  module?: LoadedModule;
  dataSource?: DataSource;
  functions: Step[];
}

/** What one resolver run produced besides its value. */
interface RunResult {
  value: unknown;
}

class FieldRunError extends FieldError {}

export class ResolverRuntime {
  readonly sandbox: Sandbox;
  readonly warnings: string[];
  readonly #bound = new Map<string, BoundResolver>();
  readonly #options: ResolverRuntimeOptions;

  private constructor(sandbox: Sandbox, options: ResolverRuntimeOptions, warnings: string[]) {
    this.sandbox = sandbox;
    this.#options = options;
    this.warnings = warnings;
  }

  /** Compiles, lints and registers all code; throws ConfigErrors/CodeLoadError when it can't. */
  static async load(options: ResolverRuntimeOptions): Promise<ResolverRuntime> {
    const { logger } = options;
    // The gateway's options win over the config file's `sandbox` block.
    const sandbox = await Sandbox.create({ logger, ...options.config.sandbox, ...options.sandbox, timeoutMs: options.handlerTimeoutMs ?? options.config.sandbox?.timeoutMs });
    try {
      return await ResolverRuntime.#loadInto(sandbox, options);
    } catch (error) {
      await sandbox.close();
      throw error;
    }
  }

  /** Stops the sandbox processes; the runtime answers no more calls. */
  close(): Promise<void> {
    return this.sandbox.close();
  }

  static async #loadInto(sandbox: Sandbox, options: ResolverRuntimeOptions): Promise<ResolverRuntime> {
    const { config, schema, dataSources } = options;
    const warnings: string[] = [];
    const runtime = new ResolverRuntime(sandbox, options, warnings);
    const modules = new Map<string, Promise<LoadedModule>>();
    const problems: ConfigError[] = [];
    // Compiled and linted code of unchanged files comes from disk (compileCache.ts).
    const cache = CompileCache.open(config.configDir, [COMPILE_URL, LINT_URL], process.env, await sandboxModuleExports());

    const loadModule = (file: string, keyPath: string): Promise<LoadedModule> => {
      let loaded = modules.get(file);
      if (!loaded) {
        loaded = (async () => {
          const source = await readResolverSource(file);
          const cached = await cache?.get(file, source);
          let compiled: CompiledCode;
          let findings: LintFinding[];
          if (cached) {
            compiled = compiledCode(file, cached.code, cached.mapText, source, []);
            findings = cached.findings;
          } else {
            compiled = await compileResolverCode(file, source);
            findings = await lintAppSyncJs(file, compiled.source);
            void cache?.set(file, source, compiled.inputs, { code: compiled.code, mapText: compiled.mapText, findings });
          }
          if (compiled.source.length > MAX_CODE_LENGTH) {
            warnings.push(`${file}: code is ${compiled.source.length} characters; AppSync accepts at most ${MAX_CODE_LENGTH}`);
          }
          // Dynamic import() can never work in the sandbox and leaves a rejected promise behind,
          // so it is refused even without --strict.
          const dynamicImport = findings.find((f) => f.feature === 'dynamic import()');
          if (dynamicImport) throw new CodeLoadError(file, formatLintFinding(dynamicImport), dynamicImport.line);
          if (findings.length > 0) {
            if (options.strict) throw new CodeLoadError(file, findings.map(formatLintFinding).join('\n'), findings[0]!.line);
            warnings.push(...findings.map(formatLintFinding));
          }
          let id: number;
          let exported: string[];
          try {
            ({ id, exports: exported } = await sandbox.register(compiled.code, file));
          } catch (error) {
            throw new CodeLoadError(file, `the module failed to evaluate: ${error instanceof Error ? error.message : String(error)}`);
          }
          const missing = ['request', 'response'].filter((name) => !exported.includes(name));
          if (missing.length > 0) {
            throw new CodeLoadError(file, `the code must export ${missing.map((m) => `${m}(ctx)`).join(' and ')}`);
          }
          return { id, compiled };
        })();
        modules.set(file, loaded);
      }
      return loaded.catch((error) => {
        throw error instanceof CodeLoadError ? new ConfigError(keyPath, error.message) : error;
      });
    };

    const tasks: Array<Promise<void>> = [];
    for (const resolver of config.resolvers) {
      const keyPath = `resolvers.${resolver.typeName}.${resolver.fieldName}`;
      const type = schema.getType(resolver.typeName);
      if (!type || !isObjectType(type) || !type.getFields()[resolver.fieldName]) {
        problems.push(new ConfigError(keyPath, `the schema has no field ${resolver.fieldName} on type ${resolver.typeName}`));
        continue;
      }
      const bound: BoundResolver = { resolver, label: `${resolver.typeName}.${resolver.fieldName}`, functions: [] };
      runtime.#bound.set(bound.label, bound);
      if (resolver.kind === 'UNIT') {
        bound.dataSource = resolver.dataSource ? dataSources.get(resolver.dataSource) : undefined;
        if (resolver.code) tasks.push(loadModule(resolver.code, `${keyPath}.code`).then((m) => void (bound.module = m)));
        else if (!bound.dataSource?.invokeDirect) {
          problems.push(new ConfigError(`${keyPath}.code`, `a UNIT resolver needs code unless its data source is AWS_LAMBDA (direct Lambda resolver)`));
        }
      } else {
        if (resolver.code) tasks.push(loadModule(resolver.code, `${keyPath}.code`).then((m) => void (bound.module = m)));
        if (resolver.functions.length > 10) {
          problems.push(new ConfigError(`${keyPath}.functions`, `a pipeline holds at most 10 functions, got ${resolver.functions.length}`));
        }
        resolver.functions.forEach((name, index) => {
          const fn = config.pipelineFunctions[name];
          const step: Step = { label: name, maxBatchSize: fn?.maxBatchSize };
          bound.functions.push(step);
          if (!fn) {
            problems.push(new ConfigError(`${keyPath}.functions.${index}`, `no pipeline function named "${name}"`));
            return;
          }
          step.dataSource = dataSources.get(fn.dataSource);
          if (fn.code) tasks.push(loadModule(fn.code, `pipelineFunctions.${name}.code`).then((m) => void (step.module = m)));
          else if (!step.dataSource?.invokeDirect) {
            problems.push(new ConfigError(`pipelineFunctions.${name}.code`, 'a function needs code unless its data source is AWS_LAMBDA'));
          }
        });
      }
    }
    const settled = await Promise.allSettled(tasks);
    for (const result of settled) {
      if (result.status === 'rejected') {
        const error = result.reason;
        if (error instanceof ConfigError) problems.push(error);
        else throw error;
      }
    }
    if (problems.length > 0) throw new ConfigErrors(problems);
    runtime.#attach();
    return runtime;
  }

  /** Installs `resolve` on every field of every object type. */
  #attach(): void {
    const { schema, rules, config } = this.#options;
    const subscriptionType = schema.getSubscriptionType();
    const depthLimit = config.queryDepthLimit;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const isSubscription = type === subscriptionType;
      for (const field of Object.values(type.getFields())) {
        const bound = this.#bound.get(`${type.name}.${field.name}`);
        const typeName = type.name;
        const fieldName = field.name;
        let resolve: GraphQLFieldResolver<unknown, RequestContext>;
        if (isSubscription) {
          // Events carry the mutation's payload; the subscription resolver ran at subscribe time.
          resolve = async (source, args, context, info) => {
            if (context.subscribePhase) {
              if (bound) await this.#resolveBound(bound, source, args, context, info);
              return null;
            }
            return (source as Record<string, unknown> | undefined)?.[fieldName] ?? null;
          };
        } else if (bound) {
          resolve = (source, args, context, info) => this.#resolveBound(bound, source, args, context, info);
        } else {
          resolve = defaultFieldResolver as GraphQLFieldResolver<unknown, RequestContext>;
        }
        field.resolve = (source, args, context, info) => {
          if (!rules.canAccess(context.auth, typeName, fieldName)) throw new FieldUnauthorizedError(fieldName, typeName);
          // auth.md §4: Lambda deniedFields are forced to null; Gateway choice: no error entry.
          if (context.auth.deniedFields?.has(`${typeName}.${fieldName}`)) return null;
          if (depthLimit !== undefined && fieldDepth(info.path) > depthLimit) {
            // errors.md §6: fields past `queryDepthLimit` fail; null moves to the nearest nullable parent.
            throw new FieldError(`Query depth limit of ${depthLimit} reached`, 'QueryDepthLimitReached');
          }
          return resolve(source, args, context, info);
        };
      }
    }
  }

  /** True when `Type.field` has a resolver. */
  hasResolver(typeName: string, fieldName: string): boolean {
    return this.#bound.has(`${typeName}.${fieldName}`);
  }

  /**
   * Runs a bound resolver in the sandbox. A UNIT resolver on the built-in NONE data source runs
   * request handler, response handler and the run's end in one call into the sandbox.
   */
  #resolveBound(
    bound: BoundResolver,
    source: unknown,
    args: Record<string, unknown>,
    context: RequestContext,
    info: GraphQLResolveInfo,
  ): Promise<unknown> {
    const { config } = this.#options;
    context.resolverCount += 1;
    if (context.resolverCount > config.resolverCountLimit) {
      throw new FieldError(`Resolver execution limit of ${config.resolverCountLimit} reached`, 'ResolverExecutionLimitReached');
    }
    const fieldNode = info.fieldNodes[0]!;
    const selection = selectionInfo(info.schema, fieldNode, getNamedType(info.returnType), info.fragments);
    const operation = info.operation.operation;
    const base: BaseContext = {
      arguments: args,
      identity: context.auth.identity,
      source: info.parentType === info.schema.getQueryType() || info.parentType === info.schema.getMutationType() || info.parentType === info.schema.getSubscriptionType() ? null : source ?? null,
      request: { headers: context.headers, domainName: null },
      info: {
        fieldName: info.fieldName,
        parentTypeName: info.parentType.name,
        variables: info.variableValues,
        selectionSetList: selection.selectionSetList,
        selectionSetGraphQL: selection.selectionSetGraphQL,
      },
      env: config.environment,
      authMode: context.auth.mode,
      operation,
    };
    let run: RunHandle;
    try {
      run = this.sandbox.openRunParts(runPartsOf(base, selection, context), context);
    } catch (error) {
      throw new ResolverCodeError(`the resolver context cannot be serialised: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (bound.resolver.kind === 'UNIT' && bound.module && bound.dataSource && isBuiltInNone(bound.dataSource)) {
      return this.#resolveUnitNone(bound, bound.module, run, context, info, operation);
    }
    return this.#resolveAsync(bound, run, base, context, info, operation);
  }

  /** The common local resolver: request and response in one call into the sandbox. */
  async #resolveUnitNone(bound: BoundResolver, module: LoadedModule, run: RunHandle, context: RequestContext, info: GraphQLResolveInfo, operation: string): Promise<unknown> {
    const unit = await this.sandbox.invokeUnit(run, module.id, `${operation}:request`, `${operation}:response`, bound.label);
    let failure: unknown;
    let value: unknown;
    try {
      value = this.#settle(module, unit.handler, unit.outcome, bound.label).v;
    } catch (error) {
      failure = error;
    }
    return this.#finishRun(unit.summary, context, info, failure, value);
  }

  async #resolveAsync(
    bound: BoundResolver,
    run: RunHandle,
    base: BaseContext,
    context: RequestContext,
    info: GraphQLResolveInfo,
    operation: string,
  ): Promise<unknown> {
    let failure: unknown;
    let result: RunResult | undefined;
    try {
      result = await this.#execute(bound, run, base, context, info, operation);
    } catch (error) {
      failure = error;
    }
    return this.#finishRun(await this.sandbox.closeRun(run), context, info, failure, result?.value);
  }

  /** Applies the run's summary: its appended errors, headers and filters go to the request; a failure is thrown as the field's error. */
  #finishRun(summary: RunSummary, context: RequestContext, info: GraphQLResolveInfo, failure: unknown, value: unknown): unknown {
    const fieldNode = info.fieldNodes[0]!;
    const path = summary.errors.length > 0 ? pathOf(info) : [];
    const locations = summary.errors.length > 0 ? locationsOf(fieldNode) : null;
    for (const e of summary.errors) {
      context.appendedErrors.push({
        path,
        data: filterBySelection(e.data, fieldNode.selectionSet, info.fragments) ?? null,
        errorType: e.errorType,
        errorInfo: e.errorInfo,
        locations,
        message: e.message,
      });
    }
    Object.assign(context.responseHeaders, summary.headers);
    if (summary.invalidations.length) context.invalidations.push(...summary.invalidations);
    if (summary.subscriptionFilter !== undefined) context.subscriptionFilter = summary.subscriptionFilter as RequestContext['subscriptionFilter'];
    if (summary.invalidationFilter !== undefined) context.invalidationFilter = summary.invalidationFilter as RequestContext['invalidationFilter'];
    if (failure !== undefined) {
      if (failure instanceof FieldRunError || (AppSyncError.is(failure) && failure.errorType !== 'Code')) {
        const f = failure as AppSyncError;
        throw new FieldError(f.message, f.errorType, {
          data: filterBySelection(f.data, fieldNode.selectionSet, info.fragments),
          errorInfo: f.errorInfo,
        });
      }
      throw failure;
    }
    return value;
  }

  async #execute(
    bound: BoundResolver,
    run: RunHandle,
    base: Record<string, unknown>,
    context: RequestContext,
    info: GraphQLResolveInfo,
    operation: string,
  ): Promise<RunResult> {
    const phase = (handler: string) => `${operation}:${handler}`;
    if (bound.resolver.kind === 'UNIT') {
      const step: Step = { label: bound.label, module: bound.module, dataSource: bound.dataSource, maxBatchSize: bound.resolver.maxBatchSize };
      const outcome = await this.#runStep(step, run, null, base, context, info, phase, true);
      return { value: outcome.value };
    }
    // PIPELINE (resolvers.md §4)
    let prev: unknown = {};
    if (bound.module) {
      const before = await this.#call(bound.module, run, 'request', phase('request'), { prev: null }, bound.label);
      if (before.k === 'early') {
        return { value: await this.#finishPipeline(bound, run, before.v, phase) };
      }
      prev = before.v;
    }
    for (const step of bound.functions) {
      const outcome = await this.#runStep(step, run, prev, base, context, info, phase, false);
      prev = outcome.value;
      if (outcome.skipToEnd) break;
    }
    return { value: await this.#finishPipeline(bound, run, prev, phase) };
  }

  async #finishPipeline(bound: BoundResolver, run: RunHandle, prev: unknown, phase: (h: string) => string): Promise<unknown> {
    if (!bound.module) return prev;
    // The after handler is the run's last: the run ends in the same call.
    const after = await this.#callJson(bound.module, run, 'response', phase('response'), JSON.stringify({ prev, result: prev, hasResult: true }), bound.label, true);
    return after.v;
  }

  /**
   * One request → data source → response step (a unit resolver or one pipeline function).
   * `early` from the request handler skips the data source and the response handler.
   */
  async #runStep(
    step: Step,
    run: RunHandle,
    prev: unknown,
    base: Record<string, unknown>,
    context: RequestContext,
    info: GraphQLResolveInfo,
    phase: (h: string) => string,
    isUnit: boolean,
  ): Promise<{ value: unknown; skipToEnd: boolean }> {
    const invocation = {
      resolverName: step.label,
      fieldName: info.fieldName,
      parentTypeName: info.parentType.name,
      maxBatchSize: step.maxBatchSize,
      requestScope: context.requestScope,
      signal: context.signal,
    };
    if (!step.module) {
      // Direct Lambda resolver / function: the data source gets the context itself.
      // datasources.md §4: the direct Lambda event is the Context object.
      const resolverContext = {
        arguments: base.arguments,
        identity: base.identity,
        source: base.source,
        request: base.request,
        prev: { result: prev },
        info: base.info,
        stash: await this.sandbox.stashOf(run),
      };
      const answer = await callDataSource(step.dataSource!, (ds) => ds.invokeDirect!({ ...invocation, resolverContext }));
      if (answer.error) {
        throw new FieldRunError(answer.error.message, answer.error.type, { data: answer.error.data, errorInfo: answer.error.errorInfo });
      }
      return { value: answer.result ?? null, skipToEnd: false };
    }
    const request = await this.#call(step.module, run, 'request', phase('request'), { prev }, step.label);
    if (request.k === 'early') return { value: request.v, skipToEnd: !isUnit && request.skipTo === 'END' };
    const answer = step.dataSource
      ? await callDataSource(step.dataSource, (ds) => ds.invoke(request.v, { ...invocation, resolverContext: base }))
      : { result: null };
    const stepInput: Record<string, unknown> = { prev, hasResult: true, result: answer.result ?? null };
    if (answer.error) stepInput.error = { message: answer.error.message, type: answer.error.type };
    let stepJson: string;
    try {
      stepJson = JSON.stringify(stepInput);
    } catch (error) {
      throw new FieldRunError(`the data source result cannot be serialised: ${(error as Error).message}`, 'InternalFailure');
    }
    // A unit resolver's response handler is its run's last: the run ends in the same call.
    const response = await this.#callJson(step.module, run, 'response', phase('response'), stepJson, step.label, isUnit);
    return { value: response.v, skipToEnd: false };
  }

  #call(module: LoadedModule, run: RunHandle, handler: 'request' | 'response', phase: string, step: Record<string, unknown>, label: string) {
    return this.#callJson(module, run, handler, phase, JSON.stringify(step), label);
  }

  /** Calls a handler and turns every outcome but `ok`/`early` into the thrown field error. */
  async #callJson(
    module: LoadedModule,
    run: RunHandle,
    handler: 'request' | 'response',
    phase: string,
    stepJson: string,
    label: string,
    closeRun = false,
  ): Promise<{ k: 'ok' | 'early'; v: unknown; skipTo?: 'END' | 'NEXT' | null }> {
    const outcome = closeRun
      ? await this.sandbox.invokeAndClose(run, module.id, handler, phase, stepJson, label)
      : await this.sandbox.invoke(run, module.id, handler, phase, stepJson, label);
    return this.#settle(module, handler, outcome, label);
  }

  /** Turns a handler's outcome into its value, or into the field error it stands for. */
  #settle(
    module: LoadedModule,
    handler: 'request' | 'response',
    outcome: HandlerOutcome,
    label: string,
  ): { k: 'ok' | 'early'; v: unknown; skipTo?: 'END' | 'NEXT' | null } {
    switch (outcome.k) {
      case 'ok':
        return outcome;
      case 'early':
        if (handler === 'response') {
          throw new ResolverCodeError(`${basename(module.compiled.file)}: runtime.earlyReturn can only be called in a request handler`);
        }
        return outcome;
      case 'error':
        throw new FieldRunError(outcome.e.message, outcome.e.errorType as string, { data: outcome.e.data, errorInfo: outcome.e.errorInfo });
      case 'timeout':
        this.#options.logger.warn(`resolver ${label}: ${outcome.message}`);
        throw new ResolverCodeError(`${basename(module.compiled.file)}: ${outcome.message}`);
      case 'fault': {
        const where = locateFault(module.compiled, outcome.stack);
        throw new ResolverCodeError(`${basename(module.compiled.file)}${where ? `:${where}` : ''}: ${outcome.name}: ${outcome.message}`);
      }
    }
  }
}

/**
 * Whether `ds` is the built-in NONE data source (its `invoke` is the built-in's very code, so a
 * kind registered under NONE with other behaviour is never taken for it): its result is the
 * request's `payload`, which the sandbox can then hand to the response handler itself.
 */
function isBuiltInNone(ds: DataSource): boolean {
  let known = builtInNone.get(ds);
  if (known === undefined) {
    noneInvokeSource ??= String((noneKind.create({ name: 'none' } as DataSourceInit) as DataSource).invoke);
    known = ds.type === 'NONE' && !ds.invokeDirect && String(ds.invoke) === noneInvokeSource;
    builtInNone.set(ds, known);
  }
  return known;
}
const builtInNone = new WeakMap<DataSource, boolean>();
let noneInvokeSource: string | undefined;

async function callDataSource(ds: DataSource, call: (ds: DataSource) => Promise<DataSourceResult>): Promise<DataSourceResult> {
  try {
    return await call(ds);
  } catch (error) {
    if (AppSyncError.is(error)) {
      return { error: { message: error.message, type: error.errorType, data: error.data, errorInfo: error.errorInfo } };
    }
    return { error: { message: error instanceof Error ? error.message : String(error), type: 'InternalFailure' } };
  }
}

// Kept on the request context itself: a WeakMap entry per request cost more than the lookup saved.
function requestJsonOf(context: RequestContext, base: BaseContext): RequestJson {
  let cached = context.resolverJson;
  if (!cached) {
    // Kept only once all three serialised: a value that cannot be is reported by every resolver.
    cached = {
      headers: base.request.headers,
      headersJson: JSON.stringify(base.request.headers),
      identity: base.identity,
      identityJson: JSON.stringify(base.identity),
      variables: base.info.variables,
      variablesJson: JSON.stringify(base.info.variables),
    };
    context.resolverJson = cached;
    return cached;
  }
  if (cached.headers !== base.request.headers) cached.headersJson = JSON.stringify((cached.headers = base.request.headers));
  if (cached.identity !== base.identity) cached.identityJson = JSON.stringify((cached.identity = base.identity));
  if (cached.variables !== base.info.variables) cached.variablesJson = JSON.stringify((cached.variables = base.info.variables));
  return cached;
}

/** JSON of each API's `env`, made once. */
const envJson = new WeakMap<object, string | undefined>();
function envJsonOf(env: Record<string, string>): string | undefined {
  if (!envJson.has(env)) envJson.set(env, JSON.stringify(env));
  return envJson.get(env);
}

/** JSON of each field node's `selectionSetList` (per cached document): the sandbox keys its parsed copy by it. */
const selectionListJson = new WeakMap<SelectionInfo, string>();

/**
 * The pieces of `JSON.stringify(base)` (see Sandbox.openRunParts), from cached JSON where the
 * values recur, serialised in the same order (so the same value fails first when one cannot be).
 */
function runPartsOf(base: BaseContext, selection: SelectionInfo, context: RequestContext): RunParts {
  let listJson = selectionListJson.get(selection);
  if (listJson === undefined) {
    listJson = JSON.stringify(selection.selectionSetList);
    selectionListJson.set(selection, listJson);
  }
  const perRequest = requestJsonOf(context, base);
  const { info } = base;
  return {
    argumentsJson: JSON.stringify(base.arguments),
    identityJson: perRequest.identityJson,
    sourceJson: JSON.stringify(base.source),
    headersJson: perRequest.headersJson,
    fieldName: info.fieldName,
    parentTypeName: info.parentTypeName,
    variablesJson: perRequest.variablesJson,
    selectionSetListJson: info.selectionSetList === selection.selectionSetList ? listJson : JSON.stringify(info.selectionSetList),
    selectionSetGraphQL: info.selectionSetGraphQL,
    envJson: envJsonOf(base.env),
    authMode: base.authMode,
    operation: base.operation,
  };
}

/** What `#resolveBound` sends into the sandbox for one resolver run. */
interface BaseContext {
  [key: string]: unknown;
  arguments: Record<string, unknown>;
  identity: unknown;
  source: unknown;
  request: { headers: Record<string, string | string[]>; domainName: null };
  info: { fieldName: string; parentTypeName: string; variables: unknown; selectionSetList: string[]; selectionSetGraphQL: string };
  env: Record<string, string>;
  authMode: string;
  operation: string;
}

/** Depth of a field: the number of field names (not list indexes) on its path. */
function fieldDepth(path: GraphQLResolveInfo['path']): number {
  let depth = 0;
  for (let p: GraphQLResolveInfo['path'] | undefined = path; p; p = p.prev) if (typeof p.key === 'string') depth += 1;
  return depth;
}

function pathOf(info: GraphQLResolveInfo): Array<string | number> {
  const path: Array<string | number> = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

function locationsOf(node: FieldNode): Array<{ line: number; column: number; sourceName: null }> | null {
  const loc = node.loc;
  if (!loc) return null;
  return [{ line: loc.startToken.line, column: loc.startToken.column, sourceName: null }];
}
