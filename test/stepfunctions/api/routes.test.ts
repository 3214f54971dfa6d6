/**
 * `stepFunctions.routes` over real HTTP (fetch): StartExecution answers `{ executionArn, startDate }`
 * and the execution runs with the body as input; StartSyncExecution answers the Express run's
 * output or its error and cause; each auth mode (API key, SigV4 for `execute-api`, an OIDC JWT,
 * none) accepts its credentials and refuses others with API Gateway's status and body; a bad
 * route declaration stops the start with its key path.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/config/normalize.js';
import type { GatewayConfig } from '../../../src/index.js';
import { startIssuer, type Issuer } from '../../utils/jwks-server.js';
import { startTestGateway, type TestGateway } from '../../utils/gateway.js';

const API_KEY = 'da2-routes000000000000000000';
const IAM_KEY = { accessKeyId: 'AKIDROUTES', secretAccessKey: 'routes-secret' };

let gw: TestGateway;
let idp: Issuer;
let sfn: SFNClient;

const pass = { StartAt: 'Done', States: { Done: { Type: 'Pass', Parameters: { 'got.$': '$' }, End: true } } };
const failing = {
  StartAt: 'Check',
  States: {
    Check: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Ok' }], Default: 'Bad' },
    Ok: { Type: 'Pass', End: true },
    Bad: { Type: 'Fail', Error: 'Order.Invalid', Cause: 'not ok' },
  },
};

beforeAll(async () => {
  idp = await startIssuer('/routes');
  gw = await startTestGateway({
    config: {
      name: 'sfn-routes',
      schemaSdl: 'type Query { ok: Boolean }',
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k', value: API_KEY }],
      additionalAuthentications: [
        { type: 'AWS_IAM', config: { credentials: [IAM_KEY] } },
        { type: 'OPENID_CONNECT', config: { issuer: idp.issuer } },
      ],
      stepFunctions: {
        stateMachines: {
          orders: { name: 'OrdersMachine', type: 'STANDARD', definition: pass },
          quote: { type: 'EXPRESS', definition: failing },
        },
        routes: [
          { path: '/orders', stateMachine: 'orders' },
          { method: 'POST', path: '/quote', stateMachine: 'quote', action: 'StartSyncExecution', auth: 'API_KEY' },
          { method: 'PUT', path: '/signed', stateMachine: 'quote', action: 'StartSyncExecution', auth: 'AWS_IAM' },
          {
            method: 'POST',
            path: '/jwt',
            stateMachine: 'arn:aws:states:us-east-1:123456789012:stateMachine:quote',
            action: 'StartSyncExecution',
            auth: 'OPENID_CONNECT',
          },
          { path: '/missing', stateMachine: 'nope' },
        ],
      },
    } as GatewayConfig,
  });
  sfn = new SFNClient({ endpoint: gw.origin, region: 'us-east-1', credentials: IAM_KEY, disableHostPrefix: true });
});

afterAll(async () => {
  sfn?.destroy();
  await gw?.close();
  await idp?.close();
});

const post = (path: string, body: string, headers: Record<string, string> = {}, method = 'POST') =>
  fetch(`${gw.origin}${path}`, { method, body, headers: { 'content-type': 'application/json', ...headers } });

async function signed(path: string, body: string, service = 'execute-api', credentials = IAM_KEY): Promise<Response> {
  const url = new URL(`${gw.origin}${path}`);
  const request = new HttpRequest({
    method: 'PUT',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials, sha256: Sha256 });
  const s = await signer.sign(request);
  return fetch(url, { method: 'PUT', headers: s.headers as Record<string, string>, body });
}

describe('StartExecution routes', () => {
  it('answers 200 with executionArn and startDate; the execution runs with the body as input', async () => {
    const res = await post('/orders', JSON.stringify({ id: 7 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { executionArn: string; startDate: number };
    expect(Object.keys(body).sort()).toEqual(['executionArn', 'startDate']);
    expect(body.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:OrdersMachine:[0-9a-f-]{36}$/);
    expect(Math.abs(body.startDate * 1000 - Date.now())).toBeLessThan(60_000);
    let described;
    for (let i = 0; i < 50; i++) {
      described = await sfn.send(new DescribeExecutionCommand({ executionArn: body.executionArn }));
      if (described.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(described?.status).toBe('SUCCEEDED');
    expect(JSON.parse(described!.output!)).toEqual({ got: { id: 7 } });
  });

  it('starts with {} for an empty body and passes Step Functions errors through', async () => {
    expect((await post('/orders', '')).status).toBe(200);
    const bad = await post('/orders', '{not json');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidExecutionInput');
    expect(((await bad.json()) as { __type: string }).__type).toMatch(/#InvalidExecutionInput$/);
    const missing = await post('/missing', '{}');
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { __type: string }).__type).toMatch(/#StateMachineDoesNotExist$/);
  });

  it('leaves other methods and paths to the rest of the gateway', async () => {
    const res = await fetch(`${gw.origin}/orders`, { method: 'GET' });
    expect(res.status).toBe(404);
  });
});

describe('StartSyncExecution routes and their auth', () => {
  it('API_KEY: answers the output, or the error and cause of a failed run', async () => {
    const ok = await post('/quote', JSON.stringify({ ok: true }), { 'x-api-key': API_KEY });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"ok":true}',
      input: '{"ok":true}',
      stateMachineArn: expect.stringMatching(/:stateMachine:quote$/),
    });
    expect(body.executionArn).toMatch(/:express:quote:/);
    const failed = (await (await post('/quote', JSON.stringify({ ok: false }), { 'x-api-key': API_KEY })).json()) as Record<string, unknown>;
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Order.Invalid', cause: 'not ok' });
    expect(failed.output).toBeUndefined();
  });

  it('API_KEY: a missing or unknown key is 403 Forbidden', async () => {
    for (const headers of [{}, { 'x-api-key': 'da2-wrong' }] as Array<Record<string, string>>) {
      const res = await post('/quote', '{}', headers);
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
      expect(await res.json()).toEqual({ message: 'Forbidden' });
    }
  });

  it('AWS_IAM: a SigV4 signature for execute-api is accepted; none, another service or a wrong secret is 403', async () => {
    const ok = await signed('/signed', JSON.stringify({ ok: true }));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { status: string }).status).toBe('SUCCEEDED');
    const none = await post('/signed', '{}', {}, 'PUT');
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({ message: 'Missing Authentication Token' });
    const otherService = await signed('/signed', '{}', 'appsync');
    expect(otherService.status).toBe(403);
    expect(otherService.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    const wrong = await signed('/signed', '{}', 'execute-api', { ...IAM_KEY, secretAccessKey: 'nope' });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/signature we calculated does not match/);
  });

  it('OPENID_CONNECT: a token of the issuer is accepted (with or without Bearer); none or a forged one is 401', async () => {
    const token = await idp.sign({ sub: 'u1' });
    for (const authorization of [token, `Bearer ${token}`]) {
      const res = await post('/jwt', JSON.stringify({ ok: true }), { authorization });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('SUCCEEDED');
    }
    const forged = await idp.sign({ sub: 'u1' }, { key: 'unpublished' });
    for (const headers of [{}, { authorization: forged }, { 'x-api-key': API_KEY }] as Array<Record<string, string>>) {
      const res = await post('/jwt', '{}', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
      expect(await res.json()).toEqual({ message: 'Unauthorized' });
    }
  });
});

describe('route declarations', () => {
  const base = { schemaSdl: 'type Query { ok: Boolean }', authentication: { type: 'API_KEY' }, apiKeys: [{ name: 'k', value: API_KEY }] };
  const problems = (routes: unknown) => {
    try {
      normalizeConfig({ ...base, stepFunctions: { routes } } as GatewayConfig, { configDir: '/tmp' });
      return [];
    } catch (error) {
      return String((error as Error).message);
    }
  };

  it('names the key path of each problem', () => {
    expect(problems([{ path: 'orders', stateMachine: 'x' }])).toMatch(/stepFunctions\.routes\.0\.path: expected a path starting with \//);
    expect(problems([{ path: '/a', stateMachine: 'x', action: 'Start' }])).toMatch(
      /stepFunctions\.routes\.0\.action: expected StartExecution or StartSyncExecution/,
    );
    expect(problems([{ path: '/a', stateMachine: 'x', auth: 'AWS_IAM' }])).toMatch(
      /stepFunctions\.routes\.0\.auth: AWS_IAM is not one of the API's auth modes/,
    );
    expect(problems([{ path: '/a', stateMachine: 'x', metod: 'GET' }])).toMatch(/stepFunctions\.routes\.0\.metod: unknown key; did you mean "method"/);
    expect(
      problems([
        { path: '/a', stateMachine: 'x' },
        { path: '/a', stateMachine: 'y', method: 'post' },
      ]),
    ).toMatch(/stepFunctions\.routes\.1: a second route for POST \/a/);
    expect(problems([{ path: '/a', stateMachine: 'x', auth: 'API_KEY' }])).toEqual([]);
  });
});
