/**
 * Parse limits (src/schema/parseQuery.ts): a document past 15,000 tokens or 1,048,576 characters is
 * a document that does not parse (errors.md §3), answered without parsing it whole, and the gateway
 * goes on serving.
 */
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_CHARS, MAX_QUERY_TOKENS, parseQuery } from '../../src/schema/index.js';
import { startTestGateway } from '../utils/gateway.js';

/** The document of the report: 900 KB, 50,000 repeated `@include(if:true)`; valid GraphQL. */
const FLOOD = `{ hello${' @include(if:true)'.repeat(50_000)} }`;

describe('parseQuery', () => {
  it('stops at the token cap, with graphql-js’s syntax error', () => {
    expect(FLOOD.length).toBe(900_009);
    expect(() => parseQuery(FLOOD)).toThrow(`Syntax Error: Document contains more that ${MAX_QUERY_TOKENS} tokens. Parsing aborted.`);
    // Just under the cap parses: `{ hello }` is 3 tokens, each directive 7 (@ include ( if : true )).
    const under = `{ hello${' @include(if:true)'.repeat(Math.floor((MAX_QUERY_TOKENS - 4) / 7))} }`;
    expect(parseQuery(under).definitions).toHaveLength(1);
  });

  it('refuses a document over the character cap before reading it', () => {
    const long = `{ hello }${' '.repeat(MAX_QUERY_CHARS)}`;
    expect(() => parseQuery(long)).toThrow(`Syntax Error: Document has more than ${MAX_QUERY_CHARS} characters. Parsing aborted.`);
  });

  it('a caller cannot raise the cap', () => {
    expect(() => parseQuery(FLOOD, { maxTokens: 1_000_000 })).toThrow(/more that 15000 tokens/);
  });
});

describe('over HTTP', () => {
  it('the 900 KB flood is a 400 parse failure, and a request sent beside it is answered', async () => {
    const gw = await startTestGateway({
      config: {
        name: 'parse-limits',
        schemaSdl: 'type Query { hello: String }',
        authentication: { type: 'API_KEY' },
        apiKeys: [{ name: 'k', value: 'da2-parselimits0000000000' }],
      },
    });
    const [flood, small] = await Promise.all([gw.query(FLOOD), gw.query('{ __typename }')]);
    expect(flood.status).toBe(400);
    expect(flood.headers.get('x-amzn-errortype')).toBe('MalformedHttpRequestException');
    expect(flood.body).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }] });
    expect(small.body).toEqual({ data: { __typename: 'Query' } });
    // And again: the failure is not kept in a state that breaks later requests.
    expect((await gw.query(FLOOD)).status).toBe(400);
    expect((await gw.query('{ hello }')).body).toEqual({ data: { hello: null } });
  });
});
