/**
 * The auth matrix over real HTTP (issue 8, docs/auth.md): mode × directive placement ×
 * credential state. Tokens are signed by keys the suite generates and served by JWKS/discovery
 * servers on loopback; IAM requests are signed by the AWS SDK's SigV4 signer. Every cell asserts
 * the whole response.
 *
 * Gateway M: Cognito default (defaultAction ALLOW) + API_KEY + AWS_IAM + OPENID_CONNECT.
 * Gateway L: AWS_LAMBDA default + API_KEY.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuer, type Issuer } from '../utils/jwks-server.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { signedGraphQLHeaders } from '../utils/sigv4.js';

const KEY = 'da2-matrixmatrixmatrixmatrix12';
const OLD_KEY = 'da2-expiredexpiredexpiredexp1';
const IAM = { accessKeyId: 'AKIDMATRIX', secretAccessKey: 'matrix-secret', accountId: '444455556666', userArn: 'arn:aws:iam::444455556666:role/matrix' };
/** A caller whose (local) IAM policy allows one field. */
const IAM_NARROW = { accessKeyId: 'AKIDNARROW', secretAccessKey: 'narrow-secret', accountId: '444455556666', allow: ['Query.fieldIam'] };
const NOT_AUTHORIZED = 'You are not authorized to make this call.';
const INVALID = 'Valid authorization header not provided.';
const EXPIRED = 'Token has expired.';
const UNPARSABLE = 'Unable to parse JWT token.';

const SCHEMA_M = `
type Query {
  bare: String
  fieldPool: String @aws_cognito_user_pools(cognito_groups: ["admin"])
  fieldOidc: String @aws_oidc
  fieldIam: String @aws_iam
  fieldKey: String @aws_api_key
  typed: Typed @aws_api_key @aws_iam @aws_oidc @aws_cognito_user_pools
}
type Typed @aws_oidc @aws_cognito_user_pools(cognito_groups: ["admin"]) {
  viaType: String
  override: String @aws_iam @aws_api_key
}
`;
const SCHEMA_L = `
type Query {
  bare: String
  fieldKey: String @aws_api_key
  both: String @aws_lambda @aws_api_key
  denied: String @aws_lambda
}
`;
const AUTH_TYPE = `import { util } from '@aws-appsync/utils';
export function request() { return { payload: util.authType() }; }
export function response(ctx) { return ctx.result; }
`;
const TYPED = `export function request() { return { payload: { viaType: 'type-level', override: 'field-level' } }; }
export function response(ctx) { return ctx.result; }
`;
const AUTHORIZER = `export function handler(event) {
  if (event.authorizationToken === 'let-me-in') return { isAuthorized: true, deniedFields: ['Query.denied'] };
  if (event.authorizationToken === 'explode') throw new Error('authorizer failure');
  return { isAuthorized: false };
}
`;

let pool: Issuer;
let oidc: Issuer;
let stranger: Issuer;
let m: TestGateway;
let l: TestGateway;

const resolvers = (fields: string[]) => ({
  ...Object.fromEntries(fields.map((f) => [`Query.${f}`, { kind: 'UNIT' as const, dataSource: 'none', code: 'authType.js' }])),
});

beforeAll(async () => {
  [pool, oidc, stranger] = await Promise.all([startIssuer('/us-east-1_Matrix'), startIssuer('/oidc'), startIssuer('/stranger')]);
  m = await startTestGateway({
    files: { 'authType.js': AUTH_TYPE, 'typed.js': TYPED },
    config: {
      schemaSdl: SCHEMA_M,
      authentication: {
        type: 'AMAZON_COGNITO_USER_POOLS',
        config: {
          userPoolId: 'us-east-1_Matrix',
          awsRegion: 'us-east-1',
          defaultAction: 'ALLOW',
          appIdClientRegex: 'matrix-app',
          issuer: pool.issuer,
          jwksUri: pool.jwksUri,
        },
      },
      additionalAuthentications: [
        { type: 'API_KEY' },
        { type: 'AWS_IAM', config: { credentials: [IAM, IAM_NARROW], region: 'us-east-1' } },
        { type: 'OPENID_CONNECT', config: { issuer: oidc.issuer, clientId: 'matrix-oidc' } },
      ],
      apiKeys: [
        { name: 'live', value: KEY },
        { name: 'old', value: OLD_KEY, expiresAt: Math.floor(Date.now() / 1000) - 3600 },
      ],
      dataSources: { none: { type: 'NONE' } },
      resolvers: {
        ...resolvers(['bare', 'fieldPool', 'fieldOidc', 'fieldIam', 'fieldKey']),
        'Query.typed': { kind: 'UNIT', dataSource: 'none', code: 'typed.js' },
      },
    },
  });
  l = await startTestGateway({
    files: { 'authType.js': AUTH_TYPE, 'authorizer.mjs': AUTHORIZER },
    config: {
      schemaSdl: SCHEMA_L,
      authentication: { type: 'AWS_LAMBDA', config: { handler: 'authorizer.mjs#handler', identityValidationExpression: '[a-z-]+' } },
      additionalAuthentications: [{ type: 'API_KEY' }],
      apiKeys: [{ name: 'live', value: KEY }],
      dataSources: { none: { type: 'NONE' } },
      resolvers: resolvers(['bare', 'fieldKey', 'both', 'denied']),
    },
  });
});
afterAll(async () => {
  await Promise.all([pool?.close(), oidc?.close(), stranger?.close()]);
});

