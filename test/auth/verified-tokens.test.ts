/**
 * Verified tokens are kept (docs/auth.md#verified-tokens-are-kept): a Cognito pool or OIDC provider
 * verifies a token string once, checks its time claims at every use, never keeps a refusal, never
 * lends a verification to another provider, and keeps at most MAX_VERIFIED_TOKENS. Real tokens signed
 * with jose against a JWKS served on loopback; verifications are counted by wrapping the key source
 * jose asks once per verification.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCognitoProvider } from '../../src/auth/cognito.js';
import { authenticateRequest } from '../../src/auth/index.js';
import { jwksFor, type KeySource } from '../../src/auth/jwt.js';
import { createOidcProvider } from '../../src/auth/oidc.js';
import type { AuthProvider, AuthRequest } from '../../src/auth/types.js';
import { MAX_VERIFIED_TOKENS, VERIFIED_TOKEN_MAX_AGE_MS, VerifiedTokens } from '../../src/auth/verified-tokens.js';
import { UnauthorizedError } from '../../src/errors.js';
import { startIssuer, type Issuer } from '../utils/jwks-server.js';

let pool: Issuer;
let other: Issuer;
beforeAll(async () => {
  [pool, other] = await Promise.all([startIssuer('/us-west-2_Kept'), startIssuer('/us-west-2_Other')]);
});
afterAll(async () => {
  await Promise.all([pool?.close(), other?.close()]);
});
afterEach(() => {
  vi.useRealTimers();
});

const req = (token: string): AuthRequest => ({
  headers: { authorization: `Bearer ${token}` },
  method: 'POST',
  url: '/graphql',
  body: '',
  sourceIp: '10.0.0.7',
});
const seconds = () => Math.floor(Date.now() / 1000);

/** A key source that counts the verifications jose runs with it (verifyJwt asks it once per jwtVerify). */
function counting(jwksUri: string, issuer: string): { keys: KeySource; verifications: () => number } {
  const source = jwksFor({ issuer, jwksUri });
  let n = 0;
  return {
    keys: () => {
      n += 1;
      return source();
    },
    verifications: () => n,
  };
}

async function outcome(provider: AuthProvider, token: string): Promise<string> {
  try {
    const ctx = await provider.authenticate(req(token));
    return ctx ? `accepted ${String((ctx.identity as { sub: string }).sub)}` : 'not this provider';
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return (error as Error).message;
  }
}

function cognito(config: Record<string, unknown> = {}, jwks = pool) {
  const counter = counting(jwks.jwksUri, pool.issuer);
  const provider = createCognitoProvider({ userPoolId: 'us-west-2_Kept', issuer: pool.issuer, ...config }, { keys: counter.keys });
  return { provider, verifications: counter.verifications };
}

describe('a token accepted once is not verified again', () => {
  it('Cognito: two uses, one verification, the same identity', async () => {
    const { provider, verifications } = cognito();
    const token = await pool.sign({ sub: 'ann', token_use: 'id', aud: 'web', 'cognito:groups': ['ops'] });
    const first = await provider.authenticate(req(token));
    const second = await provider.authenticate({ ...req(token), headers: { authorization: token, 'x-forwarded-for': '198.51.100.1' } });
    expect(verifications()).toBe(1);
    expect(second).toEqual({ ...first, identity: { ...first!.identity, sourceIp: ['198.51.100.1', '10.0.0.7'] } });
    expect(second!.identity).toMatchObject({ sub: 'ann', groups: ['ops'] });
  });

  it('OIDC: two uses, one verification', async () => {
    const counter = counting(pool.jwksUri, pool.issuer);
    const provider = createOidcProvider({ issuer: pool.issuer, clientId: 'web' }, { keys: counter.keys });
    const token = await pool.sign({ sub: 'bob', aud: 'web' });
    expect(await outcome(provider, token)).toBe('accepted bob');
    expect(await outcome(provider, token)).toBe('accepted bob');
    expect(counter.verifications()).toBe(1);
  });

  it('the kept claims are frozen: a request cannot change what the next one reads', async () => {
    const { provider } = cognito();
    const token = await pool.sign({ sub: 'c', token_use: 'id', aud: 'web', 'cognito:groups': ['a'] });
    await provider.authenticate(req(token));
    const ctx = await provider.authenticate(req(token));
    const claims = (ctx!.identity as { claims: Record<string, unknown> }).claims;
    expect(Object.isFrozen(claims)).toBe(true);
    expect(Object.isFrozen(claims['cognito:groups'])).toBe(true);
  });

  it('is verified again once VERIFIED_TOKEN_MAX_AGE_MS has passed, whatever its exp', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { provider, verifications } = cognito();
    const token = await pool.sign({ sub: 'd', token_use: 'id', aud: 'web' });
    expect(await outcome(provider, token)).toBe('accepted d');
    vi.setSystemTime(Date.now() + VERIFIED_TOKEN_MAX_AGE_MS - 1_000);
    expect(await outcome(provider, token)).toBe('accepted d');
    expect(verifications()).toBe(1);
    vi.setSystemTime(Date.now() + 2_000);
    expect(await outcome(provider, token)).toBe('accepted d');
    expect(verifications()).toBe(2);
  });
});

