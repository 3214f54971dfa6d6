/**
 * Unknown keys at any depth are errors naming the key path, with a "did you mean" when a known key
 * is close; a typo reports once, without the follow-on errors of the key it meant.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../../src/errors.js';
import { didYouMean, normalizeConfig } from '../../src/config/index.js';
import { BUILT_IN_DATA_SOURCE_TYPES, loadBuiltInDataSourceKinds } from '../../src/datasources/index.js';

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-keys-'));
  await mkdir(join(dir, 'api'), { recursive: true });
  await writeFile(join(dir, 'schema.graphql'), 'type Query { a: String b: String c: String }');
  await writeFile(join(dir, 'a.js'), 'export function request() { return {} }\nexport function response(ctx) { return ctx.result }\n');
  return dir;
}

/** normalizeConfig with the real data-source kinds' own checks, as createGateway runs it. */
async function errorsOf(config: Record<string, unknown>): Promise<string[]> {
  const dir = await project();
  const kinds = await loadBuiltInDataSourceKinds([...BUILT_IN_DATA_SOURCE_TYPES]);
  try {
    normalizeConfig({ schema: 'schema.graphql', ...config } as never, {
      configDir: dir,
      knownDataSourceTypes: BUILT_IN_DATA_SOURCE_TYPES,
      validateDataSource: (type, dsConfig, path) => kinds[type]?.validate?.(dsConfig, path) ?? [],
    });
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors.map((e) => e.message);
    throw error;
  }
  return [];
}

const RESOLVER_KEYS = 'kind, type, field, dataSource, code, request, response, functions, maxBatchSize, sync, caching';
const none = { none: { type: 'NONE' } };

describe('didYouMean', () => {
  it.each([
    ['dataSorce', ['dataSource', 'code'], 'dataSource'],
    ['dataSorces', ['dataSources', 'resolvers'], 'dataSources'],
    ['knd', ['kind', 'code'], 'kind'],
    ['DATASOURCE', ['dataSource'], 'dataSource'],
    ['endpont', ['endpoint', 'timeout'], 'endpoint'],
    ['bogus', ['connectionString', 'dataDir'], undefined],
    ['x', ['kind'], undefined],
  ])('%s among %j → %s', (key, known, expected) => {
    expect(didYouMean(key, known)).toBe(expected);
  });
});

