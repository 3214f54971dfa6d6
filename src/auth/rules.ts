/**
 * Which auth modes may reach which type and field, read from the `@aws_*` directives
 * (shared/spec/auth.md). Computed once per schema load; `canAccess` is a lookup on the hot path.
 */
import type { GraphQLSchema } from 'graphql';
import type { AuthContext, AuthMode } from './types.js';

export interface AuthRules {
  /** True when a request authenticated as `auth` may resolve `typeName.fieldName`. */
  canAccess(auth: AuthContext, typeName: string, fieldName: string): boolean;
}

/**
 * Placeholder rules until the multi-auth work lands: with no directives every field is reachable
 * by the default mode only (AppSync's rule for fields without directives).
 */
export function buildAuthRules(_schema: GraphQLSchema, defaultMode: AuthMode, _additional: readonly AuthMode[]): AuthRules {
  return {
    canAccess(auth) {
      return auth.mode === defaultMode;
    },
  };
}
