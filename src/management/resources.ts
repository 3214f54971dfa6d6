/**
 * Data sources, functions, resolvers and API keys of an API (API reference: Create/Get/List/Update/
 * DeleteDataSource, …Function, …Resolver, Create/List/Update/DeleteApiKey). Each change is checked
 * whole — names, the data source and functions it names, the schema field, the code — before the
 * registry takes it, so a refused call changes nothing.
 */
import type { ApiDefinition, ApiKeyModel, AppSyncRuntime, DataSourceModel, FunctionModel, ResolverModel } from '../apis/index.js';
import { isInterfaceType, isObjectType } from 'graphql';
import { newId } from '../apis/index.js';
import { isDefaultEventBusArn } from '../config/awsDefaults.js';
import { normalizeCachingKey } from '../config/caching.js';
import { MAX_CODE_LENGTH, rememberCheckedCompile } from '../resolvers/index.js';
import { apiArn, schemaOf, type Handler, type ManagementContext } from './context.js';
import { checkCode } from './evaluateCode.js';
import {
  NAME_PATTERN,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  page,
  parseJsonBody,
  requiredString,
  type Body,
} from './members.js';
import { ManagementApiError } from './restJson.js';

/** The data-source types the gateway serves (docs/data-sources.md); AppSync's others are refused. */
const SERVED_TYPES = ['AMAZON_DYNAMODB', 'AWS_LAMBDA', 'HTTP', 'RELATIONAL_DATABASE', 'AMAZON_EVENTBRIDGE', 'NONE'] as const;
const AWS_TYPES = [...SERVED_TYPES, 'AMAZON_ELASTICSEARCH', 'AMAZON_OPENSEARCH_SERVICE', 'AMAZON_BEDROCK_RUNTIME'] as const;

const DAY = 86_400;
/** AppSync: an API key lives 1 to 365 days; 7 by default; deleted 60 days after it expires. */
const KEY_MIN = DAY;
const KEY_MAX = 365 * DAY;
const KEY_DEFAULT = 7 * DAY;
const KEY_GRACE = 60 * DAY;
/** AppSync's quota of API keys per API. */
const MAX_KEYS = 50;

