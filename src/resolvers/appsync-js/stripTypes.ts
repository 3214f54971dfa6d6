/**
 * A TypeScript resolver file (`.ts`, `.mts`, `.cts`) as JavaScript: esbuild's transform with the
 * types removed and the syntax left as written. The linter (lint.ts) reads it with its source map,
 * and the gateway's evaluator (expressions/subset.ts) analyses it; one transform per file serves
 * both, and the compile cache (compileCache.ts) keeps the text, so a start with unchanged code strips
 * nothing.
 */

/** What stripping a file's types gives: the JavaScript text and its source map back to the TypeScript. */
export interface StrippedTypes {
  code: string;
  /** Source map (JSON text) from `code` to the TypeScript source. */
  map: string;
}

/** Whether `file` is TypeScript, whose code is linted and analysed as its type-stripped text. */
export function isTypeScript(file: string): boolean {
  return /\.[cm]?ts$/.test(file);
}

/** `source`, the text of the TypeScript file `file`, without its types; throws esbuild's error when it does not parse. */
export async function stripTypes(file: string, source: string): Promise<StrippedTypes> {
  // Loaded on first use: a start whose code is all in the compile cache never loads esbuild.
  const { transform } = await import('esbuild');
  // esnext: only the types go, so what the linter reports is the syntax the file holds.
  const out = await transform(source, { loader: 'ts', format: 'esm', target: 'esnext', sourcemap: 'external', sourcefile: file });
  return { code: out.code, map: out.map };
}

/** This module's file: compileCache.ts fingerprints the code that produced a cached stripped text. */
export const MODULE_URL = import.meta.url;
