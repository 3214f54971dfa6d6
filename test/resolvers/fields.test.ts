/**
 * Field wiring (src/resolvers/fields.ts): a field without a resolver keeps its per-request check
 * wherever a request could be refused or nulled there (docs/auth.md#directives, #aws_lambda, #aws_iam;
 * docs/errors.md#request-limits), and has no `resolve` only where none can. The gateways answer over
 * HTTP with real providers: tokens from a JWKS server on loopback, IAM requests signed by the AWS SDK's
 * signer, an in-process Lambda authorizer. `queryDepthLimit` on plain fields: test/e2e/core.test.ts.
 */
import { buildSchema, defaultFieldResolver, GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyProvider } from '../../src/auth/api-key.js';
import { createCognitoProvider } from '../../src/auth/cognito.js';
import { buildAuthRules } from '../../src/auth/rules.js';
import type { NormalizedConfig } from '../../src/config/types.js';
import type { BoundResolver } from '../../src/resolvers/bound.js';
import { attachFieldResolvers } from '../../src/resolvers/fields.js';
import { APPSYNC_PREAMBLE } from '../../src/schema/index.js';
import { startIssuer, type Issuer } from '../utils/jwks-server.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { signedGraphQLHeaders } from '../utils/sigv4.js';

const KEY = 'da2-fieldsfieldsfieldsfields12';
const POST = `export function request() { return { payload: { id: 'p1', title: 'Hello', keyOnly: 'k', admins: 'a', draft: 'd', length: 'L' } }; }
export function response(ctx) { return ctx.result; }
`;
const AUTHORIZER = `export function handler(event) {
  return { isAuthorized: event.authorizationToken === 'let-me-in', deniedFields: ['Post.draft'] };
}
`;
const IAM = { accessKeyId: 'AKIDFIELDS', secretAccessKey: 'fields-secret', accountId: '111122223333' };
const IAM_NARROW = { accessKeyId: 'AKIDFIELDSNARROW', secretAccessKey: 'narrow-secret', accountId: '111122223333', allow: ['Query.post', 'Post.id'] };

const unauthorized = (field: string, column: number) => ({
  path: ['post', field],
  data: null,
  errorType: 'Unauthorized',
  errorInfo: null,
  locations: [{ line: 1, column, sourceName: null }],
  message: `Not Authorized to access ${field} on type Post`,
});

let pool: Issuer;
/** Only the default pool takes a `defaultAction`. */
const poolConfig = (defaultAction?: 'ALLOW' | 'DENY') => ({
  userPoolId: 'us-east-1_Fields',
  awsRegion: 'us-east-1',
  appIdClientRegex: 'fields-app',
  ...(defaultAction ? { defaultAction } : {}),
  issuer: pool.issuer,
  jwksUri: pool.jwksUri,
});
const poolToken = (groups: string[]) => pool.sign({ sub: 'u-1', token_use: 'id', aud: 'fields-app', 'cognito:username': 'u', 'cognito:groups': groups });

beforeAll(async () => {
  pool = await startIssuer('/us-east-1_Fields');
});
afterAll(async () => {
  await pool?.close();
});

/** A gateway whose `Query.post` returns one post; every `Post` field is plain (no resolver). */
function postGateway(schemaSdl: string, config: Record<string, unknown>, options: { compiled: boolean }): Promise<TestGateway> {
  return startTestGateway({
    files: { 'post.js': POST, 'authorizer.mjs': AUTHORIZER },
    config: {
      schemaSdl,
      apiKeys: [{ name: 'k', value: KEY }],
      dataSources: { none: { type: 'NONE' } },
      resolvers: { 'Query.post': { kind: 'UNIT', dataSource: 'none', code: 'post.js' } },
      ...config,
    } as never,
    options: options.compiled ? {} : { compileQueries: false },
  });
}

async function post(gw: TestGateway, query: string, headers: Record<string, string>) {
  const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  expect(res.status).toBe(200);
  return res.json();
}

describe.each([
  ['graphql-jit', true],
  ['graphql-js', false],
])('API_KEY + user pools, run by %s', (_engine, compiled) => {
  const sdl = `
    type Query @aws_api_key @aws_cognito_user_pools { post: Post }
    type Post @aws_api_key @aws_cognito_user_pools {
      id: ID
      length: String
      keyOnly: String @aws_api_key
      admins: String @aws_api_key @aws_cognito_user_pools(cognito_groups: ["admin"])
    }`;
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await postGateway(
      sdl,
      { authentication: { type: 'API_KEY' }, additionalAuthentications: [{ type: 'AMAZON_COGNITO_USER_POOLS', config: poolConfig() }] },
      { compiled },
    );
  });
  const query = '{ post { id length keyOnly admins } }';

  it('an API key reads every field', async () => {
    expect(await post(gw, query, { 'x-api-key': KEY })).toEqual({ data: { post: { id: 'p1', length: 'L', keyOnly: 'k', admins: 'a' } } });
  });

  it('a user-pool caller is refused the API_KEY-only field and, outside the group, the group field', async () => {
    expect(await post(gw, query, { authorization: await poolToken(['readers']) })).toEqual({
      data: { post: { id: 'p1', length: 'L', keyOnly: null, admins: null } },
      errors: [unauthorized('keyOnly', 20), unauthorized('admins', 28)],
    });
  });

  it('a user-pool caller in the group reads the group field', async () => {
    expect(await post(gw, query, { authorization: await poolToken(['admin']) })).toEqual({
      data: { post: { id: 'p1', length: 'L', keyOnly: null, admins: 'a' } },
      errors: [unauthorized('keyOnly', 20)],
    });
  });
});

