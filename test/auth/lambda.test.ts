/**
 * AWS_LAMBDA authorizer (auth.md §4): the event, the response keys, the per-token cache with
 * `authorizerResultTtlInSeconds` / `ttlOverride`, `identityValidationExpression` checked first,
 * failures as 401. In-process handlers from a temp folder; the Invoke API through a loopback server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLambdaAuthorizer, type LambdaAuthorizerConfig } from '../../src/auth/lambda.js';
import type { AuthProvider, AuthRequest } from '../../src/auth/types.js';
import type { NormalizedConfig } from '../../src/config/types.js';
import { ConfigError, UnauthorizedError } from '../../src/errors.js';
import { startEchoServer, type EchoServer } from '../utils/echo-server.js';

const HANDLER = `
globalThis.__authorizerEvents ??= [];
export async function handler(event) {
  globalThis.__authorizerEvents.push(event);
  const calls = globalThis.__authorizerEvents.length;
  switch (event.authorizationToken) {
    case 'allow': return { isAuthorized: true, resolverContext: { user: 'u1', calls: String(calls) }, deniedFields: ['Query.secret', 'arn:aws:appsync:us-east-1:111122223333:apis/abc123/types/Post/fields/draft'] };
    case 'allow-no-cache': return { isAuthorized: true, ttlOverride: 0 };
    case 'allow-long': return { isAuthorized: true, ttlOverride: 3600 };
    case 'throw-s3cr3t': throw new Error('authorizer exploded for token throw-s3cr3t');
    // Answers "yes" after 20 s: past AppSync's 10 s, so it must not authorize.
    case 'slow': await new Promise((resolve) => setTimeout(resolve, 20_000).unref()); return { isAuthorized: true };
    default: return { isAuthorized: false };
  }
}
`;

let dir: string;
let echo: EchoServer;
const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
const logger = { debug() {}, info() {}, error() {}, warn: (m: string, f?: Record<string, unknown>) => void warnings.push([m, f]) };
const events = () => (globalThis as { __authorizerEvents?: Array<Record<string, any>> }).__authorizerEvents ?? [];
const REMOTE_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:remoteAuthorizer';
const gatewayConfig = { name: 'auth-unit-api' } as NormalizedConfig;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auth-lambda-'));
  await writeFile(join(dir, 'authorizer.mjs'), HANDLER);
  const remote = (event: { authorizationToken: string }) => ({
    isAuthorized: event.authorizationToken === 'remote-ok',
    resolverContext: { via: 'invoke-api' },
  });
  // The Invoke API takes a name or an ARN in the path.
  const slow = () => new Promise((resolve) => setTimeout(() => resolve({ isAuthorized: true }), 20_000).unref());
  echo = await startEchoServer({ remoteAuthorizer: remote, [REMOTE_ARN]: remote, slowAuthorizer: slow });
});
afterAll(async () => {
  await echo?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

function authorizer(config: Partial<LambdaAuthorizerConfig> = {}): AuthProvider {
  return createLambdaAuthorizer({ handler: 'authorizer.mjs#handler', ...config }, { configDir: dir, gatewayConfig, path: 'authentication.config', logger });
}

const req = (
  authorization: string,
  body = JSON.stringify({ query: 'query Q($id: ID) { getPost(id: $id) { id } }', operationName: 'Q', variables: { id: '1' } }),
): AuthRequest => ({
  headers: { authorization, 'content-type': 'application/json', 'x-custom': 'c' },
  method: 'POST',
  url: '/graphql',
  body,
  sourceIp: '127.0.0.1',
});

async function refused(provider: AuthProvider, request: AuthRequest): Promise<string> {
  const error = await Promise.resolve(provider.authenticate(request)).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  return error!.message;
}

describe('event and response (auth.md §4)', () => {
  it('sends the documented event and turns the response into the auth context', async () => {
    const before = events().length;
    const ctx = await authorizer().authenticate(req('allow'));
    const event = events()[before]!;
    expect(event).toEqual({
      authorizationToken: 'allow',
      requestContext: {
        apiId: 'auth-unit-api',
        accountId: expect.stringMatching(/^\d{12}$/),
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        queryString: 'query Q($id: ID) { getPost(id: $id) { id } }',
        operationName: 'Q',
        variables: { id: '1' },
      },
      requestHeaders: { authorization: 'allow', 'content-type': 'application/json', 'x-custom': 'c' },
    });
    expect(ctx).toEqual({
      mode: 'AWS_LAMBDA',
      identity: { resolverContext: { user: 'u1', calls: String(before + 1) } },
      // The ARN form names the same field as `Type.field`.
      deniedFields: new Set(['Query.secret', 'Post.draft']),
    });
  });

  it('resolverContext defaults to {}', async () => {
    expect((await authorizer().authenticate(req('allow-no-cache')))?.identity).toEqual({ resolverContext: {} });
  });

  it.each([
    ['isAuthorized false', 'deny'],
    ['an authorizer that throws (Gateway choice: denied)', 'throw-s3cr3t'],
  ])('%s → 401 You are not authorized to make this call.', async (_name, token) => {
    expect(await refused(authorizer(), req(token))).toBe('You are not authorized to make this call.');
  });

  it('logs authorizer failures without the token', async () => {
    warnings.length = 0;
    await refused(authorizer(), req('throw-s3cr3t'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![1]).toMatchObject({ error: 'authorizer exploded for token [token]' });
    expect(JSON.stringify(warnings)).not.toContain('s3cr3t');
  });
});

describe('a handler file without the configured export', () => {
  const misnamed = (errors: string[]) =>
    createLambdaAuthorizer(
      { handler: 'authorizer.mjs#handlr' },
      { configDir: dir, gatewayConfig, path: 'additionalAuthentications.0.config', logger: { ...logger, error: (line: string) => void errors.push(line) } },
    );
  const finding = 'authorizer.mjs has no export named handlr (its exports: handler)';

  it('check() (what validate runs) names the auth provider, the file and its exports, and never calls the function', async () => {
    const before = events().length;
    const error = await misnamed([]).check!().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`additionalAuthentications.0.config.handler: ${finding}`);
    expect(events()).toHaveLength(before);
  });

  it('serving denies each request with 401, as when an authorizer fails, and logs why once', async () => {
    const errors: string[] = [];
    const provider = misnamed(errors);
    warnings.length = 0;
    expect(await refused(provider, req('allow'))).toBe('You are not authorized to make this call.');
    expect(await refused(provider, req('allow'))).toBe('You are not authorized to make this call.');
    expect(errors).toEqual([
      `additionalAuthentications.0.config.handler: ${finding}; every call fails with Runtime.HandlerNotFound (appsync-gateway validate finds this before serving)`,
    ]);
    expect(warnings.map(([, fields]) => fields?.error)).toEqual([
      'authorizer.mjs#handlr is undefined or not exported',
      'authorizer.mjs#handlr is undefined or not exported',
    ]);
  });
});

describe('identityValidationExpression (auth.md §2)', () => {
  it('a token that does not match is refused before the function runs', async () => {
    const provider = authorizer({ identityValidationExpression: 'allow(-[a-z]+)?' });
    const before = events().length;
    expect(await refused(provider, req('Allow'))).toBe('You are not authorized to make this call.');
    expect(await refused(provider, req('xallow'))).toBe('You are not authorized to make this call.');
    expect(events().length).toBe(before);
    expect(await provider.authenticate(req('allow-long'))).not.toBeNull();
    expect(events().length).toBe(before + 1);
  });
});

describe('caching per token (auth.md §2, §4)', () => {
  it('TTL 0 (the default): the function runs on every request', async () => {
    const provider = authorizer();
    const before = events().length;
    await provider.authenticate(req('allow'));
    await provider.authenticate(req('allow'));
    expect(events().length).toBe(before + 2);
  });

  it('authorizerResultTtlInSeconds: one call per token until the TTL passes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const provider = authorizer({ authorizerResultTtlInSeconds: 60 });
    const before = events().length;
    const first = await provider.authenticate(req('allow'));
    const second = await provider.authenticate(req('allow'));
    expect(second).toEqual(first);
    expect(events().length).toBe(before + 1);
    // Denials are cached too.
    await refused(provider, req('deny'));
    await refused(provider, req('deny'));
    expect(events().length).toBe(before + 2);
    vi.setSystemTime(Date.now() + 61_000);
    await provider.authenticate(req('allow'));
    expect(events().length).toBe(before + 3);
  });

  it('ttlOverride wins over the configured TTL', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const provider = authorizer({ authorizerResultTtlInSeconds: 60 });
    const before = events().length;
    await provider.authenticate(req('allow-no-cache'));
    await provider.authenticate(req('allow-no-cache'));
    expect(events().length).toBe(before + 2);
    await provider.authenticate(req('allow-long'));
    vi.setSystemTime(Date.now() + 600_000);
    await provider.authenticate(req('allow-long'));
    expect(events().length).toBe(before + 3);
  });

  it.each([-1, 3601])('authorizerResultTtlInSeconds %i is a config error', (ttl) => {
    expect(() => authorizer({ authorizerResultTtlInSeconds: ttl })).toThrow(ConfigError);
  });
});

describe('time limit (AppSync: 10 s)', () => {
  const timed = async (provider: AuthProvider, token: string) => {
    const started = Date.now();
    const message = await refused(provider, req(token));
    return { message, seconds: (Date.now() - started) / 1000 };
  };

  it('an authorizer that answers "yes" after 20 s is cut at 10 s and denies, in-process and through the Invoke API', async () => {
    warnings.length = 0;
    // Both at once: the request never waits past the limit, whether the function runs here or remotely.
    const remote = authorizer({ handler: undefined, functionName: 'slowAuthorizer', endpoint: echo.url, region: 'us-east-1' });
    const [local, invoked] = await Promise.all([timed(authorizer({ timeout: 30 }), 'slow'), timed(remote, 'slow')]);
    for (const result of [local, invoked]) {
      expect(result.message).toBe('You are not authorized to make this call.');
      expect(result.seconds).toBeGreaterThanOrEqual(9.9);
      expect(result.seconds).toBeLessThan(15);
    }
    expect(warnings.map(([message]) => message)).toEqual(['Lambda authorizer failed; request denied', 'Lambda authorizer failed; request denied']);
    await remote.close?.();
  }, 30_000);

  it('a shorter config timeout cuts sooner', async () => {
    const result = await timed(authorizer({ timeout: 1 }), 'slow');
    expect(result.message).toBe('You are not authorized to make this call.');
    expect(result.seconds).toBeLessThan(5);
  });
});

describe('through the Lambda Invoke API (functionName + endpoint)', () => {
  it('invokes the named function and reads its answer', async () => {
    const provider = authorizer({ handler: undefined, functionName: 'remoteAuthorizer', endpoint: echo.url, region: 'us-east-1' });
    expect(await provider.authenticate(req('remote-ok'))).toEqual({ mode: 'AWS_LAMBDA', identity: { resolverContext: { via: 'invoke-api' } } });
    expect(await refused(provider, req('remote-no'))).toBe('You are not authorized to make this call.');
    expect(echo.invocations.get('remoteAuthorizer')).toHaveLength(2);
    await provider.close?.();
  });

  it('authorizerUri (a function ARN) names the function', async () => {
    const provider = authorizer({ handler: undefined, authorizerUri: REMOTE_ARN, endpoint: echo.url, region: 'us-east-1' });
    expect(await provider.authenticate(req('remote-ok'))).not.toBeNull();
    await provider.close?.();
  });
});
