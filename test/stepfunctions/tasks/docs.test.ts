/**
 * docs/stepfunctions.md stays true: its config, schema, function and resolver examples are
 * written to a folder, loaded as the CLI loads them, and the documented mutation, the resolver
 * with code, the tutorial HTTP data source and the SDK call give the documented answers.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { createGateway, type Gateway, type GatewayConfig } from '../../../src/index.js';
import { createStepFunctionsDataSourceKind, type StepFunctionsStarter } from '../../../src/stepfunctions/resolverDataSource.js';
import { silentLogger } from '../../utils/logger.js';

const blocks: Array<{ lang: string; text: string }> = [];
let dir: string;
let gateway: Gateway;
let origin: string;
let sfn: SFNClient;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const block = (lang: string, containing: string) => {
  const found = blocks.find((b) => b.lang === lang && b.text.includes(containing));
  if (!found) throw new Error(`docs/stepfunctions.md has no ${lang} block with ${containing}`);
  return found.text;
};

async function query(q: string) {
  const res = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'da2-shopdevkeyshopdevkey0001' },
    body: JSON.stringify({ query: q }),
  });
  return res.json();
}

beforeAll(async () => {
  const markdown = await readFile(new URL('../../../docs/stepfunctions.md', import.meta.url), 'utf8');
  for (const m of markdown.matchAll(/```(\w+)\n([\s\S]*?)```/g)) blocks.push({ lang: m[1]!, text: m[2]! });
  dir = await mkdtemp(join(tmpdir(), 'sfn-docs-'));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const files: Record<string, string> = {
    'appsync.config.yml': block('yaml', 'stepFunctions:'),
    'schema.graphql': block('graphql', 'type Mutation'),
    'functions/price.ts': block('ts', '// functions/price.ts'),
    'resolvers/checkout.js': block('js', '// resolvers/checkout.js'),
    'resolvers/checkoutHttp.js': block('js', '// resolvers/checkoutHttp.js'),
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const { config, configDir } = await loadConfigFile(join(dir, 'appsync.config.yml'));
  // The tutorial block adds an HTTP data source and a resolver; here on extra fields, signing
  // with fixed keys instead of the credential chain, at the address the gateway really has.
  const tutorial = parse(block('yaml', 'signingServiceName: states')) as GatewayConfig & { dataSources: Record<string, any>; resolvers: Record<string, any> };
  tutorial.dataSources.stepFunctionsHttp.config.endpoint = origin;
  tutorial.dataSources.stepFunctionsHttp.config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const full = {
    ...config,
    schemaSdl: 'extend type Mutation { checkoutWithCode(orderId: ID!, items: Int!): Receipt checkoutHttp(orderId: ID!, items: Int!): Receipt }',
    dataSources: { ...(config.dataSources as Record<string, unknown>), ...tutorial.dataSources },
    resolvers: {
      ...(config.resolvers as Record<string, unknown>),
      'Mutation.checkoutWithCode': { kind: 'UNIT', dataSource: 'checkout', code: 'resolvers/checkout.js' },
      'Mutation.checkoutHttp': { ...tutorial.resolvers['Mutation.checkout'] },
    },
  } as GatewayConfig;
  const starter: StepFunctionsStarter = {
    async startExecution(stateMachineArn, input, name, wait) {
      const text = JSON.stringify(input ?? {});
      return wait
        ? sfn.send(new StartSyncExecutionCommand({ stateMachineArn, input: text, name }))
        : sfn.send(new StartExecutionCommand({ stateMachineArn, input: text, name }));
    },
    service: { machine: () => ({ type: 'EXPRESS' }) },
  };
  gateway = await createGateway(full, { configDir, logger: silentLogger, dataSourceKinds: { AWS_STEP_FUNCTIONS: createStepFunctionsDataSourceKind(starter) } });
  await gateway.listen({ port, host: '127.0.0.1' });
  await gateway.ready();
  // The SDK settings of the doc.
  const sdkBlock = block('ts', 'new SFNClient');
  expect(sdkBlock).toContain('disableHostPrefix: true');
  sfn = new SFNClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, disableHostPrefix: true });
});

afterAll(async () => {
  await gateway?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('docs/stepfunctions.md', () => {
  it('the documented mutation answers as the doc says', async () => {
    expect(await query('mutation { checkout(orderId: "o-1", items: 3) { orderId total } }')).toEqual({ data: { checkout: { orderId: 'o-1', total: 30 } } });
  });
  it('the resolver with code and the tutorial HTTP data source give the same answer', async () => {
    expect(await query('mutation { checkoutWithCode(orderId: "o-2", items: 1) { orderId total } }')).toEqual({
      data: { checkoutWithCode: { orderId: 'o-2', total: 10 } },
    });
    expect(await query('mutation { checkoutHttp(orderId: "o-3", items: 2) { orderId total } }')).toEqual({
      data: { checkoutHttp: { orderId: 'o-3', total: 20 } },
    });
  });
  it('the SDK call of the doc starts an execution of Checkout', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Checkout',
        input: JSON.stringify({ orderId: 'o-4', items: 3 }),
      }),
    );
    expect(executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:express:Checkout:/);
    // Express executions started asynchronously cannot be described, as on AWS.
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn }))).rejects.toThrow();
  });
  it('the page is served at /stepfunctions', async () => {
    const res = await fetch(`${origin}/stepfunctions`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});
