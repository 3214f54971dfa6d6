/**
 * AppSync resources of evaluated stacks → the gateway's own config (`GatewayConfig`), the same
 * shape the YAML loader reads, so every later step serves a template as it serves a config file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, ConfigErrors } from '../../errors.js';
import type {
  AuthenticationConfig,
  CachingBehavior,
  DataSourceConfig,
  GatewayConfig,
  PipelineFunctionConfig,
  ResolverConfig,
  StateMachineConfig,
} from '../types.js';
import type { StackEvaluator } from './evaluate.js';
import { GATEWAY_URL_VARIABLE } from '../variables.js';
import type { LoadedStack } from './stacks.js';

/** The result of translating stacks: the config, and what was left out (said once at start-up). */
export interface TranslatedConfig {
  config: GatewayConfig;
  /** One line per kind of resource the gateway ignores, and per property it does not honour. */
  warnings: string[];
  /**
   * `Environment.Variables` of the Lambda functions run in-process. They share the gateway's
   * process, so the loader puts these in `process.env` where not already set (Gateway choice).
   */
  functionEnvironment: Record<string, string>;
}

export interface TranslateOptions {
  /** Where inline code and templates are written as files (the resolver loader reads files). @default the OS temp folder */
  scratchDir?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Resource types that mean nothing locally: listed once at start-up as ignored. */
const IGNORED_TYPE = new RegExp(
  '^AWS::(IAM|Logs|CloudWatch|KMS|SSM|CDK|Cognito|SecretsManager|EC2|Events|SNS|SQS|S3' +
    '|Lambda::(Permission|Version|Alias|EventSourceMapping|LayerVersion|Url)|AppSync::(DomainName|DomainNameApiAssociation|SourceApiAssociation))::',
);

/** Per AppSync type: properties the gateway reads, and those it accepts and ignores locally. */
const HONOURED: Record<string, { read: string[]; ignored: string[] }> = {
  'AWS::AppSync::GraphQLApi': {
    read: [
      'Name',
      'AuthenticationType',
      'AdditionalAuthenticationProviders',
      'UserPoolConfig',
      'OpenIDConnectConfig',
      'LambdaAuthorizerConfig',
      'EnvironmentVariables',
      'QueryDepthLimit',
      'ResolverCountLimit',
      'ApiType',
    ],
    ignored: ['LogConfig', 'XrayEnabled', 'Tags', 'Visibility', 'IntrospectionConfig', 'OwnerContact', 'EnhancedMetricsConfig', 'MergedApiExecutionRoleArn'],
  },
  'AWS::AppSync::GraphQLSchema': { read: ['ApiId', 'Definition', 'DefinitionS3Location'], ignored: [] },
  'AWS::AppSync::ApiKey': { read: ['ApiId', 'Description', 'Expires'], ignored: ['ApiKeyId'] },
  'AWS::AppSync::DataSource': {
    read: ['ApiId', 'Name', 'Type', 'Description', 'DynamoDBConfig', 'LambdaConfig', 'HttpConfig', 'RelationalDatabaseConfig'],
    ignored: ['ServiceRoleArn', 'MetricsConfig'],
  },
  'AWS::AppSync::Resolver': {
    read: [
      'ApiId',
      'TypeName',
      'FieldName',
      'Kind',
      'DataSourceName',
      'PipelineConfig',
      'Code',
      'CodeS3Location',
      'Runtime',
      'RequestMappingTemplate',
      'RequestMappingTemplateS3Location',
      'ResponseMappingTemplate',
      'ResponseMappingTemplateS3Location',
      'MaxBatchSize',
      'SyncConfig',
      'CachingConfig',
    ],
    ignored: ['MetricsConfig'],
  },
  'AWS::AppSync::FunctionConfiguration': {
    read: [
      'ApiId',
      'Name',
      'DataSourceName',
      'Description',
      'Code',
      'CodeS3Location',
      'Runtime',
      'RequestMappingTemplate',
      'RequestMappingTemplateS3Location',
      'ResponseMappingTemplate',
      'ResponseMappingTemplateS3Location',
      'MaxBatchSize',
      'SyncConfig',
      'FunctionVersion',
    ],
    ignored: [],
  },
  'AWS::AppSync::ApiCache': {
    read: ['ApiId', 'ApiCachingBehavior', 'Ttl'],
    ignored: ['Type', 'AtRestEncryptionEnabled', 'TransitEncryptionEnabled', 'HealthMetricsConfig'],
  },
};

/** Writes inline text (code, templates) as a file the loaders can read; same text, same file. */
export function scratchFile(scratchDir: string | undefined, name: string, text: string): string {
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(scratchDir ?? join(tmpdir(), 'appsync-gateway-cloudformation'), digest);
  const file = join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: a gateway loading the same input at the same moment never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return file;
}

/** A resource of one of the stacks. */
interface Located {
  stack: LoadedStack;
  logicalId: string;
  type: string;
}

/** Every created resource of the stacks and their nested stacks. */
function allResources(stacks: readonly LoadedStack[]): Located[] {
  const out: Located[] = [];
  const visit = (stack: LoadedStack) => {
    for (const [logicalId, resource] of Object.entries(stack.evaluator.resources)) {
      if (stack.evaluator.isCreated(logicalId)) out.push({ stack, logicalId, type: resource.Type });
    }
    for (const child of stack.nested.values()) visit(child);
  };
  stacks.forEach(visit);
  return out;
}

/** Collects errors per resource so one load reports them all. */
class Problems {
  readonly errors: ConfigError[] = [];
  attempt<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (error) {
      if (error instanceof ConfigErrors) this.errors.push(...error.errors);
      else if (error instanceof ConfigError) this.errors.push(error);
      else throw error;
      return undefined;
    }
  }
}

