/**
 * The resolver runtime of one loaded API: starts the sandbox, loads every resolver and function
 * (load.ts), and wires each schema field to auth checks and its resolver (fields.ts), which runs
 * as unit or pipeline execution (execute.ts).
 */
import { isObjectType, type GraphQLSchema } from 'graphql';
import type { ApiCache } from '../cache/index.js';
import type { AuthRules } from '../auth/rules.js';
import type { NormalizedConfig } from '../config/types.js';
import { ConfigError, ConfigErrors } from '../errors.js';
import type { DataSource, Logger } from '../datasources/types.js';
import type { BoundResolver } from './bound.js';
import { ResolverExecutor } from './execute.js';
import { attachFieldResolvers } from './fields.js';
import { Sandbox, type SandboxLimits } from './isolation/sandbox.js';
import { analyseResolvers, loadBoundResolvers, pipelineInSubset, unitInSubset } from './load.js';

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
  /** The API cache (docs/caching.md); absent when caching is off. */
  cache?: ApiCache;
}

export class ResolverRuntime {
  readonly sandbox: Sandbox;
  readonly warnings: readonly string[];
  readonly #bound: ReadonlyMap<string, BoundResolver>;
  readonly #executor: ResolverExecutor;
  /**
   * Settles when the resolvers' files have been analysed for the gateway's evaluator (after
   * the load, in the background: docs/resolvers.md#handlers-the-gateway-evaluates); never rejects.
   */
  readonly analysed: Promise<void>;

  private constructor(sandbox: Sandbox, bound: ReadonlyMap<string, BoundResolver>, executor: ResolverExecutor, warnings: string[], analysed: Promise<void>) {
    this.sandbox = sandbox;
    this.#executor = executor;
    this.#bound = bound;
    this.warnings = warnings;
    this.analysed = analysed;
  }

