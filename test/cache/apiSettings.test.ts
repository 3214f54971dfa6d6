/**
 * API settings AppSync has besides caching (docs/caching.md#api-settings): `introspection: false`
 * (AppSync's introspectionConfig DISABLED) and the response size limit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const config = (introspection?: boolean) => ({
  schemaSdl: 'type Query { hello: String }',
  authentication: { type: 'API_KEY' as const },
  apiKeys: [{ name: 'k', value: 'da2-introspectiontest' }],
  ...(introspection === undefined ? {} : { introspection }),
});

describe('introspection: false', () => {
  let off: TestGateway;
  let on: TestGateway;
  beforeAll(async () => {
    [off, on] = await Promise.all([startTestGateway({ config: config(false) }), startTestGateway({ config: config() })]);
  });

  it('refuses __schema and __type with a validation error, and nothing runs', async () => {
    const res = await off.query('{ __schema { queryType { name } } }');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'GraphQL introspection has been disabled, but the requested query contained the field "__schema".',
        },
      ],
    });
    const type = await off.query('{ __type(name: "Query") { name } }');
    expect(type.body.errors[0].message).toBe('GraphQL introspection has been disabled, but the requested query contained the field "__type".');
  });

  it('still answers __typename, and introspection stays on by default', async () => {
    expect((await off.query('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
    expect((await on.query('{ __schema { queryType { name } } }')).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('the response size limit', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      files: {
        'big.js': `export function request(ctx) { return { payload: 'x'.repeat(ctx.args.chars) }; }
export function response(ctx) { return ctx.result; }
`,
      },
      config: {
        schemaSdl: 'type Query { big(chars: Int!): String }',
        authentication: { type: 'API_KEY' as const },
        apiKeys: [{ name: 'k', value: 'da2-responsesizetest' }],
        dataSources: { none: { type: 'NONE' } },
        resolvers: { 'Query.big': { kind: 'UNIT', dataSource: 'none', code: 'big.js' } },
      },
    });
  });

  it("answers an answer over 5 MiB with AppSync's MappingTemplate error, and keeps serving", async () => {
    // Each field is under the 5 MiB limit on one result; the two together are not.
    const [over, small] = await Promise.all([gw.query('{ a: big(chars: 3000000) b: big(chars: 3000000) }'), gw.query('{ big(chars: 5) }')]);
    expect(over.status).toBe(200);
    expect(over.body).toEqual({ data: null, errors: [{ errorType: 'MappingTemplate', message: 'Transformation too large' }] });
    expect(small.body).toEqual({ data: { big: 'xxxxx' } });
    // Just under the limit is sent whole.
    const under = await gw.query('{ a: big(chars: 2600000) b: big(chars: 2600000) }');
    expect(under.body.data.a).toHaveLength(2_600_000);
    expect((await gw.query('{ big(chars: 3) }')).body).toEqual({ data: { big: 'xxx' } });
  });
});
