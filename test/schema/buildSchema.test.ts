/** Reading AppSync SDL (docs/scalars.md#declaring-them): preamble, several files, errors with file and line. */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../src/errors.js';
import { buildAppSyncSchema } from '../../src/schema/index.js';

describe('buildAppSyncSchema', () => {
  it('knows the AWS scalars and @aws_* directives without declarations', () => {
    const { schema } = buildAppSyncSchema([
      { file: 's.graphql', sdl: 'type Query @aws_api_key { a: AWSJSON @aws_iam, b: AWSDateTime @aws_cognito_user_pools(cognito_groups: ["x"]) }' },
    ]);
    expect(schema.getType('AWSIPAddress')).toBeDefined();
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(['a', 'b']);
  });

  it('joins files: several define different types, and extend type adds fields to one another file defines', () => {
    const { schema } = buildAppSyncSchema([
      { file: 'a.graphql', sdl: 'extend type Query { b: B }\ntype Mutation { m: Int }' },
      { file: 'b.graphql', sdl: 'type Query { a: String }\ntype B { x: Int }\nextend type Mutation { n: Int }' },
    ]);
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(['a', 'b']);
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(['m', 'n']);
    expect(schema.getType('B')).toBeDefined();
  });

  // AppSync's schema creation fails with `Schema contains duplicate type names.`; docs/resolvers.md#schema.
  it.each([
    [
      'type Query in two files',
      [
        { file: 'a.graphql', sdl: 'type Query { a: String }' },
        { file: 'b.graphql', sdl: '\ntype Query { b: Int }' },
      ],
      'b.graphql:2:6: Schema contains duplicate type names: Query is already defined at a.graphql:1:6; add fields to it with "extend type Query" instead',
    ],
    [
      'type Query twice in one file',
      [{ file: 'a.graphql', sdl: 'type Query { a: String }\ntype Query { b: Int }' }],
      'a.graphql:2:6: Schema contains duplicate type names: Query is already defined at a.graphql:1:6; add fields to it with "extend type Query" instead',
    ],
    [
      'an input defined twice',
      [{ file: 'a.graphql', sdl: 'type Query { a(i: I): Int }\ninput I { x: Int }\n  input I { y: Int }' }],
      'a.graphql:3:9: Schema contains duplicate type names: I is already defined at a.graphql:2:7; add fields to it with "extend input I" instead',
    ],
    [
      'an enum defined as a type too',
      [{ file: 'a.graphql', sdl: 'type Query { a: E }\nenum E { X }\ntype E { y: Int }' }],
      'a.graphql:3:6: Schema contains duplicate type names: E is already defined at a.graphql:2:6; add fields to it with "extend type E" instead',
    ],
  ])('refuses a type defined twice (%s), naming both places', (_name, sources, message) => {
    const thrown = (() => {
      try {
        buildAppSyncSchema(sources);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(SchemaError);
    expect((thrown as SchemaError).message).toBe(message);
  });

  it.each([
    ['an unknown type', [{ file: 'a.graphql', sdl: 'type Query {\n  a: Nope\n}' }], 'a.graphql:2:6: Unknown type "Nope".'],
    ['a syntax error', [{ file: 'a.graphql', sdl: 'type Query {\n  a: \n' }], /^a\.graphql:3:1: Syntax Error/],
    [
      'a field defined twice across files',
      [
        { file: 'a.graphql', sdl: 'type Query { a: String }' },
        { file: 'b.graphql', sdl: 'extend type Query {\n  a: Int\n}' },
      ],
      'b.graphql:2:3: Field "Query.a" can only be defined once.',
    ],
    [
      'a custom scalar',
      [{ file: 'a.graphql', sdl: 'scalar Money\ntype Query { a: Money }' }],
      'a.graphql:1: custom scalar Money is not supported: AppSync allows only the built-in and AWS scalars',
    ],
    [
      'a type with the reserved AWS prefix',
      [{ file: 'a.graphql', sdl: 'type Query { a: AWSThing }\ntype AWSThing { a: Int }' }],
      'a.graphql:2: type name AWSThing uses the reserved prefix AWS',
    ],
  ])('%s names file and line', (_name, sources, message) => {
    expect(() => buildAppSyncSchema(sources)).toThrow(message as string | RegExp);
  });

  it('drops a bare redeclared AWS scalar with a warning', () => {
    const { warnings } = buildAppSyncSchema([{ file: 'a.graphql', sdl: 'scalar AWSDate\ntype Query { a: AWSDate }' }]);
    expect(warnings).toEqual(['a.graphql:1: scalar AWSDate is predefined by AppSync; the declaration is ignored']);
  });
});
