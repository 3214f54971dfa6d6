#!/usr/bin/env node
// Runs the CLI from dist/ (the esbuild build of scripts/build.mjs, made by `npm install`'s
// `prepare` or `npm run build`) while that build is at least as new as every file under src/;
// otherwise runs the TypeScript sources through tsx. So a fresh clone needs no build step, a
// built one starts faster (no TypeScript compile, prebuilt resolver prelude), and an edit to
// src/ is never ignored. APPSYNC_GATEWAY_FROM=src|dist forces one of the two.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

/** True when dist/ was built after the last change under src/ (files added, edited or removed). */
function distIsFresh() {
  let builtAt;
  try {
    builtAt = Number(readFileSync(join(root, 'dist', '.build-stamp'), 'utf8'));
  } catch {
    return false;
  }
  const src = join(root, 'src');
  // The published package holds dist/ without src/.
  if (!existsSync(src)) return true;
  if (!(statSync(src).mtimeMs <= builtAt)) return false;
  for (const entry of readdirSync(src, { recursive: true })) {
    if (!(statSync(join(src, entry)).mtimeMs <= builtAt)) return false;
  }
  return true;
}

/** The config file named on the command line, or a TypeScript one the CLI would find first. */
function needsTypeScriptConfig() {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let file;
    if (arg === '-c' || arg === '--config') file = args[i + 1];
    else if (arg.startsWith('--config=')) file = arg.slice('--config='.length);
    else if (arg.startsWith('-c') && arg.length > 2 && !arg.startsWith('--')) file = arg.slice(2);
    if (file !== undefined) return /\.[cm]?ts$/.test(extname(file));
  }
  // src/config/load.ts looks for appsync.config.ts and .mts before any other name.
  return existsSync('appsync.config.ts') || existsSync('appsync.config.mts');
}

const from = process.env.APPSYNC_GATEWAY_FROM;
const useDist = from === 'dist' || (from !== 'src' && distIsFresh());
const typeScriptConfig = needsTypeScriptConfig();
if (!useDist || typeScriptConfig) (await import('tsx/esm/api')).register();
// A TypeScript config in a folder without `"type": "module"` loads as CommonJS.
if (typeScriptConfig) (await import('tsx/cjs/api')).register();
const { main } = useDist ? await import('../dist/cli.js') : await import('../src/cli.ts');
process.exitCode = await main(args);
