/**
 * API_KEY mode: the `x-api-key` header must match a configured, unexpired key
 * (docs/auth.md#api_key). `ctx.identity` stays null in this mode.
 */
import type { NormalizedApiKey } from '../config/types.js';
import { UnauthorizedError } from '../errors.js';
import type { AuthContext, AuthProvider, AuthRequest } from './types.js';

const API_KEY_CONTEXT: AuthContext = Object.freeze({ mode: 'API_KEY', identity: null });

export function createApiKeyProvider(keys: readonly NormalizedApiKey[], now: () => number = Date.now): AuthProvider {
  const byValue = new Map(keys.map((k) => [k.value, k]));
  return {
    mode: 'API_KEY',
    restrictsFields: false,
    authenticate(request: AuthRequest): AuthContext | null {
      const header = request.headers['x-api-key'];
      if (header === undefined) return null;
      const value = Array.isArray(header) ? header[0] : header;
      const key = value === undefined ? undefined : byValue.get(value);
      if (!key) throw new UnauthorizedError('You are not authorized to make this call.');
      if (key.expiresAt !== undefined && key.expiresAt * 1000 <= now()) {
        throw new UnauthorizedError('You are not authorized to make this call.');
      }
      return API_KEY_CONTEXT;
    },
  };
}
