/**
 * On-disk cache of what loading a resolver file produces (esbuild bundle, source map, lint
 * findings, a TypeScript file's type-stripped text), keyed by content, so a start with unchanged code loads
 * neither esbuild nor acorn and parses nothing: compiling and linting are most of a start's CPU
 * time for an API with many resolver files.
 *
 * Gateway choice: entries live in `<config folder>/.data/cache/resolvers/` (`.data` already holds
 * the gateway's local state and is ignored by `--watch`); `APPSYNC_GATEWAY_CACHE_DIR` moves them,
 * and `APPSYNC_GATEWAY_CACHE_DIR=off` turns the cache off. A cache that cannot be read or written
 * (read-only folder, corrupt entry) only costs speed: the code is compiled as without it.
 *
 * An entry is valid while
 * - the resolver file's text is the same (its hash is the key);
 * - every other file esbuild bundled into it (relative imports) has the same hash;
 * - the gateway code that compiles and lints is the same file with the same size
 *   and modification time (`MODULE_URL` of those modules; in dist/ one content-named chunk), and
 *   the sandbox modules (`@aws-appsync/utils/*`) export the same names;
 * - the esbuild version is the same.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LintFinding } from './lint.js';

/** Bump when the entry layout changes. */
const FORMAT = 3;

/** What a cache entry holds besides its validity checks. */
export interface CachedCompile {
  /** esbuild's IIFE output. */
  code: string;
  /** Its source map (JSON text). */
  mapText: string | undefined;
  findings: LintFinding[];
  /** A TypeScript file's source without its types (stripTypes.ts), for the gateway's evaluator; absent for JavaScript. */
  stripped?: string;
}

interface Entry extends CachedCompile {
  format: number;
  /** Every bundled file other than the entry file, with the sha256 of its text. */
  inputs: Array<[path: string, hash: string]>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Size and mtime of each module file, and the esbuild version: what the output depends on besides the code. */
function gatewayIdentity(moduleUrls: readonly string[], extra: string): string {
  const parts = [`format ${FORMAT}`, extra];
  for (const url of new Set(moduleUrls)) {
    try {
      const stat = statSync(fileURLToPath(url));
      parts.push(`${url} ${stat.size} ${stat.mtimeMs}`);
    } catch {
      parts.push(`${url} ?`);
    }
  }
  try {
    const pkg = createRequire(import.meta.url)('esbuild/package.json') as { version?: string };
    parts.push(`esbuild ${pkg.version}`);
  } catch {
    parts.push('esbuild ?');
  }
  return sha256(parts.join('\n'));
}

export class CompileCache {
  readonly #dir: string;
  readonly #identity: string;
  #madeDir: Promise<unknown> | undefined;

  private constructor(dir: string, identity: string) {
    this.#dir = dir;
    this.#identity = identity;
  }

  /**
   * The cache for an API whose config lives in `configDir`, or undefined when turned off.
   * `moduleUrls`: `import.meta.url` of every module whose code shapes the cached output; `extra`:
   * anything else it depends on (the sandbox modules' export names).
   */
  static open(configDir: string, moduleUrls: readonly string[], env: NodeJS.ProcessEnv = process.env, extra = ''): CompileCache | undefined {
    const setting = env.APPSYNC_GATEWAY_CACHE_DIR;
    if (setting === 'off' || setting === '0' || setting === 'false') return undefined;
    const dir = setting ? join(setting, 'resolvers') : join(configDir, '.data', 'cache', 'resolvers');
    return new CompileCache(dir, gatewayIdentity(moduleUrls, extra));
  }

  #path(file: string, source: string): string {
    return join(this.#dir, `${sha256(`${this.#identity}\n${file}\n${source}`)}.json`);
  }

  /** The cached result for `file` with text `source`, or undefined when absent or stale. */
  async get(file: string, source: string): Promise<CachedCompile | undefined> {
    let entry: Entry;
    try {
      // Read synchronously, as the resolver files are (compile.ts readResolverSource).
      entry = JSON.parse(readFileSync(this.#path(file, source), 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    if (entry.format !== FORMAT || typeof entry.code !== 'string' || !Array.isArray(entry.inputs)) return undefined;
    for (const [path, hash] of entry.inputs) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
      if (sha256(text) !== hash) return undefined;
    }
    return { code: entry.code, mapText: entry.mapText, findings: entry.findings, stripped: typeof entry.stripped === 'string' ? entry.stripped : undefined };
  }

  /** Stores a result; `inputs` are the other files bundled into it. Failures are ignored. */
  async set(file: string, source: string, inputs: readonly string[], value: CachedCompile): Promise<void> {
    try {
      const hashed: Array<[string, string]> = [];
      for (const path of inputs) hashed.push([path, sha256(await readFile(path, 'utf8'))]);
      const entry: Entry = { format: FORMAT, inputs: hashed, ...value };
      await (this.#madeDir ??= mkdir(this.#dir, { recursive: true }));
      const target = this.#path(file, source);
      // Written aside and renamed, so a gateway starting meanwhile never reads half an entry.
      const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(temp, JSON.stringify(entry));
      await rename(temp, target);
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }
}
