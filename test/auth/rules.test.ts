/**
 * auth.md §2-3 as a table: which mode (and which user-pool groups) reaches which field, for
 * directives on the field, on the type, on both, on a type extension, and on neither; and which fields
 * no request can be refused at, for the API's providers (admitsEveryRequest).
 */
import { tmpdir } from 'node:os';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createApiKeyProvider } from '../../src/auth/api-key.js';
import { createCognitoProvider } from '../../src/auth/cognito.js';
import { createIamProvider } from '../../src/auth/iam.js';
import { createLambdaAuthorizer } from '../../src/auth/lambda.js';
import { createOidcProvider } from '../../src/auth/oidc.js';
import { buildAuthRules } from '../../src/auth/rules.js';
import type { AuthContext, AuthMode, AuthProvider } from '../../src/auth/types.js';
import type { NormalizedConfig } from '../../src/config/types.js';
import { APPSYNC_PREAMBLE } from '../../src/schema/index.js';
import { silentLogger } from '../utils/logger.js';

const SDL = `${APPSYNC_PREAMBLE}
type Query {
  plain: String
  keyOnly: String @aws_api_key
  getPost: Post @aws_api_key @aws_iam
  adminOnly: String @aws_cognito_user_pools(cognito_groups: ["admin"])
  adminOrKey: String @aws_api_key @aws_cognito_user_pools(cognito_groups: ["admin", "ops"])
  anyPoolUser: String @aws_cognito_user_pools
  lambdaOrOidc: String @aws_lambda @aws_oidc
}
type Post @aws_api_key @aws_iam {
  id: ID
  restrictedContent: String @aws_iam
}
type Comment {
  text: String
}
extend type Comment @aws_oidc
`;

const schema = buildSchema(SDL);
const as = (mode: AuthMode, extra: Partial<AuthContext> = {}): AuthContext => ({ mode, identity: null, ...extra });
const KEY = as('API_KEY');
const IAM = as('AWS_IAM');
const OIDC = as('OPENID_CONNECT');
const LAMBDA = as('AWS_LAMBDA');
const POOL_ADMIN = as('AMAZON_COGNITO_USER_POOLS', { groups: ['admin'], defaultAction: 'ALLOW' });
const POOL_USER = as('AMAZON_COGNITO_USER_POOLS', { groups: ['users'], defaultAction: 'ALLOW' });
const POOL_NONE = as('AMAZON_COGNITO_USER_POOLS', { groups: [], defaultAction: 'ALLOW' });

describe('multi-auth, default API_KEY (auth.md §3)', () => {
  const rules = buildAuthRules(schema, 'API_KEY', ['AWS_IAM', 'OPENID_CONNECT', 'AMAZON_COGNITO_USER_POOLS', 'AWS_LAMBDA']);
  const cases: Array<[string, string, string, AuthContext, boolean]> = [
    ['step 3: no directive anywhere → default mode only', 'Query', 'plain', KEY, true],
    ['step 3: no directive anywhere → other modes refused', 'Query', 'plain', IAM, false],
    ['step 3: … also user-pool callers', 'Query', 'plain', POOL_ADMIN, false],
    ['step 1: field directive', 'Query', 'keyOnly', KEY, true],
    ['step 1: field directive excludes others', 'Query', 'keyOnly', OIDC, false],
    ['step 1: two directives, both modes', 'Query', 'getPost', IAM, true],
    ['step 2: type directive applies to a bare field', 'Post', 'id', KEY, true],
    ['step 2: type directive applies to a bare field (IAM)', 'Post', 'id', IAM, true],
    ['step 2: type directive excludes unlisted modes', 'Post', 'id', OIDC, false],
    ['step 1: field overrides type (AWS example restrictedContent)', 'Post', 'restrictedContent', KEY, false],
    ['step 1: field overrides type, IAM kept', 'Post', 'restrictedContent', IAM, true],
    ['step 4: default mode not implied once directives exist', 'Query', 'lambdaOrOidc', KEY, false],
    ['lambda directive', 'Query', 'lambdaOrOidc', LAMBDA, true],
    ['oidc directive', 'Query', 'lambdaOrOidc', OIDC, true],
    ['type directive from an extension', 'Comment', 'text', OIDC, true],
    ['type directive from an extension excludes the default', 'Comment', 'text', KEY, false],
    ['step 6: group member', 'Query', 'adminOnly', POOL_ADMIN, true],
    ['step 6: not in the group', 'Query', 'adminOnly', POOL_USER, false],
    ['step 6: no groups claim', 'Query', 'adminOnly', as('AMAZON_COGNITO_USER_POOLS', { defaultAction: 'ALLOW' }), false],
    ['step 6: groups do not restrict API_KEY beside them', 'Query', 'adminOrKey', KEY, true],
    ['step 6: second listed group', 'Query', 'adminOrKey', as('AMAZON_COGNITO_USER_POOLS', { groups: ['x', 'ops'] }), true],
    ['a group-less user-pool directive admits every token', 'Query', 'anyPoolUser', POOL_NONE, true],
    ['other modes never reach a user-pool-only field', 'Query', 'adminOnly', KEY, false],
    ['__typename is open to any authenticated caller', 'Query', '__typename', LAMBDA, true],
    ['introspection types are open', '__Schema', 'types', IAM, true],
  ];
  it.each(cases)('%s: %s.%s', (_name, type, field, auth, expected) => {
    expect(rules.canAccess(auth, type, field)).toBe(expected);
  });
});

