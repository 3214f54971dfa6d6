import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CompiledQueries } from '../../src/server/compiledQueries.js';

const schema = buildSchema('type Query { hello(name: String): String }');
schema.getQueryType()!.getFields().hello!.resolve = (_source, args: { name?: string }) => `hi ${args.name ?? 'you'}`;
const documentOf = (query: string) => {
  const document = parse(query);
  return { document, operation: document.definitions[0] as OperationDefinitionNode };
};

describe('CompiledQueries', () => {
  it('runs an operation through graphql-js first and compiles it once it recurs', async () => {
    const queries = new CompiledQueries(schema, 1);
    const { document, operation } = documentOf('query ($n: String) { hello(name: $n) }');
    expect(await queries.execute(document, operation, {}, { n: 'ann' })).toEqual({ data: { hello: 'hi ann' } });
    expect(queries.compiledCount).toBe(0);
    await CompiledQueries.preload();
    expect(await queries.execute(document, operation, {}, { n: 'bob' })).toEqual({ data: { hello: 'hi bob' } });
    expect(queries.compiledCount).toBe(1);
    expect(await queries.execute(document, operation, {}, {})).toEqual({ data: { hello: 'hi you' } });
    expect(queries.compiledCount).toBe(1);
  });

  it('compiles at the first run with afterRuns 0, never with Infinity', async () => {
    await CompiledQueries.preload();
    const eager = new CompiledQueries(schema, 0);
    const never = new CompiledQueries(schema, Infinity);
    const { document, operation } = documentOf('{ hello }');
    expect(await eager.execute(document, operation, {}, undefined)).toEqual({ data: { hello: 'hi you' } });
    expect(eager.compiledCount).toBe(1);
    for (let i = 0; i < 3; i++) await never.execute(document, operation, {}, undefined);
    expect(never.compiledCount).toBe(0);
  });

  it('answers bad variables as graphql-js does, without running the operation', async () => {
    await CompiledQueries.preload();
    const eager = new CompiledQueries(schema, 0);
    const { document, operation } = documentOf('query ($n: String) { hello(name: $n) }');
    const result = await eager.execute(document, operation, {}, { n: { not: 'a string' } });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/^Variable "\$n" got invalid value/);
  });
});

describe('CompiledQueries stats and failures', () => {
  const recorder = () => {
    const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }) };
    return { logger, warnings };
  };

  it('counts compiled operations and the runs they serve', async () => {
    await CompiledQueries.preload();
    const queries = new CompiledQueries(schema, 1);
    const { document, operation } = documentOf('{ hello }');
    for (let i = 0; i < 3; i++) expect(await queries.execute(document, operation, {}, undefined)).toEqual({ data: { hello: 'hi you' } });
    expect(queries.stats).toEqual({ jit: 'loaded', operations: 1, runs: 2, unsupported: 0, failed: 0 });
  });

  it('an operation graphql-jit declines is counted, not logged, and runs through graphql-js', async () => {
    await CompiledQueries.preload();
    const { logger, warnings } = recorder();
    const queries = new CompiledQueries(schema, 0, logger);
    // Two operations, one anonymous: graphql-jit answers with a GraphQLError of its own.
    const document = parse('{ hello } query B { hello }');
    const result = await queries.execute(document, document.definitions[0] as OperationDefinitionNode, {}, undefined);
    expect(result.errors?.[0]?.message).toBe('Must provide operation name if query contains multiple operations.');
    expect(queries.stats).toEqual({ jit: 'loaded', operations: 0, runs: 0, unsupported: 1, failed: 0 });
    expect(warnings).toEqual([]);
  });

  it('a compile that throws is counted and logged once at warn with the reason', async () => {
    await CompiledQueries.preload();
    const { logger, warnings } = recorder();
    const queries = new CompiledQueries(schema, 0, logger);
    // graphql-jit throws a plain Error for an operation type the schema lacks (the gateway refuses
    // those before executing; here it stands for any error graphql-jit throws, such as classes
    // from a second copy of graphql).
    for (const query of ['subscription { hello }', 'subscription S { again: hello }']) {
      const { document, operation } = documentOf(query);
      const result = await queries.execute(document, operation, {}, undefined);
      expect(result.errors?.[0]?.message).toBe('Schema is not configured to execute subscription operation.');
    }
    expect(queries.stats).toEqual({ jit: 'loaded', operations: 0, runs: 0, unsupported: 0, failed: 2 });
    expect(warnings).toEqual([
      { message: 'graphql-jit could not compile an operation; it runs through graphql-js', fields: { reason: 'No root type for operation subscription' } },
    ]);
  });
});
