/**
 * An OpenID Connect issuer on loopback: discovery document and JWKS, with RSA keys the suite
 * generates, and a token signer. Used for OIDC and for a local Cognito pool (issuer override).
 * `rotate()` publishes a new signing key, to test that verifiers refetch the JWKS on an unknown kid.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface Issuer {
  issuer: string;
  jwksUri: string;
  /**
   * Signs claims with the current published key (or a key never published, to forge). `iss`
   * defaults to this issuer, `iat` to now, `exp` to one hour.
   */
  sign(
    claims: Record<string, unknown>,
    options?: { key?: 'published' | 'unpublished'; kid?: string; expiresIn?: string | number; alg?: string },
  ): Promise<string>;
  /** The first published public key as a JWK (for HS256-with-public-key forgeries). */
  publicJwk: JWK;
  /** Publishes a new key (kid `key-2`, `key-3`, …) and signs with it from now on; `replace` drops the old ones. */
  rotate(options?: { replace?: boolean }): Promise<string>;
  /** Times the JWKS was fetched. */
  jwksFetches(): number;
  /** Times the discovery document was fetched. */
  discoveryFetches(): number;
  close(): Promise<void>;
}

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(kid: string): Promise<Key> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** `discoveryIssuer` makes the discovery document name another issuer (a misconfigured IdP). */
export async function startIssuer(path = '', options: { discoveryIssuer?: string } = {}): Promise<Issuer> {
  let published: Key[] = [await newKey('key-1')];
  const unpublished = await newKey('never-published');
  let fetches = 0;
  let discoveries = 0;
  let origin = '';
  const server: Server = createServer((req, res) => {
    if (req.url === `${path}/.well-known/openid-configuration`) {
      discoveries += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ issuer: options.discoveryIssuer ?? `${origin}${path}`, jwks_uri: `${origin}${path}/jwks.json` }));
    } else if (req.url === `${path}/jwks.json` || req.url === `${path}/.well-known/jwks.json`) {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${path}`;
  const current = () => published[published.length - 1]!;
  return {
    issuer,
    jwksUri: `${issuer}/jwks.json`,
    publicJwk: published[0]!.jwk,
    jwksFetches: () => fetches,
    discoveryFetches: () => discoveries,
    async rotate(options = {}) {
      const key = await newKey(`key-${published.length + 1}`);
      published = options.replace ? [key] : [...published, key];
      return key.kid;
    },
    async sign(claims, options = {}) {
      const key = options.key === 'unpublished' ? unpublished : current();
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? current().kid });
      if (!('iat' in claims)) jwt.setIssuedAt();
      if (!('iss' in claims)) jwt.setIssuer(issuer);
      if (!('exp' in claims)) jwt.setExpirationTime(options.expiresIn ?? '1h');
      return jwt.sign(key.privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
