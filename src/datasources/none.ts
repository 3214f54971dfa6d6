/**
 * NONE data source ("local resolver"): the request's `payload` becomes `ctx.result`
 * (docs/data-sources.md).
 */
import { unknownKeyErrors } from '../config/index.js';
import type { DataSource, DataSourceKind } from './types.js';

/**
 * Marks the data sources this kind creates: their result is the request's `payload`, so the
 * resolver runtime may hand it to the response handler inside the sandbox in the same call. A
 * kind registered under NONE with other behaviour lacks the mark and takes the general path.
 */
const BUILT_IN_NONE: unique symbol = Symbol('appsync-gateway.builtInNone');

/** Whether `ds` was created by the built-in NONE kind. */
export function isBuiltInNone(ds: DataSource): boolean {
  return (ds as { [BUILT_IN_NONE]?: boolean })[BUILT_IN_NONE] === true;
}

export const noneKind: DataSourceKind = {
  // A NONE data source has nothing to configure: any key is a mistake.
  validate: (config, path) => unknownKeyErrors((config ?? {}) as object, path, []).errors,
  create({ name }): DataSource {
    const ds: DataSource & { [BUILT_IN_NONE]: true } = {
      name,
      type: 'NONE',
      async invoke(request) {
        const payload = request !== null && typeof request === 'object' ? (request as { payload?: unknown }).payload : undefined;
        return { result: payload ?? null };
      },
      [BUILT_IN_NONE]: true,
    };
    return ds;
  },
};
