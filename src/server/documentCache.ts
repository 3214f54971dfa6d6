/**
 * Parsed and validated documents, keyed by query text. Parsing and validation are the costliest
 * per-request steps that depend only on the text, so they run once per distinct query.
 */
import {
  GraphQLError,
  Kind,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { ErrorEntry } from '../realtime/types.js';
import { parseQuery } from '../schema/index.js';
import { formatValidationError } from './formatErrors.js';

export type PreparedDocument =
  | { kind: 'ok'; document: DocumentNode; operations: ReadonlyMap<string | undefined, OperationDefinitionNode> }
  | { kind: 'syntax'; message: string }
  | { kind: 'invalid'; errors: ErrorEntry[] };

/** A plug point shaped like envelop's parser cache: anything with get/set. */
export interface DocumentCacheStore {
  get(key: string): PreparedDocument | undefined;
  set(key: string, value: PreparedDocument): void;
}

/** A small LRU: Map keeps insertion order, so re-inserting on hit keeps hot entries. */
export class LruStore implements DocumentCacheStore {
  readonly #max: number;
  readonly #map = new Map<string, PreparedDocument>();
  constructor(max = 1000) {
    this.#max = max;
  }
  get(key: string): PreparedDocument | undefined {
    const value = this.#map.get(key);
    if (value !== undefined && this.#map.size > this.#max / 2) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }
  set(key: string, value: PreparedDocument): void {
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }
}

/**
 * One error per `__schema` / `__type` field (graphql-js's NoSchemaIntrospectionCustomRule also
 * reports each field below them). Gateway choice: AppSync does not document its wording.
 */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name === '__schema' || name === '__type') {
      context.reportError(new GraphQLError(`GraphQL introspection has been disabled, but the requested query contained the field "${name}".`, { nodes: node }));
    }
    return false;
  },
});

export class DocumentCache {
  readonly #schema: GraphQLSchema;
  readonly #store: DocumentCacheStore;
  readonly #rules: readonly ValidationRule[] | undefined;

  /** `introspection: false` refuses `__schema` and `__type` (AppSync's introspectionConfig DISABLED; `__typename` stays allowed). */
  constructor(schema: GraphQLSchema, store: DocumentCacheStore = new LruStore(), options: { introspection?: boolean } = {}) {
    this.#schema = schema;
    this.#store = store;
    this.#rules = options.introspection === false ? [...specifiedRules, noIntrospection] : undefined;
  }

  prepare(query: string): PreparedDocument {
    let prepared = this.#store.get(query);
    if (!prepared) {
      prepared = this.#prepareUncached(query);
      this.#store.set(query, prepared);
    }
    return prepared;
  }

  #prepareUncached(query: string): PreparedDocument {
    let document: DocumentNode;
    try {
      document = parseQuery(query);
    } catch (error) {
      return { kind: 'syntax', message: error instanceof GraphQLError ? error.message : String(error) };
    }
    const errors = validate(this.#schema, document, this.#rules);
    if (errors.length > 0) {
      return { kind: 'invalid', errors: errors.map((e) => formatValidationError(e, document)) };
    }
    const operations = new Map<string | undefined, OperationDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) operations.set(definition.name?.value, definition);
    }
    return { kind: 'ok', document, operations };
  }
}