/**
 * Translates the AppSync API of `stacks` into a `GatewayConfig`. With several GraphQL APIs in the
 * input, `apiName` (the API's Name or logical id) picks one; without it, that is an error listing them.
 */
export function stacksToConfig(stacks: readonly LoadedStack[], options: TranslateOptions & { apiName?: string } = {}): TranslatedConfig {
  const problems = new Problems();
  const warnings: string[] = [];
  const resources = allResources(stacks);
  const apis = resources.filter((r) => r.type === 'AWS::AppSync::GraphQLApi');
  const apiNames = apis.map((r) => ({ r, name: problems.attempt(() => r.stack.evaluator.property(r.logicalId, 'Name')) }));
  const chosen = options.apiName ? apiNames.filter(({ r, name }) => name === options.apiName || r.logicalId === options.apiName) : apiNames;
  if (chosen.length !== 1) {
    const where = stacks.map((s) => s.file).join(', ');
    const listed = apiNames.map(({ r, name }) => `${String(name ?? r.logicalId)} (${r.logicalId} in ${r.stack.name})`).join(', ');
    if (problems.errors.length > 0) throw new ConfigErrors(problems.errors);
    throw new ConfigError(
      where,
      apis.length === 0
        ? 'no AWS::AppSync::GraphQLApi resource: nothing to serve'
        : chosen.length === 0
          ? `no GraphQL API named ${options.apiName}; the input holds ${listed}`
          : `${apis.length} GraphQL APIs (${listed}): the gateway serves one at a time; pick one with --api NAME (or --stack in a CDK assembly)`,
    );
  }
  const api = chosen[0]!.r;
  const apiEval = api.stack.evaluator;
  const apiId = api.logicalId;
  /** Resources of this API: those whose ApiId evaluates to its id. */
  const ofApi = (type: string) =>
    resources.filter((r) => r.type === type && problems.attempt(() => r.stack.evaluator.property(r.logicalId, 'ApiId')) === apiId);

  // Properties an AppSync resource sets that the gateway neither reads nor may ignore are load errors.
  for (const r of resources) {
    const known = HONOURED[r.type];
    if (!known) continue;
    for (const name of Object.keys(r.stack.evaluator.resources[r.logicalId]?.Properties ?? {})) {
      if (!known.read.includes(name) && !known.ignored.includes(name))
        problems.errors.push(
          r.stack.evaluator.error(`Resources.${r.logicalId}.Properties.${name}`, `${r.type} property ${name} is not supported by the gateway`),
        );
    }
  }

  const config: GatewayConfig = {};
  const functions = new LocalFunctions(resources, problems, options.scratchDir);
  const p = (r: Located, name: string) => r.stack.evaluator.property(r.logicalId, name);
  const at = (r: Located, name: string) => `Resources.${r.logicalId}.Properties.${name}`;

  problems.attempt(() => {
    config.name = String(p(api, 'Name') ?? apiId);
    const apiType = p(api, 'ApiType');
    if (apiType !== undefined && apiType !== 'GRAPHQL') throw apiEval.error(at(api, 'ApiType'), `${String(apiType)} APIs (merged APIs) are not supported`);
  });
  problems.attempt(() => {
    config.authentication = authentication(api, p(api, 'AuthenticationType'), api, '', functions);
  });
  problems.attempt(() => {
    const additional = p(api, 'AdditionalAuthenticationProviders');
    if (Array.isArray(additional))
      config.additionalAuthentications = additional.map((provider, i) =>
        authentication(api, (provider as Record<string, unknown>).AuthenticationType, provider, `AdditionalAuthenticationProviders.${i}.`, functions),
      );
  });
  problems.attempt(() => {
    const env = p(api, 'EnvironmentVariables');
    if (isObject(env)) config.environment = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
    const depth = p(api, 'QueryDepthLimit');
    if (typeof depth === 'number' && depth > 0) config.queryDepthLimit = depth;
    const count = p(api, 'ResolverCountLimit');
    if (typeof count === 'number' && count > 0) config.resolverCountLimit = count;
  });

  // Schema
  const schemas = ofApi('AWS::AppSync::GraphQLSchema');
  if (schemas.length === 0) problems.errors.push(apiEval.error(`Resources.${apiId}`, 'the API has no AWS::AppSync::GraphQLSchema'));
  for (const r of schemas) {
    problems.attempt(() => {
      const definition = p(r, 'Definition');
      const location = p(r, 'DefinitionS3Location');
      if (typeof definition === 'string') config.schemaSdl = definition;
      else if (typeof location === 'string') config.schema = r.stack.locate(location, at(r, 'DefinitionS3Location'));
      else throw r.stack.evaluator.error(`Resources.${r.logicalId}.Properties`, 'expected Definition or DefinitionS3Location');
    });
  }

  // API keys
  const keys = ofApi('AWS::AppSync::ApiKey');
  if (keys.length > 0) {
    config.apiKeys = keys.flatMap(
      (r) =>
        problems.attempt(() => {
          const expires = p(r, 'Expires');
          const description = p(r, 'Description');
          return {
            name: r.logicalId,
            ...(typeof description === 'string' ? { description } : {}),
            ...(expires !== undefined ? { expiresAt: Number(expires) } : {}),
          };
        }) ?? [],
    );
  }

  // Data sources
  const dataSources: Record<string, DataSourceConfig> = {};
  for (const r of ofApi('AWS::AppSync::DataSource')) {
    problems.attempt(() => {
      const name = required(r, 'Name');
      const type = required(r, 'Type');
      const description = p(r, 'Description');
      dataSources[name] = {
        type,
        ...(typeof description === 'string' ? { description } : {}),
        config: dataSourceConfig(r, type, resources, functions),
      };
    });
  }
  config.dataSources = dataSources;

  // Pipeline functions: keyed by logical id, which is what `FunctionId` evaluates to locally.
  const pipelineFunctions: Record<string, PipelineFunctionConfig> = {};
  for (const r of ofApi('AWS::AppSync::FunctionConfiguration')) {
    problems.attempt(() => {
      const code = handlerCode(r, options.scratchDir);
      pipelineFunctions[r.logicalId] = {
        dataSource: required(r, 'DataSourceName'),
        ...code,
        ...(optional('maxBatchSize', p(r, 'MaxBatchSize')) as Pick<PipelineFunctionConfig, 'maxBatchSize'>),
        ...(optional('sync', syncConfig(p(r, 'SyncConfig'))) as Pick<PipelineFunctionConfig, 'sync'>),
      };
    });
  }
  config.pipelineFunctions = pipelineFunctions;

  // Resolvers
  const resolvers: Record<string, ResolverConfig> = {};
  for (const r of ofApi('AWS::AppSync::Resolver')) {
    problems.attempt(() => {
      const typeName = required(r, 'TypeName');
      const fieldName = required(r, 'FieldName');
      const kind = (p(r, 'Kind') ?? 'UNIT') as 'UNIT' | 'PIPELINE';
      const pipeline = p(r, 'PipelineConfig') as { Functions?: unknown[] } | undefined;
      const resolver: ResolverConfig = { kind, ...handlerCode(r, options.scratchDir) };
      if (kind === 'PIPELINE') resolver.functions = (pipeline?.Functions ?? []).map(String);
      else resolver.dataSource = required(r, 'DataSourceName');
      Object.assign(resolver, optional('maxBatchSize', p(r, 'MaxBatchSize')), optional('sync', syncConfig(p(r, 'SyncConfig'))));
      const caching = p(r, 'CachingConfig') as { Ttl?: number; CachingKeys?: string[] } | undefined;
      if (caching)
        resolver.caching = {
          ...(caching.Ttl !== undefined ? { ttl: Number(caching.Ttl) } : {}),
          ...(caching.CachingKeys ? { keys: caching.CachingKeys } : {}),
        };
      resolvers[`${typeName}.${fieldName}`] = resolver;
    });
  }
  config.resolvers = resolvers;

  // The API cache (docs/caching.md); its instance type and encryption mean nothing locally.
  for (const r of ofApi('AWS::AppSync::ApiCache')) {
    problems.attempt(() => {
      const ttl = p(r, 'Ttl');
      config.caching = { behavior: required(r, 'ApiCachingBehavior') as CachingBehavior, ...(ttl !== undefined ? { ttl: Number(ttl) } : {}), enabled: true };
    });
  }

  // State machines (onto the gateway's Step Functions)
  const stateMachines: Record<string, StateMachineConfig> = {};
  for (const r of resources.filter((x) => x.type === 'AWS::StepFunctions::StateMachine')) {
    problems.attempt(() => {
      const arn = r.stack.evaluator.physicalId(r.logicalId, `Resources.${r.logicalId}`);
      const name = arn.split(':').pop()!;
      const definition = stateMachineDefinition(r);
      stateMachines[name] = { name, type: (p(r, 'StateMachineType') as 'STANDARD' | 'EXPRESS' | undefined) ?? 'STANDARD', definition };
      // Task states name functions by ARN: those of the input run in-process.
      functions.registerNamedIn(JSON.stringify(definition), `Resources.${r.logicalId}.Properties`);
    });
  }
  if (Object.keys(stateMachines).length > 0) config.stepFunctions = { stateMachines };

  // Tables the data sources name are created from their definitions (dataSourceConfig); functions run in-process.
  const local = functions.used();
  if (Object.keys(local).length > 0) config.serverlessFunctions = local;

  const ignored = new Map<string, number>();
  for (const r of resources) {
    if (HONOURED[r.type] || r.type === 'AWS::CloudFormation::Stack' || r.type === 'AWS::StepFunctions::StateMachine') continue;
    if (
      r.type === 'AWS::DynamoDB::Table' ||
      r.type === 'AWS::DynamoDB::GlobalTable' ||
      r.type === 'AWS::Lambda::Function' ||
      r.type === 'AWS::Serverless::Function'
    )
      continue;
    // The embedded Postgres stands in for an Aurora cluster a RELATIONAL_DATABASE data source uses.
    const relational = Object.values(dataSources).some((ds) => ds.type === 'RELATIONAL_DATABASE');
    if (relational && (r.type === 'AWS::RDS::DBCluster' || r.type === 'AWS::RDS::DBInstance')) continue;
    ignored.set(r.type, (ignored.get(r.type) ?? 0) + 1);
  }
  const notUnderstood = [...ignored.keys()].filter((t) => !IGNORED_TYPE.test(t));
  if (ignored.size > 0)
    warnings.push(
      `ignored resources (they mean nothing to the local gateway): ${[...ignored].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t)).join(', ')}` +
        (notUnderstood.length > 0 ? ` — of these, ${notUnderstood.join(', ')} may matter to the API and are not served` : ''),
    );

  if (functions.conflicts.length > 0)
    warnings.push(
      `in-process Lambda functions share one environment; these variables differ between functions and keep the first value: ${functions.conflicts.join(', ')}`,
    );
  if (problems.errors.length > 0) throw new ConfigErrors(problems.errors);
  const functionEnvironment = Object.fromEntries(Object.entries(functions.environment).map(([k, v]) => [k, v.value]));
  return { config, warnings, functionEnvironment };
}

