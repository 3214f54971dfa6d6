/**
 * AMAZON_COGNITO_USER_POOLS (auth.md §1-2, §5) against a local pool (issuer + JWKS override) on
 * loopback: token_use, appIdClientRegex on `aud` / `client_id`, groups and the identity shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cognitoIssuer, createCognitoProvider, validateCognitoConfig } from '../../src/auth/cognito.js';
import type { AuthRequest } from '../../src/auth/types.js';
import { ConfigError, UnauthorizedError } from '../../src/errors.js';
import { startIssuer, type Issuer } from '../utils/jwks-server.js';

let pool: Issuer;
beforeAll(async () => {
  pool = await startIssuer('/us-west-2_Local');
});
afterAll(() => pool?.close());

const req = (authorization: string, extra: Record<string, string> = {}): AuthRequest => ({
  headers: { authorization, ...extra },
  method: 'POST',
  url: '/graphql',
  body: '',
  sourceIp: '::ffff:10.0.0.7',
});

async function outcome(config: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const provider = createCognitoProvider({ userPoolId: 'us-west-2_Local', issuer: pool.issuer, jwksUri: pool.jwksUri, ...config });
  try {
    const ctx = await provider.authenticate(req(await pool.sign(claims)));
    return ctx ? 'accepted' : 'not this pool';
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return (error as Error).message;
  }
}

describe('which tokens the pool accepts (auth.md §2)', () => {
  it.each([
    ['ID token, no regex', {}, { token_use: 'id', aud: 'any' }, 'accepted'],
    ['access token, no regex', {}, { token_use: 'access', client_id: 'any' }, 'accepted'],
    ['refresh/other token_use', {}, { token_use: 'refresh' }, 'Valid authorization header not provided.'],
    ['no token_use', {}, {}, 'Valid authorization header not provided.'],
    ['ID token: regex on aud', { appIdClientRegex: 'app-[0-9]+' }, { token_use: 'id', aud: 'app-42' }, 'accepted'],
    ['ID token: aud outside the regex', { appIdClientRegex: 'app-[0-9]+' }, { token_use: 'id', aud: 'app-x' }, 'Valid authorization header not provided.'],
    ['access token: regex on client_id', { appIdClientRegex: 'app-[0-9]+' }, { token_use: 'access', client_id: 'app-7' }, 'accepted'],
    [
      'access token: aud is not consulted',
      { appIdClientRegex: 'app-[0-9]+' },
      { token_use: 'access', aud: 'app-7', client_id: 'web' },
      'Valid authorization header not provided.',
    ],
    ['expired', {}, { token_use: 'id', aud: 'a', exp: Math.floor(Date.now() / 1000) - 1 }, 'Token has expired.'],
    ['another pool’s token', {}, { token_use: 'id', iss: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Other' }, 'not this pool'],
  ])('%s → %s', async (_name, config, claims, expected) => {
    expect(await outcome(config, claims)).toBe(expected);
  });
});

describe('identity (auth.md §5)', () => {
  it('sub, issuer, username, claims, sourceIp, defaultAuthStrategy, groups', async () => {
    const provider = createCognitoProvider({ userPoolId: 'us-west-2_Local', issuer: pool.issuer, jwksUri: pool.jwksUri, defaultAction: 'DENY' });
    const token = await pool.sign({ sub: 's-1', token_use: 'id', aud: 'c', 'cognito:username': 'ann', 'cognito:groups': ['admin', 'ops'], email: 'a@x.y' });
    const ctx = await provider.authenticate(req(token, { 'x-forwarded-for': '198.51.100.1, 203.0.113.2' }));
    expect(ctx).toMatchObject({ mode: 'AMAZON_COGNITO_USER_POOLS', groups: ['admin', 'ops'], defaultAction: 'DENY' });
    expect(ctx!.identity).toEqual({
      sub: 's-1',
      issuer: pool.issuer,
      username: 'ann',
      claims: expect.objectContaining({ email: 'a@x.y', 'cognito:groups': ['admin', 'ops'], token_use: 'id' }),
      sourceIp: ['198.51.100.1', '203.0.113.2', '10.0.0.7'],
      defaultAuthStrategy: 'DENY',
      groups: ['admin', 'ops'],
    });
  });

  it('groups is null without a cognito:groups claim; access tokens name the user in `username`', async () => {
    const provider = createCognitoProvider({ userPoolId: 'us-west-2_Local', issuer: pool.issuer, jwksUri: pool.jwksUri });
    const ctx = await provider.authenticate(req(`Bearer ${await pool.sign({ sub: 's-2', token_use: 'access', client_id: 'c', username: 'bob' })}`));
    expect(ctx!.identity).toMatchObject({ username: 'bob', groups: null, defaultAuthStrategy: 'ALLOW' });
  });
});

describe('config', () => {
  it('the issuer of an AWS pool is derived from region and pool id', () => {
    expect(cognitoIssuer({ userPoolId: 'eu-west-1_AbC', awsRegion: 'eu-west-1' })).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC');
    expect(cognitoIssuer({ userPoolId: 'eu-west-1_AbC' })).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC');
  });
  it.each([
    [{}, true, 'authentication.config.userPoolId'],
    [{ userPoolId: 'p', defaultAction: 'MAYBE' }, true, 'authentication.config.defaultAction'],
    [{ userPoolId: 'p', defaultAction: 'ALLOW' }, false, 'authentication.config.defaultAction'],
  ])('%j (default provider: %s) → %s', (config, isDefault, path) => {
    expect(() => validateCognitoConfig(config, 'authentication.config', isDefault)).toThrow(ConfigError);
    expect(() => validateCognitoConfig(config, 'authentication.config', isDefault)).toThrow(path);
  });
});
