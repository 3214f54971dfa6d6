/**
 * Unit and pipeline execution (docs: resolvers, unit and pipeline resolvers): one resolver run
 * is request → data source → response in the sandbox for a unit resolver, and before → each
 * function's request → data source → response → after for a pipeline. One `ResolverRun` object
 * carries what every step of a run needs.
 */
import { basename } from 'node:path';
import { getNamedType, type FieldNode, type GraphQLResolveInfo } from 'graphql';
import { KeyDigest, MISS, type ApiCache, type ResolverCacheEntry, type ResolverCachePolicy } from '../cache/index.js';
import type { NormalizedConfig } from '../config/types.js';
import { isBuiltInNone, type DataSource, type DataSourceResult, type InvocationContext, type Logger } from '../datasources/index.js';
import { AppSyncError, FieldError, ResolverCodeError, passedOn } from '../errors.js';
import { locateFault } from './appsync-js/compile.js';
import type { BoundResolver, GatewayPipeline, LoadedModule, Step } from './bound.js';
import { RunInputs, type StepResult } from './expressions/context.js';
import { Fallback, jsonCopy } from './expressions/evaluate.js';
import { stashText } from './expressions/stashText.js';
import { EarlyReturn, type GatewayModule } from './expressions/subset.js';
import type { HandlerOutcome, RunHandle, RunSummary, Sandbox } from './isolation/sandbox.js';
import type { RequestContext } from './requestContext.js';
import { runPartsOf, type BaseContext } from './runParts.js';
import { filterBySelection, selectionInfo, type SelectionInfo } from './selection.js';

/** An error a handler or data source reported (util.error, a data-source error): kept as is. */
class FieldRunError extends FieldError {}

/** What every step of one resolver run works from. */
interface ResolverRun {
  bound: BoundResolver;
  handle: RunHandle;
  base: BaseContext;
  context: RequestContext;
  info: GraphQLResolveInfo;
  /** `query`, `mutation` or `subscription`: handlers' phases are `<operation>:<handler>`. */
  operation: string;
}

/** What a run starts from, before a sandbox run is opened (if one is). */
interface RunStart {
  bound: BoundResolver;
  base: BaseContext;
  selection: SelectionInfo;
  context: RequestContext;
  info: GraphQLResolveInfo;
  operation: string;
}

type Settled = { k: 'ok' | 'early'; v: unknown; skipTo?: 'END' | 'NEXT' | null };

/** A step's request value and its data source's answer, for a response handler the sandbox runs after the gateway called the data source. */
interface Answered {
  requestValue: unknown;
  answer: DataSourceResult;
}

/** Where a pipeline evaluated in the gateway stands: what a fallback hands the sandbox. */
interface PipelinePosition {
  /** The value handed to function `index` (ctx.prev.result), or to the after handler once `index` is past the last function. */
  prev: unknown;
  index: number;
  /** Function `index`'s request value, while its data source is to be called. */
  requestValue: unknown;
  /** Set while function `index`'s response handler runs on its data source's answer. */
  answered: Answered | undefined;
  /**
   * Once a data source other than NONE was called, in a pipeline that writes the stash: the stash as
   * JSON text before the handler now running (what a sandbox run opened at a hand-over starts from).
   */
  stash: string | undefined;
}

/** What #pipelineUntilCall answers when a data source other than NONE is to be called next. */
const CALLS_DATA_SOURCE: unique symbol = Symbol('calls a data source');