/** A property the resource cannot do without, as a string. */
function required(r: Located, name: string): string {
  const value = r.stack.evaluator.property(r.logicalId, name);
  if (typeof value === 'string' && value !== '') return value;
  throw r.stack.evaluator.error(
    `Resources.${r.logicalId}.Properties.${name}`,
    value === undefined ? `${r.type} needs ${name}` : `expected a string, got ${JSON.stringify(value)}`,
  );
}

function optional<K extends string>(key: K, value: unknown): Partial<Record<K, unknown>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, unknown>);
}

function syncConfig(value: unknown): ResolverConfig['sync'] {
  if (!isObject(value)) return undefined;
  const lambda = value.LambdaConflictHandlerConfig as { LambdaConflictHandlerArn?: string } | undefined;
  return {
    conflictDetection: value.ConflictDetection as 'VERSION' | 'NONE' | undefined,
    conflictHandler: value.ConflictHandler as NonNullable<ResolverConfig['sync']>['conflictHandler'],
    ...(lambda?.LambdaConflictHandlerArn ? { lambdaConflictHandlerConfig: { lambdaConflictHandlerArn: lambda.LambdaConflictHandlerArn } } : {}),
  };
}

/** A resolver's or function's code (APPSYNC_JS) or VTL mapping templates, as files. */
function handlerCode(r: Located, scratchDir: string | undefined): Pick<ResolverConfig, 'code' | 'request' | 'response'> {
  const ev = r.stack.evaluator;
  const p = (name: string) => ev.property(r.logicalId, name);
  const at = (name: string) => `Resources.${r.logicalId}.Properties.${name}`;
  const file = (inline: string, located: string, ext: string): string | undefined => {
    const text = p(inline);
    if (typeof text === 'string') return scratchFile(scratchDir, `${r.logicalId}${ext}`, text);
    const location = p(located);
    if (typeof location === 'string') return r.stack.locate(location, at(located));
    return undefined;
  };
  const code = file('Code', 'CodeS3Location', '.js');
  if (code) {
    const runtime = p('Runtime') as { Name?: string } | undefined;
    if (runtime?.Name !== undefined && runtime.Name !== 'APPSYNC_JS')
      throw ev.error(at('Runtime.Name'), `runtime ${runtime.Name} is not supported (APPSYNC_JS only)`);
    return { code };
  }
  const request = file('RequestMappingTemplate', 'RequestMappingTemplateS3Location', '.request.vtl');
  const response = file('ResponseMappingTemplate', 'ResponseMappingTemplateS3Location', '.response.vtl');
  if (!request && response) {
    // AppSync lets a resolver omit the request template; the gateway's VTL needs one: the pass-through AppSync uses.
    return { request: scratchFile(scratchDir, `${r.logicalId}.request.vtl`, '{}'), response };
  }
  return { ...(request ? { request } : {}), ...(response ? { response } : {}) };
}

