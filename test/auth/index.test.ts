/**
 * Mode selection (auth.md §1, Gateway choice): which provider a request's headers pick, and the
 * 401 messages of auth.md §6 when none does. Providers here are stand-ins that record the call;
 * the real ones are exercised in the other files of this folder and in test/e2e/auth.test.ts.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { authenticateRequest, createAuthProviders } from '../../src/auth/index.js';
import type { AuthMode, AuthProvider, AuthRequest } from '../../src/auth/types.js';
import { UnauthorizedError } from '../../src/errors.js';
import { silentLogger } from '../utils/logger.js';

const POOL_ISS = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool';
const OIDC_ISS = 'https://id.example.com';

function stub(mode: AuthMode, name: string, issuer?: string): AuthProvider & { issuer?: string } {
  return { mode, issuer, authenticate: () => ({ mode, identity: null, groups: [name] }) };
}

const all = [
  stub('API_KEY', 'key'),
  stub('AWS_IAM', 'iam'),
  stub('AMAZON_COGNITO_USER_POOLS', 'pool', POOL_ISS),
  stub('OPENID_CONNECT', 'oidc', OIDC_ISS),
  stub('AWS_LAMBDA', 'lambda'),
];
const onlyJwt = [stub('API_KEY', 'key'), stub('AMAZON_COGNITO_USER_POOLS', 'pool', POOL_ISS)];

const request = (headers: Record<string, string>): AuthRequest => ({ headers, method: 'POST', url: '/graphql', body: '{}', sourceIp: '127.0.0.1' });
const jwt = (iss: string) =>
  new SignJWT({ sub: 's' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(iss)
    .sign(new TextEncoder().encode('k'.repeat(32)));

async function outcome(providers: AuthProvider[], headers: Record<string, string>): Promise<string> {
  try {
    const ctx = await authenticateRequest(providers, request(headers));
    return ctx.groups![0]!;
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return `401 ${(error as Error).message}`;
  }
}

describe('which mode a request uses (auth.md §1)', () => {
  it.each([
    ['1. AWS4-HMAC-SHA256 → IAM', all, async () => ({ authorization: 'AWS4-HMAC-SHA256 Credential=x', 'x-api-key': 'k' }), 'iam'],
    ['2. JWT of the pool → Cognito', all, async () => ({ authorization: await jwt(POOL_ISS) }), 'pool'],
    ['2. Bearer JWT of the OIDC issuer → OIDC', all, async () => ({ authorization: `Bearer ${await jwt(OIDC_ISS)}` }), 'oidc'],
    ['2. lower-case bearer scheme', all, async () => ({ authorization: `bearer ${await jwt(POOL_ISS)}` }), 'pool'],
    ['2. a JWT wins over x-api-key', all, async () => ({ authorization: await jwt(OIDC_ISS), 'x-api-key': 'k' }), 'oidc'],
    ['3. another token → Lambda', all, async () => ({ authorization: 'custom-token' }), 'lambda'],
    ['3. a JWT of an unknown issuer → Lambda when configured', all, async () => ({ authorization: await jwt('https://other') }), 'lambda'],
    ['4. only x-api-key → API_KEY', all, async () => ({ 'x-api-key': 'k' }), 'key'],
    ['5. nothing → 401', all, async () => ({}), '401 You are not authorized to make this call.'],
    ['5. IAM not configured → 401', onlyJwt, async () => ({ authorization: 'AWS4-HMAC-SHA256 Credential=x' }), '401 You are not authorized to make this call.'],
    [
      '5. JWT of an unknown issuer without Lambda → 401',
      onlyJwt,
      async () => ({ authorization: await jwt('https://other') }),
      '401 Valid authorization header not provided.',
    ],
    ['5. a token that is no JWT without Lambda → 401', onlyJwt, async () => ({ authorization: 'not-a-jwt' }), '401 Unable to parse JWT token.'],
    ['5. three dots of garbage → 401', onlyJwt, async () => ({ authorization: 'a.b.c' }), '401 Unable to parse JWT token.'],
    ['4. an unusable Authorization falls back to x-api-key', onlyJwt, async () => ({ authorization: 'not-a-jwt', 'x-api-key': 'k' }), 'key'],
    ['5. no API_KEY mode, only x-api-key → 401', [stub('AWS_IAM', 'iam')], async () => ({ 'x-api-key': 'k' }), '401 You are not authorized to make this call.'],
    [
      '5. Authorization with only API_KEY configured → 401',
      [stub('API_KEY', 'key')],
      async () => ({ authorization: 'x' }),
      '401 You are not authorized to make this call.',
    ],
  ] as const)('%s', async (_name, providers, headers, expected) => {
    expect(await outcome([...providers], await headers())).toBe(expected);
  });
});

describe('createAuthProviders config limits (auth.md §1)', () => {
  const base = { apiKeys: [], configDir: '/tmp', name: 'api' };
  it('refuses a second Lambda authorizer, naming the key', async () => {
    const config = {
      ...base,
      authentication: { type: 'API_KEY', config: {} },
      additionalAuthentications: [1, 2].map(() => ({ type: 'AWS_LAMBDA', config: { handler: 'x.mjs#h' } })),
    };
    await expect(createAuthProviders(config as never, silentLogger)).rejects.toThrow(/additionalAuthentications: an API has at most one Lambda authorizer/);
  });
  it('refuses more than 50 providers', async () => {
    const config = {
      ...base,
      authentication: { type: 'API_KEY', config: {} },
      additionalAuthentications: Array.from({ length: 50 }, () => ({ type: 'API_KEY', config: {} })),
    };
    await expect(createAuthProviders(config as never, silentLogger)).rejects.toThrow(/at most 50 auth providers, got 51/);
  });
});
