#!/usr/bin/env node
/**
 * Builds the CLI from src/ into dist/ with esbuild so `appsync-gateway serve` starts without
 * compiling TypeScript through tsx (bin/appsync-gateway.mjs runs dist/ only while it is at least
 * as new as every file under src/, so an edit to src/ is never ignored).
 *
 * - npm packages stay external: dist/ resolves them from node_modules like src/ does;
 * - code splitting keeps the lazily imported parts (real-time, Step Functions, data-source kinds,
 *   GraphiQL) in their own chunks, loaded on first use as from src/;
 * - the resolver sandbox prelude and the sandbox processes' program are bundled here once and
 *   inlined (`__APPSYNC_PRELUDE__`, `__APPSYNC_SANDBOX_CHILD__`, read
 *   by src/resolvers/isolation/sandbox.ts) instead of being bundled at every start.
 *
 * Files that look up assets next to themselves (`new URL('./x', import.meta.url)`) would break
 * when moved into dist/, so the build refuses (and leaves no dist/, so the CLI keeps using tsx)
 * when src/ holds a lookup it does not know to be safe.
 *
 * Usage: node scripts/build.mjs             (`npm run build`)
 *        node scripts/build.mjs --prepare   (npm's `prepare`: quiet, and a failed build only
 *                                            removes dist/ instead of failing `npm install`)
 *        node scripts/build.mjs --types     (npm's `prepack`: also the library's declarations,
 *                                            dist/types/, with tsc — seconds a clone need not pay)
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
/** Written last, holding the build's start time: the CLI compares src/ mtimes against it. */
const STAMP = '.build-stamp';
const prepare = process.argv.includes('--prepare');
const types = process.argv.includes('--types');
const quiet = prepare;

/**
 * `import.meta.url` uses that still work from dist/: the path resolves the same from dist/*.js
 * as from src/*.ts (one folder below the root), or the lookup is skipped once built.
 */
const SAFE_META_URL = [
  /new URL\('\.\.\/package\.json', import\.meta\.url\)/, // src/cli.ts → <root>/package.json
  /new URL\('\.\.\/guest\/prelude\.ts', import\.meta\.url\)/, // src/resolvers/isolation/sandbox.ts, prebuilt in dist
  /new URL\('\.\/child\.ts', import\.meta\.url\)/, // src/resolvers/isolation/sandbox.ts, prebuilt in dist
  /createRequire\(import\.meta\.url\)/, // resolves packages, not files
  /^export const MODULE_URL = import\.meta\.url;$/, // fingerprints the code itself (resolvers/appsync-js/compileCache.ts)
];

/**
 * npm packages bundled into dist/: plain JS without assets, used only by the gateway's own code,
 * whose many small files cost more to resolve and load one by one than to parse in one chunk.
 * Every other package stays external (packages with WASM, native or optional parts load as they
 * do from src/).
 *
 * `graphql` is bundled (~160 ms of CPU to load file by file, ~50 ms as part of a chunk), and with
 * it every package that imports graphql and touches our schema or errors: graphql-jit (compiles
 * operations against our GraphQLSchema) and graphql-ws (checks `instanceof GraphQLError`). One of
 * them loading its own copy from node_modules would meet our schema's classes from "another module
 * or realm": graphql-jit then fails every compile. So the process holds exactly one graphql, and
 * test/e2e/built-cli.test.ts checks that the built CLI runs operations compiled. graphql-jit's other
 * dependencies (fast-json-stringify and its ajv) do not import graphql and stay external.
 */
// acorn and libphonenumber-js are not listed: they load with createRequire on first use.
const BUNDLED = new Set([
  'yaml',
  '@jridgewell/trace-mapping',
  '@jridgewell/sourcemap-codec',
  '@jridgewell/resolve-uri',
  'graphql',
  'graphql-jit',
  'graphql-ws',
]);

const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]|^\.[^./]|^\.\.[^/]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (/\.(m?ts|m?js)$/.test(entry.name)) yield path;
  }
}

async function unsafeAssetLookups() {
  const found = [];
  for await (const file of walk(SRC)) {
    const text = await readFile(file, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.includes('import.meta.url') || /^\s*(\/\/|\*)/.test(line)) continue;
      if (!SAFE_META_URL.some((re) => re.test(line))) found.push(`${relative(ROOT, file)}: ${line.trim()}`);
    }
  }
  return found;
}