/** `AuthenticationType` and its `*Config` block → the gateway's `{ type, config }`. */
function authentication(api: Located, type: unknown, block: unknown, prefix: string, functions: LocalFunctions): AuthenticationConfig {
  const ev = api.stack.evaluator;
  const b = (
    block === api
      ? Object.fromEntries(['UserPoolConfig', 'OpenIDConnectConfig', 'LambdaAuthorizerConfig'].map((k) => [k, ev.property(api.logicalId, k)]))
      : block
  ) as Record<string, any>;
  const path = `Resources.${api.logicalId}.Properties.${prefix}`;
  switch (type) {
    case 'API_KEY':
      return { type };
    case 'AWS_IAM':
      // The gateway verifies SigV4 against keys it knows; a template declares none (src/auth/iam.ts takes the process's own).
      if (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY)
        throw ev.error(
          `${path}AuthenticationType`,
          'AWS_IAM: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the gateway’s environment; requests signed with those keys are accepted',
        );
      return { type };
    case 'AMAZON_COGNITO_USER_POOLS': {
      const pool = b.UserPoolConfig ?? b.CognitoUserPoolConfig ?? {};
      return {
        type,
        config: {
          userPoolId: pool.UserPoolId,
          ...(pool.AwsRegion ? { awsRegion: pool.AwsRegion } : {}),
          ...(pool.AppIdClientRegex ? { appIdClientRegex: pool.AppIdClientRegex } : {}),
          ...(pool.DefaultAction ? { defaultAction: pool.DefaultAction } : {}),
        },
      };
    }
    case 'OPENID_CONNECT': {
      const oidc = b.OpenIDConnectConfig ?? {};
      return {
        type,
        config: {
          issuer: oidc.Issuer,
          ...(oidc.ClientId ? { clientId: oidc.ClientId } : {}),
          ...(oidc.IatTTL ? { iatTTL: oidc.IatTTL } : {}),
          ...(oidc.AuthTTL ? { authTTL: oidc.AuthTTL } : {}),
        },
      };
    }
    case 'AWS_LAMBDA': {
      const lambda = b.LambdaAuthorizerConfig ?? {};
      const uri = String(lambda.AuthorizerUri ?? '');
      const local = functions.byArn(uri, `${path}LambdaAuthorizerConfig.AuthorizerUri`);
      return {
        type,
        config: {
          ...(local ? { functionName: local } : { functionArn: uri }),
          ...(lambda.AuthorizerResultTtlInSeconds !== undefined ? { authorizerResultTtlInSeconds: lambda.AuthorizerResultTtlInSeconds } : {}),
          ...(lambda.IdentityValidationExpression ? { identityValidationExpression: lambda.IdentityValidationExpression } : {}),
        },
      };
    }
    default:
      throw ev.error(
        `${path}AuthenticationType`,
        `expected API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT or AWS_LAMBDA, got ${JSON.stringify(type)}`,
      );
  }
}

