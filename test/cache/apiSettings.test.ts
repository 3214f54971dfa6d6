/**
 * API settings AppSync has besides caching (docs/caching.md#api-settings): `introspection: false`
 * (AppSync's introspectionConfig DISABLED).
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