async function main() {
  const startedAt = Date.now();
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (!quiet) process.stderr.write('build: esbuild is not installed; the CLI runs src/ through tsx\n');
    return 0;
  }
  const unsafe = await unsafeAssetLookups();
  if (unsafe.length > 0) {
    await rm(join(DIST, STAMP), { force: true });
    process.stderr.write(`build: skipped, these asset lookups would break in dist/ (the CLI runs src/ through tsx):\n  ${unsafe.join('\n  ')}\n`);
    return 0;
  }
  // The sandbox's two scripts, inlined as strings: the prelude that runs inside the vm context
  // and the sandbox processes' program (src/resolvers/isolation/child.ts).
  // The prelude's velocityjs ships ESM under `module` and imports `debug`, swapped for a stub
  // (as src/resolvers/isolation/sandbox.ts bundles it from src/).
  const guest = {
    mainFields: ['module', 'main'],
    plugins: [{ name: 'no-debug', setup: (b) => b.onResolve({ filter: /^debug$/ }, () => ({ path: join(SRC, 'resolvers/guest/vtl/noDebug.ts') })) }],
  };
  const script = async (entry, format, platform, target) =>
    (await esbuild.build({ entryPoints: [join(SRC, entry)], bundle: true, format, platform, target, write: false, logLevel: 'silent', ...(platform === 'neutral' ? guest : {}) })).outputFiles[0].text;
  const prelude = await script('resolvers/guest/prelude.ts', 'iife', 'neutral', 'es2022');
  const sandboxChild = await script('resolvers/isolation/child.ts', 'cjs', 'node', 'node20');
  // No stamp while files change: a CLI starting meanwhile runs src/ through tsx. Chunk names are
  // content hashes, so a server already running from dist/ still finds the chunks it imports
  // lazily (GraphiQL, data-source kinds on reload); stale ones are pruned after a day.
  await mkdir(DIST, { recursive: true });
  await rm(join(DIST, STAMP), { force: true });
  const result = await esbuild.build({
    // The CLI and the library (package.json "exports"), sharing chunks.
    entryPoints: [join(SRC, 'cli.ts'), join(SRC, 'index.ts')],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externalPackages],
    outdir: DIST,
    sourcemap: 'linked',
    metafile: true,
    // Bundled CommonJS packages (yaml) require Node built-ins; give ESM chunks a `require`.
    banner: { js: "import { createRequire as __appsyncCreateRequire } from 'node:module'; const require = __appsyncCreateRequire(import.meta.url);" },
    define: {
      __APPSYNC_PRELUDE__: JSON.stringify(prelude),
      __APPSYNC_SANDBOX_CHILD__: JSON.stringify(sandboxChild),
      // Bundled packages in their production form: graphql 16 otherwise wraps its every
      // `instanceof` in a cross-realm check (jsutils/instanceOf) on the hot path. Only code in
      // dist/ sees this; the user's process.env is left alone.
      'process.env.NODE_ENV': '"production"',
    },
    logLevel: quiet ? 'error' : 'warning',
  });
  const produced = new Set(Object.keys(result.metafile.outputs).map((file) => resolve(ROOT, file)));
  for (const entry of await readdir(DIST)) {
    const path = join(DIST, entry);
    if (produced.has(path) || entry === 'package.json' || entry === 'types') continue;
    if (Date.now() - (await stat(path)).mtimeMs > 24 * 3600_000) await rm(path, { force: true });
  }
  if (types) {
    // Declarations only (esbuild writes the JavaScript): the public API's types for package.json "exports".
    const { execFileSync } = await import('node:child_process');
    await rm(join(DIST, 'types'), { recursive: true, force: true });
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.types.json')], { stdio: 'inherit' });
  }
  await writeFile(join(DIST, 'package.json'), '{ "type": "module" }\n');
  await writeFile(join(DIST, STAMP), `${startedAt}\n`);
  if (!quiet) process.stderr.write(`build: dist/ in ${Date.now() - startedAt} ms\n`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  // Without the stamp the CLI runs src/ through tsx, so a broken build costs speed only.
  await rm(join(DIST, STAMP), { force: true });
  process.stderr.write(`build: failed, the CLI runs src/ through tsx: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = prepare ? 0 : 1;
}
