/**
 * The API the real-time e2e tests serve: posts with subscriptions bound by `@aws_subscribe`,
 * argument filters, an enhanced filter set by a subscription resolver, invalidation, and a
 * subscription resolver that rejects. Files are written into the test gateway's temp folder.
 */
import type { GatewayConfig } from '../../src/index.js';

export const API_KEY = 'da2-realtimetestkey00000000000';
export const EXPIRED_KEY = 'da2-expiredrealtimekey0000000';

export const files: Record<string, string> = {
  'schema.graphql': `
    type Post {
      id: ID!
      author: String
      title: String
      severity: Int
      group: String
    }
    type Query { ping: String }
    type Mutation {
      createPost(id: ID!, author: String, title: String, severity: Int, group: String): Post
      closeGroup(group: String!): Post
    }
    type Subscription {
      onCreatePost(author: String, id: ID): Post @aws_subscribe(mutations: ["createPost"])
      onSevere(min: Int!): Post @aws_subscribe(mutations: ["createPost"])
      onGroup(group: String!): Post @aws_subscribe(mutations: ["createPost"])
      onRejected: Post @aws_subscribe(mutations: ["createPost"])
    }
  `,
  'resolvers/createPost.js': `
    export function request(ctx) { return { payload: ctx.args }; }
    export function response(ctx) { return ctx.result; }
  `,
  'resolvers/closeGroup.js': `
    import { extensions } from '@aws-appsync/utils';
    export function request(ctx) { return { payload: { id: 'closed', group: ctx.args.group } }; }
    export function response(ctx) {
      extensions.invalidateSubscriptions({ subscriptionField: 'onGroup', payload: { group: ctx.args.group } });
      return ctx.result;
    }
  `,
  'resolvers/onSevere.js': `
    import { util, extensions } from '@aws-appsync/utils';
    export function request(ctx) { return { payload: null }; }
    export function response(ctx) {
      extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ severity: { ge: ctx.args.min } }));
      return null;
    }
  `,
  'resolvers/onGroup.js': `
    import { util, extensions } from '@aws-appsync/utils';
    export function request(ctx) { return { payload: null }; }
    export function response(ctx) {
      extensions.setSubscriptionInvalidationFilter(util.transform.toSubscriptionFilter({ group: { eq: ctx.args.group } }));
      return null;
    }
  `,
  'resolvers/onRejected.js': `
    import { util } from '@aws-appsync/utils';
    export function request(ctx) { util.unauthorized(); }
    export function response(ctx) { return null; }
  `,
};

export function realtimeConfig(name = 'realtime-test'): GatewayConfig {
  return {
    name,
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    apiKeys: [
      { name: 'main', value: API_KEY },
      { name: 'old', value: EXPIRED_KEY, expiresAt: '2020-01-01T00:00:00Z' },
    ],
    dataSources: { local: { type: 'NONE' } },
    resolvers: {
      'Mutation.createPost': { kind: 'UNIT', dataSource: 'local', code: 'resolvers/createPost.js' },
      'Mutation.closeGroup': { kind: 'UNIT', dataSource: 'local', code: 'resolvers/closeGroup.js' },
      'Subscription.onSevere': { kind: 'UNIT', dataSource: 'local', code: 'resolvers/onSevere.js' },
      'Subscription.onGroup': { kind: 'UNIT', dataSource: 'local', code: 'resolvers/onGroup.js' },
      'Subscription.onRejected': { kind: 'UNIT', dataSource: 'local', code: 'resolvers/onRejected.js' },
    },
  };
}

export const CREATE_POST = `mutation($id: ID!, $author: String, $title: String, $severity: Int, $group: String) {
  createPost(id: $id, author: $author, title: $title, severity: $severity, group: $group) { id author title severity group }
}`;