describe('what is checked at every use', () => {
  it('a token accepted once is refused once its exp has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { provider, verifications } = cognito();
    const token = await pool.sign({ sub: 'e', token_use: 'id', aud: 'web', exp: seconds() + 2 });
    expect(await outcome(provider, token)).toBe('accepted e');
    vi.setSystemTime(Date.now() + 3_000);
    expect(await outcome(provider, token)).toBe('Token has expired.');
    // The kept entry no longer serves: jose checked it again and gave the refusal its message.
    expect(verifications()).toBe(2);
  });

  it('exp is checked in whole seconds as jose does: the second of exp itself is too late', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Math.floor(Date.now() / 1000) * 1000);
    const { provider, verifications } = cognito();
    const token = await pool.sign({ sub: 'f', token_use: 'id', aud: 'web', exp: seconds() + 1 });
    expect(await outcome(provider, token)).toBe('accepted f');
    vi.setSystemTime(Date.now() + 999);
    expect(await outcome(provider, token)).toBe('accepted f');
    expect(verifications()).toBe(1);
    vi.setSystemTime(Date.now() + 1);
    expect(await outcome(provider, token)).toBe('Token has expired.');
  });

  it('OIDC iatTTL is checked again on a token verified before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const counter = counting(pool.jwksUri, pool.issuer);
    const provider = createOidcProvider({ issuer: pool.issuer, iatTTL: 10_000 }, { keys: counter.keys });
    const token = await pool.sign({ sub: 'g' });
    expect(await outcome(provider, token)).toBe('accepted g');
    vi.setSystemTime(Date.now() + 20_000);
    expect(await outcome(provider, token)).toBe('Token has expired.');
    // Refused from the kept claims: the signature was not checked again.
    expect(counter.verifications()).toBe(1);
  });

  it('a tampered token whose header and payload match an accepted one is refused', async () => {
    const { provider, verifications } = cognito();
    const token = await pool.sign({ sub: 'h', token_use: 'id', aud: 'web' });
    expect(await outcome(provider, token)).toBe('accepted h');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // A character in the middle of the signature: the last one may only carry padding bits.
    const at = Math.floor(signature.length / 2);
    const forged = `${header}.${payload}.${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
    expect(await outcome(provider, forged)).toBe('Valid authorization header not provided.');
    // And an accepted signature under another payload.
    const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'admin' })).toString('base64url');
    expect(await outcome(provider, `${header}.${otherPayload}.${signature}`)).toBe('Valid authorization header not provided.');
    expect(verifications()).toBe(3);
  });

  it('a refusal is not kept: the same bad token is verified each time', async () => {
    const { provider, verifications } = cognito();
    const forged = await pool.sign({ sub: 'i', token_use: 'id', aud: 'web' }, { key: 'unpublished', kid: 'key-1' });
    expect(await outcome(provider, forged)).toBe('Valid authorization header not provided.');
    expect(await outcome(provider, forged)).toBe('Valid authorization header not provided.');
    expect(verifications()).toBe(2);
  });

  it('a token the pool’s own checks refuse is refused again, and verified again', async () => {
    const { provider, verifications } = cognito({ appIdClientRegex: 'web' });
    const token = await pool.sign({ sub: 'j', token_use: 'id', aud: 'mobile' });
    expect(await outcome(provider, token)).toBe('Valid authorization header not provided.');
    expect(await outcome(provider, token)).toBe('Valid authorization header not provided.');
    expect(verifications()).toBe(2);
  });
});

describe('one provider’s verification is never another’s', () => {
  it('a token accepted by pool A is refused by pool B of the same issuer with other keys', async () => {
    const a = cognito();
    const b = cognito({}, other);
    const token = await pool.sign({ sub: 'k', token_use: 'id', aud: 'web' });
    expect(await outcome(a.provider, token)).toBe('accepted k');
    expect(await outcome(b.provider, token)).toBe('Valid authorization header not provided.');
    expect(b.verifications()).toBe(1);
  });

  it('a token accepted by pool A is refused by pool B whose appIdClientRegex it does not match', async () => {
    const a = cognito();
    const b = cognito({ appIdClientRegex: 'web' });
    const token = await pool.sign({ sub: 'l', token_use: 'id', aud: 'mobile' });
    expect(await outcome(a.provider, token)).toBe('accepted l');
    expect(await outcome(b.provider, token)).toBe('Valid authorization header not provided.');
  });
});

describe('a kept token picks its provider by the token itself (authenticateRequest)', () => {
  it('the pool that verified it answers it at once, another issuer’s token still goes to its own provider, an expired one is refused', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const otherOidc = counting(other.jwksUri, other.issuer);
    const providers = [createOidcProvider({ issuer: other.issuer }, { keys: otherOidc.keys }), cognito().provider];
    const a = providers[1] as AuthProvider;
    const kept = await pool.sign({ sub: 'm', token_use: 'id', aud: 'web', exp: seconds() + 30 });
    expect((await authenticateRequest(providers, req(kept))).mode).toBe('AMAZON_COGNITO_USER_POOLS');
    expect(a.knowsToken?.(kept, Date.now())).toBe(true);
    // Listed after the OIDC provider, the pool still answers its kept token, and without a promise.
    const again = authenticateRequest(providers, req(kept));
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ mode: 'AMAZON_COGNITO_USER_POOLS', identity: { sub: 'm', issuer: pool.issuer } });
    // A token of the other issuer is not the pool's, kept or not.
    const elsewhere = await other.sign({ sub: 'n' });
    expect(a.knowsToken?.(elsewhere, Date.now())).toBe(false);
    expect(await authenticateRequest(providers, req(elsewhere))).toMatchObject({ mode: 'OPENID_CONNECT', identity: { sub: 'n' } });
    expect(otherOidc.verifications()).toBe(1);
    // Past its exp the kept token is no longer known, and the verification refuses it with its reason.
    vi.setSystemTime(Date.now() + 31_000);
    expect(a.knowsToken?.(kept, Date.now())).toBe(false);
    await expect(authenticateRequest(providers, req(kept))).rejects.toThrow('Token has expired.');
  });
});

describe('VerifiedTokens is bounded', () => {
  const claims = (exp: number) => ({ sub: 's', exp });

  it(`keeps at most ${MAX_VERIFIED_TOKENS} tokens by default`, () => {
    const kept = new VerifiedTokens();
    const now = Date.now();
    let largest = 0;
    for (let i = 0; i < 3 * MAX_VERIFIED_TOKENS; i++) {
      kept.remember(`t${i}`, claims(seconds() + 3600), now);
      largest = Math.max(largest, kept.size);
    }
    expect(largest).toBe(MAX_VERIFIED_TOKENS);
    expect(kept.get('t0', now)).toBeUndefined();
    expect(kept.get(`t${3 * MAX_VERIFIED_TOKENS - 1}`, now)).toEqual(claims(seconds() + 3600));
  });

  it('at the bound, one sweep makes room for a tenth (a stream of new tokens does not sweep the map each time)', () => {
    const kept = new VerifiedTokens(100);
    const now = Date.now();
    for (let i = 0; i < 100; i++) kept.remember(`t${i}`, claims(seconds() + 3600), now);
    expect(kept.size).toBe(100);
    kept.remember('t100', claims(seconds() + 3600), now);
    // The ten oldest went at once, then the new one came in.
    expect(kept.size).toBe(91);
    expect(kept.get('t10', now)).toBeDefined();
    expect(kept.get('t9', now)).toBeUndefined();
  });

  it('drops expired entries first, then the oldest', () => {
    const kept = new VerifiedTokens(3);
    const now = Date.now();
    const later = Math.floor(now / 1000) + 3600;
    kept.remember('old', claims(later), now);
    kept.remember('expiring', claims(Math.floor(now / 1000) + 2), now);
    kept.remember('young', claims(later), now);
    // Three seconds on, `expiring` has expired: it goes, `old` stays.
    kept.remember('new', claims(later), now + 3_000);
    expect(kept.size).toBe(3);
    expect(['old', 'expiring', 'young', 'new'].filter((t) => kept.get(t, now + 3_000))).toEqual(['old', 'young', 'new']);
    // None expired now: the oldest goes.
    kept.remember('newest', claims(later), now + 3_000);
    expect(['old', 'young', 'new', 'newest'].filter((t) => kept.get(t, now + 3_000))).toEqual(['young', 'new', 'newest']);
  });

  it('does not keep a token already past its exp', () => {
    const kept = new VerifiedTokens();
    const now = Date.now();
    kept.remember('gone', claims(Math.floor(now / 1000)), now);
    expect(kept.size).toBe(0);
  });
});