export class ResolverExecutor {
  /** Evaluations in the gateway handed to the sandbox part way, since the load (GET /health `sandbox.handedOver`). */
  handedOver = 0;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly config: NormalizedConfig,
    private readonly logger: Logger,
    private readonly cache?: ApiCache,
  ) {}

  /**
   * Runs a bound resolver in the sandbox. A UNIT resolver on the built-in NONE data source runs
   * request handler, response handler and the run's end in one call into the sandbox; so does a
   * PIPELINE resolver whose functions all use NONE, with every handler of the pipeline.
   */
  run(bound: BoundResolver, source: unknown, args: Record<string, unknown>, context: RequestContext, info: GraphQLResolveInfo): unknown {
    const { config } = this;
    context.resolverCount += 1;
    if (context.resolverCount > config.resolverCountLimit) {
      throw new FieldError(`Resolver execution limit of ${config.resolverCountLimit} reached`, 'ResolverExecutionLimitReached');
    }
    // Set at load only for cached resolvers (docs/caching.md): with caching off this is the whole cost.
    const policy = bound.cache;
    if (policy !== undefined) return this.#runCached(policy, bound, source, args, context, info);
    return this.#run(bound, source, args, context, info);
  }

  /**
   * A cached resolver in a query: its entry's result, or a run whose result is kept when it ended
   * without an error (thrown or appended). Whether it was a hit is said only at debug level, as
   * AppSync does not say it. Answers at once when the store and the run do (in memory, on NONE):
   * no promise per resolver then, as without caching.
   */
  #runCached(
    policy: ResolverCachePolicy,
    bound: BoundResolver,
    source: unknown,
    args: Record<string, unknown>,
    context: RequestContext,
    info: GraphQLResolveInfo,
  ): unknown {
    if (policy.tagOnly || info.operation.operation !== 'query') {
      // OPERATION_LEVEL_CACHING: the answer being cached remembers the run, for evictions.
      context.cacheTags?.push({ field: policy.field, values: { arguments: args, identity: context.auth.identity } });
      return this.#run(bound, source, args, context, info);
    }
    const cache = this.cache!;
    const isRoot = info.parentType === info.schema.getQueryType();
    const entry = cache.resolverEntry(policy, {
      arguments: args,
      identity: context.auth.identity,
      source: policy.readsSource && !isRoot ? source : null,
    });
    const found = cache.getResult(entry);
    if (found instanceof Promise) return found.then((hit) => this.#hitOrRun(hit, entry, policy, bound, source, args, context, info));
    return this.#hitOrRun(found, entry, policy, bound, source, args, context, info);
  }

  #hitOrRun(
    hit: unknown,
    entry: ResolverCacheEntry,
    policy: ResolverCachePolicy,
    bound: BoundResolver,
    source: unknown,
    args: Record<string, unknown>,
    context: RequestContext,
    info: GraphQLResolveInfo,
  ): unknown {
    if (hit !== MISS) {
      if (this.logger.debugEnabled !== false) this.logger.debug('API cache hit', { resolver: bound.label, key: new KeyDigest(entry) });
      // A whole answer read from entries lives no longer than the first of them, and an eviction of one reaches it
      // (docs/caching.md#answers-kept-whole). After a miss the answer is not kept: its tags are not needed.
      if (!(entry.expiresAt >= (context.cacheExpiresAt ?? Infinity))) context.cacheExpiresAt = entry.expiresAt;
      context.cacheTags?.push(entry);
      return hit;
    }
    if (this.logger.debugEnabled !== false) this.logger.debug('API cache miss', { resolver: bound.label, key: new KeyDigest(entry) });
    context.cacheExpiresAt = 0;
    const errorsBefore = context.appendedErrors.length;
    const cache = this.cache!;
    const value = this.#run(bound, source, args, context, info);
    if (!(value instanceof Promise)) {
      if (context.appendedErrors.length === errorsBefore) cache.setResult(entry, value, policy.ttlMs);
      return value;
    }
    return value.then((settled: unknown) => {
      if (context.appendedErrors.length === errorsBefore) cache.setResult(entry, settled, policy.ttlMs);
      return settled;
    });
  }

  #run(bound: BoundResolver, source: unknown, args: Record<string, unknown>, context: RequestContext, info: GraphQLResolveInfo): unknown {
    const { config } = this;
    const fieldNode = info.fieldNodes[0]!;
    const selection = selectionInfo(info.schema, fieldNode, getNamedType(info.returnType), info.fragments);
    const operation = info.operation.operation;
    const { schema } = info;
    const isRoot =
      info.parentType === schema.getQueryType() || info.parentType === schema.getMutationType() || info.parentType === schema.getSubscriptionType();
    const base: BaseContext = {
      arguments: args,
      identity: context.auth.identity,
      source: isRoot ? null : (source ?? null),
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
    // docs/resolvers.md#handlers-the-gateway-evaluates: every handler in the subset, no sandbox run is opened.
    const start: RunStart = { bound, base, selection, context, info, operation };
    if (bound.gateway !== undefined) return this.#runInGateway(start, bound.gateway);
    if (bound.gatewayPipeline !== undefined) return this.#runPipelineInGateway(start, bound.gatewayPipeline);
    return this.#runInSandbox(start);
  }

  /** Opens the run's sandbox run; `stash` (JSON text, from a hand-over after a data source call) is its first stash. */
  #openRun({ bound, base, selection, context, info, operation }: RunStart, stash?: string): ResolverRun {
    let handle: RunHandle;
    try {
      handle = this.sandbox.openRunParts(runPartsOf(base, selection, context, stash), context);
    } catch (error) {
      throw new ResolverCodeError(`the resolver context cannot be serialised: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { bound, handle, base, context, info, operation };
  }

  #runInSandbox(start: RunStart): Promise<unknown> {
    const { bound } = start;
    const run = this.#openRun(start);
    if (bound.resolver.kind === 'UNIT' && bound.module && bound.dataSource && isBuiltInNone(bound.dataSource)) {
      return this.#runUnitOnNone(run, bound.module);
    }
    if (bound.resolver.kind === 'PIPELINE' && allOnNone(bound)) return this.#runPipelineOnNone(run);
    return this.#runInSteps(run);
  }

  /**
   * A unit resolver whose handlers are both in the subset, evaluated here. Any evaluation that
   * cannot give exactly the sandbox's value throws Fallback, and the run goes to the sandbox from
   * where it stands: before the data source the whole run (handlers have no side effects), after
   * it the response handler with the data source's answer (the data source is not called again).
   *
   * On NONE the value is returned as it is, not as a promise: with every field's value known at
   * once, the execution answers synchronously (no promise per field, no execution time limit to
   * keep), as the lean graphql-js server does (docs/bench.md#the-smallest-query-over-http).
   */
  #runInGateway(start: RunStart, gateway: GatewayModule): unknown {
    const { bound, base } = start;
    const inputs = new RunInputs(base);
    const maxChars = this.sandbox.maxResultChars;
    const dataSource = bound.dataSource!;
    let requestValue: unknown;
    let stash: string | undefined;
    try {
      requestValue = gateway.request.run(inputs.requestCtx(), maxChars);
      // runtime.earlyReturn: the value is the field's; neither the data source nor the response handler runs.
      if (requestValue instanceof EarlyReturn) return requestValue.value;
      if (isBuiltInNone(dataSource)) return gateway.response.run(inputs.responseCtx({ result: payloadOf(requestValue) }), maxChars);
      // What a hand-over after the call gives the sandbox (a stash JSON cannot carry exactly falls back here, before the call).
      if (gateway.writesStash) stash = stashText(inputs);
    } catch (error) {
      this.#fellBack(bound, error);
      return this.#runInSandbox(start);
    }
    return this.#callAndRespondInGateway(start, gateway, inputs, dataSource, requestValue, stash);
  }

  /**
   * The rest of {@link #runInGateway} for a data source other than NONE: its call, then the response
   * handler. Not async: a then() on the call's answer costs less than an async frame, and a page
   * whose items each have a nested resolver runs this once per item.
   */
  #callAndRespondInGateway(
    start: RunStart,
    gateway: GatewayModule,
    inputs: RunInputs,
    dataSource: DataSource,
    requestValue: unknown,
    stash: string | undefined,
  ): Promise<unknown> {
    const { bound, base, context, info } = start;
    return invokeDataSource(dataSource, requestValue, invocationOf(bound.label, bound.resolver.maxBatchSize, context, info, base)).then((answer) => {
      try {
        return gateway.response.run(inputs.responseCtx(stepResultOf(answer)), this.sandbox.maxResultChars);
      } catch (error) {
        this.#fellBack(bound, error);
      }
      return this.#respondInSandbox(start, dataSource, stash, requestValue, answer);
    });
  }

  /** The response handler of {@link #callAndRespondInGateway} handed to the sandbox, with the data source's answer. */
  #respondInSandbox(start: RunStart, dataSource: DataSource, stash: string | undefined, requestValue: unknown, answer: DataSourceResult): Promise<unknown> {
    const { bound } = start;
    const step: Step = { label: bound.label, module: bound.module, dataSource, maxBatchSize: bound.resolver.maxBatchSize };
    const run = this.#openRun(start, stash);
    return this.#closeAndFinish(
      run,
      this.#respond(run, step, null, true, requestValue, answer).then((responded) => responded.value),
    );
  }

  /**
   * A pipeline whose every handler is in the subset, evaluated here in the order #execute (and the
   * sandbox's pass-through of NONE pipelines) runs them: before handler, each function's request →
   * data source → response, after handler, with runtime.earlyReturn's skips. Handlers of the subset
   * have no side effects on the run but on its stash (an appended error is outside it), so once a
   * data source has answered the value handed on, the position and the stash (taken as JSON after
   * each handler, stashText.ts) are the run's only state. When an evaluation falls back, the sandbox
   * takes over from where the run stands: the whole run while no data source but NONE was called
   * (NONE has no effect), else a run opened there with the stash as it stood before the handler
   * that fell back, given the value so far and, when a response handler fell back, its data
   * source's answer: no data source is called twice.
   *
   * Up to the first data source other than NONE the handlers run here and now: a pipeline that
   * calls none answers its value as it is, not as a promise, as #runInGateway does on NONE (the
   * execution then answers synchronously); from that call on, #pipelineWithCalls goes on.
   */
  #runPipelineInGateway(start: RunStart, pipeline: GatewayPipeline): unknown {
    const inputs = new RunInputs(start.base);
    // What the next handler gets as ctx.prev.result: `{}` when there is no before handler (#execute).
    const at: PipelinePosition = { prev: {}, index: 0, requestValue: undefined, answered: undefined, stash: undefined };
    let value: unknown;
    try {
      if (pipeline.resolver) {
        const before = pipeline.resolver.request.run(inputs.requestCtx(null), this.sandbox.maxResultChars);
        // An early return from the before handler goes straight to the after handler.
        if (before instanceof EarlyReturn) {
          at.prev = before.value;
          at.index = pipeline.functions.length;
        } else at.prev = before;
      }
      value = this.#pipelineUntilCall(start.bound, pipeline, inputs, at, false);
      // What a hand-over after the call gives the sandbox (a stash JSON cannot carry exactly falls back here, before the call).
      if (value === CALLS_DATA_SOURCE && writesStash(pipeline)) at.stash = stashText(inputs);
    } catch (error) {
      // No data source but NONE was called yet: the sandbox runs the whole pipeline.
      this.#fellBack(start.bound, error);
      return this.#runInSandbox(start);
    }
    return value === CALLS_DATA_SOURCE ? this.#pipelineWithCalls(start, pipeline, inputs, at) : value;
  }

  /**
   * Runs a pipeline's handlers from `at` on while no data source but NONE is to be called: its
   * value (after the after handler), or CALLS_DATA_SOURCE with `at.index` the function whose data
   * source is to be called with `at.requestValue`. A handler that falls back throws, `at` still
   * where it was before that handler. `called`: a data source was called, so after each handler of
   * a pipeline that writes the stash, `at.stash` is taken again (one JSON cannot carry exactly falls
   * back as that handler: the sandbox runs it again from the stash before it).
   */
  #pipelineUntilCall(bound: BoundResolver, pipeline: GatewayPipeline, inputs: RunInputs, at: PipelinePosition, called: boolean): unknown {
    const maxChars = this.sandbox.maxResultChars;
    const end = pipeline.functions.length;
    const snapshots = called && at.stash !== undefined;
    for (; at.index < end; at.index++) {
      const handlers = pipeline.functions[at.index]!;
      const requestValue = handlers.request.run(inputs.requestCtx(at.prev), maxChars);
      if (snapshots) at.stash = stashText(inputs);
      if (requestValue instanceof EarlyReturn) {
        // The function's data source and response are skipped; `END` skips the functions after it too.
        at.prev = requestValue.value;
        if (requestValue.skipTo === 'END') at.index = end - 1;
        continue;
      }
      if (!isBuiltInNone(bound.functions[at.index]!.dataSource!)) {
        at.requestValue = requestValue;
        return CALLS_DATA_SOURCE;
      }
      const responded = handlers.response.run(inputs.responseCtx({ result: payloadOf(requestValue) }, at.prev), maxChars);
      if (snapshots) at.stash = stashText(inputs);
      at.prev = responded;
    }
    if (!pipeline.resolver) return at.prev;
    // The after handler's ctx.result is the same value as ctx.prev.result, but its own copy (as from JSON).
    return pipeline.resolver.response.run(inputs.responseCtx({ result: jsonCopy(at.prev) }, at.prev), maxChars);
  }

  /** The rest of {@link #runPipelineInGateway} from its first call of a data source other than NONE. */
  async #pipelineWithCalls(start: RunStart, pipeline: GatewayPipeline, inputs: RunInputs, at: PipelinePosition): Promise<unknown> {
    const { bound, base, context, info } = start;
    try {
      for (;;) {
        const step = bound.functions[at.index]!;
        const requestValue = at.requestValue;
        const answer = await invokeDataSource(step.dataSource!, requestValue, invocationOf(step.label, step.maxBatchSize, context, info, base));
        at.answered = { requestValue, answer };
        const responded = pipeline.functions[at.index]!.response.run(inputs.responseCtx(stepResultOf(answer), at.prev), this.sandbox.maxResultChars);
        if (at.stash !== undefined) at.stash = stashText(inputs);
        at.prev = responded;
        at.answered = undefined;
        at.index += 1;
        const value = this.#pipelineUntilCall(bound, pipeline, inputs, at, true);
        if (value !== CALLS_DATA_SOURCE) return value;
      }
    } catch (error) {
      this.#fellBack(bound, error);
    }
    // A data source was called: a sandbox run goes on from where the pipeline stands, with the stash as it stood there.
    const run = this.#openRun(start, at.stash);
    return this.#closeAndFinish(run, this.#pipelineFrom(run, at.index, at.prev, at.answered));
  }

  /** An evaluation handed to the sandbox: normal (debug), unless the evaluator itself failed (warn, once per resolver). */
  #fellBack(bound: BoundResolver, error: unknown): void {
    this.handedOver += 1;
    if (error instanceof Fallback) {
      this.logger.debug('resolver handed to the sandbox', { resolver: bound.label, reason: error.reason });
      return;
    }
    if (warnedFailures.has(bound)) return;
    warnedFailures.add(bound);
    this.logger.warn(
      `resolver ${bound.label}: evaluating it in the gateway failed, the sandbox runs it: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  /** A pipeline whose functions all use NONE: every handler and the run's end in one call into the sandbox. */
  async #runPipelineOnNone(run: ResolverRun): Promise<unknown> {
    const { bound, operation } = run;
    const ids = bound.functions.map((f) => f.module!.id);
    const answer = await this.sandbox.invokePipeline(run.handle, bound.module ? bound.module.id : -1, ids, operation, bound.label);
    const step = answer.index < 0 ? undefined : bound.functions[answer.index];
    // A pipeline with neither code nor functions has no handler to blame for a lost call: it is named by its field.
    const module = (step ?? bound).module ?? bound.functions[0]?.module ?? { id: -1, file: bound.label };
    let failure: unknown;
    let value: unknown;
    try {
      value = this.#settle(module, answer.handler, answer.outcome, step?.label ?? bound.label).v;
    } catch (error) {
      failure = error;
    }
    return this.#finish(run, answer.summary, failure, value);
  }

  /** The common local resolver: request and response in one call into the sandbox. */
  async #runUnitOnNone(run: ResolverRun, module: LoadedModule): Promise<unknown> {
    const { operation, bound } = run;
    const unit = await this.sandbox.invokeUnit(run.handle, module.id, `${operation}:request`, `${operation}:response`, bound.label);
    let failure: unknown;
    let value: unknown;
    try {
      value = this.#settle(module, unit.handler, unit.outcome, bound.label).v;
    } catch (error) {
      failure = error;
    }
    return this.#finish(run, unit.summary, failure, value);
  }

  #runInSteps(run: ResolverRun): Promise<unknown> {
    return this.#closeAndFinish(run, this.#execute(run));
  }

  /** Waits for a run's steps, then closes the sandbox run and applies its summary; a failure of the steps is the field's error after that. */
  async #closeAndFinish(run: ResolverRun, steps: Promise<unknown>): Promise<unknown> {
    let failure: unknown;
    let value: unknown;
    try {
      value = await steps;
    } catch (error) {
      failure = error;
    }
    return this.#finish(run, await this.sandbox.closeRun(run.handle), failure, value);
  }

  /** Applies the run's summary: its appended errors, headers and filters go to the request; a failure is thrown as the field's error. */
  #finish({ context, info }: ResolverRun, summary: RunSummary, failure: unknown, value: unknown): unknown {
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
    if (summary.evictions !== undefined) (context.cacheEvictions ??= []).push(...summary.evictions);
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

  async #execute(run: ResolverRun): Promise<unknown> {
    const { bound } = run;
    if (bound.resolver.kind === 'UNIT') {
      const step: Step = { label: bound.label, module: bound.module, dataSource: bound.dataSource, maxBatchSize: bound.resolver.maxBatchSize };
      return (await this.#runStep(run, step, null, true)).value;
    }
    // PIPELINE (docs: resolvers, pipeline resolvers)
    let prev: unknown = {};
    if (bound.module) {
      const before = await this.#call(run, bound.module, 'request', JSON.stringify({ prev: null }), bound.label);
      if (before.k === 'early') return this.#finishPipeline(run, before.v);
      prev = before.v;
    }
    return this.#pipelineFrom(run, 0, prev);
  }

  /**
   * A pipeline's functions from `first` on, then its after handler; `prev` is the value handed to
   * function `first`. With `answered`, function `first`'s data source has answered already: only
   * its response handler runs.
   */
  async #pipelineFrom(run: ResolverRun, first: number, prev: unknown, answered?: Answered): Promise<unknown> {
    const { functions } = run.bound;
    for (let i = first; i < functions.length; i++) {
      const step = functions[i]!;
      const outcome =
        i === first && answered
          ? await this.#respond(run, step, prev, false, answered.requestValue, answered.answer)
          : await this.#runStep(run, step, prev, false);
      prev = outcome.value;
      if (outcome.skipToEnd) break;
    }
    return this.#finishPipeline(run, prev);
  }

  async #finishPipeline(run: ResolverRun, prev: unknown): Promise<unknown> {
    const { bound } = run;
    if (!bound.module) return prev;
    // The after handler is the run's last: the run ends in the same call.
    return (await this.#call(run, bound.module, 'response', JSON.stringify({ prev, result: prev, hasResult: true }), bound.label, true)).v;
  }

  /**
   * One request → data source → response step (a unit resolver or one pipeline function).
   * `early` from the request handler skips the data source and the response handler.
   */
  async #runStep(run: ResolverRun, step: Step, prev: unknown, isUnit: boolean): Promise<{ value: unknown; skipToEnd: boolean }> {
    const { base, context, info } = run;
    if (!step.module) {
      // Direct Lambda resolver / function: the data source gets the context itself.
      // docs/http-lambda.md#lambda-data-source: the direct Lambda event is the Context object.
      const resolverContext = {
        arguments: base.arguments,
        identity: base.identity,
        source: base.source,
        request: base.request,
        prev: { result: prev },
        info: base.info,
        stash: await this.sandbox.stashOf(run.handle),
      };
      const answer = await invokeDirect(step.dataSource!, invocationOf(step.label, step.maxBatchSize, context, info, resolverContext));
      if (answer.error) {
        throw new FieldRunError(answer.error.message, passedOn(answer.error.type), { data: answer.error.data, errorInfo: answer.error.errorInfo });
      }
      return { value: answer.result ?? null, skipToEnd: false };
    }
    const request = await this.#call(run, step.module, 'request', JSON.stringify({ prev }), step.label);
    if (request.k === 'early') return { value: request.v, skipToEnd: !isUnit && request.skipTo === 'END' };
    const answer = step.dataSource
      ? await invokeDataSource(step.dataSource, request.v, invocationOf(step.label, step.maxBatchSize, context, info, base))
      : { result: null };
    return this.#respond(run, step, prev, isUnit, request.v, answer);
  }

  /** The rest of a step once its data source answered: the response handler with ctx.result / ctx.error. */
  async #respond(
    run: ResolverRun,
    step: Step,
    prev: unknown,
    isUnit: boolean,
    requestValue: unknown,
    answer: DataSourceResult,
  ): Promise<{ value: unknown; skipToEnd: boolean }> {
    const module = step.module!;
    const stepInput: Record<string, unknown> = { prev, hasResult: true, result: answer.result ?? null };
    if (answer.error) stepInput.error = { message: answer.error.message, type: answer.error.type };
    // docs/resolvers.md#vtl-mapping-templates: a 2017-02-28 request template's data-source error fails
    // the field by itself (2018-05-29 leaves it to the response template).
    // A 2017-02-28 null result skips the response template: the field is null (resolver-mapping-template-changelog).
    if (module.vtl && isUnit && (requestValue as { version?: unknown } | null)?.version === '2017-02-28') {
      if (answer.error)
        throw new FieldRunError(answer.error.message, passedOn(answer.error.type), { data: answer.error.data, errorInfo: answer.error.errorInfo });
      if (answer.result === null || answer.result === undefined) return { value: null, skipToEnd: false };
    }
    let stepJson: string;
    try {
      stepJson = JSON.stringify(stepInput);
    } catch (error) {
      throw new FieldRunError(`the data source result cannot be serialised: ${(error as Error).message}`, 'InternalFailure');
    }
    // A unit resolver's response handler is its run's last: the run ends in the same call.
    const response = await this.#call(run, module, 'response', stepJson, step.label, isUnit);
    return { value: response.v, skipToEnd: false };
  }

  /** Calls a handler and turns every outcome but `ok`/`early` into the thrown field error. */
  async #call(run: ResolverRun, module: LoadedModule, handler: 'request' | 'response', stepJson: string, label: string, endsRun = false): Promise<Settled> {
    const phase = `${run.operation}:${handler}`;
    const outcome = endsRun
      ? await this.sandbox.invokeAndClose(run.handle, module.id, handler, phase, stepJson, label)
      : await this.sandbox.invoke(run.handle, module.id, handler, phase, stepJson, label);
    return this.#settle(module, handler, outcome, label);
  }

  /** Turns a handler's outcome into its value, or into the field error it stands for. */
  #settle(module: LoadedModule, handler: 'request' | 'response', outcome: HandlerOutcome, label: string): Settled {
    switch (outcome.k) {
      case 'ok':
        return outcome;
      case 'early':
        if (handler === 'response') {
          throw new ResolverCodeError(`${basename(module.file)}: runtime.earlyReturn can only be called in a request handler`);
        }
        return outcome;
      case 'error':
        throw new FieldRunError(outcome.e.message, passedOn(outcome.e.errorType), { data: outcome.e.data, errorInfo: outcome.e.errorInfo });
      case 'timeout':
        this.logger.warn(`resolver ${label}: ${outcome.message}`);
        throw new ResolverCodeError(`${basename(module.file)}: ${outcome.message}`);
      case 'fault': {
        const where = module.compiled ? locateFault(module.compiled, outcome.stack) : undefined;
        throw new ResolverCodeError(`${basename(module.file)}${where ? `:${where}` : ''}: ${outcome.name}: ${outcome.message}`);
      }
    }
  }
}

