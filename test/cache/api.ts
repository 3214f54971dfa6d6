/**
 * The API the cache tests serve: a Lambda data source (a handler module run in-process) that
 * counts its calls and echoes who called, so a test sees whether an answer came from the cache
 * (`runs` did not move) and whose it was (`user`). Callers are told apart by a Lambda authorizer:
 * `authorization: alice` → `ctx.identity.resolverContext.user === 'alice'`.
 */
import type { GatewayConfig } from '../../src/index.js';

export const SCHEMA = `
type Item { id: ID! runs: Int! user: String stamp: String parentId: ID }
type Query {
  item(id: ID!, note: String): Item
  shared(id: ID!): Item
  plain(id: ID!): Item
  defaults(id: ID!): Item
  partial(id: ID!): Item
  broken(id: ID!): Item
  evictInQuery(id: ID!): Int
}
type Mutation {
  evictItem(id: ID!, user: String): Int
  evictFromQuery(id: ID!): Int
}
`;

export const files: Record<string, string> = {
  'counter.mjs': `let runs = 0;
export function handler(event) {
  runs += 1;
  return { id: event.id, runs, user: event.user ?? null, stamp: Math.random().toString(36).slice(2) };
}
`,
  'authorizer.mjs': `export function handler(event) {
  return { isAuthorized: true, resolverContext: { user: event.authorizationToken } };
}
`,
  'item.js': `export function request(ctx) {
  return { operation: 'Invoke', payload: { id: ctx.args.id, user: ctx.identity?.resolverContext?.user } };
}
export function response(ctx) { return ctx.result; }
`,
  'partial.js': `import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return { operation: 'Invoke', payload: { id: ctx.args.id, user: ctx.identity?.resolverContext?.user } };
}
export function response(ctx) {
  util.appendError('only part of it', 'Partial');
  return ctx.result;
}
`,
  'broken.js': `import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return { operation: 'Invoke', payload: { id: ctx.args.id, user: ctx.identity?.resolverContext?.user } };
}
export function response(ctx) { util.error('run ' + ctx.result.runs + ' failed', 'Broken'); }
`,
  'parentId.js': `export function request(ctx) { return { payload: ctx.source.id }; }
export function response(ctx) { return ctx.result; }
`,
  'evict.js': `import { extensions } from '@aws-appsync/utils';
export function request(ctx) { return { payload: null }; }
export function response(ctx) {
  const keys = { 'context.arguments.id': ctx.args.id };
  if (ctx.args.user) keys['context.identity.resolverContext.user'] = ctx.args.user;
  extensions.evictFromApiCache('Query', 'item', keys);
  return 1;
}
`,
  'evictFromQuery.js': `import { extensions } from '@aws-appsync/utils';
export function request(ctx) { return { payload: null }; }
export function response(ctx) {
  extensions.evictFromApiCache('Query', 'item', { 'context.arguments.id': ctx.args.id });
  return 1;
}
`,
};

const unit = (code: string, extra: Record<string, unknown> = {}) => ({ kind: 'UNIT' as const, dataSource: 'counter', code, ...extra });

/** The API with `caching` as given; `item` keyed by id and user, `shared` by id alone, `plain` without a caching block. */
export function cacheConfig(caching: GatewayConfig['caching'], itemTtl = 60, more: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    ...more,
    schemaSdl: SCHEMA,
    authentication: { type: 'AWS_LAMBDA', config: { handler: 'authorizer.mjs#handler' } },
    dataSources: { counter: { type: 'AWS_LAMBDA', config: { handler: 'counter.mjs#handler' } }, none: { type: 'NONE' } },
    caching,
    resolvers: {
      'Query.item': unit('item.js', { caching: { ttl: itemTtl, keys: ['$context.arguments.id', '$context.identity.resolverContext.user'] } }),
      'Query.shared': unit('item.js', { caching: { ttl: 60, keys: ['$context.arguments.id'] } }),
      'Query.plain': unit('item.js'),
      'Query.defaults': unit('item.js', { caching: true }),
      'Query.partial': unit('partial.js', { caching: true }),
      'Query.broken': unit('broken.js', { caching: true }),
      'Item.parentId': { kind: 'UNIT', dataSource: 'none', code: 'parentId.js' },
      'Query.evictInQuery': { kind: 'UNIT', dataSource: 'none', code: 'evictFromQuery.js' },
      'Mutation.evictItem': { kind: 'UNIT', dataSource: 'none', code: 'evict.js' },
      'Mutation.evictFromQuery': { kind: 'UNIT', dataSource: 'none', code: 'evictFromQuery.js' },
    },
  };
}

export const as = (user: string) => ({ authorization: user });
