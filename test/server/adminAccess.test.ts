/**
 * Administrative endpoints on a non-loopback address (src/server/adminAccess.ts): the gateway
 * listens on 0.0.0.0 and every call comes over 127.0.0.1 (tests send traffic to loopback only);
 * what decides is the address the gateway listens on, not where a call comes from.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway, type GatewayConfig, type GatewayOptions } from '../../src/index.js';
import { isLoopbackHost } from '../../src/server/adminAccess.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const MACHINE = { definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } };
const CREDENTIALS = { accessKeyId: 'AKIDADMINTEST', secretAccessKey: 'admin-test-secret' };

function logCollector() {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { lines, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } };
}

async function start(config: GatewayConfig, host: string, options: GatewayOptions = {}): Promise<{ gateway: Gateway; origin: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-admin-'));
  const gateway = await createGateway(config, { configDir: dir, ...options });
  const { port } = await gateway.listen({ port: 0, host });
  cleanups.push(async () => {
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { gateway, origin: `http://127.0.0.1:${port}` };
}

const base: GatewayConfig = {
  name: 'admin-test',
  schemaSdl: 'type Query { ping: String }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-admintest000000000000' }],
  stepFunctions: { stateMachines: { m: MACHINE } },
};

const unsignedList = (origin: string) =>
  fetch(origin, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' },
    body: '{}',
  });
const signedList = async (origin: string, credentials = CREDENTIALS) => {
  // A copy: the SDK marks the object it is given ($source), which would then be an unknown key in the config.
  const sfn = new SFNClient({ endpoint: origin, region: 'us-east-1', credentials: { ...credentials } });
  try {
    return await sfn.send(new ListStateMachinesCommand({}));
  } finally {
    sfn.destroy();
  }
};

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
    ['::ffff:10.0.0.1', false],
    ['example.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('administrative endpoints by listening address', () => {
  it('on 127.0.0.1 the Step Functions API and page stay open, as before', async () => {
    const { origin } = await start(base, '127.0.0.1');
    expect((await unsignedList(origin)).status).toBe(200);
    expect((await fetch(`${origin}/stepfunctions`)).status).toBe(200);
  });

  it('on 0.0.0.0 without AWS_IAM credentials every call and the page are refused; GraphQL and health are not', async () => {
    const { lines, logger } = logCollector();
    const { origin } = await start(base, '0.0.0.0', { logger });
    const refused = await unsignedList(origin);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await refused.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message:
        'Missing Authentication Token: this gateway listens on 0.0.0.0, so Step Functions calls must be SigV4-signed with credentials of an AWS_IAM auth mode in the config (or the gateway started with --allow-unsigned-admin).',
    });
    // A signature is no way in when there are no credentials to check it against.
    await expect(signedList(origin)).rejects.toMatchObject({ name: 'MissingAuthenticationTokenException', $metadata: { httpStatusCode: 403 } });
    expect((await fetch(`${origin}/stepfunctions`)).status).toBe(403);
    expect((await fetch(`${origin}/stepfunctions/console.js`)).status).toBe(403);
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    const graphql = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-admintest000000000000' },
      body: '{"query":"{ __typename }"}',
    });
    expect(await graphql.json()).toEqual({ data: { __typename: 'Query' } });
    expect(lines).toContainEqual(expect.stringMatching(/^info listening on 0\.0\.0\.0: the Step Functions API and page are refused to every caller/));
  });

  it('on 0.0.0.0 with AWS_IAM credentials, signed calls pass, unsigned ones and wrong keys do not; the page loads (it signs its calls)', async () => {
    const config: GatewayConfig = { ...base, additionalAuthentications: [{ type: 'AWS_IAM', config: { credentials: [CREDENTIALS] } }] };
    const { origin } = await start(config, '0.0.0.0');
    const listed = await signedList(origin);
    expect(listed.stateMachines?.map((m) => m.name)).toEqual(['m']);
    const unsigned = await unsignedList(origin);
    expect(unsigned.status).toBe(403);
    expect((await unsigned.json()).__type).toMatch(/MissingAuthenticationTokenException$/);
    await expect(signedList(origin, { accessKeyId: 'AKIDOTHER', secretAccessKey: 'nope' })).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect((await fetch(`${origin}/stepfunctions`)).status).toBe(200);
  });

  it('allowUnsignedAdmin opens them on 0.0.0.0 and says so at start-up', async () => {
    const { lines, logger } = logCollector();
    const { origin } = await start(base, '0.0.0.0', { logger, allowUnsignedAdmin: true });
    expect((await unsignedList(origin)).status).toBe(200);
    expect((await fetch(`${origin}/stepfunctions`)).status).toBe(200);
    expect(lines.filter((l) => l.startsWith('warn '))).toEqual([
      expect.stringMatching(/^warn the Step Functions API and page at http:\/\/0\.0\.0\.0:\d+ accept unsigned calls from anyone who can reach this address/),
    ]);
  });
});