/** Whether every function of a pipeline has code and the built-in NONE data source (worked out once per resolver). */
const onNone = new WeakMap<BoundResolver, boolean>();
function allOnNone(bound: BoundResolver): boolean {
  let all = onNone.get(bound);
  if (all === undefined) {
    all = bound.functions.every((f) => f.module !== undefined && f.dataSource !== undefined && isBuiltInNone(f.dataSource));
    onNone.set(bound, all);
  }
  return all;
}

/** Resolvers whose evaluation in the gateway failed in an unexpected way (warned once each). */
const warnedFailures = new WeakSet<BoundResolver>();

/** Whether a handler of the pipeline writes the stash (then a hand-over after a data source call carries it). */
function writesStash(pipeline: GatewayPipeline): boolean {
  return pipeline.resolver?.writesStash === true || pipeline.functions.some((m) => m.writesStash);
}

/** datasources.md, NONE: the request's `payload` (or null) is ctx.result; the request value is already as JSON makes it. */
function payloadOf(requestValue: unknown): unknown {
  const payload =
    requestValue !== null && typeof requestValue === 'object' && Object.hasOwn(requestValue, 'payload')
      ? (requestValue as { payload: unknown }).payload
      : undefined;
  return payload ?? null;
}

/** A data source's answer as a response handler's ctx.result / ctx.error, through JSON as to the sandbox (a value JSON cannot take falls back). */
function stepResultOf(answer: DataSourceResult): StepResult {
  const result: StepResult = { result: jsonCopy(answer.result ?? null) ?? null };
  if (answer.error) result.error = jsonCopy({ message: answer.error.message, type: answer.error.type }) as StepResult['error'];
  return result;
}

