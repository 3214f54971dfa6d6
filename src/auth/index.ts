/**
 * Auth front door: builds the configured providers and picks the one a request uses, as AppSync
 * decides it from the headers (shared/spec/auth.md §1, Gateway choice):
 * `AWS4-HMAC-SHA256` → IAM; a JWT → the Cognito pool or OIDC provider of its `iss`; another
 * `Authorization` value → the Lambda authorizer; no `Authorization` but `x-api-key` → API_KEY.
 */
import type { NormalizedConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import { ConfigError, ConfigErrors } from '../errors.js';
import { createApiKeyProvider } from './api-key.js';
import { createCognitoProvider, validateCognitoConfig } from './cognito.js';
import { INVALID_HEADER, NOT_AUTHORIZED, unauthorized } from './errors.js';
import { createIamProvider, validateIamConfig } from './iam.js';
import { headerValue } from './identity.js';
import { bearerToken, looksLikeJwt, peekIssuer } from './jwt.js';
import { createLambdaAuthorizer } from './lambda.js';
import { createOidcProvider, validateOidcConfig } from './oidc.js';
import type { AuthContext, AuthProvider, AuthRequest } from './types.js';

export type * from './types.js';
export { buildAuthRules, type AuthRules } from './rules.js';
export { SignatureError } from './errors.js';

/** Creates one provider per configured mode, default first; config problems name their key. */
export async function createAuthProviders(config: NormalizedConfig, logger: Logger): Promise<AuthProvider[]> {
  const providers: AuthProvider[] = [];
  const problems: ConfigError[] = [];
  const all = [config.authentication, ...config.additionalAuthentications];
  if (all.filter((a) => a.type === 'AWS_LAMBDA').length > 1) problems.push(new ConfigError('additionalAuthentications', 'an API has at most one Lambda authorizer'));
  all.forEach((auth, index) => {
    const path = index === 0 ? 'authentication.config' : `additionalAuthentications.${index - 1}.config`;
    try {
      switch (auth.type) {
        case 'API_KEY':
          providers.push(createApiKeyProvider(config.apiKeys));
          break;
        case 'AWS_IAM':
          providers.push(createIamProvider(validateIamConfig(auth.config, path)));
          break;
        case 'OPENID_CONNECT':
          providers.push(createOidcProvider(validateOidcConfig(auth.config, path)));
          break;
        case 'AMAZON_COGNITO_USER_POOLS':
          providers.push(createCognitoProvider(validateCognitoConfig(auth.config, path, index === 0)));
          break;
        case 'AWS_LAMBDA':
          providers.push(createLambdaAuthorizer(auth.config, { configDir: config.configDir, gatewayConfig: config, path, logger }));
          break;
      }
    } catch (error) {
      if (error instanceof ConfigError) problems.push(error);
      else throw error;
    }
  });
  if (problems.length > 0) throw new ConfigErrors(problems);
  return providers;
}

/** Authenticates a request with the provider its headers select; 401/403 otherwise (auth.md §6). */
export async function authenticateRequest(providers: readonly AuthProvider[], request: AuthRequest): Promise<AuthContext> {
  const authorization = headerValue(request, 'authorization');
  const byMode = (mode: AuthProvider['mode']) => providers.filter((p) => p.mode === mode);
  if (authorization) {
    if (authorization.startsWith('AWS4-HMAC-SHA256')) {
      for (const p of byMode('AWS_IAM')) {
        const result = await p.authenticate(request);
        if (result) return result;
      }
      throw unauthorized(NOT_AUTHORIZED);
    }
    const token = bearerToken(authorization)!;
    const jwtProviders = [...byMode('AMAZON_COGNITO_USER_POOLS'), ...byMode('OPENID_CONNECT')];
    if (looksLikeJwt(token) && peekIssuer(token) !== undefined && (jwtProviders.length > 0 || byMode('AWS_LAMBDA').length === 0)) {
      for (const p of jwtProviders) {
        const result = await p.authenticate(request);
        if (result) return result;
      }
      // auth.md §6: a JWT from an issuer no pool or provider matches.
      throw unauthorized(INVALID_HEADER);
    }
    for (const p of byMode('AWS_LAMBDA')) {
      const result = await p.authenticate(request);
      if (result) return result;
    }
    if (byMode('AMAZON_COGNITO_USER_POOLS').length + byMode('OPENID_CONNECT').length > 0 && looksLikeJwt(token)) throw unauthorized('Unable to parse JWT token.');
    if (request.headers['x-api-key'] === undefined) throw unauthorized(NOT_AUTHORIZED);
  }
  for (const p of byMode('API_KEY')) {
    const result = await p.authenticate(request);
    if (result) return result;
  }
  throw unauthorized(NOT_AUTHORIZED);
}
