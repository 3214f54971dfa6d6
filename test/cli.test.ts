/**
 * The `appsync-gateway` command as a user runs it: a real process, a real port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './utils/freePort.js';

const BIN = fileURLToPath(new URL('../bin/appsync-gateway.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

/** Each process its own data folder: several serve the example API at once (and `npm start` may hold the repo's). */
function freshStoreDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'appsync-gw-cli-data-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function run(args: string[], cwd = REPO, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', APPSYNC_GATEWAY_DATA_DIR: freshStoreDir(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `serve` and resolves with the GraphQL URL it prints. */
function serve(args: string[], cwd = REPO): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', APPSYNC_GATEWAY_DATA_DIR: freshStoreDir() },
    });
    children.push(child);
    let output = '';
    const onData = (d: Buffer) => {
      output += d;
      const match = /GraphQL:\s+(http:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, child, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-cli-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

const query = async (url: string, q: string, key = 'da2-exampleexampleexample00') => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query: q }) });
  return res.json();
};

describe('appsync-gateway CLI', () => {
  it('--help explains the commands and options', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('appsync-gateway serve [options]');
    expect(stdout).toContain('--watch');
    expect(stdout).toContain('--strict');
    expect(stdout).toMatch(/--in-memory\s+keep nothing/);
    expect(stdout).toMatch(/--data-dir PATH\s+folder the embedded DynamoDB/);
  });

  it('a misspelt option, command or log level is one short error with the likely fix, exit 2', async () => {
    const cases: { args: string[]; env?: Record<string, string>; stderr: string }[] = [
      { args: ['serve', '--prot', '8080'], stderr: 'unknown option --prot; did you mean --port?\nappsync-gateway --help lists every command and option\n' },
      { args: ['valdate'], stderr: 'unknown command "valdate"; did you mean "validate"?\nappsync-gateway --help lists every command and option\n' },
      { args: ['serve', '--log-level', 'verbose'], stderr: '--log-level: expected one of debug, info, warn, error, silent, got "verbose"\n' },
      {
        args: ['validate'],
        env: { APPSYNC_GATEWAY_LOG_LEVEL: 'loud' },
        stderr: 'APPSYNC_GATEWAY_LOG_LEVEL: expected one of debug, info, warn, error, silent, got "loud"\n',
      },
    ];
    for (const { args, env, stderr } of cases) {
      const result = await run(args, REPO, env);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 2, stderr });
    }
  });

  it('validate prints its verdict, not the start-up lines of the in-memory API it checks', async () => {
    const quiet = await run(['validate']);
    expect(quiet).toEqual({ code: 0, stdout: expect.stringMatching(/appsync\.config\.yml: the API "events-example" loads \(\d+ resolvers\)\n$/), stderr: '' });
    // An upper-case level is the same level.
    const verbose = await run(['validate', '--log-level', 'INFO']);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toContain(' INFO  dynamodb data source events: using the embedded store');
  }, 60_000);

  it('serves the example API (what `npm start` runs) on 127.0.0.1', async () => {
    const { url, output } = await serve([]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(await query(url, '{ hello(name: "CLI") }')).toEqual({ data: { hello: 'Hello, CLI! (API Key Authorization)' } });
    const announced = await query(url, 'mutation { announce(channel: "general", message: "hi") { channel message } }');
    expect(announced).toEqual({ data: { announce: { channel: 'general', message: 'hi' } } });
    // the generated key is printed; the configured one only abbreviated
    expect(output()).toMatch(/API key generated: da2-[a-z0-9]{26}/);
    expect(output()).not.toContain('da2-exampleexampleexample00');
  });

  it('--port N: the example’s self HTTP data source (${self:server.url}) follows it, so gatewayHealth answers', async () => {
    const port = await freePort();
    const { url } = await serve(['--port', String(port)]);
    expect(url).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(await query(url, '{ gatewayHealth { status name } }')).toEqual({ data: { gatewayHealth: { status: 'ok', name: 'events-example' } } });
  });

  it('a port in use, or a --host that is not this machine, says what to change and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const inUse = await run(['serve', '--in-memory', '--port', String(port)]);
      expect(inUse.code).toBe(1);
      // The one line is the last: nothing the load started (the example's embedded Postgres is
      // still starting) logs after it (test/datasources/postgres/embeddedClose.test.ts: nor at all).
      expect(inUse.stderr.slice(inUse.stderr.indexOf('cannot listen:'))).toBe(
        `cannot listen: 127.0.0.1:${port} is in use by another program (another gateway?); stop it, or listen on another port with --port N (or server.port in the config)\n`,
      );
    } finally {
      taken.close();
    }
    // 192.0.2.1 is TEST-NET-1 (RFC 5737), never an address of this machine; .invalid never resolves (RFC 2606).
    const notHere = await run(['serve', '--in-memory', '--port', '0', '--host', '192.0.2.1']);
    expect(notHere.code).toBe(1);
    expect(notHere.stderr).toContain('cannot listen: 192.0.2.1 is not an address of this machine; use --host 127.0.0.1, 0.0.0.0 or one of its own addresses\n');
    const noSuchHost = await run(['serve', '--in-memory', '--port', '0', '--host', 'gateway.invalid']);
    expect(noSuchHost.code).toBe(1);
    expect(noSuchHost.stderr).toContain('cannot listen: --host gateway.invalid: no such host name; use 127.0.0.1, 0.0.0.0 or an address of this machine\n');
  }, 60_000);

  it('--host 0.0.0.0: the Step Functions API and page are refused without AWS_IAM credentials; --allow-unsigned-admin opens them with a warning', async () => {
    const listCall = (origin: string) =>
      fetch(origin, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' },
        body: '{}',
      });
    const locked = await serve(['--host', '0.0.0.0', '--port', String(await freePort())]);
    // Tests talk to loopback only: the gateway listens on every address, the call comes over 127.0.0.1.
    const lockedOrigin = `http://127.0.0.1:${new URL(locked.url).port}`;
    const refused = await listCall(lockedOrigin);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect((await refused.json()).__type).toBe('MissingAuthenticationTokenException');
    expect((await fetch(`${lockedOrigin}/stepfunctions`)).status).toBe(403);
    // GraphQL itself is not administrative.
    expect(await query(`${lockedOrigin}/graphql`, '{ hello(name: "net") }')).toEqual({ data: { hello: 'Hello, net! (API Key Authorization)' } });

    const open = await serve(['--host', '0.0.0.0', '--port', String(await freePort()), '--allow-unsigned-admin']);
    const openOrigin = `http://127.0.0.1:${new URL(open.url).port}`;
    const listed = await listCall(openOrigin);
    expect(listed.status).toBe(200);
    expect((await listed.json()).stateMachines.length).toBeGreaterThan(0);
    expect(open.output()).toMatch(/WARN .*Step Functions API and page .* accept unsigned calls from anyone/);
  });

  it('prints the Events endpoint and the Event API’s own generated key, which publishes', async () => {
    const dir = await project({
      'appsync.config.yml': 'schemaSdl: "type Query { a: String }"\napiKeys: [{ name: gql }]\nevents:\n  apiKeys: [{ name: ev }]\n',
    });
    const { url, output } = await serve([], dir);
    await expect.poll(() => /Event API key ev: (da2-[a-z0-9]{26})/.exec(output())?.[1]).toBeDefined();
    const key = /Event API key ev: (da2-[a-z0-9]{26})/.exec(output())![1]!;
    expect(output()).toMatch(/API key gql: da2-[a-z0-9]{26}/);
    expect(output()).toMatch(/Events: +http:\/\/127\.0\.0\.1:\d+\/event {2}\(WebSocket: ws:\/\/127\.0\.0\.1:\d+\/event\/realtime/);
    const res = await fetch(new URL('/event', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ channel: '/default/a', events: ['1'] }),
    });
    expect(res.status).toBe(200);
  });

  it('a config with only an Event API prints the Events endpoint and key, and no GraphQL endpoint', async () => {
    const dir = await project({ 'appsync.config.yml': 'name: alone\nevents:\n  apiKeys: [{ name: ev }]\n' });
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', APPSYNC_GATEWAY_DATA_DIR: freshStoreDir() },
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => void (output += d));
    child.stderr.on('data', (d: Buffer) => void (output += d));
    await expect.poll(() => /Event API key ev: (da2-[a-z0-9]{26})/.exec(output)?.[1], { timeout: 30_000 }).toBeDefined();
    const key = /Event API key ev: (da2-[a-z0-9]{26})/.exec(output)![1]!;
    const origin = /Events: +(http:\/\/127\.0\.0\.1:\d+)\/event/.exec(output)![1]!;
    expect(output).not.toMatch(/GraphQL:|GraphiQL:|API key default/);
    const res = await fetch(`${origin}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ channel: '/default/a', events: ['1'] }),
    });
    expect(res.status).toBe(200);
  });

  it('a config error names the key path and exits non-zero without serving', async () => {
    const dir = await project({
      'appsync.config.yml':
        'schema: schema.graphql\nauthentication:\n  type: API_KEY\nresolvers:\n  Query.a:\n    kind: UNIT\n    dataSource: posts\n    code: a.js\n',
      'schema.graphql': 'type Query { a: String }',
      'a.js': 'export function request() { return {} }\nexport function response(ctx) { return ctx.result }\n',
    });
    const { code, stderr } = await run(['serve', '--port', '0'], dir);
    expect(code).not.toBe(0);
    expect(stderr).toContain('resolvers.Query.a.dataSource: no data source named "posts"');
  });

  it('validate --strict: a misspelt key inside a resolver or at the top level is one error with a suggestion', async () => {
    const dir = await project({
      'appsync.config.yml': [
        'schema: schema.graphql',
        'dataSorces:',
        '  none: { type: NONE }',
        'resolvers:',
        '  Query.a: { kind: UNIT, dataSorce: none, code: a.js }',
        '  Query.b: { knd: UNIT, dataSource: none, code: a.js, typo: 1 }',
        '',
      ].join('\n'),
      'schema.graphql': 'type Query { a: String b: String }',
      'a.js': 'export function request() { return {} }\nexport function response(ctx) { return ctx.result }\n',
    });
    const { code, stderr } = await run(['validate', '--strict'], dir);
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines.map((l) => l.trim().replace(/ \(expected one of .*\)$/, ''))).toEqual([
      'dataSorces: unknown key; did you mean "dataSources"?',
      'resolvers.Query.a.dataSorce: unknown key; did you mean "dataSource"?',
      'resolvers.Query.b.knd: unknown key; did you mean "kind"?',
      'resolvers.Query.b.typo: unknown key; did you mean "type"?',
    ]);
  });

  it('a schema error names file and line', async () => {
    const dir = await project({
      'appsync.config.yml': 'schema: schema.graphql\nauthentication:\n  type: API_KEY\n',
      'schema.graphql': 'type Query {\n  a: String\n  b: Nope\n}\n',
    });
    const { code, stderr } = await run(['validate'], dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(/schema\.graphql:3:6: Unknown type "Nope"/);
  });

  it('a Lambda handler file without the configured export: validate names data source, file and exports; serve answers as Lambda does and says why once', async () => {
    const files = {
      'appsync.config.yml': [
        'schema: schema.graphql',
        'apiKeys: [{ name: k, value: da2-handlerhandlerhandler000 }]',
        'dataSources:',
        '  users: { type: AWS_LAMBDA, config: { handler: functions/users.mjs#handlr } }',
        'resolvers:',
        '  Query.user: { kind: UNIT, dataSource: users }',
        '',
      ].join('\n'),
      'schema.graphql': 'type Query { user: String }',
      // Importing runs the top level; validate must never call the function.
      'functions/users.mjs': [
        "import { writeFileSync } from 'node:fs';",
        "writeFileSync(new URL('./imported', import.meta.url), '');",
        "export const handler = async () => { writeFileSync(new URL('./called', import.meta.url), ''); return 'ada'; };",
        'export const other = 1;',
        '',
      ].join('\n'),
    };
    const dir = await project(files);
    const checked = await run(['validate'], dir);
    expect({ code: checked.code, stderr: checked.stderr }).toEqual({
      code: 1,
      stderr:
        'cannot load appsync.config.yml:\n  dataSources.users.config.handler: functions/users.mjs has no export named handlr (its exports: handler, other)\n',
    });
    expect(existsSync(join(dir, 'functions/imported'))).toBe(true);
    expect(existsSync(join(dir, 'functions/called'))).toBe(false);

    // serve imports the file at the first call (docs/startup.md).
    const { url, output } = await serve([], dir);
    const key = 'da2-handlerhandlerhandler000';
    const lambdasAnswer = {
      data: { user: null },
      errors: [
        {
          path: ['user'],
          data: null,
          errorType: 'Runtime.HandlerNotFound',
          errorInfo: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'functions/users.mjs#handlr is undefined or not exported',
        },
      ],
    };
    expect(await query(url, '{ user }', key)).toEqual(lambdasAnswer);
    expect(await query(url, '{ user }', key)).toEqual(lambdasAnswer);
    const said = output()
      .split('\n')
      .filter((line) => line.includes('has no export named'));
    expect(said).toEqual([
      expect.stringMatching(
        / ERROR dataSources\.users\.config\.handler: functions\/users\.mjs has no export named handlr \(its exports: handler, other\); every call fails with Runtime\.HandlerNotFound \(appsync-gateway validate finds this before serving\)$/,
      ),
    ]);

    await writeFile(join(dir, 'appsync.config.yml'), files['appsync.config.yml'].replace('#handlr', '#handler'));
    expect(await run(['validate'], dir)).toMatchObject({ code: 0 });
  });

  it("a Lambda authorizer or a state machine's Lambda task without its export: validate names the auth provider and the states; serve refuses the request and fails the state as Lambda does", async () => {
    const files = {
      'serverless.yml': [
        'service: shop',
        'provider: { name: aws, region: us-east-1 }',
        'functions:',
        '  charge: { handler: functions/charge.handlr }',
        'appSync:',
        '  name: shop',
        '  schema: schema.graphql',
        '  authentication: { type: API_KEY }',
        '  additionalAuthentications:',
        '    - type: AWS_LAMBDA',
        '      config: { handler: functions/auth.mjs#authorise }',
        '  apiKeys: [{ name: k, value: da2-authorizerauthorizer00000 }]',
        'stepFunctions:',
        '  stateMachines:',
        '    checkout:',
        '      type: EXPRESS',
        '      definition:',
        '        StartAt: Both',
        '        States:',
        '          Both:',
        '            Type: Parallel',
        '            Branches:',
        '              - StartAt: Again',
        '                States: { Again: { Type: Task, Resource: "arn:aws:lambda:us-east-1:123456789012:function:charge", End: true } }',
        '            Next: Charge',
        '          Charge: { Type: Task, Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: charge }, End: true }',
        '',
      ].join('\n'),
      'schema.graphql': 'type Query { ok: Boolean }',
      'functions/auth.mjs': 'export const authorize = async () => ({ isAuthorized: true });\n',
      'functions/charge.mjs': "export const handler = async () => 'charged';\n",
    };
    const dir = await project(files);
    const checked = await run(['validate'], dir);
    const charge = 'functions/charge.mjs has no export named handlr (its exports: handler)';
    const states = 'stepFunctions.stateMachines.checkout.definition.States';
    expect({ code: checked.code, stderr: checked.stderr }).toEqual({
      code: 1,
      stderr: [
        'cannot load serverless.yml:',
        '  additionalAuthentications.0.config.handler: functions/auth.mjs has no export named authorise (its exports: authorize)',
        `  ${states}.Both.Branches.0.States.Again.Resource: ${charge}`,
        `  ${states}.Charge.Parameters.FunctionName: ${charge}`,
        '',
      ].join('\n'),
    });

    // serve imports both files at their first call (docs/startup.md), and keeps serving.
    const { url, output } = await serve([], dir);
    const origin = new URL(url).origin;
    for (let i = 0; i < 2; i++) {
      const refused = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'any-token' },
        body: JSON.stringify({ query: '{ ok }' }),
      });
      expect({ status: refused.status, body: await refused.json() }).toEqual({
        status: 401,
        body: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] },
      });
      const started = await fetch(origin, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartSyncExecution' },
        body: JSON.stringify({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:checkout', input: '{}' }),
      });
      const execution = (await started.json()) as { status: string; error: string; cause: string };
      const notExported = 'functions/charge.handlr is undefined or not exported';
      expect({ status: execution.status, error: execution.error, cause: JSON.parse(execution.cause) }).toEqual({
        status: 'FAILED',
        error: 'Runtime.HandlerNotFound',
        cause: { errorType: 'Runtime.HandlerNotFound', errorMessage: notExported, trace: [`Runtime.HandlerNotFound: ${notExported}`] },
      });
    }
    expect(await query(url, '{ __typename }', 'da2-authorizerauthorizer00000')).toEqual({ data: { __typename: 'Query' } });
    const said = output()
      .split('\n')
      .filter((line) => line.includes('has no export named'))
      .map((line) => line.replace(/^.* ERROR /, ''));
    expect(said.sort()).toEqual([
      'additionalAuthentications.0.config.handler: functions/auth.mjs has no export named authorise (its exports: authorize); every call fails with Runtime.HandlerNotFound (appsync-gateway validate finds this before serving)',
      `functions.charge.handler: ${charge}; every call fails with Runtime.HandlerNotFound (appsync-gateway validate finds this before serving)`,
    ]);

    await writeFile(join(dir, 'functions/auth.mjs'), 'export const authorise = async () => ({ isAuthorized: true });\n');
    await writeFile(join(dir, 'functions/charge.mjs'), "export const handlr = async () => 'charged';\n");
    expect(await run(['validate'], dir)).toMatchObject({ code: 0 });
  });

  it('a state machine CreateStateMachine would refuse: validate lists it with the other problems and serve refuses to start; a Task naming a function the config lacks fails validate and every run; --watch keeps the previous machines', async () => {
    const checkout = (next: string) =>
      [
        '    checkout:',
        '      type: EXPRESS',
        '      definition:',
        '        StartAt: Price',
        '        States:',
        `          Price: { Type: Task, Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: price, Payload.$: "$" }, OutputPath: "$.Payload", Next: ${next} }`,
        '          Done: { Type: Succeed }',
      ].join('\n');
    const config = (next: string) =>
      [
        'schema: schema.graphql',
        'apiKeys: [{ name: k, value: da2-machinesmachinesmachine00 }]',
        'dataSources:',
        '  price: { type: AWS_LAMBDA, config: { functionName: price, handler: functions/price.mjs#handler } }',
        'stepFunctions:',
        '  stateMachines:',
        checkout(next),
        '    refund:',
        '      type: EXPRESS',
        '      definition: { StartAt: Refund, States: { Refund: { Type: Task, Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: refund }, End: true } } }',
        '',
      ].join('\n');
    const dir = await project({
      'appsync.config.yml': config('Gone'),
      'schema.graphql': 'type Query { ok: Boolean }',
      'functions/price.mjs': 'export const handler = async (event) => ({ total: event.items * 10 });\n',
    });
    const definition = 'stepFunctions.stateMachines.checkout.definition.States';
    const invalid = [
      `  ${definition}.Price.Next: MISSING_TRANSITION_TARGET: Missing 'Next' target: Gone`,
      `  ${definition}.Done: MISSING_TRANSITION_TARGET: State "Done" is not reachable.`,
    ];
    const undeclared =
      '  stepFunctions.stateMachines.refund.definition.States.Refund.Parameters.FunctionName: no Lambda function named "refund" in the config ' +
      '(its functions: price); every run of this state fails with Lambda.ResourceNotFoundException';
    expect(await run(['validate'], dir)).toEqual({ code: 1, stdout: '', stderr: ['cannot load appsync.config.yml:', ...invalid, undeclared, ''].join('\n') });
    // serve refuses the machine as CreateStateMachine does (InvalidDefinition); the undeclared function is the run's matter.
    const refused = await run(['serve', '--port', '0'], dir);
    expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 1, stdout: '' });
    expect(refused.stderr).toContain(['cannot load appsync.config.yml:', ...invalid, ''].join('\n'));
    expect(refused.stderr).not.toContain('GraphQL:');

    await writeFile(join(dir, 'appsync.config.yml'), config('Done'));
    expect(await run(['validate'], dir)).toEqual({ code: 1, stdout: '', stderr: ['cannot load appsync.config.yml:', undeclared, ''].join('\n') });
    const { url, output } = await serve(['--watch'], dir);
    const start = async (machine: string, input: unknown) => {
      const res = await fetch(new URL(url).origin, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartSyncExecution' },
        body: JSON.stringify({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${machine}`, input: JSON.stringify(input) }),
      });
      const execution = (await res.json()) as { status: string; output?: string; error?: string };
      return { status: execution.status, output: execution.output && JSON.parse(execution.output), error: execution.error };
    };
    expect(await start('checkout', { items: 3 })).toEqual({ status: 'SUCCEEDED', output: { total: 30 }, error: undefined });
    expect(await start('refund', {})).toEqual({ status: 'FAILED', output: undefined, error: 'Lambda.ResourceNotFoundException' });

    // An edit that breaks a machine is refused as a broken resolver is: the previous machines keep serving.
    await writeFile(join(dir, 'appsync.config.yml'), config('Gone'));
    await expect.poll(() => output(), { timeout: 10_000, interval: 200 }).toContain('reload failed; the previous API keeps serving');
    expect(output()).toContain(invalid[0]!.trim());
    expect(await start('checkout', { items: 4 })).toEqual({ status: 'SUCCEEDED', output: { total: 40 }, error: undefined });
  });

  it("an Event API's Lambda authorizer without its export: validate names it at the Event API's key, once when the API shares the file's; serve refuses the Events request", async () => {
    const files = {
      'appsync.config.yml': [
        'schema: schema.graphql',
        'authentication: { type: API_KEY }',
        'additionalAuthentications: [{ type: AWS_LAMBDA, config: { handler: functions/auth.mjs#authorise } }]',
        'apiKeys: [{ name: k, value: da2-eventauthorizereventauth0 }]',
        'events:',
        '  - name: chat',
        '  - name: alerts',
        '    authProviders: [{ type: API_KEY }, { type: AWS_LAMBDA, config: { handler: functions/alerts.mjs#handlr } }]',
        '',
      ].join('\n'),
      'schema.graphql': 'type Query { ok: Boolean }',
      'functions/auth.mjs': 'export const authorize = async () => ({ isAuthorized: true });\n',
      'functions/alerts.mjs': 'export const handler = async () => ({ isAuthorized: true });\n',
    };
    const dir = await project(files);
    expect(await run(['validate'], dir)).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'cannot load appsync.config.yml:',
        '  additionalAuthentications.0.config.handler: functions/auth.mjs has no export named authorise (its exports: authorize)',
        '  events.1.authProviders.1.config.handler: functions/alerts.mjs has no export named handlr (its exports: handler)',
        '',
      ].join('\n'),
    });

    // serve imports the file at the first request (docs/startup.md), refuses it as the authorizer's failure, and keeps serving.
    const { url } = await serve([], dir);
    const publish = (headers: Record<string, string>) =>
      fetch(`${new URL(url).origin}/apis/alerts/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ channel: '/default/a', events: ['1'] }),
      });
    const refused = await publish({ authorization: 'any-token' });
    expect({ status: refused.status, body: await refused.json() }).toEqual({
      status: 401,
      body: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] },
    });
    expect((await publish({ 'x-api-key': 'da2-eventauthorizereventauth0' })).status).toBe(200);

    await writeFile(join(dir, 'functions/auth.mjs'), 'export const authorise = async () => ({ isAuthorized: true });\n');
    await writeFile(join(dir, 'functions/alerts.mjs'), 'export const handlr = async () => ({ isAuthorized: true });\n');
    expect(await run(['validate'], dir)).toMatchObject({ code: 0 });
  });

  it('a serverless.yml machine whose Task names a function the gateway does not serve: validate and serve print the same warning and go on; starting it answers StateMachineDoesNotExist', async () => {
    const serverless = (charge: string) =>
      [
        'service: shop',
        'provider: { name: aws }',
        'functions:',
        '  price: { handler: src/price.handler }',
        'appSync:',
        '  name: shop',
        '  schema: schema.graphql',
        '  authentication: { type: API_KEY }',
        '  apiKeys: [{ name: dev, value: da2-serverlessserverlessserve }]',
        'stepFunctions:',
        '  stateMachines:',
        '    quote:',
        '      type: EXPRESS',
        '      definition:',
        '        StartAt: Price',
        '        States:',
        '          Price: { Type: Task, Resource: !GetAtt price.Arn, End: true }',
        '    checkout:',
        '      type: EXPRESS',
        '      definition:',
        '        StartAt: Price',
        '        States:',
        '          Price: { Type: Task, Resource: !GetAtt PriceLambdaFunction.Arn, Next: Charge }',
        `          Charge: { Type: Task, Resource: !GetAtt ${charge}.Arn, End: true }`,
        '',
      ].join('\n');
    const dir = await project({
      'serverless.yml': serverless('ChargeFn'),
      'schema.graphql': 'type Query { ok: Boolean }',
      'src/price.mjs': 'export const handler = async (event) => ({ ...event, total: event.items * 10 });\n',
    });
    const warning = [
      'state machine checkout is not created (starting it answers StateMachineDoesNotExist): its Task states name what the gateway cannot resolve ' +
        '(docs/stepfunctions.md#references-the-gateway-cannot-resolve):',
      '  stepFunctions.stateMachines.checkout.definition.States.Charge.Resource: Fn::GetAtt ChargeFn.Arn cannot be resolved: ChargeFn is not a function the gateway serves',
    ].join('\n');
    const validated = await run(['validate'], dir);
    expect({ code: validated.code, stdout: validated.stdout }).toEqual({
      code: 0,
      stdout: `${join(dir, 'serverless.yml')}: the API "shop" loads (0 resolvers)\n`,
    });
    expect(validated.stderr).toContain(`WARN  ${warning}\n`);
    expect(validated.stderr).not.toContain('SCHEMA_VALIDATION_FAILED');

    const { url, output } = await serve([], dir);
    expect(output()).toContain(`WARN  ${warning}\n`);
    const start = async (machine: string) => {
      const res = await fetch(new URL(url).origin, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartSyncExecution' },
        body: JSON.stringify({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${machine}`, input: '{"items":3}' }),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await start('quote')).toMatchObject({ status: 'SUCCEEDED', output: '{"items":3,"total":30}' });
    expect(await start('checkout')).toEqual({
      __type: 'com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist',
      message: "State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:checkout'",
    });

    // Naming a function the file declares, the machine is created and runs.
    await writeFile(join(dir, 'serverless.yml'), serverless('price'));
    const fixed = await run(['validate'], dir);
    expect({ code: fixed.code, stderr: fixed.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('validate --strict refuses code AppSync would refuse', async () => {
    const files = {
      'appsync.config.yml':
        'schema: schema.graphql\nauthentication:\n  type: API_KEY\ndataSources:\n  none:\n    type: NONE\nresolvers:\n  Query.a:\n    kind: UNIT\n    dataSource: none\n    code: a.js\n',
      'schema.graphql': 'type Query { a: Int }',
      'a.js':
        'export function request() {\n  let i = 0;\n  while (i < 3) { i += 1 }\n  return { payload: i }\n}\nexport function response(ctx) { return ctx.result }\n',
    };
    const dir = await project(files);
    const lax = await run(['validate'], dir);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toContain('a.js:3:3: APPSYNC_JS does not support while loops');
    const strict = await run(['validate', '--strict'], dir);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('a.js:3:3: APPSYNC_JS does not support while loops');
  });

  it('--watch reloads on change and keeps the previous API when an edit breaks it', async () => {
    const dir = await project({
      'appsync.config.yml':
        'schema: schema.graphql\nauthentication:\n  type: API_KEY\napiKeys:\n  - name: k\n    value: da2-watchwatchwatchwatch0000\ndataSources:\n  none:\n    type: NONE\nresolvers:\n  Query.a:\n    kind: UNIT\n    dataSource: none\n    code: a.js\n',
      'schema.graphql': 'type Query { a: String }',
      'a.js': 'export function request() { return { payload: "one" } }\nexport function response(ctx) { return ctx.result }\n',
    });
    const { url, output } = await serve(['--watch'], dir);
    const key = 'da2-watchwatchwatchwatch0000';
    expect(await query(url, '{ a }', key)).toEqual({ data: { a: 'one' } });

    await writeFile(join(dir, 'a.js'), 'export function request() { return { payload: "two" } }\nexport function response(ctx) { return ctx.result }\n');
    await expect.poll(async () => (await query(url, '{ a }', key)).data?.a, { timeout: 10_000, interval: 200 }).toBe('two');

    await writeFile(join(dir, 'a.js'), 'export function request( { broken\n');
    await expect.poll(() => output(), { timeout: 10_000, interval: 200 }).toContain('reload failed; the previous API keeps serving');
    expect(await query(url, '{ a }', key)).toEqual({ data: { a: 'two' } });
  });
});