describe('Cognito default mode with @aws_auth and defaultAction (auth.md §2)', () => {
  const legacy = buildSchema(`${APPSYNC_PREAMBLE}
    type Query {
      open: String
      bloggers: String @aws_auth(cognito_groups: ["Bloggers"])
      anyUser: String @aws_auth
    }`);
  const rules = buildAuthRules(legacy, 'AMAZON_COGNITO_USER_POOLS', []);
  const user = (defaultAction: 'ALLOW' | 'DENY', groups: string[]) => as('AMAZON_COGNITO_USER_POOLS', { groups, defaultAction });
  it.each([
    ['ALLOW', 'open', [], true],
    ['ALLOW', 'bloggers', ['Bloggers'], true],
    ['ALLOW', 'bloggers', ['Readers'], false],
    ['ALLOW', 'anyUser', [], true],
    ['DENY', 'open', ['Bloggers'], false],
    ['DENY', 'bloggers', ['Bloggers'], true],
    ['DENY', 'bloggers', ['Readers'], false],
    ['DENY', 'anyUser', ['Bloggers'], false],
  ] as const)('defaultAction %s, Query.%s, groups %j → %s', (action, field, groups, expected) => {
    expect(rules.canAccess(user(action, [...groups]), 'Query', field)).toBe(expected);
  });
});

describe('directives on an interface reach the types implementing it (auth.md §3, Gateway choice)', () => {
  const withInterfaces = buildSchema(`${APPSYNC_PREAMBLE}
    interface Node @aws_iam {
      id: ID!
      secret: String @aws_oidc
    }
    interface Named {
      name: String @aws_lambda
    }
    type Plain implements Node {
      id: ID!
      secret: String
      note: String
    }
    type Keyed implements Node @aws_api_key {
      id: ID!
      secret: String
      note: String @aws_api_key @aws_iam
    }
    type Both implements Node & Named {
      id: ID!
      secret: String @aws_api_key
      name: String
    }
    type Query { node: Node }`);
  const rules = buildAuthRules(withInterfaces, 'API_KEY', ['AWS_IAM', 'OPENID_CONNECT', 'AWS_LAMBDA']);
  const cases: Array<[string, string, string, AuthContext, boolean]> = [
    ['interface type directive applies to a bare field', 'Plain', 'id', IAM, true],
    ['… and replaces the default mode there', 'Plain', 'id', KEY, false],
    ['… also to fields the interface does not declare', 'Plain', 'note', IAM, true],
    ['interface field directive applies to the same field', 'Plain', 'secret', OIDC, true],
    ['… over the interface type directive', 'Plain', 'secret', IAM, false],
    ["the type's own directive beats the interface type directive", 'Keyed', 'id', KEY, true],
    ['… which then does not apply', 'Keyed', 'id', IAM, false],
    ["an interface field directive beats the type's own type directive", 'Keyed', 'secret', OIDC, true],
    ['… so the type directive does not reach that field', 'Keyed', 'secret', KEY, false],
    ["the type's own field directive beats everything", 'Both', 'secret', KEY, true],
    ['… including the interface field directive', 'Both', 'secret', OIDC, false],
    ['a field directive of a second interface applies', 'Both', 'name', LAMBDA, true],
    ['… and the first interface type directive covers the rest', 'Both', 'id', IAM, true],
    ['the interface itself keeps its own rules', 'Node', 'secret', OIDC, true],
  ];
  it.each(cases)('%s: %s.%s', (_name, type, field, auth, expected) => {
    expect(rules.canAccess(auth, type, field)).toBe(expected);
  });
});

