/**
 * Auth front door: builds the configured providers and picks the one a request uses.
 */
import type { NormalizedConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import { UnauthorizedError } from '../errors.js';
import { createApiKeyProvider } from './api-key.js';
import type { AuthContext, AuthProvider, AuthRequest } from './types.js';

export type * from './types.js';
export { buildAuthRules, type AuthRules } from './rules.js';

/** Creates one provider per configured mode, default first. */
export async function createAuthProviders(config: NormalizedConfig, _logger: Logger): Promise<AuthProvider[]> {
  const providers: AuthProvider[] = [];
  for (const auth of [config.authentication, ...config.additionalAuthentications]) {
    switch (auth.type) {
      case 'API_KEY':
        providers.push(createApiKeyProvider(config.apiKeys));
        break;
      default:
        // The other modes arrive with the auth issue; until then they accept nobody.
        break;
    }
  }
  return providers;
}

/**
 * Authenticates a request with the first provider that recognises its credentials; 401
 * `UnauthorizedException` when none does (shared/spec/auth.md §6).
 */
export async function authenticateRequest(providers: readonly AuthProvider[], request: AuthRequest): Promise<AuthContext> {
  for (const provider of providers) {
    const result = await provider.authenticate(request);
    if (result) return result;
  }
  throw new UnauthorizedError('You are not authorized to make this call.');
}
