/**
 * Parsing a request's document within limits, so one request cannot hold the process: a 900 KB
 * document of 50,000 directives takes graphql-js ~0.6 s to parse and far longer through the steps
 * after it, while the token cap stops it after its first 15,000 tokens.
 *
 * Gateway choice: AppSync's parser is graphql-java's, whose defaults are 15,000 grammar tokens and
 * 1,048,576 characters per document; AppSync documents no other figure. A document past either is
 * a document that does not parse, answered as AppSync answers one (docs/errors.md: 400
 * `MalformedHttpRequestException`, `Unable to parse GraphQL query.`).
 */
import { GraphQLError, parse, type DocumentNode, type ParseOptions } from 'graphql';

/** Most tokens (graphql-js counts every punctuator and name) in one document. */
export const MAX_QUERY_TOKENS = 15_000;
/** Most characters in one document. */
export const MAX_QUERY_CHARS = 1_048_576;

/** graphql-js `parse` with the limits above; throws a GraphQLError past either. */
export function parseQuery(query: string, options: ParseOptions = {}): DocumentNode {
  if (query.length > MAX_QUERY_CHARS) throw new GraphQLError(`Syntax Error: Document has more than ${MAX_QUERY_CHARS} characters. Parsing aborted.`);
  return parse(query, { ...options, maxTokens: Math.min(options.maxTokens ?? MAX_QUERY_TOKENS, MAX_QUERY_TOKENS) });
}
