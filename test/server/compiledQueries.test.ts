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