export function resourceRoutes(ctx: ManagementContext, now: () => number = () => Date.now()): Record<string, Handler> {
  const { registry } = ctx;
  const arn = (apiId: string, rest: string) => `${apiArn(ctx, apiId)}/${rest}`;
  const dataSourceShape = (apiId: string, ds: DataSourceModel) => ({ ...ds, dataSourceArn: arn(apiId, `datasources/${ds.name}`) });
  const functionShape = (apiId: string, fn: FunctionModel) => ({ ...fn, functionArn: arn(apiId, `functions/${fn.functionId}`) });
  const resolverShape = (apiId: string, r: ResolverModel) => ({ ...r, resolverArn: arn(apiId, `types/${r.typeName}/resolvers/${r.fieldName}`) });
  const seconds = () => Math.floor(now() / 1000);

  const findDataSource = (def: ApiDefinition, name: string) => {
    const ds = def.dataSources.find((d) => d.name === name);
    if (!ds) throw ManagementApiError.notFound(`No data source found named ${name}`);
    return ds;
  };
  const findFunction = (def: ApiDefinition, id: string) => {
    const fn = def.functions.find((f) => f.functionId === id);
    if (!fn) throw ManagementApiError.notFound(`No function found with id ${id}`);
    return fn;
  };
  const findResolver = (def: ApiDefinition, typeName: string, fieldName: string) => {
    const r = def.resolvers.find((x) => x.typeName === typeName && x.fieldName === fieldName);
    if (!r) throw ManagementApiError.notFound('No resolver found.');
    return r;
  };
  /** Runs `change` on the registry and waits for it to be kept. */
  const commit = async <T>(apiId: string, change: (draft: ApiDefinition) => T): Promise<T> => {
    const { result } = registry.update(apiId, change);
    await registry.flush(apiId);
    return result;
  };

  return {
    // Data sources
    'POST /v1/apis/{apiId}/datasources': async ({ params, body }) => {
      const ds = readDataSource(parseJsonBody(body));
      registry.get(params.apiId!);
      await commit(params.apiId!, (draft) => {
        if (draft.dataSources.some((d) => d.name === ds.name)) throw ManagementApiError.badRequest(`Data source with name ${ds.name} already exists`);
        draft.dataSources.push(ds);
      });
      return { dataSource: dataSourceShape(params.apiId!, ds) };
    },
    'GET /v1/apis/{apiId}/datasources': async ({ params, query }) => {
      const { items, nextToken } = page(registry.get(params.apiId!).dataSources, query);
      return { dataSources: items.map((d) => dataSourceShape(params.apiId!, d)), ...(nextToken ? { nextToken } : {}) };
    },
    'GET /v1/apis/{apiId}/datasources/{name}': async ({ params }) => ({
      dataSource: dataSourceShape(params.apiId!, findDataSource(registry.get(params.apiId!), params.name!)),
    }),
    'POST /v1/apis/{apiId}/datasources/{name}': async ({ params, body }) => {
      const ds = readDataSource({ ...parseJsonBody(body), name: params.name });
      await commit(params.apiId!, (draft) => {
        const index = draft.dataSources.indexOf(findDataSource(draft, ds.name));
        draft.dataSources[index] = ds;
      });
      return { dataSource: dataSourceShape(params.apiId!, ds) };
    },
    'DELETE /v1/apis/{apiId}/datasources/{name}': async ({ params }) => {
      await commit(params.apiId!, (draft) => {
        const ds = findDataSource(draft, params.name!);
        // Gateway choice: a data source in use is not deleted (the API would stop loading); AppSync leaves the resolvers broken.
        const users = [
          ...draft.resolvers.filter((r) => r.dataSourceName === ds.name).map((r) => `resolver ${r.typeName}.${r.fieldName}`),
          ...draft.functions.filter((f) => f.dataSourceName === ds.name).map((f) => `function ${f.name}`),
        ];
        if (users.length > 0) throw ManagementApiError.badRequest(`Data source ${ds.name} is used by ${users.join(', ')}; change or delete them first.`);
        draft.dataSources = draft.dataSources.filter((d) => d !== ds);
      });
      return {};
    },

    // Functions
    'POST /v1/apis/{apiId}/functions': async ({ params, body }) => {
      const def = registry.get(params.apiId!);
      const fn = await readFunction(parseJsonBody(body), newId());
      const created = await commit(def.apiId, (draft) => {
        findDataSource(draft, fn.dataSourceName);
        draft.functions.push(fn);
        return fn;
      });
      return { functionConfiguration: functionShape(def.apiId, created) };
    },
    'GET /v1/apis/{apiId}/functions': async ({ params, query }) => {
      const { items, nextToken } = page(registry.get(params.apiId!).functions, query);
      return { functions: items.map((f) => functionShape(params.apiId!, f)), ...(nextToken ? { nextToken } : {}) };
    },
    'GET /v1/apis/{apiId}/functions/{functionId}': async ({ params }) => ({
      functionConfiguration: functionShape(params.apiId!, findFunction(registry.get(params.apiId!), params.functionId!)),
    }),
    'POST /v1/apis/{apiId}/functions/{functionId}': async ({ params, body }) => {
      findFunction(registry.get(params.apiId!), params.functionId!);
      const fn = await readFunction(parseJsonBody(body), params.functionId!);
      await commit(params.apiId!, (draft) => {
        const index = draft.functions.indexOf(findFunction(draft, fn.functionId));
        findDataSource(draft, fn.dataSourceName);
        draft.functions[index] = fn;
      });
      return { functionConfiguration: functionShape(params.apiId!, fn) };
    },
    'DELETE /v1/apis/{apiId}/functions/{functionId}': async ({ params }) => {
      await commit(params.apiId!, (draft) => {
        const fn = findFunction(draft, params.functionId!);
        const users = draft.resolvers.filter((r) => r.pipelineConfig?.functions.includes(fn.functionId));
        if (users.length > 0)
          throw new ManagementApiError(
            'ConcurrentModificationException',
            `Function ${fn.name} is used by the pipeline of ${users.map((r) => `${r.typeName}.${r.fieldName}`).join(', ')}; remove it there first.`,
            409,
          );
        draft.functions = draft.functions.filter((f) => f !== fn);
      });
      return {};
    },
    'GET /v1/apis/{apiId}/functions/{functionId}/resolvers': async ({ params, query }) => {
      const def = registry.get(params.apiId!);
      findFunction(def, params.functionId!);
      const users = def.resolvers.filter((r) => r.pipelineConfig?.functions.includes(params.functionId!));
      const { items, nextToken } = page(users, query);
      return { resolvers: items.map((r) => resolverShape(def.apiId, r)), ...(nextToken ? { nextToken } : {}) };
    },

    // Resolvers
    'POST /v1/apis/{apiId}/types/{typeName}/resolvers': async ({ params, body }) => {
      const def = registry.get(params.apiId!);
      const resolver = await readResolver(parseJsonBody(body), params.typeName!);
      checkField(def, resolver);
      await commit(def.apiId, (draft) => {
        if (draft.resolvers.some((r) => r.typeName === resolver.typeName && r.fieldName === resolver.fieldName))
          throw ManagementApiError.badRequest('Only one resolver is allowed per field.');
        checkResolverTargets(draft, resolver);
        draft.resolvers.push(resolver);
      });
      return { resolver: resolverShape(def.apiId, resolver) };
    },
    'GET /v1/apis/{apiId}/types/{typeName}/resolvers': async ({ params, query }) => {
      const def = registry.get(params.apiId!);
      const { items, nextToken } = page(
        def.resolvers.filter((r) => r.typeName === params.typeName),
        query,
      );
      return { resolvers: items.map((r) => resolverShape(def.apiId, r)), ...(nextToken ? { nextToken } : {}) };
    },
    'GET /v1/apis/{apiId}/types/{typeName}/resolvers/{fieldName}': async ({ params }) => ({
      resolver: resolverShape(params.apiId!, findResolver(registry.get(params.apiId!), params.typeName!, params.fieldName!)),
    }),
    'POST /v1/apis/{apiId}/types/{typeName}/resolvers/{fieldName}': async ({ params, body }) => {
      const def = registry.get(params.apiId!);
      findResolver(def, params.typeName!, params.fieldName!);
      const resolver = await readResolver({ ...parseJsonBody(body), fieldName: params.fieldName }, params.typeName!);
      checkCachingKeys(def, resolver);
      await commit(def.apiId, (draft) => {
        const index = draft.resolvers.indexOf(findResolver(draft, resolver.typeName, resolver.fieldName));
        checkResolverTargets(draft, resolver);
        draft.resolvers[index] = resolver;
      });
      return { resolver: resolverShape(def.apiId, resolver) };
    },
    'DELETE /v1/apis/{apiId}/types/{typeName}/resolvers/{fieldName}': async ({ params }) => {
      await commit(params.apiId!, (draft) => {
        const resolver = findResolver(draft, params.typeName!, params.fieldName!);
        draft.resolvers = draft.resolvers.filter((r) => r !== resolver);
      });
      return {};
    },

    // API keys
    'POST /v1/apis/{apiId}/apikeys': async ({ params, body }) => {
      const input = parseJsonBody(body);
      const description = optionalString(input, 'description');
      const at = seconds();
      const expires = checkValidity(optionalInteger(input, 'expires', 0, Number.MAX_SAFE_INTEGER) ?? at + KEY_DEFAULT, at);
      const key: ApiKeyModel = { id: `da2-${newId()}`, ...(description ? { description } : {}), expires, deletes: expires + KEY_GRACE };
      await commit(params.apiId!, (draft) => {
        if (draft.apiKeys.length >= MAX_KEYS) throw new ManagementApiError('ApiKeyLimitExceededException', `An API has at most ${MAX_KEYS} API keys.`, 400);
        draft.apiKeys.push(key);
      });
      return { apiKey: key };
    },
    'GET /v1/apis/{apiId}/apikeys': async ({ params, query }) => {
      const at = seconds();
      // AppSync lists keys until they are deleted, expired ones included.
      const keys = registry.get(params.apiId!).apiKeys.filter((k) => !k.deletes || k.deletes > at);
      const { items, nextToken } = page(keys, query);
      return { apiKeys: items, ...(nextToken ? { nextToken } : {}) };
    },
    'POST /v1/apis/{apiId}/apikeys/{id}': async ({ params, body }) => {
      const input = parseJsonBody(body);
      const description = optionalString(input, 'description');
      const expiresGiven = optionalInteger(input, 'expires', 0, Number.MAX_SAFE_INTEGER);
      const expires = expiresGiven === undefined ? undefined : checkValidity(expiresGiven, seconds());
      const key = await commit(params.apiId!, (draft) => {
        const found = draft.apiKeys.find((k) => k.id === params.id);
        if (!found) throw ManagementApiError.notFound(`API key ${params.id} not found.`);
        if (description !== undefined) found.description = description;
        if (expires !== undefined) {
          found.expires = expires;
          found.deletes = expires + KEY_GRACE;
        }
        return { ...found };
      });
      return { apiKey: key };
    },
    'DELETE /v1/apis/{apiId}/apikeys/{id}': async ({ params }) => {
      await commit(params.apiId!, (draft) => {
        if (!draft.apiKeys.some((k) => k.id === params.id)) throw ManagementApiError.notFound(`API key ${params.id} not found.`);
        draft.apiKeys = draft.apiKeys.filter((k) => k.id !== params.id);
      });
      return {};
    },
  };
}

