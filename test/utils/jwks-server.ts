/**
 * An OpenID Connect issuer on loopback: discovery document and JWKS, with RSA keys the suite
 * generates, and a token signer. Used for OIDC and for a local Cognito pool (issuer override).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';

export interface Issuer {
  issuer: string;
  jwksUri: string;
  /** Signs claims with the published key (or another key, to forge). */
  sign(claims: Record<string, unknown>, options?: { key?: 'published' | 'unpublished'; kid?: string; expiresIn?: string | number; alg?: string }): Promise<string>;
  /** The published public key as a JWK (for HS256-with-public-key forgeries). */
  publicJwk: JWK;
  /** Times the JWKS was fetched. */
  jwksFetches(): number;
  close(): Promise<void>;
}

export async function startIssuer(path = ''): Promise<Issuer> {
  const published = await generateKeyPair('RS256', { extractable: true });
  const unpublished = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(published.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  let origin = '';
  const server: Server = createServer((req, res) => {
    if (req.url === `${path}/.well-known/openid-configuration`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: `${origin}${path}`, jwks_uri: `${origin}${path}/jwks.json` }));
    } else if (req.url === `${path}/jwks.json` || req.url === `${path}/.well-known/jwks.json`) {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${path}`;
  return {
    issuer,
    jwksUri: `${issuer}/jwks.json`,
    publicJwk,
    jwksFetches: () => fetches,
    async sign(claims, options = {}) {
      const key: KeyLike = options.key === 'unpublished' ? unpublished.privateKey : published.privateKey;
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'key-1' }).setIssuedAt();
      if (!('iss' in claims)) jwt.setIssuer(issuer);
      if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
      else jwt.setExpirationTime('1h');
      return jwt.sign(key);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
