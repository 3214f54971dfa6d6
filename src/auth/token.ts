/**
 * Reading an `Authorization` value without verifying it: the raw token, whether it is shaped like
 * a JWT, and its unverified `iss` (which picks the Cognito pool or OIDC provider, docs/auth.md#how-a-request-picks-its-mode).
 * Kept apart from jwt.ts so choosing a provider never loads jose; only verification does.
 */

/** The token in `Authorization`, raw or after `Bearer ` (docs/auth.md#how-a-request-picks-its-mode). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  // Gateway choice: the scheme name is case-insensitive, as in RFC 9110 §11.1.
  return header.replace(/^bearer\s+/i, '').trim();
}

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * The unverified `iss` of a JWT-shaped token, or undefined when it is not a JWT (three
 * dot-separated parts whose middle one is base64url JSON of an object, RFC 7519 §7.2).
 */
export function peekIssuer(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    const iss = (claims as { iss?: unknown }).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** A config value used as a regex against the whole client id. */
export function clientIdMatcher(pattern: unknown): ((id: string | undefined) => boolean) | undefined {
  if (typeof pattern !== 'string' || pattern === '') return undefined;
  const re = new RegExp(`^(?:${pattern})$`);
  return (id) => id !== undefined && re.test(id);
}
