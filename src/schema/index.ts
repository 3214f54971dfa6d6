export { buildAppSyncSchema, type BuiltSchema, type SchemaSource } from './buildSchema.js';
export { APPSYNC_PREAMBLE, AWS_SCALAR_NAMES, AWS_DIRECTIVE_NAMES } from './preamble.js';
export { createAwsScalars, ScalarError } from './scalars.js';
export { readSubscriptionBindings, type SubscriptionBindings } from './subscriptions.js';
export { MAX_QUERY_CHARS, MAX_QUERY_TOKENS, parseQuery } from './parseQuery.js';
