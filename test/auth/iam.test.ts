/**
 * AWS_IAM (auth.md §1, §6): requests signed by the AWS SDK's own SigV4 signer, verified by
 * `verifySigV4`. Signature, credential scope, clock skew and the body hash are each checked.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../src/auth/errors.js';
import { createIamProvider, validateIamConfig, verifySigV4, type IamConfig } from '../../src/auth/iam.js';
import { compileFieldPolicy } from '../../src/auth/iam-policy.js';
import type { AuthRequest } from '../../src/auth/types.js';
import { ConfigError } from '../../src/errors.js';

const CRED = { accessKeyId: 'AKIDUNIT', secretAccessKey: 'unit-secret', accountId: '123456789012', userArn: 'arn:aws:iam::123456789012:role/app' };
const TEMP = { accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret', sessionToken: 'session-token-1' };
const CONFIG: IamConfig = { credentials: [CRED, TEMP], region: 'us-east-1' };
const BODY = JSON.stringify({ query: '{ me }' });
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

interface SignOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region?: string;
  service?: string;
  date?: number;
  path?: string;
  query?: Record<string, string>;
}

/** Signs like an AWS SDK client would and returns the request as the server sees it. */
async function signed(options: SignOptions = {}): Promise<AuthRequest> {
  const signer = new SignatureV4({
    service: options.service ?? 'appsync',
    region: options.region ?? 'us-east-1',
    sha256: Sha256,
    credentials: options.credentials ?? CRED,
  });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: 'api.example.com',
    path: options.path ?? '/graphql',
    query: options.query,
    headers: { host: 'api.example.com', 'content-type': 'application/json' },
    body: BODY,
  });
  const out = await signer.sign(request, { signingDate: new Date(options.date ?? NOW) });
  const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const qs = options.query ? `?${new URLSearchParams(options.query)}` : '';
  return { headers, method: 'POST', url: `${options.path ?? '/graphql'}${qs}`, body: BODY, sourceIp: '127.0.0.1' };
}

async function outcome(request: AuthRequest | Promise<AuthRequest>, config = CONFIG, now = NOW): Promise<string> {
  try {
    const credential = await verifySigV4(await request, config, now);
    return `ok ${credential.accessKeyId}`;
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).statusCode).toBe(403);
    return (error as SignatureError).errorType!;
  }
}

const tamper = async (change: (r: AuthRequest) => AuthRequest) => change(await signed());

