/**
 * JWT verification shared by OPENID_CONNECT and AMAZON_COGNITO_USER_POOLS, with jose: keys from the
 * issuer's JWKS (cached, refetched on an unknown `kid`), algorithms taken from the keys so
 * `alg: none` and HS256-with-the-public-key tokens fail, and AppSync's messages (docs/auth.md#errors).
 */
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { INVALID_HEADER, TOKEN_EXPIRED, UNPARSABLE_JWT, unauthorized } from './errors.js';
import { looksLikeJwt } from './token.js';

export { bearerToken, clientIdMatcher, looksLikeJwt, peekIssuer } from './token.js';

export type KeySource = () => ReturnType<typeof createRemoteJWKSet>;

/** JWKS resolved lazily: discovery document first when only the issuer is known. */
export function jwksFor(options: { issuer: string; jwksUri?: string }): KeySource {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  let discovering: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const get = async () => {
    if (keys) return keys;
    discovering ??= (async () => {
      let uri = options.jwksUri;
      if (!uri) {
        const res = await fetch(`${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
        if (!res.ok) throw new Error(`discovery document answered ${res.status}`);
        const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
        // The discovery document must name the configured issuer exactly (OpenID Connect Discovery §4.3).
        if (doc.issuer !== options.issuer) throw new Error('discovery document names another issuer');
        uri = doc.jwks_uri;
        if (!uri) throw new Error('discovery document has no jwks_uri');
      }
      keys = createRemoteJWKSet(new URL(uri), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
      return keys;
    })().finally(() => {
      discovering = undefined;
    });
    return discovering;
  };
  const wrapper = (async (protectedHeader: unknown, token: unknown) => (await get())(protectedHeader as never, token as never)) as unknown as ReturnType<
    typeof createRemoteJWKSet
  >;
  return () => wrapper;
}

/** Verifies signature, issuer and expiry; maps failures to AppSync's 401 messages. */
export async function verifyJwt(token: string, keys: KeySource, issuer: string): Promise<JWTPayload> {
  if (!looksLikeJwt(token)) throw unauthorized(UNPARSABLE_JWT);
  try {
    decodeJwt(token);
  } catch {
    throw unauthorized(UNPARSABLE_JWT);
  }
  try {
    const { payload } = await jwtVerify(token, keys(), { issuer, clockTolerance: 0 });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw unauthorized(TOKEN_EXPIRED);
    if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JOSEError) throw unauthorized(INVALID_HEADER);
    throw unauthorized(INVALID_HEADER);
  }
}
