/** Every errorType the gateway itself emits is documented in README's error table (fastify's habit). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_TYPES } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const start = readme.search(/^## Errors$/m);
const table = readme.slice(start, readme.indexOf('\n## ', start + 5));

describe('README error table', () => {
  it.each(ERROR_TYPES)('documents %s', (errorType) => {
    expect(table).toContain(`\`${errorType}\``);
  });

  it.each(['DynamoDB:', 'RDSHttp:', 'Http:', 'Lambda:'])('documents the %s family', (prefix) => {
    expect(table).toContain(`\`${prefix}`);
  });
});
