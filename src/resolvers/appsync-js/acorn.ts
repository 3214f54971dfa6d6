/**
 * acorn and acorn-walk, loaded on first use: code found in the compile cache is never parsed, so
 * a start with unchanged resolvers does not load them. Synchronously, as linting is.
 */
import { createRequire } from 'node:module';

export function acornModules(): { acorn: typeof import('acorn'); walk: typeof import('acorn-walk') } {
  const load = createRequire(import.meta.url);
  return (loaded ??= { acorn: load('acorn') as typeof import('acorn'), walk: load('acorn-walk') as typeof import('acorn-walk') });
}
let loaded: ReturnType<typeof acornModules> | undefined;
