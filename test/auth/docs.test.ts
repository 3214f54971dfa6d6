/**
 * docs/auth.md shows each mode's config; this test loads every YAML example there through the
 * config normalizer and `createAuthProviders`, and runs the documented Lambda authorizer, so the
 * examples keep working.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAuthProviders } from '../../src/auth/index.js';
import type { GatewayConfig } from '../../src/config/types.js';
import { normalizeConfig } from '../../src/config/index.js';
import { silentLogger } from '../utils/logger.js';

const doc = await readFile(fileURLToPath(new URL('../../docs/auth.md', import.meta.url)), 'utf8');
const blocks = (lang: string) => [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auth-docs-'));
  const authorizer = blocks('js').find((b) => b.startsWith('// lambda/authorizer.mjs'));
  expect(authorizer).toBeDefined();
  await mkdir(join(dir, 'lambda'));
  await writeFile(join(dir, 'schema.graphql'), 'type Query { a: String }');
  await writeFile(join(dir, 'lambda/authorizer.mjs'), authorizer!);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const examples = blocks('yaml')
  .map((text) => parse(text) as GatewayConfig)
  .filter((c) => c.authentication || c.additionalAuthentications);

describe('docs/auth.md config examples', () => {
  it('has one example per mode at least', () => {
    const types = new Set(examples.flatMap((c) => [c.authentication?.type, ...(c.additionalAuthentications ?? []).map((a) => a.type)]));
    expect([...types].filter(Boolean).sort()).toEqual(['AMAZON_COGNITO_USER_POOLS', 'API_KEY', 'AWS_IAM', 'AWS_LAMBDA', 'OPENID_CONNECT']);
  });

  it.each(examples.map((c, i) => [i, c] as const))('example %i loads', async (_i, example) => {
    const config = normalizeConfig({ name: 'docs', authentication: { type: 'API_KEY' }, ...example }, { configDir: dir, now: Date.now() });
    const providers = await createAuthProviders(config, silentLogger);
    expect(providers.length).toBe(1 + config.additionalAuthentications.length);
    await Promise.all(providers.map((p) => p.close?.()));
  });

  it('the documented authorizer authorizes its token', async () => {
    const example = examples.find((c) => c.additionalAuthentications?.some((a) => a.type === 'AWS_LAMBDA' && a.config?.identityValidationExpression))!;
    const config = normalizeConfig({ name: 'docs', ...example, authentication: { type: 'API_KEY' } }, { configDir: dir, now: Date.now() });
    const lambda = (await createAuthProviders(config, silentLogger)).find((p) => p.mode === 'AWS_LAMBDA')!;
    const request = (authorization: string) => ({
      headers: { authorization },
      method: 'POST',
      url: '/graphql',
      body: '{"query":"{ a }"}',
      sourceIp: '127.0.0.1',
    });
    expect(await lambda.authenticate(request('tok-secret'))).toMatchObject({ mode: 'AWS_LAMBDA', identity: { resolverContext: { userId: 'u1' } } });
    await expect(Promise.resolve(lambda.authenticate(request('tok-other')))).rejects.toThrow('You are not authorized to make this call.');
    await expect(Promise.resolve(lambda.authenticate(request('not matching')))).rejects.toThrow('You are not authorized to make this call.');
  });
});