  /** How many resolvers the gateway evaluates itself so far (GET /health `sandbox.evaluatedInGateway`). */
  get evaluatedInGateway(): number {
    let count = 0;
    for (const b of this.#bound.values()) if (b.gateway !== undefined || b.gatewayPipeline !== undefined) count += 1;
    return count;
  }

  /**
   * How many runs the gateway began evaluating and handed to the sandbox part way (a guard held, a
   * value the evaluator does not take…), since the load (GET /health `sandbox.handedOver`).
   */
  get handedOver(): number {
    return this.#executor.handedOver;
  }

  /**
   * Starts the sandbox processes for `config`; `load` takes the result, so the processes start
   * while the caller creates data sources (their start-up overlaps the rest of loading).
   */
  static startSandbox(options: Pick<ResolverRuntimeOptions, 'config' | 'logger' | 'handlerTimeoutMs' | 'sandbox'>): Promise<Sandbox> {
    const { config, logger } = options;
    // The gateway's options win over the config file's `sandbox` block.
    return Sandbox.create({ logger, ...config.sandbox, ...options.sandbox, timeoutMs: options.handlerTimeoutMs ?? config.sandbox?.timeoutMs });
  }

  /**
   * Compiles, lints and registers all code, then wires the schema; throws ConfigErrors when it
   * can't. `starting` is a sandbox from `startSandbox` (started here when absent); it is closed
   * when loading fails.
   */
  static async load(options: ResolverRuntimeOptions, starting: Promise<Sandbox> = ResolverRuntime.startSandbox(options)): Promise<ResolverRuntime> {
    const { config, logger } = options;
    const sandbox = await starting;
    // The gateway's options win over the config file's `sandbox` block.
    const evaluateSimpleHandlers = options.sandbox?.evaluateSimpleHandlers ?? config.sandbox?.evaluateSimpleHandlers ?? true;
    try {
      const { bound, warnings } = await loadBoundResolvers(options, sandbox);
      if (options.cache) applyCachePolicies(options.cache, options.schema, bound);
      const executor = new ResolverExecutor(sandbox, config, logger, options.cache);
      attachFieldResolvers(options.schema, options.rules, config, bound, (resolver, source, args, context, info) =>
        executor.run(resolver, source, args, context, info),
      );
      const analysed = evaluateSimpleHandlers
        ? analyseResolvers(bound, logger).then(
            () => logEvaluatedInGateway(logger, bound),
            (error: unknown) => {
              const reason = error instanceof Error ? error.message : String(error);
              logger.warn(`the analysis for the gateway's evaluator failed; every resolver runs in the sandbox: ${reason}`);
            },
          )
        : Promise.resolve();
      return new ResolverRuntime(sandbox, bound, executor, warnings, analysed);
    } catch (error) {
      await sandbox.close();
      throw error;
    }
  }

  /** Stops the sandbox processes once the runs in flight have ended; the runtime answers no more calls. */
  close(): Promise<void> {
    return this.sandbox.close();
  }

  /** True when `Type.field` has a resolver. */
  hasResolver(typeName: string, fieldName: string): boolean {
    return this.#bound.has(`${typeName}.${fieldName}`);
  }
}

/**
 * Once per load: how many APPSYNC_JS unit resolvers and how many pipeline resolvers the gateway
 * evaluates itself, and on a line of its own how many VTL unit resolvers; at debug, why each other
 * one is not.
 */
function logEvaluatedInGateway(logger: Logger, bound: ReadonlyMap<string, BoundResolver>): void {
  const units = [...bound.values()].filter((b) => b.resolver.kind === 'UNIT' && b.module && !b.module.vtl);
  const pipelines = [...bound.values()].filter((b) => b.resolver.kind === 'PIPELINE');
  const vtlUnits = [...bound.values()].filter((b) => b.resolver.kind === 'UNIT' && b.module?.vtl);
  if (vtlUnits.length > 0) {
    const evaluatedVtl = vtlUnits.filter((b) => b.gateway !== undefined).length;
    logger.info(`${evaluatedVtl} of ${vtlUnits.length} VTL unit resolvers are evaluated in the gateway (docs/resolvers.md#handlers-the-gateway-evaluates)`);
    for (const b of vtlUnits) {
      if (b.gateway === undefined) logger.debug(`resolver ${b.label} runs in the sandbox: ${unitInSubset(b).reason ?? 'not analysed'}`);
    }
  }
  if (units.length === 0 && pipelines.length === 0) return;
  const evaluated = units.filter((b) => b.gateway !== undefined).length;
  const evaluatedPipelines = pipelines.filter((b) => b.gatewayPipeline !== undefined).length;
  const counts = `${evaluated} of ${units.length} APPSYNC_JS unit resolvers and ${evaluatedPipelines} of ${pipelines.length} pipeline resolvers`;
  logger.info(`${counts} are evaluated in the gateway (docs/resolvers.md#handlers-the-gateway-evaluates)`);
  for (const b of units) {
    if (b.gateway === undefined) logger.debug(`resolver ${b.label} runs in the sandbox: ${unitInSubset(b).reason ?? 'not analysed'}`);
  }
  for (const b of pipelines) {
    if (b.gatewayPipeline === undefined) logger.debug(`resolver ${b.label} runs in the sandbox: ${pipelineInSubset(b).reason ?? 'not analysed'}`);
  }
}

/**
 * Gives each cached resolver its policy (docs/caching.md). A caching key naming an argument the
 * field does not have is a load error: it would read null for every request and key nothing apart.
 */
function applyCachePolicies(cache: ApiCache, schema: GraphQLSchema, bound: ReadonlyMap<string, BoundResolver>): void {
  const problems: ConfigError[] = [];
  for (const resolver of bound.values()) {
    const policy = cache.policyFor(resolver.resolver);
    if (!policy) continue;
    const { typeName, fieldName } = resolver.resolver;
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    policy.keys.forEach((key, i) => {
      if (key.map !== 'arguments' || key.path.length === 0 || !field) return;
      if (!field.args.some((arg) => arg.name === key.path[0])) {
        problems.push(
          new ConfigError(
            `resolvers.${typeName}.${fieldName}.caching.keys.${i}`,
            `${typeName}.${fieldName} has no argument "${key.path[0]}"` +
              (field.args.length ? ` (its arguments: ${field.args.map((a) => a.name).join(', ')})` : ''),
          ),
        );
      }
    });
    resolver.cache = policy;
  }
  if (problems.length > 0) throw new ConfigErrors(problems);
}
