/**
 * Writes an Amplify Gen 1 API build folder from an annotated schema, with Amplify's own transformer
 * (the same generator the tests use, test/amplify/generate.ts), for trying the gateway on Amplify
 * output without the Amplify CLI or an AWS account (docs/amplify.md):
 *
 *   node --import tsx scripts/amplify-build.ts examples/amplify/schema.graphql
 *   npm start -- --config examples/amplify/amplify/backend/api/blog/build
 *
 * Options: `--out <build folder>` (default: `amplify/backend/api/blog/build` beside the schema),
 * `--conflict-detection` (VERSION + AUTOMERGE, what DataStore needs), `--user-pools` (Cognito user
 * pools as an additional auth mode, for `allow: owner` / `groups` rules).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateAmplifyBuild } from '../test/amplify/generate.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, 'conflict-detection': { type: 'boolean' }, 'user-pools': { type: 'boolean' }, 'api-name': { type: 'string' } },
});
const schemaFile = positionals[0];
if (!schemaFile) {
  console.error('usage: node --import tsx scripts/amplify-build.ts <schema.graphql> [--out <build folder>] [--conflict-detection] [--user-pools]');
  process.exit(2);
}
const apiName = values['api-name'] ?? 'blog';
const outDir = resolve(values.out ?? join(dirname(schemaFile), 'amplify', 'backend', 'api', apiName, 'build'));
const build = generateAmplifyBuild({
  schema: readFileSync(schemaFile, 'utf8'),
  outDir,
  apiName,
  ...(values['user-pools']
    ? {
        authConfig: {
          defaultAuthentication: { authenticationType: 'API_KEY', apiKeyConfig: { apiKeyExpirationDays: 7 } },
          additionalAuthenticationProviders: [{ authenticationType: 'AMAZON_COGNITO_USER_POOLS', userPoolConfig: { userPoolId: 'local' } }],
        },
      }
    : {}),
  ...(values['conflict-detection'] ? { conflictHandler: 'AUTOMERGE' as const } : {}),
});
for (const warning of build.warnings) console.warn(`amplify transformer: ${warning}`);
console.log(`${outDir}: ${build.stacks.length} nested stacks (${build.stacks.join(', ')}), ${build.resolvers.length} resolver templates`);
console.log(`serve it: npm start -- --config ${outDir}`);
