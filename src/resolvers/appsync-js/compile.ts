/**
 * Compiles one APPSYNC_JS resolver/function file (`.js` or `.ts`) with esbuild into an IIFE the
 * sandbox can evaluate. `@aws-appsync/utils*` imports resolve to the sandbox's own module table,
 * as AppSync resolves them to its runtime (docs/resolvers.md#resolver-runtime-appsync_js); relative imports are bundled, as
 * AWS asks users to bundle.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { BuildOptions, Plugin } from 'esbuild';
import { CodeLoadError } from '../../errors.js';

/** This module's file: compileCache.ts fingerprints the code that produced a cached result. */
export const MODULE_URL = import.meta.url;

export interface CompiledCode {
  file: string;
  /** Script code assigning the module's exports to `__m` (a plain object). */
  code: string;
  /** Maps a position in `code` back to the original file (built from `mapText` on first use). */
  readonly map: TraceMap | undefined;
  /** The source map as JSON text. */
  mapText: string | undefined;
  /** The original source (for linting). */
  source: string;
  /** The other files bundled into `code` (relative imports), absolute paths. */
  inputs: string[];
  /**
   * A TypeScript file's source without its types (stripTypes.ts), when the load stripped it or the
   * compile cache kept it: the gateway's evaluator analyses it without stripping the file again.
   */
  stripped?: string;
}

/** A `CompiledCode` whose source map is parsed only when a fault needs locating. */
export function compiledCode(file: string, code: string, mapText: string | undefined, source: string, inputs: string[], stripped?: string): CompiledCode {
  let map: TraceMap | undefined;
  return {
    file,
    code,
    mapText,
    source,
    inputs,
    stripped,
    get map() {
      if (!map && mapText) map = new TraceMap(mapText);
      return map;
    },
  };
}

const APPSYNC_MODULES = new Set(['@aws-appsync/utils', '@aws-appsync/utils/dynamodb', '@aws-appsync/utils/rds', '@aws-appsync/utils/ai']);

const appsyncModulesPlugin: Plugin = {
  name: 'appsync-modules',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@aws-appsync\/utils(\/.*)?$/ }, (args) => {
      if (!APPSYNC_MODULES.has(args.path)) {
        return { errors: [{ text: `${args.path} is not a module of the APPSYNC_JS runtime` }] };
      }
      return { path: args.path, namespace: 'appsync-module' };
    });
    // ESM re-exports (not `module.exports = …`): esbuild's CommonJS wrapper would add code to
    // every module evaluation, and modules are evaluated per call (guest/prelude.ts).
    pluginBuild.onLoad({ filter: /.*/, namespace: 'appsync-module' }, async (args) => {
      const names = await moduleExportNames(args.path);
      const source = `globalThis.__appsyncModules[${JSON.stringify(args.path)}]`;
      return {
        contents: `const m = ${source};\nexport default m.default ?? m;\n${names.map((n) => `export const ${n} = m.${n};`).join('\n')}\n`,
        loader: 'js',
      };
    });
  },
};

/** Export names of each sandbox module, read from the same files the prelude bundles. */
async function moduleExportNames(specifier: string): Promise<string[]> {
  switch (specifier) {
    case '@aws-appsync/utils':
      return ['util', 'runtime', 'extensions'];
    case '@aws-appsync/utils/dynamodb':
      return Object.keys(await import('../guest/modules/dynamodb.js'));
    case '@aws-appsync/utils/rds':
      return Object.keys(await import('../guest/modules/rds.js')).filter((n) => n !== 'rdsUtil');
    default:
      return [];
  }
}

/**
 * The export names of every sandbox module, as one string: compiled code lists them, so the
 * compile cache (compileCache.ts) treats a change to them like a change to this module.
 */
export async function sandboxModuleExports(): Promise<string> {
  const names = await Promise.all([...APPSYNC_MODULES].map(async (specifier) => [specifier, await moduleExportNames(specifier)]));
  return JSON.stringify(names);
}

/** Maximum code length AppSync accepts (docs/resolvers.md#limits). */
export const MAX_CODE_LENGTH = 32_768;

/**
 * Reads a resolver file; a missing or unreadable file is a `CodeLoadError`. Read synchronously: a
 * load reads every resolver file, and a promise-based read costs several event-loop round trips
 * (about 4× the CPU of a synchronous one).
 */
