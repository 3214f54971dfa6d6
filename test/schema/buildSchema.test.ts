/** Reading AppSync SDL (docs/scalars.md#declaring-them): preamble, several files, errors with file and line. */
import { describe, expect, it } from 'vitest';
import { buildAppSyncSchema } from '../../src/schema/index.js';

describe('buildAppSyncSchema', () => {
  it('knows the AWS scalars and @aws_* directives without declarations', () => {
    const { schema } = buildAppSyncSchema([
      { file: 's.graphql', sdl: 'type Query @aws_api_key { a: AWSJSON @aws_iam, b: AWSDateTime @aws_cognito_user_pools(cognito_groups: ["x"]) }' },
    ]);
    expect(schema.getType('AWSIPAddress')).toBeDefined();
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(['a', 'b']);
  });

  it('merges types repeated across files, as the Serverless plugin does', () => {
    const { schema } = buildAppSyncSchema([
      { file: 'a.graphql', sdl: 'type Query { a: String }\ntype Mutation { m: Int }' },
      { file: 'b.graphql', sdl: 'type Query { b: Int }\ntype Mutation { n: Int }' },
    ]);
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(['a', 'b']);
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(['m', 'n']);
  });

  it.each([
    ['an unknown type', [{ file: 'a.graphql', sdl: 'type Query {\n  a: Nope\n}' }], 'a.graphql:2:6: Unknown type "Nope".'],
    ['a syntax error', [{ file: 'a.graphql', sdl: 'type Query {\n  a: \n' }], /^a\.graphql:3:1: Syntax Error/],
    [
      'a field defined twice across files',
      [
        { file: 'a.graphql', sdl: 'type Query { a: String }' },
        { file: 'b.graphql', sdl: 'type Query {\n  a: Int\n}' },
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