describe('unknown keys at every depth', () => {
  it('inside a resolver: knd and typo', async () => {
    expect(await errorsOf({ dataSources: none, resolvers: { 'Query.a': { knd: 'UNIT', kind: 'UNIT', dataSource: 'none', code: 'a.js', typo: 1 } } })).toEqual([
      `resolvers.Query.a.knd: unknown key; did you mean "kind"? (expected one of ${RESOLVER_KEYS})`,
      `resolvers.Query.a.typo: unknown key; did you mean "type"? (expected one of ${RESOLVER_KEYS})`,
    ]);
  });

  it('dataSorce in a UNIT resolver is the typo, not a missing data source', async () => {
    expect(await errorsOf({ dataSources: none, resolvers: { 'Query.a': { kind: 'UNIT', dataSorce: 'none', code: 'a.js' } } })).toEqual([
      `resolvers.Query.a.dataSorce: unknown key; did you mean "dataSource"? (expected one of ${RESOLVER_KEYS})`,
    ]);
    // Same for a pipeline function.
    expect(await errorsOf({ dataSources: none, pipelineFunctions: { f: { dataSorce: 'none', code: 'a.js' } } })).toEqual([
      'pipelineFunctions.f.dataSorce: unknown key; did you mean "dataSource"? (expected one of dataSource, code, request, response, description, maxBatchSize, sync)',
    ]);
  });

  it('a top-level typo is one error, without a "no data source named" line per reference', async () => {
    const resolvers = Object.fromEntries(['a', 'b', 'c'].map((f) => [`Query.${f}`, { kind: 'UNIT', dataSource: 'none', code: 'a.js' }]));
    const errors = await errorsOf({ dataSorces: none, resolvers, pipelineFunctons: {} });
    expect(errors).toEqual([
      expect.stringMatching(/^dataSorces: unknown key; did you mean "dataSources"\? \(expected one of name, schema, /),
      expect.stringMatching(/^pipelineFunctons: unknown key; did you mean "pipelineFunctions"\? /),
    ]);
    // A misspelt schema key: no follow-on complaint about the default schema.graphql.
    const dir = await mkdtemp(join(tmpdir(), 'appsync-keys-'));
    await writeFile(join(dir, 'api.graphql'), 'type Query { a: String }');
    let message = '';
    try {
      normalizeConfig({ shema: 'api.graphql' } as never, { configDir: dir });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^shema: unknown key; did you mean "schema"\? \(expected one of [^\n]*\)$/);
  });

  it('in a data-source entry and in each kind’s config, without the follow-on of the key meant', async () => {
    expect(await errorsOf({ dataSources: { none: { type: 'NONE', descripton: 'x' } } })).toEqual([
      'dataSources.none.descripton: unknown key; did you mean "description"? (expected one of type, description, config)',
    ]);
    expect(await errorsOf({ dataSources: { none: { tpye: 'NONE' } } })).toEqual([
      'dataSources.none.tpye: unknown key; did you mean "type"? (expected one of type, description, config)',
    ]);
    // Nor a "no data source named" line per resolver and function using it; a name never declared still gets one.
    const using = {
      resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', code: 'a.js' }, 'Query.b': { kind: 'UNIT', dataSource: 'nothing', code: 'a.js' } },
      pipelineFunctions: { f: { dataSource: 'none', code: 'a.js' } },
    };
    expect(await errorsOf({ dataSources: { none: { tpye: 'NONE' } }, ...using })).toEqual([
      'dataSources.none.tpye: unknown key; did you mean "type"? (expected one of type, description, config)',
      'resolvers.Query.b.dataSource: no data source named "nothing"',
    ]);
    expect(await errorsOf({ dataSources: { none: { type: 'NOEN' } }, ...using })).toEqual([
      expect.stringMatching(/^dataSources\.none\.type: expected one of .*, got string "NOEN"$/),
      'resolvers.Query.b.dataSource: no data source named "nothing"',
    ]);
    expect(await errorsOf({ dataSources: { none: { type: 'NONE', config: { typo: 1 } } } })).toEqual([
      'dataSources.none.config.typo: unknown key; this block takes no keys',
    ]);
    expect(await errorsOf({ dataSources: { api: { type: 'HTTP', config: { endpont: 'http://127.0.0.1:1' } } } })).toEqual([
      'dataSources.api.config.endpont: unknown key; did you mean "endpoint"? (expected one of endpoint, authorizationConfig, timeout, credentials)',
    ]);
    expect(
      await errorsOf({
        dataSources: {
          api: {
            type: 'HTTP',
            config: {
              endpoint: 'http://127.0.0.1:1',
              authorizationConfig: { authorizationType: 'AWS_IAM', awsIamConfig: { signingRegion: 'us-east-1', signingServiceNam: 'x' } },
            },
          },
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        'dataSources.api.config.authorizationConfig.awsIamConfig.signingServiceNam: unknown key; did you mean "signingServiceName"? (expected one of signingRegion, signingServiceName)',
      ]),
    );
    expect(await errorsOf({ dataSources: { fn: { type: 'AWS_LAMBDA', config: { functionNme: 'x' } } } })).toEqual([
      'dataSources.fn.config.functionNme: unknown key; did you mean "functionName"? (expected one of handler, function, functionName, functionArn, endpoint, region, timeout)',
    ]);
    // A kind that lists its keys itself (DynamoDB) gets the suggestion too, and its "tableName missing" is dropped.
    const dynamo = await errorsOf({ dataSources: { posts: { type: 'AMAZON_DYNAMODB', config: { tablName: 'posts' } } } });
    expect(dynamo).toEqual([
      expect.stringMatching(/^dataSources\.posts\.config\.tablName: unknown key; did you mean "tableName"\? \(expected one of tableName, /),
    ]);
    // The Serverless plugin's IAM keys and Lambda alias stay accepted.
    expect(
      await errorsOf({ dataSources: { api: { type: 'HTTP', config: { endpoint: 'http://127.0.0.1:1', serviceRoleArn: 'arn:x', iamRoleStatements: [] } } } }),
    ).toEqual([]);
    expect(
      await errorsOf({ dataSources: { fn: { type: 'AWS_LAMBDA', config: { functionName: 'f', functionAlias: 'live', serviceRoleArn: 'arn:x' } } } }),
    ).toEqual([]);
  });

  it('in authentication, its config, API keys, sync, server and state machines', async () => {
    const errors = await errorsOf({
      authentication: { type: 'OPENID_CONNECT', config: { isuer: 'https://issuer.example' }, confg: {} },
      additionalAuthentications: [{ type: 'AWS_IAM', config: { credentials: [{ accessKeyId: 'a', secretAccesKey: 'b' }] } }],
      apiKeys: [{ name: 'k', expiresAftr: '1d' }],
      dataSources: none,
      resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', code: 'a.js', sync: { conflictDetecton: 'VERSION' } } },
      server: { prot: 4000 },
      stepFunctions: { stateMachines: { m: { defintion: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } } }, stateMachine: {} },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^authentication\.confg: unknown key; did you mean "config"\?/),
        expect.stringMatching(/^authentication\.config\.isuer: unknown key; did you mean "issuer"\?/),
        expect.stringMatching(/^additionalAuthentications\.0\.config\.credentials\.0\.secretAccesKey: unknown key; did you mean "secretAccessKey"\?/),
        expect.stringMatching(/^apiKeys\.0\.expiresAftr: unknown key; did you mean "expiresAfter"\?/),
        expect.stringMatching(/^resolvers\.Query\.a\.sync\.conflictDetecton: unknown key; did you mean "conflictDetection"\?/),
        'server.prot: unknown key; did you mean "port"? (expected one of port, host, dataDir, redis)',
        expect.stringMatching(/^stepFunctions\.stateMachine: unknown key; did you mean "stateMachines"\?/),
        expect.stringMatching(/^stepFunctions\.stateMachines\.m\.defintion: unknown key; did you mean "definition"\?/),
      ]),
    );
  });

  it('keys of the Serverless plugins the gateway ignores stay accepted', async () => {
    expect(
      await errorsOf({
        dataSources: none,
        resolvers: { 'Query.a': { kind: 'UNIT', dataSource: 'none', code: 'a.js', caching: { ttl: 60 }, substitutions: {} } },
        apiKeys: [{ name: 'k', apiKeyId: 'x', wafRules: [] }],
        additionalAuthentications: [{ type: 'AWS_LAMBDA', config: { functionName: 'authorizer', functionAlias: 'live' } }],
        stepFunctions: {
          validate: true,
          stateMachines: { m: { definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, events: [], tags: {} } },
        },
      }),
    ).toEqual([]);
  });
});