describe('admitsEveryRequest: fields no request can be refused at need no per-request check (load time)', () => {
  const open = buildSchema(`${APPSYNC_PREAMBLE}
    type Query {
      plain: String
      keyOnly: String @aws_api_key
      keyOrPool: String @aws_api_key @aws_cognito_user_pools
      keyOrPoolGroups: String @aws_api_key @aws_cognito_user_pools(cognito_groups: ["admin"])
      keyOrIam: String @aws_api_key @aws_iam
      keyOrOidc: String @aws_api_key @aws_oidc
      keyOrLambda: String @aws_api_key @aws_lambda
      legacyAny: String @aws_auth
      legacyGroups: String @aws_auth(cognito_groups: ["Bloggers"])
      post: Post
    }
    type Post @aws_api_key @aws_cognito_user_pools {
      id: ID
      keyOnly: String @aws_api_key
    }`);
  const key = createApiKeyProvider([]);
  const iamCredential = { accessKeyId: 'AKIDRULES', secretAccessKey: 'rules-secret' };
  const iam = createIamProvider({ credentials: [iamCredential] });
  const iamWithAllow = createIamProvider({ credentials: [iamCredential, { accessKeyId: 'AKIDNARROW', secretAccessKey: 's', allow: ['Query.*'] }] });
  const pool = (defaultAction?: 'ALLOW' | 'DENY') => createCognitoProvider({ userPoolId: 'us-east-1_Rules', defaultAction });
  const oidc = createOidcProvider({ issuer: 'https://id.example.com' });
  // Through the Invoke API: nothing is invoked here, so no handler file is needed.
  const lambda = createLambdaAuthorizer(
    { functionName: 'rulesAuthorizer', endpoint: 'http://127.0.0.1:9' },
    { configDir: tmpdir(), gatewayConfig: { name: 'rules' } as NormalizedConfig, path: 'x', logger: silentLogger },
  );
  const rulesOf = (providers: readonly AuthProvider[] | undefined, modes = providers!.map((p) => p.mode)) =>
    buildAuthRules(open, modes[0]!, modes.slice(1), providers);

  it('the providers say whether their contexts restrict fields beyond their mode', () => {
    expect([key, iam, iamWithAllow, pool(), pool('ALLOW'), pool('DENY'), oidc, lambda].map((p) => p.restrictsFields)).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      false,
      true,
    ]);
  });

  const cases: Array<[string, readonly AuthProvider[] | undefined, string, string, boolean]> = [
    ['API_KEY alone: a field without directives (default mode)', [key], 'Query', 'plain', true],
    ['API_KEY alone: a field of its mode', [key], 'Query', 'keyOnly', true],
    ['API_KEY alone: a type directive', [key], 'Post', 'id', true],
    ['API_KEY alone: a field of another mode only', [key], 'Query', 'legacyAny', false],
    ['API_KEY + pool: a field only API_KEY reaches', [key, pool()], 'Query', 'keyOnly', false],
    ['API_KEY + pool: the field directive over a type admitting both', [key, pool()], 'Post', 'keyOnly', false],
    ['API_KEY + pool: both modes listed', [key, pool()], 'Query', 'keyOrPool', true],
    ['API_KEY + pool: both modes on the type', [key, pool()], 'Post', 'id', true],
    ['API_KEY + pool: user-pool groups', [key, pool()], 'Query', 'keyOrPoolGroups', false],
    ['API_KEY + pool with defaultAction DENY', [key, pool('DENY')], 'Query', 'keyOrPool', false],
    ['pool alone (ALLOW): no directive', [pool()], 'Query', 'plain', true],
    ['pool alone (ALLOW): group-less @aws_auth', [pool()], 'Query', 'legacyAny', true],
    ['pool alone (ALLOW): @aws_auth with groups', [pool()], 'Query', 'legacyGroups', false],
    ['pool alone (DENY): no directive', [pool('DENY')], 'Query', 'plain', false],
    ['pool alone (DENY): group-less @aws_auth', [pool('DENY')], 'Query', 'legacyAny', false],
    ['API_KEY + IAM without allow lists', [key, iam], 'Query', 'keyOrIam', true],
    ['API_KEY + IAM with an allow list', [key, iamWithAllow], 'Query', 'keyOrIam', false],
    ['API_KEY + OIDC', [key, oidc], 'Query', 'keyOrOidc', true],
    ['API_KEY + OIDC: OIDC not listed', [key, oidc], 'Query', 'keyOrIam', false],
    ['API_KEY + Lambda: deniedFields can null any field', [key, lambda], 'Query', 'keyOrLambda', false],
    ['providers unknown', undefined, 'Query', 'plain', false],
    ['API_KEY alone: a field the schema lacks', [key], 'Query', 'missing', false],
    ['API_KEY alone: introspection', [key], '__Schema', 'types', false],
  ];
  it.each(cases)('%s: %s.%s → %s', (_name, providers, type, field, expected) => {
    expect(rulesOf(providers, providers?.map((p) => p.mode) ?? ['API_KEY']).admitsEveryRequest(type, field)).toBe(expected);
  });

  it('a provider that does not say, or says nothing of a mode the API lacks, keeps the check', () => {
    const unknown: Pick<AuthProvider, 'mode' | 'restrictsFields'> = { mode: 'API_KEY' };
    expect(buildAuthRules(open, 'API_KEY', [], [unknown]).admitsEveryRequest('Query', 'plain')).toBe(false);
    expect(buildAuthRules(open, 'API_KEY', [], [{ mode: 'OPENID_CONNECT', restrictsFields: false }]).admitsEveryRequest('Query', 'plain')).toBe(false);
    // AWS_LAMBDA is read from the modes too, whatever a provider says.
    const lambdaSaysNo = [key, { mode: 'AWS_LAMBDA' as const, restrictsFields: false }];
    expect(buildAuthRules(open, 'API_KEY', ['AWS_LAMBDA'], lambdaSaysNo).admitsEveryRequest('Query', 'keyOrLambda')).toBe(false);
  });
});