/** AppSync's API key validity: 1 to 365 days from now, kept rounded down to the hour. */
function checkValidity(expires: number, now: number): number {
  if (expires < now + KEY_MIN)
    throw new ManagementApiError(
      'ApiKeyValidityOutOfBoundsException',
      'API key must be valid for a minimum of 1 days (expires is at least 86400 seconds from now).',
      400,
    );
  if (expires > now + KEY_MAX)
    throw new ManagementApiError(
      'ApiKeyValidityOutOfBoundsException',
      'API key must be valid for a maximum of 365 days (expires is at most 31536000 seconds from now).',
      400,
    );
  return Math.floor(expires / 3600) * 3600;
}

function readDataSource(input: Body): DataSourceModel {
  const name = requiredString(input, 'name', NAME_PATTERN);
  const type = optionalEnum(input, 'type', AWS_TYPES);
  if (!type) throw ManagementApiError.badRequest(`type is required: one of ${AWS_TYPES.join(', ')}.`);
  if (!(SERVED_TYPES as readonly string[]).includes(type))
    throw ManagementApiError.badRequest(
      `Data source type ${type} is not supported by appsync-gateway; it serves ${SERVED_TYPES.join(', ')} (docs/not-supported.md).`,
    );
  const ds: DataSourceModel = { name, type };
  const description = optionalString(input, 'description');
  if (description) ds.description = description;
  const role = optionalString(input, 'serviceRoleArn');
  if (role) ds.serviceRoleArn = role;
  const metrics = optionalEnum(input, 'metricsConfig', ['ENABLED', 'DISABLED']);
  if (metrics) ds.metricsConfig = metrics;
  const need = <T>(member: string): T => {
    const value = optionalObject<T>(input, member);
    if (!value) throw ManagementApiError.badRequest(`${member} is required for a data source of type ${type}.`);
    return value;
  };
  if (type === 'AMAZON_DYNAMODB') {
    const c = need<Body>('dynamodbConfig');
    ds.dynamodbConfig = {
      tableName: requiredString(c, 'tableName', undefined, 255),
      awsRegion: requiredString(c, 'awsRegion'),
      ...(optionalBoolean(c, 'useCallerCredentials') ? { useCallerCredentials: true } : {}),
      ...(optionalBoolean(c, 'versioned') ? { versioned: true } : {}),
      ...(optionalObject(c, 'deltaSyncConfig') ? { deltaSyncConfig: optionalObject(c, 'deltaSyncConfig') } : {}),
    };
  } else if (type === 'AWS_LAMBDA') {
    ds.lambdaConfig = { lambdaFunctionArn: requiredString(need<Body>('lambdaConfig'), 'lambdaFunctionArn') };
  } else if (type === 'HTTP') {
    const c = need<Body>('httpConfig');
    const endpoint = requiredString(c, 'endpoint');
    if (!/^https?:\/\//.test(endpoint)) throw ManagementApiError.badRequest(`httpConfig.endpoint must be an http:// or https:// URL, got ${endpoint}.`);
    ds.httpConfig = { endpoint, ...(optionalObject(c, 'authorizationConfig') ? { authorizationConfig: c.authorizationConfig as never } : {}) };
  } else if (type === 'AMAZON_EVENTBRIDGE') {
    const eventBusArn = requiredString(need<Body>('eventBridgeConfig'), 'eventBusArn');
    // The in-process EventBridge has only the default bus (docs/management-api.md#data-sources).
    if (!isDefaultEventBusArn(eventBusArn))
      throw ManagementApiError.badRequest(
        `eventBridgeConfig.eventBusArn ${eventBusArn} is not a default event bus (arn:aws:events:<region>:<account>:event-bus/default): ` +
          'the in-process EventBridge of appsync-gateway has only the default bus (docs/not-supported.md).',
      );
    ds.eventBridgeConfig = { eventBusArn };
  } else if (type === 'RELATIONAL_DATABASE') {
    ds.relationalDatabaseConfig = need<NonNullable<DataSourceModel['relationalDatabaseConfig']>>('relationalDatabaseConfig');
  }
  return ds;
}

/** `code` with `runtime` APPSYNC_JS 1.0.0, or mapping templates; code AppSync would refuse is a CODE_ERROR. */
async function readCode(input: Body): Promise<{ runtime?: AppSyncRuntime; code?: string; requestMappingTemplate?: string; responseMappingTemplate?: string }> {
  const code = optionalString(input, 'code', undefined, MAX_CODE_LENGTH);
  const runtime = optionalObject<AppSyncRuntime>(input, 'runtime');
  const request = optionalString(input, 'requestMappingTemplate', undefined, 65536);
  const response = optionalString(input, 'responseMappingTemplate', undefined, 65536);
  if (code !== undefined) {
    if (!runtime) throw ManagementApiError.badRequest('runtime is required with code: { "name": "APPSYNC_JS", "runtimeVersion": "1.0.0" }.');
    if (request !== undefined || response !== undefined) throw ManagementApiError.badRequest('code and mapping templates cannot be given together.');
  }
  if (runtime) {
    if (runtime.name !== 'APPSYNC_JS' || runtime.runtimeVersion !== '1.0.0')
      throw ManagementApiError.badRequest(`Unsupported runtime ${JSON.stringify(runtime)}: the only runtime is APPSYNC_JS 1.0.0.`);
    if (code === undefined) throw ManagementApiError.badRequest('code is required with runtime.');
    const checked = await checkCode(code);
    if (!checked.ok)
      throw ManagementApiError.badRequest('The code contains one or more errors.', { reason: 'CODE_ERROR', detail: { codeErrors: checked.codeErrors } });
    // The built API's next load takes this compile instead of compiling the same text again.
    rememberCheckedCompile(checked.compiled);
    return { runtime: { name: runtime.name, runtimeVersion: runtime.runtimeVersion }, code };
  }
  return { ...(request !== undefined ? { requestMappingTemplate: request } : {}), ...(response !== undefined ? { responseMappingTemplate: response } : {}) };
}

async function readFunction(input: Body, functionId: string): Promise<FunctionModel> {
  const fn: FunctionModel = {
    functionId,
    name: requiredString(input, 'name', NAME_PATTERN),
    dataSourceName: requiredString(input, 'dataSourceName', NAME_PATTERN),
  };
  const description = optionalString(input, 'description');
  if (description) fn.description = description;
  const version = optionalEnum(input, 'functionVersion', ['2018-05-29']);
  const code = await readCode(input);
  if (!code.code && !code.requestMappingTemplate)
    throw ManagementApiError.badRequest('A function needs code (with runtime APPSYNC_JS) or a requestMappingTemplate (with functionVersion 2018-05-29).');
  if (code.requestMappingTemplate && !version) throw ManagementApiError.badRequest('functionVersion 2018-05-29 is required with mapping templates.');
  if (version) fn.functionVersion = version;
  Object.assign(fn, code);
  const batch = optionalInteger(input, 'maxBatchSize', 0, 2000);
  if (batch !== undefined) fn.maxBatchSize = batch;
  const sync = optionalObject(input, 'syncConfig');
  if (sync) fn.syncConfig = sync;
  return fn;
}

async function readResolver(input: Body, typeName: string): Promise<ResolverModel> {
  const kind = optionalEnum(input, 'kind', ['UNIT', 'PIPELINE']) ?? 'UNIT';
  const resolver: ResolverModel = { typeName, fieldName: requiredString(input, 'fieldName', NAME_PATTERN), kind };
  if (!NAME_PATTERN.test(typeName))
    throw ManagementApiError.badRequest(`typeName ${JSON.stringify(typeName)} does not match the pattern ${NAME_PATTERN.source}.`);
  const dataSourceName = optionalString(input, 'dataSourceName', NAME_PATTERN);
  if (kind === 'UNIT') {
    if (!dataSourceName) throw ManagementApiError.badRequest('dataSourceName is required for a UNIT resolver.');
    resolver.dataSourceName = dataSourceName;
  } else {
    const pipeline = optionalObject<{ functions?: unknown }>(input, 'pipelineConfig');
    const functions = pipeline?.functions ?? [];
    if (!Array.isArray(functions) || functions.some((f) => typeof f !== 'string'))
      throw ManagementApiError.badRequest('pipelineConfig.functions must be a list of function ids.');
    if (functions.length > 10) throw ManagementApiError.badRequest('A pipeline resolver has at most 10 functions.');
    resolver.pipelineConfig = { functions: functions as string[] };
  }
  Object.assign(resolver, await readCode(input));
  const batch = optionalInteger(input, 'maxBatchSize', 0, 2000);
  if (batch !== undefined) resolver.maxBatchSize = batch;
  const sync = optionalObject(input, 'syncConfig');
  if (sync) resolver.syncConfig = sync;
  const caching = optionalObject<Body>(input, 'cachingConfig');
  if (caching) resolver.cachingConfig = readCachingConfig(caching);
  const metrics = optionalEnum(input, 'metricsConfig', ['ENABLED', 'DISABLED']);
  if (metrics) resolver.metricsConfig = metrics;
  return resolver;
}

/** A resolver's CachingConfig as AppSync checks it: ttl 1-3,600 s; keys under `$context.arguments`, `.source` or `.identity`. */
function readCachingConfig(caching: Body): NonNullable<ResolverModel['cachingConfig']> {
  const ttl = optionalInteger(caching, 'ttl', 1, 3600);
  if (ttl === undefined) throw ManagementApiError.badRequest('cachingConfig.ttl is required: 1 to 3600 seconds.');
  const keys = caching.cachingKeys;
  if (keys === undefined || keys === null) return { ttl };
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || normalizeCachingKey(k) === undefined))
    throw ManagementApiError.badRequest('cachingConfig.cachingKeys must be a list of $context.arguments.x, $context.source.x or $context.identity.x entries.');
  return { ttl, cachingKeys: keys as string[] };
}