/** Table properties the embedded store's CreateTable reads; the rest (billing, streams, tags) is left out. */
const TABLE_KEYS = [
  'KeySchema',
  'AttributeDefinitions',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'TimeToLiveSpecification',
  'BillingMode',
  'ProvisionedThroughput',
];

function dataSourceConfig(r: Located, type: string, resources: Located[], functions: LocalFunctions): Record<string, unknown> {
  const ev = r.stack.evaluator;
  const p = (name: string) => ev.property(r.logicalId, name);
  const at = (name: string) => `Resources.${r.logicalId}.Properties.${name}`;
  switch (type) {
    case 'NONE':
      return {};
    case 'AMAZON_DYNAMODB': {
      const c = (p('DynamoDBConfig') ?? {}) as Record<string, any>;
      const tableName = String(c.TableName);
      const table = resources.find(
        (t) =>
          (t.type === 'AWS::DynamoDB::Table' || t.type === 'AWS::DynamoDB::GlobalTable') &&
          t.stack.evaluator.physicalId(t.logicalId, `Resources.${t.logicalId}`) === tableName,
      );
      let properties: Record<string, unknown> | undefined;
      if (table) {
        const all = Object.fromEntries(TABLE_KEYS.map((k) => [k, table.stack.evaluator.property(table.logicalId, k)]).filter(([, v]) => v !== undefined));
        // A GlobalTable keeps TTL at the top and its indexes' throughput per replica; the embedded store needs neither.
        properties = all;
      }
      const delta = c.DeltaSyncConfig as Record<string, unknown> | undefined;
      return {
        tableName,
        ...(properties ? { table: properties } : {}),
        ...(c.Versioned === true || c.Versioned === 'true' ? { versioned: true } : {}),
        ...(delta
          ? { deltaSyncConfig: { deltaSyncTableName: delta.DeltaSyncTableName, deltaSyncTableTTL: delta.DeltaSyncTableTTL, baseTableTTL: delta.BaseTableTTL } }
          : {}),
      };
    }
    case 'AWS_LAMBDA': {
      const c = (p('LambdaConfig') ?? {}) as Record<string, any>;
      const arn = String(c.LambdaFunctionArn ?? '');
      const local = functions.byArn(arn, at('LambdaConfig.LambdaFunctionArn'));
      return local ? { functionName: local } : { functionArn: arn };
    }
    case 'HTTP': {
      const c = (p('HttpConfig') ?? {}) as Record<string, any>;
      const auth = c.AuthorizationConfig as Record<string, any> | undefined;
      // Gateway choice: AWS Step Functions' endpoint (AppSync's way to start a state machine) is the gateway's own Step Functions API.
      const states = typeof c.Endpoint === 'string' && /^https:\/\/(sync-)?states\.[a-z0-9-]+\.amazonaws\.com\/?$/.test(c.Endpoint);
      return {
        endpoint: states ? GATEWAY_URL_VARIABLE : c.Endpoint,
        ...(auth
          ? {
              authorizationConfig: {
                authorizationType: auth.AuthorizationType,
                ...(auth.AwsIamConfig
                  ? { awsIamConfig: { signingRegion: auth.AwsIamConfig.SigningRegion, signingServiceName: auth.AwsIamConfig.SigningServiceName } }
                  : {}),
              },
            }
          : {}),
      };
    }
    case 'RELATIONAL_DATABASE': {
      // The embedded Postgres stands in for the Aurora cluster's Data API (docs/cloudformation.md).
      const c = ((p('RelationalDatabaseConfig') as Record<string, any> | undefined)?.RdsHttpEndpointConfig ?? {}) as Record<string, any>;
      return {
        ...(c.DbClusterIdentifier ? { dbClusterIdentifier: String(c.DbClusterIdentifier) } : {}),
        ...(c.DatabaseName ? { databaseName: String(c.DatabaseName) } : {}),
        ...(c.Schema ? { schema: String(c.Schema) } : {}),
      };
    }
    default:
      throw ev.error(at('Type'), `data source type ${type} is not supported by the gateway (NONE, AMAZON_DYNAMODB, AWS_LAMBDA, HTTP, RELATIONAL_DATABASE)`);
  }
}

