/**
 * AppSync resources of evaluated stacks → the gateway's own config (`GatewayConfig`), the same
 * shape the YAML loader reads, so every later step serves a template as it serves a config file.
 */
import { ConfigError, ConfigErrors } from '../../errors.js';
import type { CachingBehavior, DataSourceConfig, GatewayConfig, PipelineFunctionConfig, ResolverConfig, StateMachineConfig } from '../types.js';
import { authentication } from './auth.js';
import { dataSourceConfig, markUnresolvedRefs, stateMachineDefinition } from './dataSources.js';
import { urlIdOf } from '../apiIds.js';
import { eventsConfig } from './events.js';
import { LocalFunctions } from './functions.js';
import { allResources, apiKeysOf, Problems, required, type Located } from './resources.js';
import { messagingOf, MESSAGING_TYPES } from './messaging.js';
import { scratchFile } from './scratch.js';
import type { LoadedStack } from './stacks.js';

export { scratchFile } from './scratch.js';

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
  '^AWS::(IAM|Logs|CloudWatch|KMS|SSM|CDK|Cognito|SecretsManager|EC2|Events|SNS|SQS|S3|Serverless::Connector' +
    '|Lambda::(Permission|Version|Alias|EventSourceMapping|LayerVersion|Url)|AppSync::(DomainName|DomainNameApiAssociation|SourceApiAssociation))::',
);

