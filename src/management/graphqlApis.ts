/**
 * GraphQL API operations of the management API (API reference: CreateGraphqlApi … DeleteGraphqlApi,
 * StartSchemaCreation, GetSchemaCreationStatus, GetIntrospectionSchema, ListTypes, GetType,
 * Put/GetGraphqlApiEnvironmentVariables, TagResource, UntagResource, ListTagsForResource).
 */
import { getIntrospectionQuery, graphqlSync, Kind, print, visit, type DefinitionNode, type DocumentNode } from 'graphql';
import type { ApiDefinition, GraphqlApiSettings } from '../apis/index.js';
import { SchemaError } from '../errors.js';
import { buildAppSyncSchema } from '../schema/index.js';
import { apiArn, RawAnswer, schemaOf, type Handler, type ManagementContext } from './context.js';
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  page,
  parseJsonBody,
  requiredString,
  stringMap,
  type Body,
} from './members.js';
import { ManagementApiError } from './restJson.js';

const AUTH_TYPES = ['API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT', 'AWS_LAMBDA'] as const;

/**
 * Gateway choice (docs/management-api.md#limits): the largest schema StartSchemaCreation takes, in
 * bytes of SDL. AppSync refuses schema documents over 1 MB ("Template may not exceed 1000000 bytes").
 */
export const MAX_SCHEMA_BYTES = 1_000_000;

/** AppSync: an API name is 1-65,536 characters of letters, digits, `_`, `-` and spaces, starting with a letter or `_`. */
const API_NAME = /^[_A-Za-z][_0-9A-Za-z\- ]*$/;

/** GraphqlApi as AppSync answers it. */
export function graphqlApiShape(ctx: ManagementContext, def: ApiDefinition): Record<string, unknown> {
  const uris = ctx.uris(def.apiId);
  const host = (url: string) => new URL(url).host;
  const {
    apiId,
    tags,
    schema: _schema,
    schemaStatus: _status,
    dataSources: _ds,
    functions: _fn,
    resolvers: _r,
    apiKeys: _k,
    environmentVariables: _env,
    revision: _rev,
    ...settings
  } = def;
  return {
    ...settings,
    apiId,
    arn: apiArn(ctx, apiId),
    uris: { ...uris },
    dns: { GRAPHQL: host(uris.GRAPHQL), REALTIME: host(uris.REALTIME) },
    tags: { ...tags },
    visibility: def.visibility ?? 'GLOBAL',
    apiType: def.apiType ?? 'GRAPHQL',
    owner: ctx.accountId,
    introspectionConfig: def.introspectionConfig ?? 'ENABLED',
    xrayEnabled: def.xrayEnabled ?? false,
  };
}

