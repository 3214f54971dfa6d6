/**
 * Operations that recur run as code compiled for them by graphql-jit instead of being walked by
 * graphql-js's interpreter: in the hot path's profile the interpreter (collecting fields, argument
 * values, completing values) was the largest cost after the network, and a compiled operation
 * does that work once. A document is compiled on its second run, so one-off queries pay nothing
 * for compilation; an operation graphql-jit cannot compile keeps running through graphql-js.
 *
 * Nothing here fails quietly: `stats` counts compiled operations, the runs they served and the
 * compiles that failed (GET /health shows them), and a compile that fails for any reason other than
 * an operation graphql-jit declines (a GraphQLError of its own) is logged once at `warn`: that is
 * how two copies of graphql in one process (graphql-jit then fails every compile, as in a build
 * that bundled only one of them) show up instead of a slower gateway.
 *
 * graphql-jit reports a leaf that fails to serialise by message only; the serialisers given to
 * it mark AWS scalar failures so formatErrors.ts can word them as AppSync does. Its own variable
 * coercion words errors differently, so variables are checked by graphql-js first
 * (test/e2e/compiled-parity.test.ts holds the two to the same answers).
 */
import { execute, getVariableValues, isScalarType, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import type { Logger } from '../datasources/types.js';
import { ScalarError } from '../schema/scalars.js';

// graphql-jit and what it brings take ~65 ms to load: it loads after the first operation is
// answered (or at API load when operations compile from their first run), not at start-up.
// "After" means once that operation's result has settled and the loop has turned, so the answer
// is written first: begun at the operation's start, the load ran while a first answer that waits
// on a data source was still pending, and delayed it.
type Jit = typeof import('graphql-jit');
let jit: Jit | undefined;
let jitLoading: Promise<void> | undefined;
/** Why graphql-jit did not load: every operation then runs through graphql-js (logged once per API). */
let jitLoadFailure: string | undefined;
function loadJit(): Promise<void> {
  jitLoading ??= import('graphql-jit').then(
    (module) => {
      jit = module;
    },
    (error: unknown) => {
      jitLoadFailure = error instanceof Error ? error.message : String(error);
    },
  );
  return jitLoading;
}

/** Whether an execution's result is still to come (graphql-js and graphql-jit answer either way). */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** Starts the message of a scalar serialisation failure in a compiled operation (see formatErrors.ts). */
export const SERIALIZE_FAILURE_MARK = '\u0000serialize\u0000';

type Entry = { runs: number } | { compiled: CompiledQuery } | { interpreted: true };

/** What compiled execution has done for one loaded API (GET /health `compiledQueries`). */
export interface CompiledQueryStats {
  /** graphql-jit itself: loaded after the first operation (or at load with `afterRuns: 0`), or failed to load (logged). */
  jit: 'loaded' | 'not loaded' | 'failed';
  /** Operations compiled by graphql-jit. */
  operations: number;
  /** Runs of an operation as compiled code. */
  runs: number;
  /** Operations graphql-jit declined (it answered with a GraphQLError of its own): they run through graphql-js. */
  unsupported: number;
  /** Compiles that failed for any other reason (each distinct reason logged once at `warn`). */
  failed: number;
}

/** Distinct failure reasons logged per API; beyond that, failures are only counted. */
const MAX_LOGGED_FAILURES = 10;

export class CompiledQueries {
  readonly #schema: GraphQLSchema;
  readonly #afterRuns: number;
  // Keyed by the cached document's operation node: entries go when the document leaves the cache.
  readonly #entries = new WeakMap<OperationDefinitionNode, Entry>();
  readonly #serializers: Record<string, (value: unknown) => unknown> = {};
  readonly #stats: Omit<CompiledQueryStats, 'jit'> = { operations: 0, runs: 0, unsupported: 0, failed: 0 };
  readonly #logger: Logger | undefined;
  readonly #logged = new Set<string>();
  #jitMissingLogged = false;
  /** The load of graphql-jit is asked for once, when the first operation that ran without it settles. */
  #jitLoadScheduled = false;

  /**
   * @param afterRuns runs through graphql-js before an operation is compiled (0: compile at once; Infinity: never)
   * @param logger where unexpected compile failures go (at `warn`, each reason once)
   */
  constructor(schema: GraphQLSchema, afterRuns = 1, logger?: Logger) {
    this.#schema = schema;
    this.#afterRuns = afterRuns;
    this.#logger = logger;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isScalarType(type) || type.name.startsWith('__')) continue;
      this.#serializers[type.name] = (value) => {
        try {
          return type.serialize(value);
        } catch (error) {
          if (error instanceof ScalarError) throw new Error(`${SERIALIZE_FAILURE_MARK}${error.message}`);
          throw error;
        }
      };
    }
  }

  /** How many operations have been compiled (for tests and logs). */
  get compiledCount(): number {
    return this.#stats.operations;
  }

  /** Counts since this API loaded (a copy). */
  get stats(): CompiledQueryStats {
    return { jit: jit ? 'loaded' : jitLoadFailure !== undefined ? 'failed' : 'not loaded', ...this.#stats };
  }

  /** Loads graphql-jit now rather than after the first operation. */
  static preload(): Promise<void> {
    return loadJit();
  }

  /** Runs `operation` of `document` (already validated against the schema). */
  execute(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    contextValue: unknown,
    variableValues: Record<string, unknown> | undefined,
  ): ExecutionResult | Promise<ExecutionResult> {
    const entry = this.#entries.get(operation) ?? { runs: 0 };
    if ('compiled' in entry) return this.#run(entry.compiled, operation, contextValue, variableValues);
    if ('runs' in entry && this.#afterRuns !== Infinity) {
      if (jit && entry.runs >= this.#afterRuns) {
        let compiled: CompiledQuery | ExecutionResult | undefined;
        try {
          compiled = jit.compileQuery(this.#schema, document, operation.name?.value, { customSerializers: this.#serializers });
        } catch (error) {
          this.#failed(error);
        }
        if (compiled && jit.isCompiledQuery(compiled)) {
          this.#entries.set(operation, { compiled });
          this.#stats.operations += 1;
          return this.#run(compiled, operation, contextValue, variableValues);
        }
        if (compiled) this.#declined(compiled);
        this.#entries.set(operation, { interpreted: true });
      } else {
        if (jitLoadFailure !== undefined) this.#jitMissing();
        entry.runs += 1;
        this.#entries.set(operation, entry);
        if (!jit && jitLoadFailure === undefined) {
          const result = execute({ schema: this.#schema, document, operationName: operation.name?.value, contextValue, variableValues });
          // Whichever operation settles first asks for it (the first one to start may be slow to settle).
          const load = () => {
            if (this.#jitLoadScheduled) return;
            this.#jitLoadScheduled = true;
            setImmediate(() => void loadJit().then(() => this.#jitMissing()));
          };
          if (isPromise(result)) result.then(load, load);
          else load();
          return result;
        }
      }
    }
    return execute({ schema: this.#schema, document, operationName: operation.name?.value, contextValue, variableValues });
  }

  /**
   * graphql-jit answers a compile it gave up on with errors: its own GraphQLErrors mean it declines
   * the operation; an error carrying an `originalError` is something it threw (a bug, or classes
   * from another copy of graphql), which must not pass unnoticed.
   */
  #declined(result: ExecutionResult): void {
    const thrown = result.errors?.find((error) => error.originalError);
    if (thrown) this.#failed(thrown.originalError);
    else this.#stats.unsupported += 1;
  }

  #failed(error: unknown): void {
    this.#stats.failed += 1;
    const reason = error instanceof Error ? error.message : String(error);
    if (this.#logged.size >= MAX_LOGGED_FAILURES || this.#logged.has(reason)) return;
    this.#logged.add(reason);
    this.#logger?.warn('graphql-jit could not compile an operation; it runs through graphql-js', { reason });
  }

  #jitMissing(): void {
    if (jitLoadFailure === undefined || this.#jitMissingLogged) return;
    this.#jitMissingLogged = true;
    this.#logger?.warn('graphql-jit did not load; every operation runs through graphql-js', { reason: jitLoadFailure });
  }

  #run(
    compiled: CompiledQuery,
    operation: OperationDefinitionNode,
    contextValue: unknown,
    variableValues: Record<string, unknown> | undefined,
  ): ExecutionResult | Promise<ExecutionResult> {
    this.#stats.runs += 1;
    const variables = variableValues ?? {};
    if (operation.variableDefinitions?.length) {
      // Checked only: graphql-jit coerces the raw values again (a coerced AWSJSON value would not
      // parse a second time). What graphql-js's execute answers when variables do not coerce:
      // errors and no data.
      const coerced = getVariableValues(this.#schema, operation.variableDefinitions, variables, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    return compiled.query(undefined, contextValue, variables);
  }
}
