/**
 * AMAZON_COGNITO_USER_POOLS (shared/spec/auth.md §1-2): tokens of the pool
 * `https://cognito-idp.<awsRegion>.amazonaws.com/<userPoolId>`, `token_use` id or access,
 * `appIdClientRegex` on `aud` (ID tokens) / `client_id` (access tokens), `defaultAction`.
 * Local additions for pools that are not AWS's: `issuer` and `jwksUri`.
 */
import { ConfigError } from '../errors.js';
import { INVALID_HEADER, unauthorized } from './errors.js';
import { headerValue, sourceIps } from './identity.js';
import { bearerToken, clientIdMatcher, jwksFor, peekIssuer, verifyJwt } from './jwt.js';
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

export function cognitoIssuer(config: CognitoConfig): string {
  const region = config.awsRegion ?? config.userPoolId.split('_')[0];
  return config.issuer ?? `https://cognito-idp.${region}.amazonaws.com/${config.userPoolId}`;
}

export function createCognitoProvider(config: CognitoConfig): AuthProvider & { issuer: string } {
  const issuer = cognitoIssuer(config);
  const keys = jwksFor({ issuer, jwksUri: config.jwksUri ?? `${issuer}/.well-known/jwks.json` });
  const clientOk = clientIdMatcher(config.appIdClientRegex);
  const defaultAction = config.defaultAction ?? 'ALLOW';
  return {
    mode: 'AMAZON_COGNITO_USER_POOLS',
    issuer,
    async authenticate(request: AuthRequest): Promise<AuthContext | null> {
      const token = bearerToken(headerValue(request, 'authorization'));
      if (!token || peekIssuer(token) !== issuer) return null;
      const claims = (await verifyJwt(token, keys, issuer)) as Record<string, unknown>;
      const use = claims.token_use;
      if (use !== 'id' && use !== 'access') throw unauthorized(INVALID_HEADER);
      const client = use === 'id' ? (Array.isArray(claims.aud) ? String(claims.aud[0]) : (claims.aud as string | undefined)) : (claims.client_id as string | undefined);
      if (clientOk && !clientOk(client)) throw unauthorized(INVALID_HEADER);
      const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : null;
      return {
        mode: 'AMAZON_COGNITO_USER_POOLS',
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