/** `Definition` (object), `DefinitionString` (JSON text) or `DefinitionS3Location`, with `DefinitionSubstitutions` applied. */
function stateMachineDefinition(r: Located): unknown {
  const ev = r.stack.evaluator;
  const p = (name: string) => ev.property(r.logicalId, name);
  let text: string;
  const definition = p('Definition');
  const definitionString = p('DefinitionString');
  const location = p('DefinitionS3Location') as { Bucket?: string; Key?: string } | string | undefined;
  if (definition !== undefined) text = JSON.stringify(definition);
  else if (typeof definitionString === 'string') text = definitionString;
  else if (location !== undefined) {
    const where = typeof location === 'string' ? location : `s3://${location.Bucket}/${location.Key}`;
    const file = r.stack.locate(where, `Resources.${r.logicalId}.Properties.DefinitionS3Location`);
    text = readText(file);
  } else throw ev.error(`Resources.${r.logicalId}.Properties`, 'expected Definition, DefinitionString or DefinitionS3Location');
  const substitutions = (p('DefinitionSubstitutions') ?? {}) as Record<string, unknown>;
  text = text.replace(/\$\{([^}]+)\}/g, (match, name: string) => (name in substitutions ? jsonInner(substitutions[name]) : match));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw ev.error(`Resources.${r.logicalId}.Properties`, `the state machine definition is not JSON: ${(error as Error).message}`);
  }
}

