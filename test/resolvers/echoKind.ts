import type { DataSourceKind } from '../../src/datasources/types.js';

/**
 * NONE's behaviour (the request's `payload` is the result) without the built-in kind's mark: a
 * data source the gateway awaits, for tests that need one that is not NONE.
 */
export const echoKind: DataSourceKind = {
  create: ({ name }) => ({
    name,
    type: 'ECHO',
    async invoke(request) {
      const payload = request !== null && typeof request === 'object' ? (request as { payload?: unknown }).payload : undefined;
      return { result: payload ?? null };
    },
  }),
};
