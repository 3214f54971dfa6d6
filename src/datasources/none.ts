/**
 * NONE data source ("local resolver"): the request's `payload` becomes `ctx.result`
 * (shared/spec/datasources.md, NONE).
 */
import type { DataSource, DataSourceKind } from './types.js';

export const noneKind: DataSourceKind = {
  create({ name }): DataSource {
    return {
      name,
      type: 'NONE',
      async invoke(request) {
        const payload = request !== null && typeof request === 'object' ? (request as { payload?: unknown }).payload : undefined;
        return { result: payload ?? null };
      },
    };
  },
};