async function post(gw: TestGateway, query: string, headers: Record<string, string>) {
  const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: await res.json() };
}

function sigv4(gw: TestGateway, query: string, options: { secret?: string; accessKeyId?: string; service?: string; region?: string; date?: Date } = {}) {
  return signedGraphQLHeaders(gw.url, query, {
    ...options,
    accessKeyId: options.accessKeyId ?? IAM.accessKeyId,
    secretAccessKey: options.secret ?? IAM.secretAccessKey,
  });
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const algNone = (claims: Record<string, unknown>) => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, exp: inAnHour() })}.`;
function hs256WithPublicKey(issuer: Issuer, claims: Record<string, unknown>) {
  const head = `${b64url({ alg: 'HS256', typ: 'JWT', kid: 'key-1' })}.${b64url({ iss: issuer.issuer, ...claims, exp: inAnHour() })}`;
  return `${head}.${createHmac('sha256', JSON.stringify(issuer.publicJwk)).update(head).digest('base64url')}`;
}

const fieldDenied = (path: Array<string | number>, type: string, column: number) => ({
  path,
  data: null,
  errorType: 'Unauthorized',
  errorInfo: null,
  locations: [{ line: 1, column, sourceName: null }],
  message: `Not Authorized to access ${path[path.length - 1]} on type ${type}`,
});
const requestRefused = (message: string) => ({ errors: [{ errorType: 'UnauthorizedException', message }] });

type Caller = 'API_KEY' | 'AWS_IAM' | 'OIDC' | 'POOL_ADMIN' | 'POOL_USER';
const AUTH_TYPE_NAME: Record<Caller, string> = {
  API_KEY: 'API Key Authorization',
  AWS_IAM: 'IAM Authorization',
  OIDC: 'Open ID Connect Authorization',
  POOL_ADMIN: 'User Pool Authorization',
  POOL_USER: 'User Pool Authorization',
};
const poolClaims = (groups: string[]) => ({ sub: 'u-1', token_use: 'id', aud: 'matrix-app', 'cognito:username': 'matrix', 'cognito:groups': groups });
const oidcClaims = { sub: 'o-1', aud: 'matrix-oidc' };

async function credentials(caller: Caller, query: string): Promise<Record<string, string>> {
  switch (caller) {
    case 'API_KEY':
      return { 'x-api-key': KEY };
    case 'AWS_IAM':
      return sigv4(m, query);
    case 'OIDC':
      return { authorization: `Bearer ${await oidc.sign(oidcClaims)}` };
    case 'POOL_ADMIN':
      return { authorization: await pool.sign(poolClaims(['admin'])) };
    case 'POOL_USER':
      return { authorization: await pool.sign(poolClaims(['readers'])) };
  }
}

describe('gateway M: directive placement × valid caller (auth.md §3)', () => {
  // [placement, query, field path, parent type, column, callers allowed]
  const cells: Array<[string, string, Array<string | number>, string, number, Caller[]]> = [
    ['no directive: default mode (Cognito, ALLOW) only', '{ bare }', ['bare'], 'Query', 3, ['POOL_ADMIN', 'POOL_USER']],
    ['field @aws_cognito_user_pools(groups)', '{ fieldPool }', ['fieldPool'], 'Query', 3, ['POOL_ADMIN']],
    ['field @aws_oidc', '{ fieldOidc }', ['fieldOidc'], 'Query', 3, ['OIDC']],
    ['field @aws_iam', '{ fieldIam }', ['fieldIam'], 'Query', 3, ['AWS_IAM']],
    ['field @aws_api_key', '{ fieldKey }', ['fieldKey'], 'Query', 3, ['API_KEY']],
    ['type directives on a bare field', '{ typed { viaType } }', ['typed', 'viaType'], 'Typed', 11, ['OIDC', 'POOL_ADMIN']],
    ['field directives override the type’s', '{ typed { override } }', ['typed', 'override'], 'Typed', 11, ['AWS_IAM', 'API_KEY']],
  ];
  const callers: Caller[] = ['API_KEY', 'AWS_IAM', 'OIDC', 'POOL_ADMIN', 'POOL_USER'];
  for (const [placement, query, path, type, column, allowed] of cells) {
    for (const caller of callers) {
      const ok = allowed.includes(caller);
      it(`${placement}: ${caller} ${ok ? 'reads it' : 'is refused'}`, async () => {
        const { status, body } = await post(m, query, await credentials(caller, query));
        expect(status).toBe(200);
        const value = path.length === 1 ? AUTH_TYPE_NAME[caller] : path[1] === 'viaType' ? 'type-level' : 'field-level';
        const wrap = (v: unknown) => (path.length === 1 ? { [path[0]!]: v } : { [path[0]!]: { [path[1]!]: v } });
        if (ok) expect(body).toEqual({ data: wrap(value) });
        else expect(body).toEqual({ data: wrap(null), errors: [fieldDenied(path, type, column)] });
      });
    }
  }
});

describe('gateway M: credential states of JWT modes (auth.md §1, §6)', () => {
  const jwtModes: Array<[string, () => Issuer, Record<string, unknown>, string]> = [
    ['Cognito', () => pool, poolClaims(['admin']), '{ fieldPool }'],
    ['OIDC', () => oidc, oidcClaims, '{ fieldOidc }'],
  ];
  for (const [mode, issuerOf, claims, query] of jwtModes) {
    const field = query.slice(2, -2);
    const states: Array<[string, () => Promise<string>, number, unknown]> = [
      ['valid', async () => issuerOf().sign(claims), 200, { data: { [field]: mode === 'OIDC' ? 'Open ID Connect Authorization' : 'User Pool Authorization' } }],
      ['expired', async () => issuerOf().sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 30 }), 401, requestRefused(EXPIRED)],
      ['wrong issuer', async () => stranger.sign(claims), 401, requestRefused(INVALID)],
      ['wrong audience', async () => issuerOf().sign({ ...claims, aud: 'someone-else' }), 401, requestRefused(INVALID)],
      ['forged signature', async () => issuerOf().sign(claims, { key: 'unpublished' }), 401, requestRefused(INVALID)],
      ['alg: none', async () => algNone({ iss: issuerOf().issuer, ...claims }), 401, requestRefused(INVALID)],
      ['HS256 signed with the public key', async () => hs256WithPublicKey(issuerOf(), claims), 401, requestRefused(INVALID)],
      ['unknown kid', async () => issuerOf().sign(claims, { key: 'unpublished', kid: 'kid-nobody-knows' }), 401, requestRefused(INVALID)],
      ['not a JWT', async () => 'this-is-not-a-jwt', 401, requestRefused(UNPARSABLE)],
    ];
    for (const [state, token, status, expected] of states) {
      it(`${mode} token ${state} → ${status}`, async () => {
        const res = await post(m, query, { authorization: await token() });
        expect(res.status).toBe(status);
        expect(res.body).toEqual(expected);
        if (status === 401) expect(res.errorType).toBe('UnauthorizedException');
      });
    }
  }

  it('Cognito token of the wrong group → 200, field Unauthorized', async () => {
    const res = await post(m, '{ fieldPool }', { authorization: await pool.sign(poolClaims(['readers'])) });
    expect(res.body).toEqual({ data: { fieldPool: null }, errors: [fieldDenied(['fieldPool'], 'Query', 3)] });
  });

  it('Cognito token of the wrong group on a type with groups → the nested field is Unauthorized', async () => {
    const res = await post(m, '{ typed { viaType } }', { authorization: await pool.sign(poolClaims([])) });
    expect(res.body).toEqual({ data: { typed: { viaType: null } }, errors: [fieldDenied(['typed', 'viaType'], 'Typed', 11)] });
  });

  it('missing credentials → 401', async () => {
    const res = await post(m, '{ bare }', {});
    expect(res).toEqual({ status: 401, errorType: 'UnauthorizedException', body: requestRefused(NOT_AUTHORIZED) });
  });
});

describe('gateway M: credential states of AWS_IAM and API_KEY (auth.md §1, §6, §7)', () => {
  const query = '{ fieldIam }';
  it.each([
    ['valid', {}, 200, 'IAM Authorization'],
    ['forged signature', { secret: 'forged' }, 403, 'InvalidSignatureException'],
    ['expired (signed 6 minutes ago)', { date: new Date(Date.now() - 6 * 60_000) }, 403, 'InvalidSignatureException'],
    ['wrong region', { region: 'eu-central-1' }, 403, 'InvalidSignatureException'],
    ['wrong service', { service: 'execute-api' }, 403, 'InvalidSignatureException'],
    ['unknown access key', { accessKeyId: 'AKIDSTRANGER' }, 403, 'UnrecognizedClientException'],
  ] as const)('IAM %s → %s', async (_state, options, status, outcome) => {
    const res = await post(m, query, await sigv4(m, query, options));
    expect(res.status).toBe(status);
    if (status === 200) expect(res.body).toEqual({ data: { fieldIam: outcome } });
    else {
      expect(res.errorType).toBe(outcome);
      expect(res.body).toEqual({ errors: [{ errorType: outcome, message: expect.any(String) }] });
      expect(res.body.errors[0].message).not.toContain('matrix-secret');
    }
  });

  it('a credential whose policy allows one field is refused the others (field-level)', async () => {
    const narrow = { accessKeyId: IAM_NARROW.accessKeyId, secret: IAM_NARROW.secretAccessKey };
    expect((await post(m, query, await sigv4(m, query, narrow))).body).toEqual({ data: { fieldIam: 'IAM Authorization' } });
    const other = '{ typed { override } }';
    expect((await post(m, other, await sigv4(m, other, narrow))).body).toEqual({ data: { typed: null }, errors: [fieldDenied(['typed'], 'Query', 3)] });
  });

  it.each([
    ['valid', KEY, 200],
    ['expired', OLD_KEY, 401],
    ['unknown', 'da2-notakeynotakeynotakeynotak', 401],
  ] as const)('API key %s → %s', async (_state, key, status) => {
    const res = await post(m, '{ fieldKey }', { 'x-api-key': key });
    expect(res.status).toBe(status);
    expect(res.body).toEqual(status === 200 ? { data: { fieldKey: 'API Key Authorization' } } : requestRefused(NOT_AUTHORIZED));
  });
});

describe('gateway L: Lambda default mode (auth.md §3-4)', () => {
  it.each([
    ['no directive → default (Lambda)', '{ bare }', 'bare', { authorization: 'let-me-in' }, 'Lambda Authorization'],
    ['no directive → API key refused', '{ bare }', 'bare', { 'x-api-key': KEY }, null],
    ['@aws_api_key → Lambda refused', '{ fieldKey }', 'fieldKey', { authorization: 'let-me-in' }, null],
    ['@aws_lambda @aws_api_key → Lambda', '{ both }', 'both', { authorization: 'let-me-in' }, 'Lambda Authorization'],
    ['@aws_lambda @aws_api_key → API key', '{ both }', 'both', { 'x-api-key': KEY }, 'API Key Authorization'],
  ] as const)('%s', async (_name, query, field, headers, value) => {
    const res = await post(l, query, headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(value === null ? { data: { [field]: null }, errors: [fieldDenied([field], 'Query', 3)] } : { data: { [field]: value } });
  });

  it('deniedFields come back null without an error entry', async () => {
    const res = await post(l, '{ bare denied }', { authorization: 'let-me-in' });
    expect(res.body).toEqual({ data: { bare: 'Lambda Authorization', denied: null } });
  });

  it.each([
    ['isAuthorized false', 'go-away'],
    ['authorizer throws', 'explode'],
    ['fails identityValidationExpression', 'NOT_LOWERCASE'],
    ['a JWT of no configured issuer (goes to the authorizer)', `${b64url({ alg: 'RS256' })}.${b64url({ iss: 'https://x' })}.sig`],
  ])('%s → 401', async (_name, token) => {
    const res = await post(l, '{ bare }', { authorization: token });
    expect(res).toEqual({ status: 401, errorType: 'UnauthorizedException', body: requestRefused(NOT_AUTHORIZED) });
  });
});