/** Resource types a user may expect to work locally that the gateway does not serve: named at start-up with why. */
const NOT_SERVED: Record<string, string> = {
  'AWS::Serverless::Api': 'an API Gateway REST API; its functions run only as AppSync data sources',
  'AWS::Serverless::HttpApi': 'an API Gateway HTTP API; its functions run only as AppSync data sources',
  'AWS::Serverless::Application': 'a nested application from the Serverless Application Repository, which the gateway cannot fetch',
  'AWS::ApiGateway::RestApi': 'API Gateway is not emulated',
  'AWS::ApiGatewayV2::Api': 'API Gateway is not emulated',
};

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
  'AWS::AppSync::Api': { read: ['Name', 'EventConfig'], ignored: ['OwnerContact', 'Tags'] },
  'AWS::AppSync::ChannelNamespace': {
    read: ['ApiId', 'Name', 'CodeHandlers', 'CodeS3Location', 'HandlerConfigs', 'PublishAuthModes', 'SubscribeAuthModes'],
    ignored: ['Tags'],
  },
  'AWS::AppSync::GraphQLSchema': { read: ['ApiId', 'Definition', 'DefinitionS3Location'], ignored: [] },
  'AWS::AppSync::ApiKey': { read: ['ApiId', 'Description', 'Expires'], ignored: ['ApiKeyId'] },
  'AWS::AppSync::DataSource': {
    read: ['ApiId', 'Name', 'Type', 'Description', 'DynamoDBConfig', 'LambdaConfig', 'HttpConfig', 'RelationalDatabaseConfig', 'EventBridgeConfig'],
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

/**
 * Translates the GraphQL APIs of `stacks` into a `GatewayConfig`. The first API in the input's
 * order (the assembly's stacks in manifest order, then template order) is the config itself,
 * served at `/graphql`; every other one is an entry of its `additionalApis`, served at
 * `/apis/<apiId>/graphql` (docs/cloudformation.md#several-apis). `apiName` (an API's Name or
 * logical id) keeps only that one.
 */
export function stacksToConfig(stacks: readonly LoadedStack[], options: TranslateOptions & { apiName?: string } = {}): TranslatedConfig {
  const problems = new Problems();
  const warnings: string[] = [];
  const resources = allResources(stacks);
  const apis = resources.filter((r) => r.type === 'AWS::AppSync::GraphQLApi');
  const apiNames = apis.map((r) => ({ r, name: problems.attempt(() => r.stack.evaluator.property(r.logicalId, 'Name')) }));
  const chosen = options.apiName ? apiNames.filter(({ r, name }) => name === options.apiName || r.logicalId === options.apiName) : apiNames;
  // An input with an Event API and no GraphQL API serves the Event API alone (docs/cloudformation.md#event-apis).
  const eventsAlone = apis.length === 0 && !options.apiName && resources.some((r) => r.type === 'AWS::AppSync::Api');
  if (chosen.length === 0 && !eventsAlone) {
    const where = stacks.map((s) => s.file).join(', ');
    const listed = apiNames.map(({ r, name }) => `${String(name ?? r.logicalId)} (${r.logicalId} in ${r.stack.name})`).join(', ');
    if (problems.errors.length > 0) throw new ConfigErrors(problems.errors);
    throw new ConfigError(
      where,
      apis.length === 0 ? 'no AWS::AppSync::GraphQLApi resource: nothing to serve' : `no GraphQL API named ${options.apiName}; the input holds ${listed}`,
    );
  }
  const functions = new LocalFunctions(resources, problems, options.scratchDir);

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

  // The Event APIs (docs/cloudformation.md#event-apis) become the first API's `events:` block (a list when several); their data sources join that API's.
  const translatedEvents = eventsConfig(resources, problems, functions, options.scratchDir);
  const eventApiIds = translatedEvents.map((t) => t.apiId);
  const configs = eventsAlone
    ? [apiConfig(undefined, resources, problems, functions, options.scratchDir, eventApiIds)]
    : chosen.map(({ r }, i) => apiConfig(r, resources, problems, functions, options.scratchDir, i === 0 ? eventApiIds : []));
  const config = configs[0]!;
  const firstEvents = translatedEvents[0]?.events;
  if (firstEvents) {
    config.events = translatedEvents.length === 1 ? firstEvents : translatedEvents.map((t) => t.events);
    for (const t of translatedEvents) warnings.push(...t.warnings);
    // The Event API alone: its name names the config; no schema, no GraphQL auth.
    if (eventsAlone && firstEvents.name) config.name = firstEvents.name;
  }
  const p = (r: Located, name: string) => r.stack.evaluator.property(r.logicalId, name);

  // State machines (onto the gateway's Step Functions, which the first API's config declares)
  const stateMachines: Record<string, StateMachineConfig> = {};
  for (const r of resources.filter((x) => x.type === 'AWS::StepFunctions::StateMachine')) {
    problems.attempt(() => {
      const arn = r.stack.evaluator.physicalId(r.logicalId, `Resources.${r.logicalId}`);
      const name = arn.split(':').pop()!;
      const definition = stateMachineDefinition(r);
      markUnresolvedRefs(definition, r);
      stateMachines[name] = { name, type: (p(r, 'StateMachineType') as 'STANDARD' | 'EXPRESS' | undefined) ?? 'STANDARD', definition };
      // Task states name functions by ARN: those of the input run in-process.
      functions.registerNamedIn(JSON.stringify(definition), `Resources.${r.logicalId}.Properties`);
    });
  }
  if (Object.keys(stateMachines).length > 0) config.stepFunctions = { stateMachines };
  // Queues, topics and rules onto the in-process SQS, SNS and EventBridge (./messaging.ts).
  const messaging = messagingOf(resources, problems);
  warnings.push(...messaging.warnings);
  for (const key of ['queues', 'topics', 'rules'] as const) {
    if (Object.keys(messaging[key]).length > 0) config.stepFunctions = { ...config.stepFunctions, [key]: messaging[key] };
  }

  // Tables the data sources name are created from their definitions (dataSourceConfig); functions run in-process.
  const local = functions.used();
  if (Object.keys(local).length > 0) for (const c of configs) c.serverlessFunctions = { ...local };

  // The URL path of every API but the first: its name as a config file's API id is made (src/apis/registry.ts, configApiIdOf).
  if (configs.length > 1) {
    const ids = new Set<string>([urlIdOf(config.name ?? '')]);
    config.additionalApis = configs.slice(1).map((c, i) => {
      let apiId = urlIdOf(c.name ?? '');
      if (ids.has(apiId)) apiId = urlIdOf(`${chosen[i + 1]!.r.root.name}-${c.name ?? ''}`);
      for (let n = 2; ids.has(apiId); n++) apiId = `${urlIdOf(c.name ?? '')}-${n}`;
      ids.add(apiId);
      return { apiId, config: c };
    });
  }

  const ignored = new Map<string, number>();
  // The embedded Postgres stands in for an Aurora cluster a RELATIONAL_DATABASE data source uses.
  const relational = configs.some((c) => Object.values(c.dataSources ?? {}).some((ds) => (ds as DataSourceConfig).type === 'RELATIONAL_DATABASE'));
  for (const r of resources) {
    if (HONOURED[r.type] || r.type === 'AWS::CloudFormation::Stack' || r.type === 'AWS::StepFunctions::StateMachine' || MESSAGING_TYPES.has(r.type)) continue;
    if (
      r.type === 'AWS::DynamoDB::Table' ||
      r.type === 'AWS::DynamoDB::GlobalTable' ||
      r.type === 'AWS::Lambda::Function' ||
      r.type === 'AWS::Serverless::Function'
    )
      continue;
    if (relational && (r.type === 'AWS::RDS::DBCluster' || r.type === 'AWS::RDS::DBInstance')) continue;
    ignored.set(r.type, (ignored.get(r.type) ?? 0) + 1);
  }
  const notUnderstood = [...ignored.keys()].filter((t) => !IGNORED_TYPE.test(`${t}::`) && !NOT_SERVED[t]);
  const notServed = [...ignored.keys()].filter((t) => NOT_SERVED[t]);
  if (notServed.length > 0)
    warnings.push(`not served by the gateway (docs/cloudformation.md#what-is-ignored): ${notServed.map((t) => `${t} (${NOT_SERVED[t]})`).join('; ')}`);
  // A user pool the template creates does not exist outside AWS (docs/cloudformation.md#cognito-user-pools-of-the-template).
  const pools = new Map(
    resources
      .filter((r) => r.type === 'AWS::Cognito::UserPool')
      .map((r) => [problems.attempt(() => r.stack.evaluator.physicalId(r.logicalId, `Resources.${r.logicalId}`)), r.logicalId] as const),
  );
  for (const c of configs) {
    for (const auth of [c.authentication, ...(c.additionalAuthentications ?? [])]) {
      const poolId = (auth?.config as { userPoolId?: unknown } | undefined)?.userPoolId;
      if (auth?.type !== 'AMAZON_COGNITO_USER_POOLS' || typeof poolId !== 'string' || !pools.has(poolId)) continue;
      warnings.push(
        `API ${c.name}: AMAZON_COGNITO_USER_POOLS names the user pool ${pools.get(poolId)} that the template creates; the gateway does not emulate Cognito, ` +
          'so its tokens cannot be verified and requests in that mode are refused (UnauthorizedException): deploy the pool and pass its id ' +
          '(as a template parameter) to sign in against it',
      );
    }
  }
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

/**
 * One GraphQL API's config: its settings, schema, keys, data sources, functions, resolvers and
 * cache. Resources belong to it when their `ApiId` evaluates to its id (its logical id, locally);
 * where two stacks' APIs share a logical id (`new GraphqlApi(this, 'Api')` in two CDK stacks),
 * a resource belongs to the one of its own root stack. `eventApiIds`: the Event APIs whose data
 * sources this API also holds. Without `api` (an Event API alone), only those data sources.
 */
function apiConfig(
  api: Located | undefined,
  resources: Located[],
  problems: Problems,
  functions: LocalFunctions,
  scratchDir: string | undefined,
  eventApiIds: readonly string[],
): GatewayConfig {
  const apiId = api?.logicalId;
  const shared = resources.filter((r) => r.type === 'AWS::AppSync::GraphQLApi' && r.logicalId === apiId).length > 1;
  const ofApi = (type: string) =>
    resources.filter((r) => {
      if (r.type !== type) return false;
      const of = problems.attempt(() => r.stack.evaluator.property(r.logicalId, 'ApiId'));
      if (of === undefined) return false;
      if (of === apiId) return !shared || r.root === api?.root;
      return type === 'AWS::AppSync::DataSource' && eventApiIds.includes(of as string);
    });

  const config: GatewayConfig = {};
  const p = (r: Located, name: string) => r.stack.evaluator.property(r.logicalId, name);
  const at = (r: Located, name: string) => `Resources.${r.logicalId}.Properties.${name}`;

  if (api) {
    problems.attempt(() => {
      config.name = String(p(api, 'Name') ?? apiId);
      const apiType = p(api, 'ApiType');
      if (apiType !== undefined && apiType !== 'GRAPHQL')
        throw api.stack.evaluator.error(at(api, 'ApiType'), `${String(apiType)} APIs (merged APIs) are not supported`);
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
    if (schemas.length === 0) problems.errors.push(api.stack.evaluator.error(`Resources.${apiId}`, 'the API has no AWS::AppSync::GraphQLSchema'));
    for (const r of schemas) {
      problems.attempt(() => {
        const definition = p(r, 'Definition');
        const location = p(r, 'DefinitionS3Location');
        if (typeof definition === 'string') config.schemaSdl = definition;
        else if (typeof location === 'string') config.schema = r.stack.locate(location, at(r, 'DefinitionS3Location'));
        else throw r.stack.evaluator.error(`Resources.${r.logicalId}.Properties`, 'expected Definition or DefinitionS3Location');
      });
    }
  }

  // API keys
  const keys = ofApi('AWS::AppSync::ApiKey');
  if (keys.length > 0) config.apiKeys = apiKeysOf(keys, problems);

  // Data sources
  const dataSources: Record<string, DataSourceConfig> = {};
  for (const r of ofApi('AWS::AppSync::DataSource')) {
    problems.attempt(() => {
      const name = required(r, 'Name');
      const type = required(r, 'Type');
      const description = p(r, 'Description');
      if (dataSources[name])
        throw r.stack.evaluator.error(at(r, 'Name'), `a second data source named ${name} (the GraphQL and Event APIs share one set of names locally)`);
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
      const code = handlerCode(r, scratchDir);
      pipelineFunctions[r.logicalId] = {
        dataSource: required(r, 'DataSourceName'),
        ...code,
        ...(optional('maxBatchSize', p(r, 'MaxBatchSize')) as Pick<PipelineFunctionConfig, 'maxBatchSize'>),
        ...(optional('sync', syncConfig(p(r, 'SyncConfig'), functions, at(r, 'SyncConfig'))) as Pick<PipelineFunctionConfig, 'sync'>),
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
      const resolver: ResolverConfig = { kind, ...handlerCode(r, scratchDir) };
      if (kind === 'PIPELINE') resolver.functions = (pipeline?.Functions ?? []).map(String);
      else resolver.dataSource = required(r, 'DataSourceName');
      Object.assign(resolver, optional('maxBatchSize', p(r, 'MaxBatchSize')), optional('sync', syncConfig(p(r, 'SyncConfig'), functions, at(r, 'SyncConfig'))));
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
  return config;
}

function optional<K extends string>(key: K, value: unknown): Partial<Record<K, unknown>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, unknown>);
}

/** `SyncConfig`; a LAMBDA conflict handler that is a function of the input runs in-process (named by its function name). */
function syncConfig(value: unknown, functions: LocalFunctions, path: string): ResolverConfig['sync'] {
  if (!isObject(value)) return undefined;
  const lambda = value.LambdaConflictHandlerConfig as { LambdaConflictHandlerArn?: string } | undefined;
  const arn = lambda?.LambdaConflictHandlerArn;
  const handler = typeof arn === 'string' ? (functions.byArn(arn, `${path}.LambdaConflictHandlerConfig.LambdaConflictHandlerArn`) ?? arn) : undefined;
  return {
    conflictDetection: value.ConflictDetection as 'VERSION' | 'NONE' | undefined,
    conflictHandler: value.ConflictHandler as NonNullable<ResolverConfig['sync']>['conflictHandler'],
    ...(handler ? { lambdaConflictHandlerConfig: { lambdaConflictHandlerArn: handler } } : {}),
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
