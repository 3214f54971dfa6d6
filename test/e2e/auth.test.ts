/**
 * The auth matrix over real HTTP (docs/auth.md): every mode on one API, directives on the
 * type and on fields, and credentials valid, expired, forged, of the wrong issuer / audience /
 * group, `alg: none`, HS256 signed with the public key, an unknown `kid`, or missing. IAM requests
 * are signed by the AWS SDK's own signer.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuer, type Issuer } from '../utils/jwks-server.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { signedGraphQLHeaders } from '../utils/sigv4.js';

const API_KEY = 'da2-authmatrixauthmatrixauth';
const IAM = {
  accessKeyId: 'AKIDGATEWAYTEST',
  secretAccessKey: 'gateway-test-secret',
  accountId: '111122223333',
  userArn: 'arn:aws:iam::111122223333:user/tester',
};

const SCHEMA = `
type Query @aws_api_key @aws_oidc {
  open: String
  iamOnly: String @aws_iam
  groupOnly: String @aws_cognito_user_pools(cognito_groups: ["admin"])
  anyPoolUser: String @aws_cognito_user_pools
  lambdaField: String @aws_lambda
  hiddenByLambda: String @aws_lambda
  secret: Secret @aws_api_key @aws_cognito_user_pools
  identity: AWSJSON @aws_api_key @aws_iam @aws_oidc @aws_cognito_user_pools @aws_lambda
}
type Secret {
  value: String
}
`;
const WHO = `import { util } from '@aws-appsync/utils';
export function request(ctx) { return { payload: util.authType() }; }
export function response(ctx) { return ctx.result; }
`;
const IDENTITY = `export function request(ctx) { return { payload: ctx.identity }; }
export function response(ctx) { return ctx.result; }
`;
const SECRET = `export function request() { return { payload: { value: 's3cret' } }; }
export function response(ctx) { return ctx.result; }
`;
const AUTHORIZER = `export async function handler(event) {
  if (event.authorizationToken === 'allow-me') {
    return { isAuthorized: true, resolverContext: { user: 'lambda-user', query: event.requestContext.queryString.length > 0 ? 'seen' : 'none' }, deniedFields: ['Query.hiddenByLambda'], ttlOverride: 0 };
  }
  if (event.authorizationToken === 'throw') throw new Error('boom');
  return { isAuthorized: false };
}
`;

let oidc: Issuer;
let pool: Issuer;
let other: Issuer;
let gw: TestGateway;

beforeAll(async () => {
  oidc = await startIssuer('/oidc');
  pool = await startIssuer('/us-east-1_TestPool');
  other = await startIssuer('/elsewhere');
  const fields = ['open', 'iamOnly', 'groupOnly', 'anyPoolUser', 'lambdaField', 'hiddenByLambda'];
  gw = await startTestGateway({
    files: { 'who.js': WHO, 'identity.js': IDENTITY, 'secret.js': SECRET, 'authorizer.mjs': AUTHORIZER },
    config: {
      schemaSdl: SCHEMA,
      authentication: { type: 'API_KEY' },
      additionalAuthentications: [
        { type: 'AWS_IAM', config: { credentials: [IAM], region: 'us-east-1' } },
        { type: 'OPENID_CONNECT', config: { issuer: oidc.issuer, clientId: 'web-client|mobile-client' } },
        {
          type: 'AMAZON_COGNITO_USER_POOLS',
          config: { userPoolId: 'us-east-1_TestPool', awsRegion: 'us-east-1', appIdClientRegex: 'pool-client', issuer: pool.issuer, jwksUri: pool.jwksUri },
        },
        { type: 'AWS_LAMBDA', config: { handler: 'authorizer.mjs#handler', identityValidationExpression: '[a-z-]+', authorizerResultTtlInSeconds: 60 } },
      ],
      apiKeys: [{ name: 'k', value: API_KEY }],
      dataSources: { none: { type: 'NONE' } },
      resolvers: {
        ...Object.fromEntries(fields.map((f) => [`Query.${f}`, { kind: 'UNIT', dataSource: 'none', code: 'who.js' }])),
        'Query.secret': { kind: 'UNIT', dataSource: 'none', code: 'secret.js' },
        'Query.identity': { kind: 'UNIT', dataSource: 'none', code: 'identity.js' },
      },
    },
  });
});
afterAll(async () => {
  await Promise.all([oidc?.close(), pool?.close(), other?.close()]);
});

async function post(query: string, headers: Record<string, string>) {
  const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: await res.json() };
}

/** Signs a GraphQL POST with the AWS SDK's SigV4 signer. */
function iamHeaders(query: string, options: { secret?: string; accessKeyId?: string; service?: string; date?: Date; region?: string } = {}) {
  return signedGraphQLHeaders(gw.url, query, {
    ...options,
    accessKeyId: options.accessKeyId ?? IAM.accessKeyId,
    secretAccessKey: options.secret ?? IAM.secretAccessKey,
  });
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const unauthorizedField = (field: string, type = 'Query') => ({
  path: [field],
  data: null,
  errorType: 'Unauthorized',
  errorInfo: null,
  locations: [{ line: 1, column: 3, sourceName: null }],
  message: `Not Authorized to access ${field} on type ${type}`,
});

describe('which fields each mode reaches (auth.md §3)', () => {
  const credentials: Record<string, () => Promise<Record<string, string>>> = {
    API_KEY: async () => ({ 'x-api-key': API_KEY }),
    OIDC: async () => ({ authorization: `Bearer ${await oidc.sign({ sub: 'o-1', aud: 'web-client' })}` }),
    'Cognito admin': async () => ({
      authorization: await pool.sign({ sub: 'c-1', token_use: 'id', aud: 'pool-client', 'cognito:username': 'ann', 'cognito:groups': ['admin'] }),
    }),
    'Cognito user': async () => ({
      authorization: await pool.sign({ sub: 'c-2', token_use: 'access', client_id: 'pool-client', 'cognito:groups': ['users'] }),
    }),
    Lambda: async () => ({ authorization: 'allow-me' }),
  };
  // [field, modes that may read it]
  const table: Array<[string, string[]]> = [
    ['open', ['API_KEY', 'OIDC']],
    ['iamOnly', []],
    ['groupOnly', ['Cognito admin']],
    ['anyPoolUser', ['Cognito admin', 'Cognito user']],
    ['lambdaField', ['Lambda']],
  ];
  for (const [who, headers] of Object.entries(credentials)) {
    for (const [field, allowed] of table) {
      const ok = allowed.includes(who);
      it(`${who} ${ok ? 'reads' : 'is refused'} ${field}`, async () => {
        const { status, body } = await post(`{ ${field} }`, await headers());
        expect(status).toBe(200);
        if (ok) expect(body.data[field]).toMatch(/Authorization$/);
        else expect(body).toEqual({ data: { [field]: null }, errors: [unauthorizedField(field)] });
      });
    }
  }

  it('checks every level: Cognito may read Query.secret but not Secret.value (no directives = default mode only)', async () => {
    const { body } = await post('{ secret { value } }', await credentials['Cognito admin']!());
    expect(body.data).toEqual({ secret: { value: null } });
    expect(body.errors).toEqual([
      { ...unauthorizedField('value', 'Secret'), path: ['secret', 'value'], locations: [{ line: 1, column: 12, sourceName: null }] },
    ]);
    const viaKey = await post('{ secret { value } }', { 'x-api-key': API_KEY });
    expect(viaKey.body).toEqual({ data: { secret: { value: 's3cret' } } });
  });
});

describe('OIDC tokens (auth.md §1, §6)', () => {
  const query = '{ open }';
  it('valid, raw or Bearer', async () => {
    const token = await oidc.sign({ sub: 'o-1', aud: ['x', 'mobile-client'] });
    for (const authorization of [token, `Bearer ${token}`]) {
      expect((await post(query, { authorization })).body).toEqual({ data: { open: 'Open ID Connect Authorization' } });
    }
  });

  it.each([
    ['expired', async () => oidc.sign({ sub: 'o', aud: 'web-client' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), 'Token has expired.'],
    // docs/auth.md#how-a-request-picks-its-mode Gateway choice: this API has a Lambda authorizer, which gets JWTs of unknown issuers (and refuses them).
    ['wrong issuer', async () => other.sign({ sub: 'o', aud: 'web-client' }), 'You are not authorized to make this call.'],
    ['wrong audience', async () => oidc.sign({ sub: 'o', aud: 'someone-else' }), 'Valid authorization header not provided.'],
    ['forged signature', async () => oidc.sign({ sub: 'o', aud: 'web-client' }, { key: 'unpublished' }), 'Valid authorization header not provided.'],
    ['unknown kid', async () => oidc.sign({ sub: 'o', aud: 'web-client' }, { key: 'unpublished', kid: 'key-9' }), 'Valid authorization header not provided.'],
    [
      'alg none',
      async () =>
        `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: oidc.issuer, sub: 'o', aud: 'web-client', exp: Math.floor(Date.now() / 1000) + 600 })}.`,
      'Valid authorization header not provided.',
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const head = `${b64url({ alg: 'HS256', kid: 'key-1' })}.${b64url({ iss: oidc.issuer, sub: 'o', aud: 'web-client', exp: Math.floor(Date.now() / 1000) + 600 })}`;
        const mac = createHmac('sha256', JSON.stringify(oidc.publicJwk)).update(head).digest('base64url');
        return `${head}.${mac}`;
      },
      'Valid authorization header not provided.',
    ],
  ])('%s → 401', async (_name, token, message) => {
    const { status, errorType, body } = await post(query, { authorization: await token() });
    expect(status).toBe(401);
    expect(errorType).toBe('UnauthorizedException');
    expect(body).toEqual({ errors: [{ errorType: 'UnauthorizedException', message }] });
  });

  it('missing credentials → 401', async () => {
    const { status, body } = await post(query, {});
    expect(status).toBe(401);
    expect(body).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
  });

  it('identity is { sub, issuer, claims }', async () => {
    const { body } = await post('{ identity }', { authorization: await oidc.sign({ sub: 'o-7', aud: 'web-client', email: 'o@x.y' }) });
    const identity = JSON.parse(body.data.identity);
    expect(Object.keys(identity)).toEqual(['sub', 'issuer', 'claims']);
    expect(identity).toMatchObject({ sub: 'o-7', issuer: oidc.issuer, claims: { email: 'o@x.y', aud: 'web-client' } });
  });
});

describe('Cognito tokens (auth.md §1-2, §5)', () => {
  it('identity carries username, groups, defaultAuthStrategy and sourceIp', async () => {
    const token = await pool.sign({ sub: 'c-1', token_use: 'id', aud: 'pool-client', 'cognito:username': 'ann', 'cognito:groups': ['admin'] });
    const { body } = await post('{ identity }', { authorization: token, 'x-forwarded-for': '203.0.113.9' });
    expect(JSON.parse(body.data.identity)).toMatchObject({
      sub: 'c-1',
      issuer: pool.issuer,
      username: 'ann',
      groups: ['admin'],
      defaultAuthStrategy: 'ALLOW',
      sourceIp: ['203.0.113.9', '127.0.0.1'],
    });
  });

  it.each([
    ['wrong app client', { sub: 'c', token_use: 'id', aud: 'other-client' }],
    ['not an id or access token', { sub: 'c', token_use: 'refresh', aud: 'pool-client' }],
  ])('%s → 401', async (_name, claims) => {
    const { status } = await post('{ anyPoolUser }', { authorization: await pool.sign(claims) });
    expect(status).toBe(401);
  });
});

describe('IAM (auth.md §1, §6), signed by the AWS SDK signer', () => {
  const query = '{ iamOnly }';
  it('a valid signature reaches @aws_iam fields with the IAM identity', async () => {
    expect((await post(query, await iamHeaders(query))).body).toEqual({ data: { iamOnly: 'IAM Authorization' } });
    const who = await post('{ identity }', await iamHeaders('{ identity }'));
    expect(JSON.parse(who.body.data.identity)).toEqual({
      accountId: '111122223333',
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      sourceIp: ['127.0.0.1'],
      username: 'AKIDGATEWAYTEST',
      userArn: 'arn:aws:iam::111122223333:user/tester',
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
    });
  });

  it.each([
    ['a wrong secret (forged)', { secret: 'not-the-secret' }, 'InvalidSignatureException'],
    ['an unknown access key', { accessKeyId: 'AKIDUNKNOWN' }, 'UnrecognizedClientException'],
    ['the wrong service', { service: 'lambda' }, 'InvalidSignatureException'],
    ['the wrong region', { region: 'eu-west-1' }, 'InvalidSignatureException'],
    ['a signature older than 5 minutes (replay)', { date: new Date(Date.now() - 6 * 60 * 1000) }, 'InvalidSignatureException'],
  ])('%s → 403 %s', async (_name, options, errorType) => {
    const res = await post(query, await iamHeaders(query, options));
    expect(res.status).toBe(403);
    expect(res.errorType).toBe(errorType);
    expect(res.body.errors[0].errorType).toBe(errorType);
  });

  it('a body changed after signing is refused', async () => {
    const headers = await iamHeaders('{ open }');
    const res = await post(query, headers);
    expect(res.status).toBe(403);
  });
});

describe('Lambda authorizer (auth.md §4)', () => {
  it('isAuthorized with resolverContext becomes ctx.identity; deniedFields come out null', async () => {
    const { body } = await post('{ identity lambdaField hiddenByLambda }', { authorization: 'allow-me' });
    expect(JSON.parse(body.data.identity)).toEqual({ resolverContext: { user: 'lambda-user', query: 'seen' } });
    expect(body.data.lambdaField).toBe('Lambda Authorization');
    expect(body.data.hiddenByLambda).toBeNull();
    expect(body.errors).toBeUndefined();
  });

  it.each([
    ['isAuthorized false', 'deny-me'],
    ['an authorizer that throws', 'throw'],
    ['a token failing identityValidationExpression', 'NOT_VALID_123'],
  ])('%s → 401', async (_name, token) => {
    const { status, body } = await post('{ lambdaField }', { authorization: token });
    expect(status).toBe(401);
    expect(body).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
  });
});

describe('secrets stay out of errors', () => {
  it('a refused token is not echoed', async () => {
    const token = await oidc.sign({ sub: 'o', aud: 'nope' });
    const { body } = await post('{ open }', { authorization: token });
    expect(JSON.stringify(body)).not.toContain(token.slice(0, 20));
  });
});
