/**
 * Compiles one APPSYNC_JS resolver/function file (`.js` or `.ts`) with esbuild into an IIFE the
 * sandbox can evaluate. `@aws-appsync/utils*` imports resolve to the sandbox's own module table,
 * as AppSync resolves them to its runtime (resolvers.md §1); relative imports are bundled, as
 * AWS asks users to bundle.
 */
import { readFile } from 'node:fs/promises';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { build, type Plugin } from 'esbuild';
import { CodeLoadError } from '../errors.js';

export interface CompiledCode {
  file: string;
  /** IIFE code assigning the module's exports to `__m`. */
  code: string;
  /** Maps a position in `code` back to the original file. */
  map: TraceMap | undefined;
  /** The original source (for linting). */
  source: string;
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
    // ESM re-exports (not `module.exports = …`): esbuild's CommonJS wrapper contains a `try`,
    // which would send every resolver to the slow watchdog path (see sandbox.ts).
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
      return Object.keys(await import('./sandbox/modules/dynamodb.js'));
    case '@aws-appsync/utils/rds':
      return Object.keys(await import('./sandbox/modules/rds.js')).filter((n) => n !== 'rdsUtil');
    default:
      return [];
  }
}

/** Maximum code length AppSync accepts (resolvers.md §7). */
export const MAX_CODE_LENGTH = 32_768;

export async function compileResolverCode(file: string): Promise<CompiledCode> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new CodeLoadError(file, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      format: 'iife',
      globalName: '__m',
      platform: 'neutral',
      target: 'es2022',
      write: false,
      outfile: 'code.js',
      sourcemap: 'external',
      logLevel: 'silent',
      plugins: [appsyncModulesPlugin],
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const mapText = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
    return { file, code: js, map: mapText ? new TraceMap(mapText) : undefined, source };
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors?.[0];
    if (first) {
      throw new CodeLoadError(first.location?.file ? file : file, `${first.text}${first.location ? ` (column ${first.location.column + 1})` : ''}`, first.location?.line);
    }
    throw new CodeLoadError(file, error instanceof Error ? error.message : String(error));
  }
}

/**
 * Turns a sandbox stack frame for `compiled` into `file:line:column` of the original source, as
 * AppSync prefixes runtime errors (`code.js:162:13: ReferenceError: …`, errors.md §3).
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
