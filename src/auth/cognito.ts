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
 * Verifies a user-pool token: signature against the pool's JWKS, `iss`, `exp`, `token_use` (`id` or
 * `access`), then `appIdClientRegex` on `aud` of ID tokens / `client_id` of access tokens
 * (Gateway choice, docs/auth.md#the-modes). Returns the claims.
 */
async function verifyCognitoToken(token: string, config: CognitoConfig, keys: KeySource): Promise<Record<string, unknown>> {
  const claims = (await verifyJwt(token, keys, cognitoIssuer(config))) as Record<string, unknown>;
  const use = claims.token_use;
  if (use !== 'id' && use !== 'access') throw unauthorized(INVALID_HEADER);
  const clientOk = clientIdMatcher(config.appIdClientRegex);
  if (clientOk) {
    const client = use === 'id' ? (Array.isArray(claims.aud) ? claims.aud[0] : claims.aud) : claims.client_id;
    if (!clientOk(typeof client === 'string' ? client : undefined)) throw unauthorized(INVALID_HEADER);
  }
  return claims;
}

export function createCognitoProvider(config: CognitoConfig): AuthProvider & { issuer: string } {
  const issuer = cognitoIssuer(config);
  const keys = jwksFor({ issuer, jwksUri: config.jwksUri ?? `${issuer}/.well-known/jwks.json` });
  // Gateway choice: a pool without defaultAction allows, as the Serverless plugin's default.
  const defaultAction = config.defaultAction ?? 'ALLOW';
  return {
    mode: 'AMAZON_COGNITO_USER_POOLS',
    issuer,
    async authenticate(request: AuthRequest): Promise<AuthContext | null> {
      const token = bearerToken(headerValue(request, 'authorization'));
      if (!token || peekIssuer(token) !== issuer) return null;
      const claims = await verifyCognitoToken(token, config, keys);
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
    },
  };
}
