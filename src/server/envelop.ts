/**
 * envelop plugins on the HTTP path. Without plugins the gateway parses and validates each query
 * text once (document cache) and calls graphql-js directly; with plugins every request goes
 * through envelop's `parse` → `validate` → `contextFactory` → `execute`, so a plugin sees and may
 * change each step as it would under graphql-yoga (at the cost of the document cache, unless a
 * plugin such as `@envelop/parser-cache` brings its own).
 */
import type { GraphQLSchema } from 'graphql';
import { Kind, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from '@envelop/core';
import type { PreparedDocument } from './documentCache.js';
import { formatValidationError } from './formatErrors.js';
import { parseQuery } from '../schema/index.js';

/** What one request gets from envelop: the steps with every plugin's hooks around them. */
export interface EnvelopedRequest {
  schema: GraphQLSchema;
  prepare(query: string): PreparedDocument;
  contextFactory<T extends object>(context: T): Promise<T>;
  execute(args: ExecutionArgs): ExecutionResult | Promise<ExecutionResult>;
}

export type EnvelopFactory = (request: { method: string; headers: Record<string, string | string[]> }) => EnvelopedRequest;

/** Builds the per-request envelop for `plugins` on top of graphql-js and the API's schema. */
// any: envelop types each plugin by the context it adds, and those types do not widen to one.
export async function createEnvelop(schema: GraphQLSchema, plugins: readonly Plugin<any>[]): Promise<EnvelopFactory> {
  // Loaded only by gateways that have plugins.
  const [{ envelop, useEngine, useSchema }, graphql] = await Promise.all([import('@envelop/core'), import('graphql')]);
  const getEnveloped = envelop({
    plugins: [
      // Plugins see graphql's parse with the gateway's size and token limits (src/schema/parseQuery.ts).
      useEngine({
        parse: parseQuery,
        validate: graphql.validate,
        execute: graphql.execute,
        subscribe: graphql.subscribe,
        specifiedRules: graphql.specifiedRules,
      }),
      useSchema(schema),
      ...plugins,
    ],
  });
  return (request) => {
    const enveloped = getEnveloped({ request });
    return {
      schema: enveloped.schema as GraphQLSchema,
      prepare(query) {
        let document: DocumentNode;
        try {
          document = enveloped.parse(query) as DocumentNode;
        } catch (error) {
          return { kind: 'syntax', message: error instanceof GraphQLError ? error.message : String(error) };
        }
        const errors = enveloped.validate(enveloped.schema, document) as readonly GraphQLError[];
        if (errors.length > 0) return { kind: 'invalid', errors: errors.map((e) => formatValidationError(e, document)) };
        const operations = new Map<string | undefined, OperationDefinitionNode>();
        for (const definition of document.definitions) {
          if (definition.kind === Kind.OPERATION_DEFINITION) operations.set(definition.name?.value, definition);
        }
        return { kind: 'ok', document, operations };
      },
      // envelop's factory returns the initial object extended by plugins (the same one, or a copy).
      contextFactory: async (context) => (await enveloped.contextFactory(context)) as typeof context,
      execute: (args) => enveloped.execute(args) as ExecutionResult | Promise<ExecutionResult>,
    };
  };
}
