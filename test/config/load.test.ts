/** Config files (DESIGN.md "Config"): every format, serverless.yml variables, errors naming the key. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../../src/errors.js';
import { findConfigFile, loadConfigFile, normalizeConfig } from '../../src/config/index.js';

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-config-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

const SCHEMA = { 'api/schema.graphql': 'type Query { a: String }', 'api/a.js': 'export function request() {}\nexport function response() {}\n' };
const normalize = (config: unknown, dir: string) =>
  normalizeConfig(config as never, { configDir: dir, knownDataSourceTypes: ['NONE', 'AMAZON_DYNAMODB', 'AWS_LAMBDA'] });

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors.map((e) => e.message);
    throw error;
  }
  return [];
}

describe('loading each format', () => {
  const body = {
    name: 'fmt',
    schema: 'schema.graphql',
    dataSources: { none: { type: 'NONE' } },
    resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', code: 'a.js' } },
  };
  it.each([
    [
      'appsync.config.yml',
      'name: fmt\nschema: schema.graphql\ndataSources:\n  none:\n    type: NONE\nresolvers:\n  Query.a:\n    kind: UNIT\n    dataSource: none\n    code: a.js\n',
    ],
    ['appsync.config.json', JSON.stringify(body)],
    ['appsync.config.mjs', `export default ${JSON.stringify(body)};`],
    [
      'appsync.config.ts',
      `import { defineConfig } from '${join(process.cwd(), 'src/config/index.ts')}';\nexport default defineConfig(${JSON.stringify(body)});`,
    ],
  ])('%s, with paths relative to the config folder', async (name, content) => {
    const dir = await project({ [`api/${name}`]: content, ...SCHEMA });
    expect(await findConfigFile(join(dir, 'api'))).toBe(join(dir, 'api', name));
    const loaded = await loadConfigFile(join(dir, 'api', name), { env: {} });
    const config = normalize(loaded.config, loaded.configDir);
    expect(config.name).toBe('fmt');
    expect(config.schemaFiles).toEqual([join(dir, 'api/schema.graphql')]);
    expect(config.resolvers[0]).toMatchObject({ typeName: 'Query', fieldName: 'a', kind: 'UNIT', dataSource: 'none', code: join(dir, 'api/a.js') });
  });

  it('a YAML syntax error names file and line', async () => {
    const dir = await project({ 'appsync.config.yml': 'name: x\nschema: [a\nother: 1\n' });
    await expect(loadConfigFile(join(dir, 'appsync.config.yml'))).rejects.toThrow(/appsync\.config\.yml:\d+:\d+: /);
  });
});

describe('serverless.yml', () => {
  const serverless = `service: shop
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
  region: eu-west-1
custom:
  tables:
    dev: shop-dev
    prod: shop-prod
functions:
  orders:
    handler: lambda/orders.handler
appSync:
  name: shop-\${self:provider.stage}
  schema: schema.graphql
  authentication:
    type: API_KEY
  apiKeys:
    - \${env:KEY_NAME, 'main'}
  environment:
    TABLE: \${self:custom.tables.\${self:provider.stage}}
    REGION: \${self:provider.region}
  dataSources:
    products:
      type: AMAZON_DYNAMODB
      config:
        tableName: { Ref: ProductsTable }
stepFunctions:
  stateMachines:
    checkout:
      definition:
        StartAt: Done
        States:
          Done: { Type: Succeed }
resources:
  Resources:
    ProductsTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: products-\${self:provider.stage}
`;

  it('reads the appSync block with env, self (nested), opt, Ref, functions, stepFunctions and resources', async () => {
    const dir = await project({ 'serverless.yml': serverless, 'schema.graphql': 'type Query { a: String }' });
    const loaded = await loadConfigFile(join(dir, 'serverless.yml'), { stage: 'prod', env: { KEY_NAME: 'web' } });
    const config = normalize(loaded.config, loaded.configDir);
    expect(config.name).toBe('shop-prod');
    expect(config.environment).toEqual({ TABLE: 'shop-prod', REGION: 'eu-west-1' });
    expect(config.apiKeys.map((k) => k.name)).toEqual(['web']);
    expect(config.apiKeys[0]!.value).toMatch(/^da2-[a-z2-7]{26}$/);
    expect(config.dataSources.products!.config).toEqual({ tableName: 'products-prod' });
    expect(config.serverlessFunctions).toEqual({ orders: { handler: 'lambda/orders.handler' } });
    expect(Object.keys(config.stepFunctions.stateMachines)).toEqual(['checkout']);
    expect(config.cloudFormationResources?.ProductsTable?.Type).toBe('AWS::DynamoDB::Table');
  });

  it('defaults the stage to provider.stage, then dev', async () => {
    const dir = await project({ 'serverless.yml': serverless, 'schema.graphql': 'type Query { a: String }' });
    const loaded = await loadConfigFile(join(dir, 'serverless.yml'), { env: {} });
    expect(normalize(loaded.config, loaded.configDir).name).toBe('shop-dev');
  });

  it('an unsupported variable source is an error naming the key', async () => {
    const dir = await project({ 'serverless.yml': 'service: s\nprovider:\n  name: aws\nappSync:\n  name: \${ssm:/shop/name}\n' });
    await expect(loadConfigFile(join(dir, 'serverless.yml'), { env: {} })).rejects.toThrow(
      'appSync.name: the variable source "ssm" in ${ssm:/shop/name} is not supported (supported: env, self, opt, file); put the value in the file or in an environment variable',
    );
  });

  it('a missing variable without default is an error naming the key', async () => {
    const dir = await project({ 'serverless.yml': 'service: s\nprovider:\n  name: aws\nappSync:\n  name: \${env:NOPE}\n' });
    await expect(loadConfigFile(join(dir, 'serverless.yml'), { env: {} })).rejects.toThrow('appSync.name: ${env:NOPE} has no value and no default');
  });

  it('${file(...)} reads another YAML file', async () => {
    const dir = await project({
      'serverless.yml': 'service: s\nprovider:\n  name: aws\nappSync:\n  name: \${file(./settings.yml):apiName}\n',
      'settings.yml': 'apiName: from-file\n',
    });
    const loaded = await loadConfigFile(join(dir, 'serverless.yml'), { env: {} });
    expect(loaded.config.name).toBe('from-file');
  });
});

describe('validation errors name the key path', () => {
  it('collects every problem', async () => {
    const dir = await project(SCHEMA);
    const errors = errorsOf(() =>
      normalize(
        {
          schema: ['api/schema.graphql', 'api/missing.graphql'],
          authentication: { type: 'PASSWORD' },
          apiKeys: [{ name: 'k' }, { name: 'k' }, { name: 'x', expiresAfter: 'soon' }],
          dataSources: { posts: { type: 'AMAZON_DYNAMODB', config: { tableName: 1 } }, weird: { type: 'FTP' } },
          resolvers: {
            'Query.getPost': { kind: 'UNIT', dataSource: 'post', code: 'api/a.js' },
            'Query.pipe': { kind: 'PIPELINE', functions: ['nope'] },
            'Query.nocode': { kind: 'UNIT', dataSource: 'posts', code: 'api/missing.js' },
            'bad-key': { kind: 'UNIT', dataSource: 'posts' },
          },
          environment: { x: 'too short a name' },
          server: { port: 'eighty' },
          typo: true,
        },
        dir,
      ),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        `schema.1: file not found: ${join(dir, 'api/missing.graphql')}`,
        'authentication.type: expected one of API_KEY, AWS_IAM, OPENID_CONNECT, AMAZON_COGNITO_USER_POOLS, AWS_LAMBDA, got string "PASSWORD"',
        'apiKeys.1.name: duplicate API key name "k"',
        'apiKeys.2.expiresAfter: expected hours or a duration like 30d, 12h, 1y, got string "soon"',
        'dataSources.weird.type: expected one of NONE, AMAZON_DYNAMODB, AWS_LAMBDA, got string "FTP"',
        'resolvers.Query.getPost.dataSource: no data source named "post"',
        'resolvers.Query.pipe.functions.0: no pipeline function named "nope"',
        `resolvers.Query.nocode.code: file not found: ${join(dir, 'api/missing.js')}`,
        'resolvers.bad-key: expected a key of the form Type.field (or type and field properties)',
        'environment.x: names have 2+ characters, start with a letter and use letters, digits and _',
        'server.port: expected a port number, got string "eighty"',
        expect.stringMatching(/^typo: unknown key; expected one of name, schema/),
      ]),
    );
  });

  it('hands data-source config to the kind for its own checks', async () => {
    const dir = await project(SCHEMA);
    const errors = errorsOf(() =>
      normalizeConfig({ schema: 'api/schema.graphql', dataSources: { posts: { type: 'X', config: { tableName: 1 } } } } as never, {
        configDir: dir,
        knownDataSourceTypes: ['X'],
        validateDataSource: (_type, config, path) =>
          typeof (config as { tableName: unknown }).tableName !== 'string'
            ? [new (class extends Error {})(`${path}.tableName: expected string, got number`) as never]
            : [],
      }),
    );
    expect(errors).toEqual(['dataSources.posts.config.tableName: expected string, got number']);
  });

  it('stepFunctions.store: dir resolves from the config folder; bad keys and values are named', async () => {
    const dir = await project(SCHEMA);
    const config = normalize({ schema: 'api/schema.graphql', stepFunctions: { store: { dir: 'state', table: 't1', instanceId: 'gw-2' } } }, dir);
    expect(config.stepFunctions.store).toEqual({ dir: join(dir, 'state'), table: 't1', instanceId: 'gw-2' });
    expect(errorsOf(() => normalize({ schema: 'api/schema.graphql', stepFunctions: { store: { connectionString: 5, url: 'x' } } }, dir))).toEqual([
      'stepFunctions.store.url: unknown key; expected one of connectionString, table, instanceId, dir',
      'stepFunctions.store.connectionString: expected a non-empty string, got number 5',
    ]);
    expect(
      errorsOf(() =>
        normalize(
          {
            schema: 'api/schema.graphql',
            resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', sync: 'VERSION' } },
            dataSources: { none: { type: 'NONE' } },
          },
          dir,
        ),
      ),
    ).toEqual(['resolvers.Query.a.sync: expected { conflictDetection, conflictHandler, … }, got string "VERSION"']);
  });

  it('sandbox: limits within their ranges are kept; others are named with the range', async () => {
    const dir = await project(SCHEMA);
    expect(normalize({ schema: 'api/schema.graphql', sandbox: { timeoutMs: 250, memoryLimitMb: 128, processes: 3 } }, dir).sandbox).toEqual({
      timeoutMs: 250,
      memoryLimitMb: 128,
      processes: 3,
    });
    expect(normalize({ schema: 'api/schema.graphql' }, dir).sandbox).toEqual({});
    expect(errorsOf(() => normalize({ schema: 'api/schema.graphql', sandbox: { timeoutMs: 0, processes: 1.5, memoryLimitMB: 64 } }, dir))).toEqual([
      'sandbox.memoryLimitMB: unknown key; did you mean "memoryLimitMb"? (expected one of timeoutMs, memoryLimitMb, processes, maxResultChars, maxLogChars, evaluateSimpleHandlers)',
      'sandbox.timeoutMs: expected an integer from 1 to 30000, got number 0',
      'sandbox.processes: expected an integer from 1 to 64, got number 1.5',
    ]);
  });

  it('sandbox.evaluateSimpleHandlers: true or false is kept; anything else is named', async () => {
    const dir = await project(SCHEMA);
    expect(normalize({ schema: 'api/schema.graphql', sandbox: { evaluateSimpleHandlers: false } }, dir).sandbox).toEqual({ evaluateSimpleHandlers: false });
    expect(errorsOf(() => normalize({ schema: 'api/schema.graphql', sandbox: { evaluateSimpleHandlers: 'no' } }, dir))).toEqual([
      'sandbox.evaluateSimpleHandlers: expected true or false, got string "no"',
    ]);
  });

  it('expiresAfter and expiresAt set the key expiry; keys without value are generated', async () => {
    const dir = await project(SCHEMA);
    const now = Date.UTC(2026, 0, 1);
    const config = normalizeConfig(
      {
        schema: 'api/schema.graphql',
        apiKeys: ['plain', { name: 'week', expiresAfter: '7d' }, { name: 'fixed', value: 'da2-fixedfixedfixed', expiresAt: '2026-06-01T00:00:00Z' }],
      } as never,
      { configDir: dir, now },
    );
    expect(config.apiKeys).toEqual([
      { name: 'plain', value: expect.stringMatching(/^da2-[a-z2-7]{26}$/), expiresAt: undefined, generated: true },
      { name: 'week', value: expect.stringMatching(/^da2-/), expiresAt: now / 1000 + 7 * 86_400, generated: true },
      { name: 'fixed', value: 'da2-fixedfixedfixed', expiresAt: Date.UTC(2026, 5, 1) / 1000, generated: false },
    ]);
  });
});
