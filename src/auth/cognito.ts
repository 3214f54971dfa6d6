/**
 * AMAZON_COGNITO_USER_POOLS (docs/auth.md#amazon_cognito_user_pools): tokens of the pool
 * `https://cognito-idp.<awsRegion>.amazonaws.com/<userPoolId>`, `token_use` id or access,
 * `appIdClientRegex` on `aud` (ID tokens) / `client_id` (access tokens), `defaultAction`.
 * Local additions for pools that are not AWS's: `issuer` and `jwksUri`.
 */
import { ConfigError } from '../errors.js';
import { INVALID_HEADER, unauthorized } from './errors.js';
import { headerValue, sourceIps } from './identity.js';
import { bearerToken, clientIdMatcher, jwksFor, peekIssuer, verifyJwt, type KeySource } from './jwt.js';
import type { AuthContext, AuthProvider, AuthRequest } from './types.js';
import { VerifiedTokens } from './verified-tokens.js';

export interface CognitoConfig {
  userPoolId: string;
  awsRegion?: string;
  appIdClientRegex?: string;
  defaultAction?: 'ALLOW' | 'DENY';
  issuer?: string;
  jwksUri?: string;
}

export function validateCognitoConfig(config: Record<string, unknown>, path: string, isDefault: boolean): CognitoConfig {
  if (typeof config.userPoolId !== 'string') throw new ConfigError(`${path}.userPoolId`, 'expected the user pool id (e.g. us-east-1_AbCdEf)');
  if (config.defaultAction !== undefined && config.defaultAction !== 'ALLOW' && config.defaultAction !== 'DENY') {
    throw new ConfigError(`${path}.defaultAction`, `expected ALLOW or DENY, got ${JSON.stringify(config.defaultAction)}`);
  }
  if (!isDefault && config.defaultAction !== undefined) throw new ConfigError(`${path}.defaultAction`, 'only the default Cognito provider has a defaultAction');
  return config as unknown as CognitoConfig;
}

/** The pool's issuer: AWS's URL for the region and pool, or the local `issuer` override. */
export function cognitoIssuer(config: CognitoConfig): string {
  const region = config.awsRegion ?? config.userPoolId.split('_')[0];
  return config.issuer ?? `https://cognito-idp.${region}.amazonaws.com/${config.userPoolId}`;
}

/**
 * The pool's own checks on verified claims: `token_use` (`id` or `access`), then `appIdClientRegex`
 * on `aud` of ID tokens / `client_id` of access tokens (Gateway choice, docs/auth.md#the-modes).
 */
function checkCognitoClaims(claims: Record<string, unknown>, clientOk: ReturnType<typeof clientIdMatcher>): Record<string, unknown> {
  const use = claims.token_use;
  if (use !== 'id' && use !== 'access') throw unauthorized(INVALID_HEADER);
  if (clientOk) {
    const client = use === 'id' ? (Array.isArray(claims.aud) ? claims.aud[0] : claims.aud) : claims.client_id;
    if (!clientOk(typeof client === 'string' ? client : undefined)) throw unauthorized(INVALID_HEADER);
  }
  return claims;
}

/**
 * The AMAZON_COGNITO_USER_POOLS provider of one pool `config`: signature against the pool's JWKS,
 * `iss`, `exp`, then checkCognitoClaims. A token it has accepted is not verified again while its time
 * claims hold (verified-tokens.ts). `options.keys` replaces the pool's JWKS (tests count
 * verifications with it).
 */
export function createCognitoProvider(config: CognitoConfig, options: { keys?: KeySource } = {}): AuthProvider & { issuer: string } {
  const issuer = cognitoIssuer(config);
  const keys = options.keys ?? jwksFor({ issuer, jwksUri: config.jwksUri ?? `${issuer}/.well-known/jwks.json` });
  const clientOk = clientIdMatcher(config.appIdClientRegex);
  const verified = new VerifiedTokens();
  // Gateway choice: a pool without defaultAction allows, as the Serverless plugin's default.
  const defaultAction = config.defaultAction ?? 'ALLOW';
  // Built per request: `sourceIp` is the request's.
  const contextOf = (claims: Record<string, unknown>, request: AuthRequest): AuthContext => {
    const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : null;
    return {
      mode: 'AMAZON_COGNITO_USER_POOLS',
      // docs/auth.md#who-the-caller-is-ctxidentity; `username` is `cognito:username` (ID tokens) or `username` (access tokens).
      identity: {
        sub: String(claims.sub ?? ''),
        issuer,
        username: String(claims['cognito:username'] ?? claims.username ?? claims.sub ?? ''),
        claims,
        sourceIp: sourceIps(request),
        defaultAuthStrategy: defaultAction,
        groups,
      },
      groups: groups ?? [],
      defaultAction,
    };
  };
  return {
    mode: 'AMAZON_COGNITO_USER_POOLS',
    issuer,
    // docs/auth.md#directives: with DENY, fields reached without naming one of the caller's groups are refused.
    restrictsFields: defaultAction === 'DENY',
    knowsToken: (token, now) => verified.get(token, now) !== undefined,
    authenticate(request: AuthRequest): Promise<AuthContext | null> | AuthContext | null {
      const token = bearerToken(headerValue(request, 'authorization'));
      if (!token) return null;
      const now = Date.now();
      // A token seen before answers at once, without a promise and without reading its `iss` again
      // (jose checked it is this pool's); its claims passed the pool's checks, which do not depend on
      // the time (the time claims are checked again by `get`).
      const known = verified.get(token, now);
      if (known) return contextOf(known, request);
      if (peekIssuer(token) !== issuer) return null;
      return verifyJwt(token, keys, issuer).then((payload) => {
        const claims = checkCognitoClaims(payload as Record<string, unknown>, clientOk);
        verified.remember(token, claims, now);
        return contextOf(claims, request);
      });
    },
  };
}
