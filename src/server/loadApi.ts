/**
 * Loads one version of the API from a normalized config: schema, data sources, auth providers
 * and rules, compiled resolvers, document cache. `--watch` builds a new one and swaps it in only
 * when it loads cleanly, so a broken edit leaves the previous API serving.
 */
import { readFile } from 'node:fs/promises';
import type { GraphQLSchema } from 'graphql';
import { authenticateRequest, buildAuthRules, createAuthProviders, type AuthProvider, type AuthRules } from '../auth/index.js';
import { ApiCache } from '../cache/index.js';
import type { NormalizedConfig } from '../config/types.js';
import { isEventsOnly } from '../config/events.js';
import type { DataSource, DataSourceKinds, Logger } from '../datasources/types.js';
import { ConfigError, ConfigErrors, SchemaError } from '../errors.js';
import type { AuthContext, AuthRequest } from '../auth/types.js';
import { ResolverRuntime, type ResolverRuntimeOptions } from '../resolvers/index.js';
import { buildAppSyncSchema, readSubscriptionBindings, type SchemaSource, type SubscriptionBindings } from '../schema/index.js';
import type { Plugin } from '@envelop/core';
import { CompiledQueries } from './compiledQueries.js';
import type { DataFolder } from './dataFolder.js';
import { DocumentCache } from './documentCache.js';
import { createEnvelop, type EnvelopFactory } from './envelop.js';

export interface Api {
  readonly config: NormalizedConfig;
  readonly schema: GraphQLSchema;
  readonly runtime: ResolverRuntime;
  readonly providers: readonly AuthProvider[];
  readonly rules: AuthRules;
  readonly dataSources: ReadonlyMap<string, DataSource>;
  readonly documents: DocumentCache;
  /** Recurring operations compiled by graphql-jit. */
  readonly compiledQueries: CompiledQueries;
  /** Set when the gateway has envelop plugins: each HTTP request goes through them. */
  readonly envelop?: EnvelopFactory;
  readonly bindings: SubscriptionBindings;
  /** The API cache (docs/caching.md); absent when caching is off. */
  readonly cache?: ApiCache;
  readonly warnings: readonly string[];
  /** The config holds only an Event API: no GraphQL API is served (docs/events.md#an-event-api-alone). */
  readonly eventsOnly?: boolean;
  /** The caller's auth context; at once when the mode answers at once (API_KEY), a refusal always as a rejected promise. */
  authenticate(request: AuthRequest): AuthContext | Promise<AuthContext>;
  /** Resolves when every data source is ready (embedded databases started). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface LoadApiOptions {
  logger: Logger;
  kinds: DataSourceKinds;
  strict?: boolean;
  handlerTimeoutMs?: number;
  /** The resolver sandbox's other limits. */
  sandbox?: ResolverRuntimeOptions['sandbox'];
  // any: envelop types each plugin by the context it adds, and those types do not widen to one.
  plugins?: readonly Plugin<any>[];
  /** Runs of an operation before graphql-jit compiles it; Infinity: never. */
  compileAfterRuns?: number;
  /** Where embedded stores keep data (absent: in memory). */
  dataFolder?: DataFolder;
  /**
   * Loads what serving loads on first use (each data source's and auth provider's `check()`, the state
   * machines' in-process Lambda functions, a Task's function the config does not declare) and fails
   * the load on its errors. Without it the load still refuses what CreateStateMachine would refuse.
   */
  validateOnly?: boolean;
}

