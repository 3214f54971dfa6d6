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

// The AWS SDK warns once per process that its 2027 releases need Node 22; in a test run that is
// one copy per worker and per CLI the tests start. Set here, before the workers fork, so they and
// their children inherit it (the CLI itself already logs the warning at debug level only).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
    // The default output, then every skipped test with its reason (test/utils/skipReasons.ts).
    reporters: ['default', './test/utils/skipReasons.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
