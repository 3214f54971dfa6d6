// Its own file: graphql-jit is loaded once per module instance, and this test needs it not loaded yet.
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CompiledQueries } from '../../src/server/compiledQueries.js';

describe('CompiledQueries loading graphql-jit', () => {
  it('loads it only after the first operation has been answered, not while that answer is pending', async () => {
    const schema = buildSchema('type Query { slow: String }');
    let answer: (value: string) => void = () => undefined;
    schema.getQueryType()!.getFields().slow!.resolve = () => new Promise<string>((resolve) => (answer = resolve));
    const queries = new CompiledQueries(schema, 1);
    const document = parse('{ slow }');
    const pending = queries.execute(document, document.definitions[0] as OperationDefinitionNode, {}, undefined);
    // Long enough for the import to finish had it begun with the operation.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(queries.stats.jit).toBe('not loaded');
    answer('done');
    expect(await pending).toEqual({ data: { slow: 'done' } });
    expect(queries.stats.jit).toBe('not loaded');
    await expect.poll(() => queries.stats.jit, { timeout: 10_000, interval: 20 }).toBe('loaded');
  });
});