export async function readResolverSource(file: string): Promise<string> {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CodeLoadError(file, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * A compile error with its place in the source: `column` 1-based, `span` the length esbuild marks
 * (-1 when it marks none), as EvaluateCode reports code errors.
 */
export class CodeSyntaxError extends CodeLoadError {
  constructor(
    file: string,
    readonly text: string,
    line: number | undefined,
    readonly column: number | undefined,
    readonly span: number,
  ) {
    super(file, `${text}${column !== undefined ? ` (column ${column})` : ''}`, line);
  }
}

/** Compiles `file`; `source` is its text when the caller has read it already. */
export async function compileResolverCode(file: string, source?: string): Promise<CompiledCode> {
  source ??= await readResolverSource(file);
  return bundleModule(file, source, { entryPoints: [file] });
}

/**
 * Compiles code given as text (EvaluateCode), named `name` in positions and stack traces. Only
 * `@aws-appsync/utils*` imports resolve: a relative import has no folder to come from, as AppSync
 * takes one bundled file.
 */
export function compileResolverText(name: string, source: string): Promise<CompiledCode> {
  return bundleModule(name, source, { stdin: { contents: source, sourcefile: name, loader: /\.[cm]?ts$/.test(name) ? 'ts' : 'js' } });
}

async function bundleModule(file: string, source: string, input: Pick<BuildOptions, 'entryPoints' | 'stdin'>): Promise<CompiledCode> {
  // Loaded on first compile: a start whose code is all in the compile cache never loads esbuild.
  const { build } = await import('esbuild');
  try {
    const result = await build({
      ...input,
      bundle: true,
      // ESM, whose one trailing `export { … }` becomes a plain object (moduleObjectOf): the
      // sandbox evaluates a module at every handler call, and the IIFE format's exports object
      // (a getter per export, copied through __toCommonJS) was a fifth of that work.
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      write: false,
      outfile: 'code.js',
      sourcemap: 'external',
      logLevel: 'silent',
      metafile: true,
      plugins: [appsyncModulesPlugin],
    });
    const js = moduleObjectOf(result.outputFiles.find((f) => f.path.endsWith('.js'))!.text, file);
    const mapText = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
    // Bundled files on disk (not the sandbox's own `appsync-module:` namespace), besides `file`.
    const self = resolve(file);
    const inputs = input.stdin
      ? []
      : Object.keys(result.metafile.inputs)
          .filter((entry) => !/^[a-z-]+:/.test(entry))
          .map((entry) => (isAbsolute(entry) ? entry : resolve(entry)))
          .filter((entry) => entry !== self);
    return compiledCode(file, js, mapText, source, inputs);
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number; length: number } | null }> }).errors?.[0];
    if (first) {
      const where = first.location;
      throw new CodeSyntaxError(file, first.text, where?.line, where ? where.column + 1 : undefined, where && where.length > 0 ? where.length : -1);
    }
    throw new CodeLoadError(file, error instanceof Error ? error.message : String(error));
  }
}

/**
 * esbuild's ESM output for one bundled entry ends with a single `export { local as name, … };`;
 * it becomes `var __m = { name: local, … };`, a plain object of the exports (the lines above,
 * and so the source map, are unchanged).
 */
function moduleObjectOf(code: string, file: string): string {
  const match = /export\s*\{([^}]*)\};\s*$/.exec(code);
  if (!match) {
    if (/^\s*export\b/m.test(code)) throw new CodeLoadError(file, "the module's exports could not be read");
    return `${code}\nvar __m = {};`;
  }
  const members = match[1]!
    .split(',')
    .map((spec) => spec.trim())
    .filter(Boolean)
    .map((spec) => {
      const [local, exported = local] = spec.split(/\s+as\s+/);
      return `${JSON.stringify(exported)}: ${local}`;
    });
  return `${code.slice(0, match.index)}var __m = { ${members.join(', ')} };\n`;
}

/**
 * Turns a sandbox stack frame for `compiled` into `file:line:column` of the original source, as
 * AppSync prefixes runtime errors (`code.js:162:13: ReferenceError: …`, docs/errors.md).
 */
export function locateFault(compiled: CompiledCode, stack: string): string | undefined {
  const escaped = compiled.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  if (!match) return undefined;
  const line = Number(match[1]);
  const column = Number(match[2]);
  if (compiled.map) {
    const original = originalPositionFor(compiled.map, { line, column: Math.max(0, column - 1) });
    if (original.line !== null) return `${original.line}:${(original.column ?? 0) + 1}`;
  }
  return `${line}:${column}`;
}