/** What a data source is told about the step (`resolverName`: its label) that calls it; one object literal, as it is made for every call. */
function invocationOf(
  resolverName: string,
  maxBatchSize: number | undefined,
  context: RequestContext,
  info: GraphQLResolveInfo,
  resolverContext: Readonly<Record<string, unknown>>,
): InvocationContext {
  return {
    resolverName,
    fieldName: info.fieldName,
    parentTypeName: info.parentType.name,
    maxBatchSize,
    requestScope: context.requestScope,
    signal: context.signal,
    resolverContext,
  };
}

/**
 * A data source's `invoke` as its answer: a thrown or rejected error becomes the answer's `error`.
 * No closure per call (a page with a nested resolver calls it once per item).
 */
function invokeDataSource(ds: DataSource, request: unknown, invocation: InvocationContext): Promise<DataSourceResult> {
  try {
    return settled(ds.invoke(request, invocation));
  } catch (error) {
    return Promise.resolve(failedCall(error));
  }
}

/** {@link invokeDataSource} for `invokeDirect` (direct Lambda resolvers). */
function invokeDirect(ds: DataSource, invocation: InvocationContext): Promise<DataSourceResult> {
  try {
    return settled(ds.invokeDirect!(invocation));
  } catch (error) {
    return Promise.resolve(failedCall(error));
  }
}

/** A call's answer, its rejection as the answer's `error`; a data source kind of a library user may answer without a promise. */
function settled(answer: Promise<DataSourceResult>): Promise<DataSourceResult> {
  return Promise.resolve(answer).then(undefined, failedCall);
}

function failedCall(error: unknown): DataSourceResult {
  if (AppSyncError.is(error)) {
    return { error: { message: error.message, type: error.errorType, data: error.data, errorInfo: error.errorInfo } };
  }
  return { error: { message: error instanceof Error ? error.message : String(error), type: 'InternalFailure' } };
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