describe('a user pool with defaultAction DENY (docs/auth.md#directives)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const sdl = `
      type Query { post: Post @aws_auth(cognito_groups: ["Bloggers"]) }
      type Post { id: ID title: String @aws_auth(cognito_groups: ["Bloggers"]) }`;
    gw = await postGateway(sdl, { authentication: { type: 'AMAZON_COGNITO_USER_POOLS', config: poolConfig('DENY') } }, { compiled: true });
  });

  it('refuses a plain field without directives to a caller of a listed group', async () => {
    expect(await post(gw, '{ post { id title } }', { authorization: await poolToken(['Bloggers']) })).toEqual({
      data: { post: { id: null, title: 'Hello' } },
      errors: [unauthorized('id', 10)],
    });
  });
});

describe('a Lambda authorizer (docs/auth.md#aws_lambda)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const sdl = `
      type Query @aws_api_key @aws_lambda { post: Post }
      type Post @aws_api_key @aws_lambda { id: ID draft: String }`;
    gw = await postGateway(
      sdl,
      { authentication: { type: 'API_KEY' }, additionalAuthentications: [{ type: 'AWS_LAMBDA', config: { handler: 'authorizer.mjs#handler' } }] },
      { compiled: true },
    );
  });

  it('nulls a plain field its deniedFields list, with no error entry', async () => {
    expect(await post(gw, '{ post { id draft } }', { authorization: 'let-me-in' })).toEqual({ data: { post: { id: 'p1', draft: null } } });
    expect(await post(gw, '{ post { id draft } }', { 'x-api-key': KEY })).toEqual({ data: { post: { id: 'p1', draft: 'd' } } });
  });
});

describe('an IAM credential with an allow list (docs/auth.md#aws_iam)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const sdl = `
      type Query @aws_api_key @aws_iam { post: Post }
      type Post @aws_api_key @aws_iam { id: ID title: String }`;
    gw = await postGateway(
      sdl,
      {
        authentication: { type: 'API_KEY' },
        additionalAuthentications: [{ type: 'AWS_IAM', config: { credentials: [IAM, IAM_NARROW], region: 'us-east-1' } }],
      },
      { compiled: true },
    );
  });

  it('refuses a plain field outside the list; a credential without a list reads it', async () => {
    const query = '{ post { id title } }';
    expect(await post(gw, query, await sigv4(gw, query, IAM_NARROW))).toEqual({
      data: { post: { id: 'p1', title: null } },
      errors: [unauthorized('title', 13)],
    });
    expect(await post(gw, query, await sigv4(gw, query, IAM))).toEqual({ data: { post: { id: 'p1', title: 'Hello' } } });
  });
});

describe('which fields keep a resolve', () => {
  const resolverOf = (schema: GraphQLSchema, path: string) => {
    const [type, field] = path.split('.');
    return (schema.getType(type!) as GraphQLObjectType).getFields()[field!]!.resolve;
  };
  const wire = (sdl: string, config: Partial<NormalizedConfig> = {}, withCognito = false) => {
    const schema = buildSchema(`${APPSYNC_PREAMBLE}\n${sdl}`);
    const providers = [createApiKeyProvider([]), ...(withCognito ? [createCognitoProvider({ userPoolId: 'us-east-1_Wire' })] : [])];
    const rules = buildAuthRules(
      schema,
      'API_KEY',
      providers.slice(1).map((p) => p.mode),
      providers,
    );
    const bound = new Map([['Query.post', {} as BoundResolver]]);
    attachFieldResolvers(schema, rules, config as NormalizedConfig, bound, () => null);
    return schema;
  };
  const sdl = `
    type Query { post: Post other: Post }
    type Post @aws_api_key @aws_cognito_user_pools { id: ID length: Int constructor: String keyOnly: String @aws_api_key }
    type Subscription { onPost: Post }`;

  it('a plain field every request may read has none; resolvers, subscriptions, guarded and inherited names keep theirs', () => {
    const schema = wire(sdl, {}, true);
    expect(resolverOf(schema, 'Post.id')).toBeUndefined();
    expect(resolverOf(schema, 'Query.post')).toBeTypeOf('function');
    // Query fields have no directive: the default mode only, so user-pool callers are refused.
    expect(resolverOf(schema, 'Query.other')).toBeTypeOf('function');
    expect(resolverOf(schema, 'Post.keyOnly')).toBeTypeOf('function');
    expect(resolverOf(schema, 'Subscription.onPost')).toBeTypeOf('function');
    // graphql-jit would read these from a string or an object's prototype; defaultFieldResolver does not.
    expect(resolverOf(schema, 'Post.length')).toBeTypeOf('function');
    expect(resolverOf(schema, 'Post.constructor')).toBeTypeOf('function');
  });

  it('with API_KEY alone, fields without directives have none', () => {
    const schema = wire(sdl);
    expect(resolverOf(schema, 'Query.other')).toBeUndefined();
    expect(resolverOf(schema, 'Post.keyOnly')).toBeUndefined();
    expect(resolverOf(schema, 'Query.post')).not.toBe(defaultFieldResolver);
    // Subscription fields answer the subscribe phase and the events themselves (subscribePhase).
    expect(resolverOf(schema, 'Subscription.onPost')).toBeTypeOf('function');
  });

  it('a queryDepthLimit keeps every field checked', () => {
    const schema = wire(sdl, { queryDepthLimit: 5 });
    expect(resolverOf(schema, 'Post.id')).toBeTypeOf('function');
    expect(resolverOf(schema, 'Query.other')).toBeTypeOf('function');
  });
});

/** Signs a GraphQL POST with the AWS SDK's SigV4 signer. */
function sigv4(gw: TestGateway, query: string, credential: { accessKeyId: string; secretAccessKey: string }) {
  return signedGraphQLHeaders(gw.url, query, credential);
}