/** AppSync: a resolver attaches to a field of the schema in force (NotFoundException otherwise). */
function checkField(def: ApiDefinition, resolver: ResolverModel): void {
  const { fields } = schemaOf(def);
  const type = fields.get(resolver.typeName);
  if (!type) throw ManagementApiError.notFound(`Type ${resolver.typeName} not found.`);
  if (!type.has(resolver.fieldName)) throw ManagementApiError.notFound(`No field named ${resolver.fieldName} found on type ${resolver.typeName}`);
  checkCachingKeys(def, resolver);
}

function checkCachingKeys(def: ApiDefinition, resolver: ResolverModel): void {
  if (def.schema === undefined) return;
  // Gateway check: a key naming an argument the field lacks would stop the API loading, so it is refused here.
  const type = schemaOf(def).schema.getType(resolver.typeName);
  const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[resolver.fieldName] : undefined;
  for (const key of resolver.cachingConfig?.cachingKeys ?? []) {
    const argument = /^context\.arguments\.([^.]+)/.exec(normalizeCachingKey(key) ?? '')?.[1];
    if (argument !== undefined && field && !field.args.some((a) => a.name === argument))
      throw ManagementApiError.badRequest(`cachingConfig.cachingKeys: ${resolver.typeName}.${resolver.fieldName} has no argument ${JSON.stringify(argument)}.`);
  }
}

function checkResolverTargets(def: ApiDefinition, resolver: ResolverModel): void {
  if (resolver.dataSourceName && !def.dataSources.some((d) => d.name === resolver.dataSourceName))
    throw ManagementApiError.notFound(`No data source found named ${resolver.dataSourceName}`);
  for (const id of resolver.pipelineConfig?.functions ?? [])
    if (!def.functions.some((f) => f.functionId === id)) throw ManagementApiError.notFound(`No function found with id ${id}`);
}
