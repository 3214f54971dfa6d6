/**
 * Operations that recur run as code compiled for them by graphql-jit instead of being walked by
 * graphql-js's interpreter: in the hot path's profile the interpreter (collecting fields, argument
 * values, completing values) was the largest cost after the network, and a compiled operation
 * does that work once. A document is compiled on its second run, so one-off queries pay nothing
 * for compilation; an operation graphql-jit cannot compile keeps running through graphql-js.
 *
 * graphql-jit reports a leaf that fails to serialise by message only; the serialisers given to
 * it mark AWS scalar failures so formatErrors.ts can word them as AppSync does. Its own variable
 * coercion words errors differently, so variables are checked by graphql-js first
 * (test/e2e/compiled-parity.test.ts holds the two to the same answers).
 */
import { execute, getVariableValues, isScalarType, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import { ScalarError } from '../schema/scalars.js';

// graphql-jit and what it brings take ~65 ms to load: it loads after the first operation is
// answered (or at API load when operations compile from their first run), not at start-up.
type Jit = typeof import('graphql-jit');
let jit: Jit | undefined;
let jitLoading: Promise<void> | undefined;
function loadJit(): Promise<void> {
  jitLoading ??= import('graphql-jit').then(
    (module) => {
      jit = module;
    },
    () => {
      // without graphql-jit every operation runs through graphql-js
    },
  );
  return jitLoading;
}

/** Starts the message of a scalar serialisation failure in a compiled operation (see formatErrors.ts). */
export const SERIALIZE_FAILURE_MARK = '\u0000serialize\u0000';

type Entry = { runs: number } | { compiled: CompiledQuery } | { interpreted: true };

export class CompiledQueries {
  readonly #schema: GraphQLSchema;
  readonly #afterRuns: number;
  // Keyed by the cached document's operation node: entries go when the document leaves the cache.
  readonly #entries = new WeakMap<OperationDefinitionNode, Entry>();
  readonly #serializers: Record<string, (value: unknown) => unknown> = {};
  #compiledCount = 0;

  /** @param afterRuns runs through graphql-js before an operation is compiled (0: compile at once; Infinity: never) */
  constructor(schema: GraphQLSchema, afterRuns = 1) {
    this.#schema = schema;
    this.#afterRuns = afterRuns;
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
    return this.#compiledCount;
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
        } catch {
          // graphql-js runs what graphql-jit cannot compile
        }
        if (compiled && jit.isCompiledQuery(compiled)) {
          this.#entries.set(operation, { compiled });
          this.#compiledCount += 1;
          return this.#run(compiled, operation, contextValue, variableValues);
        }
        this.#entries.set(operation, { interpreted: true });
      } else {
        if (!jit) void loadJit();
        entry.runs += 1;
        this.#entries.set(operation, entry);
      }
    }
    return execute({ schema: this.#schema, document, operationName: operation.name?.value, contextValue, variableValues });
  }

  #run(
    compiled: CompiledQuery,
    operation: OperationDefinitionNode,
    contextValue: unknown,
    variableValues: Record<string, unknown> | undefined,
  ): ExecutionResult | Promise<ExecutionResult> {
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
