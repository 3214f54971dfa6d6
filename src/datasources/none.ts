/**
 * NONE data source ("local resolver"): the request's `payload` becomes `ctx.result`
 * (shared/spec/datasources.md, NONE).
 */
import { unknownKeyErrors } from '../config/index.js';
import type { DataSource, DataSourceKind } from './types.js';

export const noneKind: DataSourceKind = {
  // A NONE data source has nothing to configure: any key is a mistake.
  validate: (config, path) => unknownKeyErrors((config ?? {}) as object, path, []).errors,
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
