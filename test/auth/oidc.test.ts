/**
 * OPENID_CONNECT (auth.md §1-2, §6) against a discovery + JWKS server on loopback: discovery once,
 * keys cached and refetched on an unknown `kid`, `clientId` regex, `iatTTL` / `authTTL` in ms.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOidcProvider, validateOidcConfig, verifyOidcToken } from '../../src/auth/oidc.js';
import { jwksFor } from '../../src/auth/jwt.js';
import type { AuthRequest } from '../../src/auth/types.js';
import { ConfigError, UnauthorizedError } from '../../src/errors.js';
import { startIssuer, type Issuer } from '../utils/jwks-server.js';

let idp: Issuer;
beforeAll(async () => {
  idp = await startIssuer('/realms/test');
});
afterAll(() => idp?.close());
afterEach(() => {
  vi.useRealTimers();
});

const req = (authorization: string): AuthRequest => ({ headers: { authorization }, method: 'POST', url: '/graphql', body: '', sourceIp: '127.0.0.1' });
const now = () => Math.floor(Date.now() / 1000);

async function message(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return (error as Error).message;
  }
}

describe('verifyOidcToken (auth.md §2)', () => {
  const keys = () => jwksFor({ issuer: idp.issuer });
  it.each([
    ['no clientId: any audience', {}, { aud: 'anything' }, 'accepted'],
    ['clientId as a plain id', { clientId: 'web' }, { aud: 'web' }, 'accepted'],
    ['clientId must match the whole id', { clientId: 'web' }, { aud: 'web-2' }, 'Valid authorization header not provided.'],
    ['clientId regex, any element of aud', { clientId: 'web|mobile' }, { aud: ['api', 'mobile'] }, 'accepted'],
    ['clientId and no aud', { clientId: 'web' }, {}, 'Valid authorization header not provided.'],
    ['iatTTL: issued 2 s ago, 10 s allowed', { iatTTL: 10_000 }, { iat: now() - 2 }, 'accepted'],
    ['iatTTL: issued 20 s ago, 10 s allowed', { iatTTL: 10_000 }, { iat: now() - 20 }, 'Token has expired.'],
    ['authTTL: authenticated 20 s ago, 10 s allowed', { authTTL: 10_000 }, { auth_time: now() - 20 }, 'Token has expired.'],
    ['authTTL: authenticated 2 s ago', { authTTL: 10_000 }, { auth_time: now() - 2 }, 'accepted'],
    ['authTTL set, token without auth_time', { authTTL: 10_000 }, {}, 'Token has expired.'],
    ['iatTTL 0 = no check', { iatTTL: 0 }, { iat: now() - 100_000 }, 'accepted'],
    ['exp in the past', {}, { exp: now() - 5 }, 'Token has expired.'],
  ] as const)('%s → %s', async (_name, settings, claims, expected) => {
    const token = await idp.sign({ sub: 'u', ...claims });
    expect(await message(verifyOidcToken(token, { issuer: idp.issuer, ...settings }, keys()))).toBe(expected);
  });

  it('iss must equal the issuer exactly (a trailing slash differs)', async () => {
    const token = await idp.sign({ sub: 'u', iss: `${idp.issuer}/` });
    expect(await message(verifyOidcToken(token, { issuer: idp.issuer }, keys()))).toBe('Valid authorization header not provided.');
  });
});

describe('keys from discovery (auth.md §1)', () => {
  it('reads the discovery document once and caches the JWKS', async () => {
    const provider = createOidcProvider({ issuer: idp.issuer });
    const discoveries = idp.discoveryFetches();
    const fetches = idp.jwksFetches();
    for (let i = 0; i < 3; i++) {
      const ctx = await provider.authenticate(req(`Bearer ${await idp.sign({ sub: `u${i}` })}`));
      expect(ctx?.identity).toMatchObject({ sub: `u${i}`, issuer: idp.issuer });
    }
    expect(idp.discoveryFetches() - discoveries).toBe(1);
    expect(idp.jwksFetches() - fetches).toBe(1);
  });

  it('refetches the JWKS when a token names an unknown kid (key rotation), past the 30 s cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const provider = createOidcProvider({ issuer: idp.issuer });
    expect(await provider.authenticate(req(await idp.sign({ sub: 'before' })))).not.toBeNull();
    const fetches = idp.jwksFetches();
    await idp.rotate();
    // Within the cooldown an unknown kid does not trigger a fetch: one refusal, no request storm.
    expect(await message(Promise.resolve(provider.authenticate(req(await idp.sign({ sub: 'soon' })))))).toBe('Valid authorization header not provided.');
    expect(idp.jwksFetches()).toBe(fetches);
    vi.setSystemTime(Date.now() + 31_000);
    const ctx = await provider.authenticate(req(await idp.sign({ sub: 'after' })));
    expect(ctx?.identity).toMatchObject({ sub: 'after' });
    expect(idp.jwksFetches()).toBe(fetches + 1);
  });

  it('a discovery document naming another issuer is refused (and retried on the next request)', async () => {
    const liar = await startIssuer('/liar', { discoveryIssuer: 'https://someone-else.example' });
    try {
      const provider = createOidcProvider({ issuer: liar.issuer });
      const token = await liar.sign({ sub: 'x' });
      expect(await message(Promise.resolve(provider.authenticate(req(token))))).toBe('Valid authorization header not provided.');
      expect(await message(Promise.resolve(provider.authenticate(req(token))))).toBe('Valid authorization header not provided.');
      expect(liar.discoveryFetches()).toBe(2);
      expect(liar.jwksFetches()).toBe(0);
    } finally {
      await liar.close();
    }
  });

  it('a token of another issuer is not this provider’s', async () => {
    const provider = createOidcProvider({ issuer: idp.issuer });
    expect(await provider.authenticate(req(await idp.sign({ iss: 'https://elsewhere', sub: 'x' })))).toBeNull();
  });
});

describe('validateOidcConfig names the key', () => {
  it.each([
    [{}, 'authentication.config.issuer'],
    [{ issuer: 'https://x', iatTTL: '10' }, 'authentication.config.iatTTL'],
    [{ issuer: 'https://x', authTTL: -1 }, 'authentication.config.authTTL'],
  ])('%j → %s', (config, path) => {
    expect(() => validateOidcConfig(config, 'authentication.config')).toThrow(ConfigError);
    expect(() => validateOidcConfig(config, 'authentication.config')).toThrow(path);
  });
});