describe('verifySigV4 (auth.md §1, §6)', () => {
  it.each([
    ['a valid signature', () => signed(), 'ok AKIDUNIT'],
    ['a valid signature with a query string', () => signed({ query: { b: '2', a: '1 x' } }), 'ok AKIDUNIT'],
    ['temporary credentials with their session token', () => signed({ credentials: TEMP }), 'ok ASIATEMP'],
    ['signed 4 minutes ago', () => signed({ date: NOW - 4 * 60_000 }), 'ok AKIDUNIT'],
    ['signed more than 5 minutes ago (replayed)', () => signed({ date: NOW - 5 * 60_000 - 1000 }), 'InvalidSignatureException'],
    ['signed more than 5 minutes ahead', () => signed({ date: NOW + 5 * 60_000 + 1000 }), 'InvalidSignatureException'],
    ['a wrong secret (forged)', () => signed({ credentials: { ...CRED, secretAccessKey: 'guess' } }), 'InvalidSignatureException'],
    ['an unknown access key', () => signed({ credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' } }), 'UnrecognizedClientException'],
    [
      'temporary credentials without their session token',
      () => signed({ credentials: { accessKeyId: TEMP.accessKeyId, secretAccessKey: TEMP.secretAccessKey } }),
      'UnrecognizedClientException',
    ],
    ['a wrong session token', () => signed({ credentials: { ...TEMP, sessionToken: 'other' } }), 'UnrecognizedClientException'],
    ['service execute-api', () => signed({ service: 'execute-api' }), 'InvalidSignatureException'],
    ['region eu-west-1', () => signed({ region: 'eu-west-1' }), 'InvalidSignatureException'],
    ['the body changed after signing', () => tamper((r) => ({ ...r, body: JSON.stringify({ query: '{ admin }' }) })), 'InvalidSignatureException'],
    ['a signed header changed', () => tamper((r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } })), 'InvalidSignatureException'],
    ['the path changed', () => tamper((r) => ({ ...r, url: '/graphql/other' })), 'InvalidSignatureException'],
    [
      'x-amz-date moved (a replay with a new date)',
      () => tamper((r) => ({ ...r, headers: { ...r.headers, 'x-amz-date': '20260115T120100Z' } })),
      'InvalidSignatureException',
    ],
    ['no x-amz-date', () => tamper((r) => ({ ...r, headers: { ...r.headers, 'x-amz-date': undefined } })), 'InvalidSignatureException'],
    [
      'a malformed Authorization',
      () => tamper((r) => ({ ...r, headers: { ...r.headers, authorization: 'AWS4-HMAC-SHA256 nonsense' } })),
      'MissingAuthenticationTokenException',
    ],
  ])('%s → %s', async (_name, request, expected) => {
    expect(await outcome(request())).toBe(expected);
  });

  it('without a configured region any region is accepted', async () => {
    expect(await outcome(signed({ region: 'ap-south-1' }), { credentials: [CRED] })).toBe('ok AKIDUNIT');
  });

  it('error messages never contain the secret or the signature', async () => {
    const request = await signed({ credentials: { ...CRED, secretAccessKey: 'guess' } });
    const error = await verifySigV4(request, CONFIG, NOW).catch((e: Error) => e);
    const signature = /Signature=(\w+)/.exec(String(request.headers.authorization))![1]!;
    expect((error as Error).message).not.toContain(signature);
    expect((error as Error).message).not.toContain(CRED.secretAccessKey);
  });
});

describe('IAM identity (auth.md §5)', () => {
  it('accountId, userArn, username and sourceIp; Cognito identity fields null', async () => {
    const provider = createIamProvider({ credentials: [CRED] });
    const request = await signed({ date: Date.now() });
    const ctx = await provider.authenticate({ ...request, headers: { ...request.headers, 'x-forwarded-for': '203.0.113.5' } });
    expect(ctx).toEqual({
      mode: 'AWS_IAM',
      identity: {
        accountId: '123456789012',
        cognitoIdentityPoolId: null,
        cognitoIdentityId: null,
        sourceIp: ['203.0.113.5', '127.0.0.1'],
        username: 'AKIDUNIT',
        userArn: 'arn:aws:iam::123456789012:role/app',
        cognitoIdentityAuthType: null,
        cognitoIdentityAuthProvider: null,
      },
    });
  });
});

describe('validateIamConfig names the key', () => {
  it.each([
    [{}, 'authentication.config.credentials'],
    [{ credentials: [{ accessKeyId: 'a' }] }, 'authentication.config.credentials.0'],
    [{ credentials: [CRED], region: 5 }, 'authentication.config.region'],
  ])('%j → %s', (config, path) => {
    expect(() => validateIamConfig(config, 'authentication.config', {})).toThrow(ConfigError);
    expect(() => validateIamConfig(config, 'authentication.config', {})).toThrow(path);
  });
});

describe('field policies (local addition standing in for IAM policies, auth.md §1)', () => {
  const resource = { region: 'us-east-1', accountId: '111122223333', apiId: 'api1' };
  it.each([
    [['Query.getPost'], 'Query', 'getPost', true],
    [['Query.getPost'], 'Query', 'listPosts', false],
    [['Query.*'], 'Query', 'listPosts', true],
    [['Query.*'], 'Mutation', 'addPost', false],
    [['*'], 'Post', 'title', true],
    [['arn:aws:appsync:us-east-1:111122223333:apis/api1/types/Mutation/fields/addPost'], 'Mutation', 'addPost', true],
    [['arn:aws:appsync:us-east-1:111122223333:apis/api1/types/Mutation/fields/addPost'], 'Mutation', 'deletePost', false],
    [['arn:aws:appsync:*:*:apis/*/types/Post/*'], 'Post', 'id', true],
    [['arn:aws:appsync:eu-west-1:111122223333:apis/api1/*'], 'Post', 'id', false],
    [['arn:aws:appsync:us-east-1:111122223333:apis/api1/*'], 'Post', 'id', true],
    [[], 'Query', 'getPost', false],
  ] as const)('allow %j: %s.%s → %s', (patterns, type, field, expected) => {
    const policy = compileFieldPolicy([...patterns], resource);
    expect(policy(type, field)).toBe(expected);
    expect(policy(type, field)).toBe(expected); // memoised answer is the same
  });

  it('the provider attaches the credential’s policy to the auth context', async () => {
    const provider = createIamProvider({ credentials: [{ ...CRED, allow: ['Query.me'] }] }, 'api1');
    const ctx = await provider.authenticate(await signed({ date: Date.now() }));
    expect(ctx?.allows?.('Query', 'me')).toBe(true);
    expect(ctx?.allows?.('Query', 'admin')).toBe(false);
    const open = await createIamProvider({ credentials: [CRED] }).authenticate(await signed({ date: Date.now() }));
    expect(open?.allows).toBeUndefined();
  });
});