/** A substitution lands inside a JSON string: escaped like one. */
function jsonInner(value: unknown): string {
  return JSON.stringify(String(value)).slice(1, -1);
}

function readText(file: string): string {
  // Synchronous: translation runs once per load, on a file the locator just found.
  return readFileSync(file, 'utf8');
}

const NODE_RUNTIME = /^nodejs\d+\.x$/;

/**
 * Lambda reads a `.js` handler as CommonJS unless a package.json inside the function's code says
 * otherwise; Node looks further up, and a CDK assembly inside an ESM project (`"type": "module"`)
 * would make esbuild's CommonJS bundle fail. A CDK asset folder without its own package.json gets
 * one saying `commonjs` (Gateway choice: the assembly is build output `cdk synth` rewrites).
 */
function markCommonJs(folder: string): void {
  if (!basename(folder).startsWith('asset.') || existsSync(join(folder, 'package.json'))) return;
  writeFileSync(join(folder, 'package.json'), '{ "type": "commonjs" }\n');
}

/**
 * Lambda functions of the input that the gateway runs in-process: Node.js runtimes with their
 * code in a local folder (a CDK asset, a SAM `CodeUri`) or inline (`ZipFile`, `InlineCode`).
 * Registered as `serverlessFunctions` by name, which the Lambda data source, the Lambda
 * authorizer and Step Functions Task states already resolve to a handler.
 */
export class LocalFunctions {
  private readonly byArnMap = new Map<string, Located>();
  private readonly registered: Record<string, { handler: string }> = {};

