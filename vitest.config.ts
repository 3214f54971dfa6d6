import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Each real server the suite needs (DynamoDB Local, PostgreSQL, Redis, ...) has its own
// global-setup module in test/setup/; it starts once per run and hands its address to tests
// through vitest's provide/inject.
const globalSetup = readdirSync(new URL('./test/setup/', import.meta.url))
  .filter((f) => f.endsWith('.global.ts'))
  .sort()
  .map((f) => `test/setup/${f}`);

export default defineConfig({
  resolve: {
    // Node runs graphql's CommonJS build (its package.json has no "exports"; "module" is a bundler
    // field). Vite would pick index.mjs, a second graphql whose classes fail the instanceof checks of
    // CommonJS dependencies such as graphql-jit; the suite runs what Node runs.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    globalSetup,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