/** The settings of CreateGraphqlApi / UpdateGraphqlApi, checked as AppSync checks them. */
function readSettings(body: Body, current?: GraphqlApiSettings): GraphqlApiSettings {
  const name = current ? (optionalString(body, 'name', API_NAME) ?? current.name) : requiredString(body, 'name', API_NAME);
  const authenticationType = optionalEnum(body, 'authenticationType', AUTH_TYPES) ?? current?.authenticationType;
  if (!authenticationType) throw ManagementApiError.badRequest(`authenticationType is required: one of ${AUTH_TYPES.join(', ')}.`);
  const settings: GraphqlApiSettings = { ...(current ?? {}), name, authenticationType };
  const userPoolConfig = optionalObject<GraphqlApiSettings['userPoolConfig']>(body, 'userPoolConfig');
  const openIDConnectConfig = optionalObject<GraphqlApiSettings['openIDConnectConfig']>(body, 'openIDConnectConfig');
  const lambdaAuthorizerConfig = optionalObject<GraphqlApiSettings['lambdaAuthorizerConfig']>(body, 'lambdaAuthorizerConfig');
  if (userPoolConfig) settings.userPoolConfig = userPoolConfig;
  if (openIDConnectConfig) settings.openIDConnectConfig = openIDConnectConfig;
  if (lambdaAuthorizerConfig) settings.lambdaAuthorizerConfig = lambdaAuthorizerConfig;
  const additional = body.additionalAuthenticationProviders;
  if (additional !== undefined && additional !== null) {
    if (!Array.isArray(additional)) throw ManagementApiError.badRequest('additionalAuthenticationProviders must be a list.');
    settings.additionalAuthenticationProviders = additional.map((p, i) => {
      const type = optionalEnum(p as Body, 'authenticationType', AUTH_TYPES);
      if (!type) throw ManagementApiError.badRequest(`additionalAuthenticationProviders.${i}.authenticationType is required.`);
      return p as NonNullable<GraphqlApiSettings['additionalAuthenticationProviders']>[number];
    });
  }
  checkAuthConfig(authenticationType, settings, '');
  settings.additionalAuthenticationProviders?.forEach((p, i) => checkAuthConfig(p.authenticationType, p, `additionalAuthenticationProviders.${i}.`));
  for (const member of ['logConfig', 'enhancedMetricsConfig'] as const) {
    const value = optionalObject(body, member);
    if (value) settings[member] = value;
  }
  const xray = optionalBoolean(body, 'xrayEnabled');
  if (xray !== undefined) settings.xrayEnabled = xray;
  for (const member of ['ownerContact', 'mergedApiExecutionRoleArn'] as const) {
    const value = optionalString(body, member);
    if (value !== undefined) settings[member] = value;
  }
  const visibility = optionalEnum(body, 'visibility', ['GLOBAL', 'PRIVATE']);
  if (visibility) settings.visibility = visibility;
  const apiType = optionalEnum(body, 'apiType', ['GRAPHQL', 'MERGED']);
  if (apiType === 'MERGED') throw ManagementApiError.badRequest('Merged APIs (apiType MERGED) are not supported by appsync-gateway (docs/not-supported.md).');
  if (apiType) settings.apiType = apiType;
  const introspection = optionalEnum(body, 'introspectionConfig', ['ENABLED', 'DISABLED']);
  if (introspection) settings.introspectionConfig = introspection;
  const depth = optionalInteger(body, 'queryDepthLimit', 0, 75);
  if (depth !== undefined) settings.queryDepthLimit = depth;
  const count = optionalInteger(body, 'resolverCountLimit', 0, 10000);
  if (count !== undefined) settings.resolverCountLimit = count;
  return settings;
}

function checkAuthConfig(
  type: string,
  settings: { userPoolConfig?: { userPoolId?: string }; openIDConnectConfig?: { issuer?: string }; lambdaAuthorizerConfig?: { authorizerUri?: string } },
  at: string,
): void {
  const need = (member: string, present: unknown) => {
    if (!present) throw ManagementApiError.badRequest(`${at}${member} is required for authenticationType ${type}.`);
  };
  if (type === 'AMAZON_COGNITO_USER_POOLS') need('userPoolConfig', settings.userPoolConfig?.userPoolId);
  if (type === 'OPENID_CONNECT') need('openIDConnectConfig', settings.openIDConnectConfig?.issuer);
  if (type === 'AWS_LAMBDA') need('lambdaAuthorizerConfig', settings.lambdaAuthorizerConfig?.authorizerUri);
}

/** The apiId of an API ARN (`arn:aws:appsync:region:account:apis/ID`), for the tag calls. */
function apiIdOfArn(arn: string): string {
  const match = /^arn:aws[\w-]*:appsync:[^:]*:[^:]*:apis\/([^/]+)$/.exec(arn);
  if (!match) throw ManagementApiError.badRequest(`resourceArn ${arn} is not the ARN of a GraphQL API (arn:aws:appsync:REGION:ACCOUNT:apis/API_ID).`);
  return match[1]!;
}

/** The definitions of the user's SDL, directives removed when `includeDirectives` is false. */
function userDefinitions(document: DocumentNode, includeDirectives: boolean): DocumentNode {
  if (includeDirectives) return document;
  return visit(document, { Directive: () => null }) as DocumentNode;
}

function typeDefinitionName(definition: DefinitionNode): string | undefined {
  return 'name' in definition && definition.name && definition.kind !== Kind.DIRECTIVE_DEFINITION ? definition.name.value : undefined;
}

