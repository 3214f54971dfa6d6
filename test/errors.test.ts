/** Every errorType the gateway itself emits is documented in docs/errors.md's table (fastify's habit). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_TYPES } from '../src/errors.js';

const page = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const start = page.search(/^# Errors$/m);
const end = page.indexOf('\n#', start + 5);
const table = page.slice(start, end < 0 ? undefined : end);

describe('docs/errors.md error table', () => {
  it.each(ERROR_TYPES)('documents %s', (errorType) => {
    expect(table).toContain(`\`${errorType}\``);
  });

  it.each(['DynamoDB:', 'RDSHttp:', 'Http:', 'Lambda:'])('documents the %s family', (prefix) => {
    expect(table).toContain(`\`${prefix}`);
  });
});
