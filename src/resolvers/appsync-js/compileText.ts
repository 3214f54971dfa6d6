/**
 * Code given as one file's text and compiled without its folder, as AppSync takes it (AppSync
 * Events handlers, src/events/handlers.ts): compiled and linted through the compile cache
 * (compileCache.ts) like resolver files, so a start with unchanged handler code loads neither
 * esbuild nor acorn.
 */
import { compiledCode, compileResolverText, MODULE_URL as COMPILE_URL, sandboxModuleExports, type CompiledCode } from './compile.js';
import { CompileCache } from './compileCache.js';
import { lintAppSyncJs, MODULE_URL as LINT_URL, type LintFinding } from './lint.js';

/** `source`, the text of `file`, compiled and linted; from the compile cache of `configDir` when it holds them. */
export async function compileAndLintText(configDir: string, file: string, source: string): Promise<{ compiled: CompiledCode; findings: LintFinding[] }> {
  const cache = CompileCache.open(configDir, [COMPILE_URL, LINT_URL], process.env, await sandboxModuleExports());
  // Apart from a compile of the same file as a resolver's entry point (bundled from its folder).
  const key = `text:${file}`;
  const cached = await cache?.get(key, source);
  if (cached) return { compiled: compiledCode(file, cached.code, cached.mapText, source, []), findings: cached.findings };
  const compiled = await compileResolverText(file, source);
  const findings = await lintAppSyncJs(file, source);
  void cache?.set(key, source, [], { code: compiled.code, mapText: compiled.mapText, findings });
  return { compiled, findings };
}
