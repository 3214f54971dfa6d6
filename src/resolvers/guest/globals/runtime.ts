/**
 * The `runtime` global (and `@aws-appsync/utils`'s `runtime`). Runs inside the sandbox: see
 * ../README.md.
 */
import { EarlyReturn } from '../run.js';

export function createRuntime() {
  return {
    earlyReturn(value?: unknown, options?: { skipTo?: 'END' | 'NEXT' }): never {
      throw new EarlyReturn(value === undefined ? null : value, options?.skipTo);
    },
  };
}