  constructor(
    resources: Located[],
    problems: Problems,
    private readonly scratchDir: string | undefined,
  ) {
    for (const r of resources) {
      if (r.type !== 'AWS::Lambda::Function' && r.type !== 'AWS::Serverless::Function') continue;
      const arn = problems.attempt(() => r.stack.evaluator.getAtt(r.logicalId, 'Arn', `Resources.${r.logicalId}`));
      if (typeof arn === 'string') this.byArnMap.set(arn, r);
    }
  }

  /** The local function an ARN names (its name, registered), or undefined for a function outside the input. */
  byArn(arn: string, path: string): string | undefined {
    // `…:function:name:alias` and `…/invocations` (API Gateway style) name the same function.
    const plain = arn.replace(/\/invocations$/, '').replace(/^(arn:aws:lambda:[^:]+:[^:]+:function:[^:/]+)(:.*)?$/, '$1');
    const r = this.byArnMap.get(plain);
    if (!r) return undefined;
    const ev = r.stack.evaluator;
    const name = ev.physicalId(r.logicalId, path);
    if (this.registered[name]) return name;
    const p = (key: string) => ev.property(r.logicalId, key);
    const at = (key: string) => `Resources.${r.logicalId}.Properties.${key}`;
    const runtime = String(p('Runtime') ?? '');
    if (!NODE_RUNTIME.test(runtime))
      throw ev.error(
        at('Runtime'),
        `function ${r.logicalId} uses runtime ${runtime || '(none)'}: the gateway runs Node.js functions only (nodejsNN.x); ${path} names it`,
      );
    const handler = String(p('Handler') ?? '');
    const dot = handler.lastIndexOf('.');
    if (dot <= 0) throw ev.error(at('Handler'), `expected file.export, got ${JSON.stringify(handler)}`);
    let folder: string;
    if (r.type === 'AWS::Serverless::Function') {
      const inline = p('InlineCode');
      const codeUri = p('CodeUri');
      if (typeof inline === 'string') folder = resolve(scratchFile(this.scratchDir, `${r.logicalId}/${handler.slice(0, dot)}.cjs`, inline), '..');
      else if (typeof codeUri === 'string') folder = r.stack.locate(codeUri, at('CodeUri'));
      else if (isObject(codeUri)) folder = r.stack.locate(`s3://${codeUri.Bucket}/${codeUri.Key}`, at('CodeUri'));
      else folder = r.stack.dir;
    } else {
      const code = (p('Code') ?? {}) as Record<string, unknown> | string;
      // A local path is what `aws cloudformation package` uploads; the gateway reads it where it is.
      if (typeof code === 'string') folder = r.stack.locate(code, at('Code'));
      else if (typeof code.ZipFile === 'string')
        folder = resolve(scratchFile(this.scratchDir, `${r.logicalId}/${handler.slice(0, dot)}.cjs`, code.ZipFile), '..');
      else if (typeof code.S3Key === 'string') folder = r.stack.locate(`s3://${String(code.S3Bucket)}/${code.S3Key}`, at('Code'));
      else throw ev.error(at('Code'), 'expected ZipFile or S3Bucket/S3Key (an image package cannot run locally)');
    }
    if (!statSync(folder).isDirectory()) throw ev.error(at('Code'), `${folder} is a file: expected the function's code folder (zip files are not unpacked)`);
    markCommonJs(folder);
    this.registered[name] = { handler: join(folder, handler) };
    const environment = (p('Environment') as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    for (const [key, value] of Object.entries(environment ?? {})) {
      const previous = this.environment[key];
      if (previous !== undefined && previous.value !== String(value))
        this.conflicts.push(`${key} (${previous.owner}: ${JSON.stringify(previous.value)}, ${r.logicalId}: ${JSON.stringify(String(value))})`);
      else this.environment[key] = { value: String(value), owner: r.logicalId };
    }
    return name;
  }

  /** Registers the input's functions whose ARN appears in `text` (a state machine definition). */
  registerNamedIn(text: string, path: string): void {
    for (const arn of this.byArnMap.keys()) if (text.includes(arn)) this.byArn(arn, path);
  }

  /** `Environment.Variables` of the functions used so far, with the function that set each. */
  readonly environment: Record<string, { value: string; owner: string }> = {};
  /** Variables two functions set to different values (in-process functions share one environment). */
  readonly conflicts: string[] = [];

  /** The functions used so far: name → handler. */
  used(): Record<string, { handler: string }> {
    return this.registered;
  }
}