export async function loadApi(config: NormalizedConfig, options: LoadApiOptions): Promise<Api> {
  const { logger } = options;
  // Operations that compile from their first run need graphql-jit before the first request.
  if (options.compileAfterRuns === 0) await CompiledQueries.preload();
  const sources: SchemaSource[] = [];
  for (const file of config.schemaFiles) {
    try {
      sources.push({ file, sdl: await readFile(file, 'utf8') });
    } catch {
      throw new SchemaError('cannot read the schema file', { file });
    }
  }
  if (config.schemaSdl) sources.push({ file: '<schemaSdl>', sdl: config.schemaSdl });
  const eventsOnly = isEventsOnly(config);
  if (eventsOnly) {
    if (config.resolvers.length > 0 || Object.keys(config.pipelineFunctions).length > 0)
      throw new ConfigErrors([new ConfigError('resolvers', 'resolvers need a schema; this config holds only an Event API (events:) and no schema')]);
    // The GraphQL side is not served (docs/events.md#an-event-api-alone); this one-field schema only
    // lets the parts every API version has (the resolver runtime, which runs the Event API's handlers) load as usual.
    sources.push({ file: '<events only>', sdl: 'type Query { eventsOnly: Boolean }' });
  }
  if (sources.length === 0) throw new ConfigErrors([new ConfigError('schema', 'expected a schema file or schemaSdl')]);
  const built = buildAppSyncSchema(sources);

  // The sandbox processes start now and come up while the data sources are created.
  const sandboxStarting = ResolverRuntime.startSandbox({ config, logger, handlerTimeoutMs: options.handlerTimeoutMs, sandbox: options.sandbox });
  // Handled here too: a load that fails before the runtime takes it must not leave a rejection.
  sandboxStarting.catch(() => undefined);
  const dataSources = new Map<string, DataSource>();
  let runtime: ResolverRuntime | undefined;
  let cache: ApiCache | undefined;
  const closeAll = async () => {
    await cache?.close();
    await Promise.allSettled([...dataSources.values()].map((ds) => ds.close?.()));
    // Before the runtime took the sandbox (a data source failed), the sandbox is closed here.
    if (runtime) await runtime.close();
    else
      await sandboxStarting.then(
        (sandbox) => sandbox.close(),
        () => undefined,
      );
  };
  try {
    for (const ds of Object.values(config.dataSources)) {
      const kind = options.kinds[ds.type];
      if (!kind) throw new ConfigErrors([new ConfigError(`dataSources.${ds.name}.type`, `unknown data source type "${ds.type}"`)]);
      const instance = await kind.create({
        name: ds.name,
        config: ds.config,
        configPath: `dataSources.${ds.name}.config`,
        configDir: config.configDir,
        gatewayConfig: config,
        logger,
        dataDir: options.dataFolder?.dir,
        inMemory: options.dataFolder?.inMemory,
      });
      dataSources.set(ds.name, instance);
    }
    const providers = await createAuthProviders(config, logger);
    await checkBeforeServing(config, dataSources, providers, { validateOnly: options.validateOnly === true, logger }).catch(async (error: unknown) => {
      await Promise.allSettled(providers.map((p) => p.close?.()));
      throw error;
    });
    cache = await ApiCache.create(config, { logger, redisUrl: config.server.redis });
    const rules = buildAuthRules(
      built.schema,
      config.authentication.type,
      config.additionalAuthentications.map((a) => a.type),
      providers,
    );
    runtime = await ResolverRuntime.load(
      {
        config,
        schema: built.schema,
        dataSources,
        rules,
        logger,
        strict: options.strict,
        handlerTimeoutMs: options.handlerTimeoutMs,
        sandbox: options.sandbox,
        cache,
      },
      sandboxStarting,
    );
    return {
      config,
      schema: built.schema,
      runtime,
      providers,
      rules,
      dataSources,
      documents: new DocumentCache(built.schema, undefined, { introspection: config.introspection }),
      compiledQueries: new CompiledQueries(built.schema, options.compileAfterRuns ?? 1, logger),
      envelop: options.plugins?.length ? await createEnvelop(built.schema, options.plugins) : undefined,
      bindings: readSubscriptionBindings(built.schema),
      cache,
      warnings: [...built.warnings, ...runtime.warnings],
      eventsOnly,
      authenticate: (request) => authenticateRequest(providers, request),
      async ready() {
        // runtime.analysed: which resolvers the gateway evaluates itself is known (it never rejects).
        await Promise.all([...[...dataSources.values()].map((ds) => ds.ready?.()), runtime!.analysed]);
      },
      async close() {
        await Promise.allSettled(providers.map((p) => p.close?.()));
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * What refuses the load: the config's state machines that CreateStateMachine would refuse (an
 * invalid definition, docs/stepfunctions.md#declaring-state-machines), and with `validateOnly`
 * (`appsync-gateway validate`, docs/startup.md) what serving loads at first use, loaded now: each
 * data source's and auth provider's `check()` (the Event APIs' providers too) and the Lambda Task
 * states of the config's machines.
 * Their `ConfigError`s are reported together, as the config's are. A machine whose Task states hold
 * references the config's loader could not resolve is warned of at `warn`, not refused.
 */
async function checkBeforeServing(
  config: NormalizedConfig,
  dataSources: Map<string, DataSource>,
  providers: readonly AuthProvider[],
  { validateOnly, logger }: { validateOnly: boolean; logger: Logger },
): Promise<void> {
  // Imported when needed, as gateway.ts imports it: a gateway without state machines does not wait
  // for the Step Functions module here. Before any check starts, so that none rejects unobserved meanwhile.
  const stepFunctions = Object.keys(config.stepFunctions.stateMachines).length > 0 ? await import('../stepfunctions/index.js') : undefined;
  const eventProviders = validateOnly ? await eventsAuthProviders(config, logger) : { providers: [], problems: [] };
  const firstUse: Array<Promise<void> | undefined> = validateOnly
    ? [...[...dataSources.values()].map((ds) => ds.check?.()), ...[...providers, ...eventProviders.providers].map((p) => p.check?.())]
    : [];
  const tasks = validateOnly ? (stepFunctions?.checkLambdaTasks(config) ?? []) : [];
  const [firstUseOutcomes, machineProblems, taskOutcomes] = await Promise.all([
    Promise.allSettled(firstUse),
    stepFunctions?.checkConfigMachines(config) ?? { problems: [], warnings: [] },
    Promise.allSettled(tasks),
  ]).finally(() => Promise.allSettled(eventProviders.providers.map((p) => p.close?.())));
  const errors: ConfigError[] = [];
  const collect = (outcomes: PromiseSettledResult<void>[]) => {
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') continue;
      if (!(outcome.reason instanceof ConfigError)) throw outcome.reason;
      errors.push(outcome.reason);
    }
  };
  // In the config's order: data sources and auth, then the machines' definitions, then their Tasks' functions.
  collect(firstUseOutcomes);
  errors.push(...eventProviders.problems);
  errors.push(...machineProblems.problems);
  // Said on every load, by serve and validate alike; the machine is not created (applyConfigMachines.ts).
  for (const warning of machineProblems.warnings) logger.warn(warning);
  collect(taskOutcomes);
  if (errors.length > 0) throw new ConfigErrors(errors);
}

/**
 * The auth providers of the config's Event APIs that give their own `authProviders`, made as the
 * Event API makes them (those that do not share the GraphQL API's, checked as its own), and the
 * problems that kept any from being made. The caller closes them.
 */
async function eventsAuthProviders(config: NormalizedConfig, logger: Logger): Promise<{ providers: AuthProvider[]; problems: ConfigError[] }> {
  const apis = [...(config.events ? [config.events] : []), ...(config.additionalEventApis ?? []).map((a) => a.events)].filter((e) => e.authProvidersAt);
  if (apis.length === 0) return { providers: [], problems: [] };
  // Loaded when needed, as gateway.ts loads the Event API's module.
  const { createEventsAuthProviders } = await import('../events/index.js');
  const providers: AuthProvider[] = [];
  const problems: ConfigError[] = [];
  for (const events of apis) {
    try {
      providers.push(...(await createEventsAuthProviders(config, events, logger)));
    } catch (error) {
      if (!(error instanceof ConfigErrors)) throw error;
      problems.push(...error.errors);
    }
  }
  return { providers, problems };
}
