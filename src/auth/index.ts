/**
 * Auth front door: builds the configured providers and picks the one a request uses, as AppSync
 * decides it from the headers (docs/auth.md#how-a-request-picks-its-mode, Gateway choice):
 * `AWS4-HMAC-SHA256` → IAM; a JWT → the Cognito pool or OIDC provider of its `iss`; another
 * `Authorization` value → the Lambda authorizer; no `Authorization` but `x-api-key` → API_KEY.
 */
import type { NormalizedConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import { ConfigError, ConfigErrors } from '../errors.js';
import { createApiKeyProvider } from './api-key.js';
import { INVALID_HEADER, NOT_AUTHORIZED, UNPARSABLE_JWT, unauthorized } from './errors.js';
import { headerValue } from './identity.js';
import { bearerToken, looksLikeJwt, peekIssuer } from './token.js';
import type { AuthContext, AuthProvider, AuthRequest } from './types.js';

export type * from './types.js';
export { buildAuthRules, type AuthRules } from './rules.js';
export { SignatureError } from './errors.js';

/** AppSync's limit on providers per API (default + additional). */
const MAX_PROVIDERS = 50;

/**
 * Creates one provider per configured mode, default first; config problems name their key: under
 * `authentication` and `additionalAuthentications`, or, with `at`, the entries of that list (an Event
 * API's `events.authProviders`, whose first entry is given as `authentication`).
 *
 * Each mode's module loads only when the API uses that mode: jose (OIDC, Cognito), the SigV4
 * signer (IAM) and the Lambda invoker cost a few hundred ms of start-up between them, and most
 * APIs use one or two modes.
 */
export async function createAuthProviders(config: NormalizedConfig, logger: Logger, options: { at?: string } = {}): Promise<AuthProvider[]> {
  const { at } = options;
  const providers: AuthProvider[] = [];
  const problems: ConfigError[] = [];
  const all = [config.authentication, ...config.additionalAuthentications];
  // docs/auth.md: at most 50 providers and one Lambda authorizer per API.
  if (all.length > MAX_PROVIDERS)
    problems.push(new ConfigError(at ?? 'additionalAuthentications', `an API has at most ${MAX_PROVIDERS} auth providers, got ${all.length}`));
  if (all.filter((a) => a.type === 'AWS_LAMBDA').length > 1)
    problems.push(new ConfigError(at ?? 'additionalAuthentications', 'an API has at most one Lambda authorizer'));
  for (const [index, auth] of all.entries()) {
    const path = at ? `${at}.${index}.config` : index === 0 ? 'authentication.config' : `additionalAuthentications.${index - 1}.config`;
    try {
      switch (auth.type) {
        case 'API_KEY':
          providers.push(createApiKeyProvider(config.apiKeys));
          break;
        case 'AWS_IAM': {
          const { createIamProvider, validateIamConfig } = await import('./iam.js');
          providers.push(createIamProvider(validateIamConfig(auth.config, path), config.name));
          break;
        }
        case 'OPENID_CONNECT': {
          const { createOidcProvider, validateOidcConfig } = await import('./oidc.js');
          providers.push(createOidcProvider(validateOidcConfig(auth.config, path)));
          break;
        }
        case 'AMAZON_COGNITO_USER_POOLS': {
          const { createCognitoProvider, validateCognitoConfig } = await import('./cognito.js');
          providers.push(createCognitoProvider(validateCognitoConfig(auth.config, path, index === 0)));
          break;
        }
        case 'AWS_LAMBDA': {
          const { createLambdaAuthorizer } = await import('./lambda.js');
          providers.push(createLambdaAuthorizer(auth.config, { configDir: config.configDir, gatewayConfig: config, path, logger }));
          break;
        }
      }
    } catch (error) {
      if (error instanceof ConfigError) problems.push(error);
      else throw error;
    }
  }
  if (problems.length > 0) throw new ConfigErrors(problems);
  return providers;
}

interface Selection {
  iam?: AuthProvider;
  lambda?: AuthProvider;
  apiKey?: AuthProvider;
  /** Cognito pools and OIDC providers by issuer. */
  byIssuer: Map<string, AuthProvider>;
  /** The providers of `byIssuer`, in order. */
  jwt: AuthProvider[];
}

const selections = new WeakMap<readonly AuthProvider[], Selection>();

/** Indexes the providers once per list, so choosing one is a few map lookups per request. */
function selectionFor(providers: readonly AuthProvider[]): Selection {
  let selection = selections.get(providers);
  if (selection) return selection;
  selection = { byIssuer: new Map(), jwt: [] };
  for (const p of providers) {
    const issuer = (p as AuthProvider & { issuer?: string }).issuer;
    if (p.mode === 'AWS_IAM') selection.iam ??= p;
    else if (p.mode === 'AWS_LAMBDA') selection.lambda ??= p;
    else if (p.mode === 'API_KEY') selection.apiKey ??= p;
    else if (issuer !== undefined && !selection.byIssuer.has(issuer)) selection.byIssuer.set(issuer, p);
  }
  selection.jwt = [...selection.byIssuer.values()];
  selections.set(providers, selection);
  return selection;
}

/** The provider's context, at once when it answers at once (API_KEY); `null` is refused with `message`. */
function accept(provider: AuthProvider, request: AuthRequest, message: string): AuthContext | Promise<AuthContext> {
  const result = provider.authenticate(request);
  if (result instanceof Promise) {
    return result.then((context) => {
      if (!context) throw unauthorized(message);
      return context;
    });
  }
  if (!result) throw unauthorized(message);
  return result;
}

/**
 * Authenticates a request with the provider its headers select; 401/403 otherwise (docs/auth.md).
 *
 * Gateway choice (docs/auth.md#how-a-request-picks-its-mode): a JWT whose `iss` names no configured pool or OIDC provider goes to
 * the Lambda authorizer when there is one (authorizers often check third-party JWTs), else 401
 * `Valid authorization header not provided.`. An `Authorization` value no mode takes falls back to
 * `x-api-key` when both are sent and API_KEY is configured.
 *
 * A provider that answers synchronously (API_KEY) is answered with the context itself, not a
 * promise (one promise and one microtask fewer per request); a refusal is always a rejected
 * promise, never a throw.
 */
export function authenticateRequest(providers: readonly AuthProvider[], request: AuthRequest): AuthContext | Promise<AuthContext> {
  try {
    return authenticateWithSelected(providers, request);
  } catch (error) {
    return Promise.reject(error);
  }
}

function authenticateWithSelected(providers: readonly AuthProvider[], request: AuthRequest): AuthContext | Promise<AuthContext> {
  const selection = selectionFor(providers);
  const authorization = headerValue(request, 'authorization');
  const hasApiKey = selection.apiKey !== undefined && request.headers['x-api-key'] !== undefined;
  if (authorization) {
    if (authorization.startsWith('AWS4-HMAC-SHA256')) {
      if (selection.iam) return accept(selection.iam, request, NOT_AUTHORIZED);
      throw unauthorized(NOT_AUTHORIZED);
    }
    const token = bearerToken(authorization) ?? '';
    // A token a provider verified already is its provider's: found by the token itself, where reading its shape and its
    // unverified `iss` costs more than the rest of the request's authentication.
    if (selection.jwt.length > 0) {
      const now = Date.now();
      for (const provider of selection.jwt) if (provider.knowsToken?.(token, now) === true) return accept(provider, request, INVALID_HEADER);
    }
    const issuer = looksLikeJwt(token) ? peekIssuer(token) : undefined;
    const jwtProvider = issuer === undefined ? undefined : selection.byIssuer.get(issuer);
    if (jwtProvider) return accept(jwtProvider, request, INVALID_HEADER);
    if (selection.lambda) return accept(selection.lambda, request, NOT_AUTHORIZED);
    if (!hasApiKey) {
      if (selection.byIssuer.size === 0) throw unauthorized(NOT_AUTHORIZED);
      // docs/auth.md#errors (Observed): a token of another issuer vs. one that is no JWT at all.
      throw unauthorized(issuer !== undefined ? INVALID_HEADER : UNPARSABLE_JWT);
    }
  }
  if (hasApiKey) return accept(selection.apiKey!, request, NOT_AUTHORIZED);
  throw unauthorized(NOT_AUTHORIZED);
}
