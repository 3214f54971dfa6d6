/**
 * OPENID_CONNECT (docs/auth.md#openid_connect): `issuer` (exact `iss`), `clientId` (regex on `aud`),
 * `iatTTL` / `authTTL` in milliseconds. Local addition: `jwksUri` skips discovery.
 */
import { ConfigError } from '../errors.js';
import { INVALID_HEADER, TOKEN_EXPIRED, unauthorized } from './errors.js';
import { headerValue } from './identity.js';
import { bearerToken, clientIdMatcher, jwksFor, peekIssuer, verifyJwt, type KeySource } from './jwt.js';
import type { AuthContext, AuthProvider, AuthRequest } from './types.js';
import { VerifiedTokens } from './verified-tokens.js';

export interface OidcConfig {
  issuer: string;
  clientId?: string;
  iatTTL?: number;
  authTTL?: number;
  jwksUri?: string;
}

export function validateOidcConfig(config: Record<string, unknown>, path: string): OidcConfig {
  if (typeof config.issuer !== 'string' || !/^https?:\/\//.test(config.issuer)) throw new ConfigError(`${path}.issuer`, 'expected the issuer URL');
  for (const key of ['iatTTL', 'authTTL'] as const) {
    const value = config[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
      throw new ConfigError(`${path}.${key}`, `expected milliseconds as a non-negative integer, got ${JSON.stringify(value)}`);
    }
  }
  if (config.clientId !== undefined && typeof config.clientId !== 'string') throw new ConfigError(`${path}.clientId`, 'expected a client id or a regex');
  return config as unknown as OidcConfig;
}

/** The token's audience list, `aud` or `client_id`. */
function audiences(claims: Record<string, unknown>): string[] {
  const aud = claims.aud ?? claims.client_id;
  return Array.isArray(aud) ? aud.map(String) : aud === undefined ? [] : [String(aud)];
}

/**
 * OIDC's own checks on verified claims: `clientId` (Gateway choice, docs/auth.md#the-modes: matched
 * against any element of `aud`), `iatTTL` and `authTTL` (milliseconds after `iat` / `auth_time`;
 * 0 or absent = no check). Run at every use, also of a token verified before (they depend on `now`).
 */
function checkOidcClaims(
  claims: Record<string, unknown>,
  config: OidcConfig,
  clientOk: ReturnType<typeof clientIdMatcher>,
  now: number,
): Record<string, unknown> {
  if (clientOk && !audiences(claims).some((a) => clientOk(a))) throw unauthorized(INVALID_HEADER);
  if (config.iatTTL && (typeof claims.iat !== 'number' || claims.iat * 1000 + config.iatTTL < now)) throw unauthorized(TOKEN_EXPIRED);
  if (config.authTTL && (typeof claims.auth_time !== 'number' || claims.auth_time * 1000 + config.authTTL < now)) throw unauthorized(TOKEN_EXPIRED);
  return claims;
}

/** Verifies an OIDC token: signature against the issuer's JWKS, `iss`, `exp`, then checkOidcClaims. Returns the claims. */
export async function verifyOidcToken(token: string, config: OidcConfig, keys: KeySource, now = Date.now()): Promise<Record<string, unknown>> {
  const claims = (await verifyJwt(token, keys, config.issuer)) as Record<string, unknown>;
  return checkOidcClaims(claims, config, clientIdMatcher(config.clientId), now);
}

/**
 * The OPENID_CONNECT provider of one `config`. A token it has accepted is not verified again while
 * its time claims hold (verified-tokens.ts). `options.keys` replaces the issuer's JWKS (tests count
 * verifications with it).
 */
export function createOidcProvider(config: OidcConfig, options: { keys?: KeySource } = {}): AuthProvider & { issuer: string } {
  const keys = options.keys ?? jwksFor({ issuer: config.issuer, jwksUri: config.jwksUri });
  const clientOk = clientIdMatcher(config.clientId);
  const verified = new VerifiedTokens();
  const contextOf = (claims: Record<string, unknown>): AuthContext => ({
    mode: 'OPENID_CONNECT',
    identity: { sub: String(claims.sub ?? ''), issuer: config.issuer, claims },
  });
  return {
    mode: 'OPENID_CONNECT',
    issuer: config.issuer,
    restrictsFields: false,
    knowsToken: (token, now) => verified.get(token, now) !== undefined,
    authenticate(request: AuthRequest): Promise<AuthContext | null> | AuthContext | null {
      const token = bearerToken(headerValue(request, 'authorization'));
      if (!token) return null;
      const now = Date.now();
      // A token seen before answers at once, without a promise and without reading its `iss` again
      // (jose checked it is this issuer's); its time-bound checks still run.
      const known = verified.get(token, now);
      if (known) return contextOf(checkOidcClaims(known, config, clientOk, now));
      if (peekIssuer(token) !== config.issuer) return null;
      return verifyJwt(token, keys, config.issuer).then((payload) => {
        const claims = checkOidcClaims(payload as Record<string, unknown>, config, clientOk, now);
        verified.remember(token, claims, now);
        return contextOf(claims);
      });
    },
  };
}