export function graphqlApiRoutes(ctx: ManagementContext): Record<string, Handler> {
  const { registry } = ctx;
  /** The GraphQL API `apiId` names; an Event API's id is not one, as on AppSync. */
  const graphqlApi = (apiId: string): ApiDefinition => {
    const def = registry.get(apiId);
    if (def.eventApi) throw ManagementApiError.notFound(`GraphQL API ${apiId} not found.`);
    return def;
  };
  const typeShape = (def: ApiDefinition, name: string, format: 'SDL' | 'JSON') => {
    const { schema, document } = schemaOf(def);
    const nodes = document.definitions.filter((d) => typeDefinitionName(d) === name);
    if (nodes.length === 0 || !schema.getType(name)) throw ManagementApiError.notFound(`Type ${name} not found.`);
    const definition =
      format === 'SDL'
        ? nodes.map((n) => print(n)).join('\n\n')
        : JSON.stringify(
            (graphqlSync({ schema, source: `{ __type(name: ${JSON.stringify(name)}) { ...T } } ${TYPE_FRAGMENT}` }).data as { __type: unknown }).__type,
          );
    const description = schema.getType(name)!.description;
    return { name, ...(description ? { description } : {}), arn: `${apiArn(ctx, def.apiId)}/types/${name}`, definition, format };
  };
  const formatOf = (query: URLSearchParams): 'SDL' | 'JSON' => {
    const format = query.get('format');
    if (format !== 'SDL' && format !== 'JSON') throw ManagementApiError.badRequest('format is required: SDL or JSON.');
    return format;
  };
  return {
    'POST /v1/apis': async ({ body }) => {
      const input = parseJsonBody(body);
      const settings = readSettings(input);
      const tags = input.tags === undefined || input.tags === null ? {} : stringMap(input.tags, 'tags');
      const def = registry.create(settings, tags);
      await registry.flush(def.apiId);
      return { graphqlApi: graphqlApiShape(ctx, def) };
    },
    'GET /v1/apis': async ({ query }) => {
      const apiType = query.get('apiType');
      // Event APIs (CreateApi under /v2/) are listed by ListApis, not here.
      const all = registry.list().filter((d) => !d.eventApi && (!apiType || (d.apiType ?? 'GRAPHQL') === apiType));
      const { items, nextToken } = page(all, query);
      return { graphqlApis: items.map((d) => graphqlApiShape(ctx, d)), ...(nextToken ? { nextToken } : {}) };
    },
    'GET /v1/apis/{apiId}': async ({ params }) => ({ graphqlApi: graphqlApiShape(ctx, graphqlApi(params.apiId!)) }),
    'POST /v1/apis/{apiId}': async ({ params, body }) => {
      graphqlApi(params.apiId!);
      const input = parseJsonBody(body);
      const { definition } = registry.update(params.apiId!, (draft) => Object.assign(draft, readSettings(input, draft)));
      await registry.flush(definition.apiId);
      return { graphqlApi: graphqlApiShape(ctx, definition) };
    },
    'DELETE /v1/apis/{apiId}': async ({ params }) => {
      graphqlApi(params.apiId!);
      registry.delete(params.apiId!);
      await registry.flush(params.apiId!);
      return {};
    },

    'POST /v1/apis/{apiId}/schemacreation': async ({ params, body }) => {
      const input = parseJsonBody(body);
      const current = registry.get(params.apiId!);
      const encoded = requiredString(input, 'definition', undefined, Infinity);
      const bytes = Buffer.from(encoded, 'base64');
      if (bytes.length > MAX_SCHEMA_BYTES)
        throw ManagementApiError.badRequest(`The schema definition is ${bytes.length} bytes; AppSync takes at most ${MAX_SCHEMA_BYTES} bytes.`);
      if (current.schemaStatus?.status === 'PROCESSING')
        throw new ManagementApiError('ConcurrentModificationException', 'Schema is currently being altered, please wait until that is complete.', 409);
      const sdl = bytes.toString('utf8');
      let failure: string | undefined;
      try {
        buildAppSyncSchema([{ file: 'schema.graphql', sdl }]);
      } catch (error) {
        if (!(error instanceof SchemaError)) throw error;
        failure = error.message;
      }
      // A schema that does not build leaves the one in force, as AppSync does; the status says why.
      registry.update(params.apiId!, (draft) => {
        if (failure !== undefined) {
          draft.schemaStatus = { status: 'FAILED', details: failure };
        } else {
          draft.schema = sdl;
          draft.schemaStatus = { status: 'PROCESSING', details: 'The schema is being applied.', revision: draft.revision + 1 };
          draft.schemaStatus = { status: 'PROCESSING', details: 'The schema is being applied.', revision: draft.revision + 1 };
        }
      });
      await registry.flush(params.apiId!);
      return { status: 'PROCESSING' };
    },
    'GET /v1/apis/{apiId}/schemacreation': async ({ params }) => {
      const status = registry.get(params.apiId!).schemaStatus;
      if (!status) return { status: 'NOT_APPLICABLE', details: 'No schema has been uploaded.' };
      return { status: status.status, ...(status.details !== undefined ? { details: status.details } : {}) };
    },
    'GET /v1/apis/{apiId}/schema': async ({ params, query }) => {
      const def = registry.get(params.apiId!);
      const format = formatOf(query);
      const includeDirectives = query.get('includeDirectives') !== 'false';
      const { schema, document } = schemaOf(def);
      if (format === 'SDL') return new RawAnswer(Buffer.from(`${print(userDefinitions(document, includeDirectives))}\n`), 'application/octet-stream');
      const result = graphqlSync({ schema, source: getIntrospectionQuery({ descriptions: true }) });
      return new RawAnswer(Buffer.from(JSON.stringify({ data: result.data })), 'application/octet-stream');
    },
    'GET /v1/apis/{apiId}/types': async ({ params, query }) => {
      const def = registry.get(params.apiId!);
      const format = formatOf(query);
      const names = [
        ...new Set(
          schemaOf(def)
            .document.definitions.map(typeDefinitionName)
            .filter((n): n is string => n !== undefined),
        ),
      ];
      const { items, nextToken } = page(names, query);
      return { types: items.map((name) => typeShape(def, name, format)), ...(nextToken ? { nextToken } : {}) };
    },
    'GET /v1/apis/{apiId}/types/{typeName}': async ({ params, query }) => ({
      type: typeShape(registry.get(params.apiId!), params.typeName!, formatOf(query)),
    }),

    'GET /v1/apis/{apiId}/environmentVariables': async ({ params }) => ({ environmentVariables: { ...registry.get(params.apiId!).environmentVariables } }),
    'PUT /v1/apis/{apiId}/environmentVariables': async ({ params, body }) => {
      const input = parseJsonBody(body);
      if (input.environmentVariables === undefined) throw ManagementApiError.badRequest('environmentVariables is required.');
      const variables = stringMap(input.environmentVariables, 'environmentVariables');
      checkEnvironment(variables);
      const { definition } = registry.update(params.apiId!, (draft) => {
        draft.environmentVariables = { ...variables };
      });
      await registry.flush(definition.apiId);
      return { environmentVariables: { ...definition.environmentVariables } };
    },

    'POST /v1/tags/{resourceArn}': async ({ params, body }) => {
      const input = parseJsonBody(body);
      const tags = stringMap(input.tags ?? null, 'tags');
      const apiId = apiIdOfArn(params.resourceArn!);
      registry.update(apiId, (draft) => {
        draft.tags = { ...draft.tags, ...tags };
        if (Object.keys(draft.tags).length > 50) throw ManagementApiError.badRequest('A resource has at most 50 tags.');
      });
      await registry.flush(apiId);
      return {};
    },
    'DELETE /v1/tags/{resourceArn}': async ({ params, query }) => {
      const keys = query.getAll('tagKeys');
      if (keys.length === 0) throw ManagementApiError.badRequest('tagKeys is required.');
      const apiId = apiIdOfArn(params.resourceArn!);
      registry.update(apiId, (draft) => {
        for (const key of keys) delete draft.tags[key];
      });
      await registry.flush(apiId);
      return {};
    },
    'GET /v1/tags/{resourceArn}': async ({ params }) => ({ tags: { ...registry.get(apiIdOfArn(params.resourceArn!)).tags } }),
  };
}

/** AppSync's rules for environment variables: at most 50; keys 2-64 characters, a letter first; values at most 512 characters. */
function checkEnvironment(variables: Record<string, string>): void {
  const entries = Object.entries(variables);
  if (entries.length > 50) throw ManagementApiError.badRequest(`An API has at most 50 environment variables; ${entries.length} were given.`);
  for (const [key, value] of entries) {
    if (!/^[A-Za-z]\w{1,63}$/.test(key))
      throw ManagementApiError.badRequest(
        `Environment variable name ${JSON.stringify(key)} must be 2 to 64 characters, start with a letter, and hold letters, digits and _ only.`,
      );
    if (value.length > 512)
      throw ManagementApiError.badRequest(`The value of environment variable ${key} is ${value.length} characters; at most 512 are allowed.`);
  }
}

const TYPE_FRAGMENT = `fragment T on __Type { kind name description
  fields(includeDeprecated: true) { name description args { name description type { ...R } defaultValue } type { ...R } isDeprecated deprecationReason }
  inputFields { name description type { ...R } defaultValue }
  interfaces { ...R } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...R } }
  fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`;
