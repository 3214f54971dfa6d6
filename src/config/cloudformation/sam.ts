/**
 * SAM (`Transform: AWS::Serverless-2016-10-31`): `Globals` and the `AWS::Serverless::GraphQLApi`
 * shorthand, expanded in place into the AppSync resources SAM's own transform would create, so
 * the rest of the translation reads only CloudFormation resource types. No JavaScript library
 * runs SAM's transform, so the expansion the gateway needs is written here.
 */
import type { LoadedStack } from './stacks.js';
import type { Resource } from './evaluate.js';

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The code SAM's docs show for a resolver whose functions do the work: pass the last result on. */
const PASS_THROUGH_RESOLVER = 'export function request(ctx) {\n  return {};\n}\n\nexport function response(ctx) {\n  return ctx.prev.result;\n}\n';

/** Expands `Globals` and each `AWS::Serverless::GraphQLApi` of the stack (and its nested stacks). */
export function expandServerless(stack: LoadedStack): void {
  for (const child of stack.nested.values()) expandServerless(child);
  const template = stack.evaluator.template as { Globals?: Record<string, any>; Resources?: Record<string, Resource> };
  const resources = template.Resources ?? {};
  const globals = template.Globals?.Function;
  for (const resource of Object.values(resources)) {
    if (resource.Type === 'AWS::Serverless::Function' && isObject(globals)) resource.Properties = mergeGlobals(globals, resource.Properties ?? {});
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::Serverless::GraphQLApi') expandGraphQLApi(logicalId, resource, resources);
    if (resource.Type === 'AWS::Serverless::SimpleTable') resources[logicalId] = simpleTable(resource);
  }
}

const KEY_TYPES: Record<string, string> = { String: 'S', Number: 'N', Binary: 'B' };

/** `AWS::Serverless::SimpleTable`: one hash key (default `id`, a String), on demand. */
function simpleTable(resource: Resource): Resource {
  const p = resource.Properties ?? {};
  const key = isObject(p.PrimaryKey) ? p.PrimaryKey : { Name: 'id', Type: 'String' };
  return {
    ...resource,
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      ...(p.TableName !== undefined ? { TableName: p.TableName } : {}),
      AttributeDefinitions: [{ AttributeName: key.Name, AttributeType: KEY_TYPES[String(key.Type)] ?? key.Type }],
      KeySchema: [{ AttributeName: key.Name, KeyType: 'HASH' }],
      ...(p.ProvisionedThroughput ? { ProvisionedThroughput: p.ProvisionedThroughput } : { BillingMode: 'PAY_PER_REQUEST' }),
    },
  };
}

/** SAM's Globals rule: a resource's own value wins; maps (Environment.Variables) merge. */
function mergeGlobals(globals: Record<string, any>, own: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...globals };
  for (const [key, value] of Object.entries(own)) out[key] = isObject(value) && isObject(out[key]) ? mergeGlobals(out[key], value) : value;
  return out;
}

function authBlock(auth: Record<string, any>): Record<string, unknown> {
  return {
    AuthenticationType: auth.Type,
    ...(auth.UserPool ? { UserPoolConfig: auth.UserPool } : {}),
    ...(auth.OpenIDConnect ? { OpenIDConnectConfig: auth.OpenIDConnect } : {}),
    ...(auth.LambdaAuthorizer ? { LambdaAuthorizerConfig: auth.LambdaAuthorizer } : {}),
  };
}

function expandGraphQLApi(apiId: string, resource: Resource, resources: Record<string, Resource>): void {
  const p = resource.Properties ?? {};
  const api = { 'Fn::GetAtt': [apiId, 'ApiId'] };
  const add = (id: string, type: string, properties: Record<string, unknown>) => {
    resources[id] = { Type: type, Properties: properties, ...(resource.Condition ? { Condition: resource.Condition } : {}) };
  };
  const auth = isObject(p.Auth) ? p.Auth : {};
  const additional = Array.isArray(auth.Additional) ? auth.Additional.map((a: Record<string, any>) => authBlock(a)) : undefined;
  // The expanded API keeps the logical id, so `!GetAtt Api.ApiId` and `!Ref Api` still name it.
  add(apiId, 'AWS::AppSync::GraphQLApi', {
    Name: p.Name ?? apiId,
    ...authBlock(auth),
    ...(additional ? { AdditionalAuthenticationProviders: additional } : {}),
    ...(p.XrayEnabled !== undefined ? { XrayEnabled: p.XrayEnabled } : {}),
  });
  if (isObject(p.Cache)) add(`${apiId}Cache`, 'AWS::AppSync::ApiCache', { ApiId: api, ...p.Cache });
  add(`${apiId}Schema`, 'AWS::AppSync::GraphQLSchema', {
    ApiId: api,
    ...(p.SchemaInline !== undefined ? { Definition: p.SchemaInline } : { DefinitionS3Location: p.SchemaUri }),
  });
  for (const [id, key] of Object.entries(isObject(p.ApiKeys) ? p.ApiKeys : isObject(p.ApiKey) ? p.ApiKey : {})) {
    add(`${apiId}${id}`, 'AWS::AppSync::ApiKey', {
      ApiId: api,
      ...(isObject(key) && key.Description !== undefined ? { Description: key.Description } : {}),
      ...(isObject(key) && key.ExpiresOn !== undefined ? { Expires: key.ExpiresOn } : {}),
    });
  }
  const dataSourceNames = new Map<string, unknown>();
  const sources = isObject(p.DataSources) ? p.DataSources : {};
  for (const [id, ds] of Object.entries(isObject(sources.DynamoDb) ? sources.DynamoDb : {})) {
    const d = ds as Record<string, any>;
    dataSourceNames.set(id, d.Name ?? id);
    add(`${apiId}${id}DataSource`, 'AWS::AppSync::DataSource', {
      ApiId: api,
      Name: d.Name ?? id,
      Type: 'AMAZON_DYNAMODB',
      ...(d.Description !== undefined ? { Description: d.Description } : {}),
      DynamoDBConfig: {
        TableName: d.TableName,
        AwsRegion: d.Region ?? { Ref: 'AWS::Region' },
        ...(d.Versioned !== undefined ? { Versioned: d.Versioned } : {}),
        ...(d.DeltaSync ? { DeltaSyncConfig: d.DeltaSync } : {}),
      },
    });
  }
  for (const [id, ds] of Object.entries(isObject(sources.Lambda) ? sources.Lambda : {})) {
    const d = ds as Record<string, any>;
    dataSourceNames.set(id, d.Name ?? id);
    add(`${apiId}${id}DataSource`, 'AWS::AppSync::DataSource', {
      ApiId: api,
      Name: d.Name ?? id,
      Type: 'AWS_LAMBDA',
      ...(d.Description !== undefined ? { Description: d.Description } : {}),
      LambdaConfig: { LambdaFunctionArn: d.FunctionArn },
    });
  }
  const defaults = isObject(p.Defaults) ? p.Defaults : {};
  const runtime = (given: unknown) => {
    const r = isObject(given) ? given : isObject(defaults.Runtime) ? defaults.Runtime : { Name: 'APPSYNC_JS', Version: '1.0.0' };
    return { Name: r.Name, RuntimeVersion: r.Version ?? r.RuntimeVersion };
  };
  const code = (item: Record<string, any>, fallback?: Record<string, any>) =>
    item.InlineCode !== undefined
      ? { Code: item.InlineCode }
      : item.CodeUri !== undefined
        ? { CodeS3Location: item.CodeUri }
        : fallback?.InlineCode !== undefined
          ? { Code: fallback.InlineCode }
          : fallback?.CodeUri !== undefined
            ? { CodeS3Location: fallback.CodeUri }
            : {};
  let noneNeeded = false;
  for (const [id, fn] of Object.entries(isObject(p.Functions) ? p.Functions : {})) {
    const f = fn as Record<string, any>;
    const fallback = isObject(defaults.Functions) ? defaults.Functions : {};
    const source = f.DataSource ?? fallback.DataSource;
    let dataSourceName = f.DataSourceName ?? fallback.DataSourceName;
    if (dataSourceName === undefined && typeof source === 'string') {
      if (source.toUpperCase() === 'NONE') {
        noneNeeded = true;
        dataSourceName = 'NONE';
      } else dataSourceName = dataSourceNames.get(source) ?? source;
    }
    add(`${apiId}${id}`, 'AWS::AppSync::FunctionConfiguration', {
      ApiId: api,
      Name: f.Name ?? id,
      DataSourceName: dataSourceName,
      Runtime: runtime(f.Runtime),
      ...code(f),
      ...(f.Description !== undefined ? { Description: f.Description } : {}),
      ...(f.MaxBatchSize !== undefined ? { MaxBatchSize: f.MaxBatchSize } : {}),
      ...(f.Sync !== undefined ? { SyncConfig: f.Sync } : {}),
    });
  }
  if (noneNeeded) add(`${apiId}NoneDataSource`, 'AWS::AppSync::DataSource', { ApiId: api, Name: 'NONE', Type: 'NONE' });
  for (const [typeName, fields] of Object.entries(isObject(p.Resolvers) ? p.Resolvers : {})) {
    for (const [id, resolver] of Object.entries(isObject(fields) ? fields : {})) {
      const r = resolver as Record<string, any>;
      const fallback = isObject(defaults.Resolvers) ? defaults.Resolvers : {};
      const pipeline: unknown[] = r.Pipeline ?? fallback.Pipeline ?? [];
      const body = code(r, fallback);
      add(`${apiId}${typeName}${id}Resolver`, 'AWS::AppSync::Resolver', {
        ApiId: api,
        TypeName: typeName,
        FieldName: r.FieldName ?? id,
        Kind: 'PIPELINE',
        Runtime: runtime(r.Runtime),
        // Gateway choice: a SAM resolver without code passes its last function's result on.
        ...(Object.keys(body).length > 0 ? body : { Code: PASS_THROUGH_RESOLVER }),
        PipelineConfig: { Functions: pipeline.map((fn) => ({ 'Fn::GetAtt': [`${apiId}${String(fn)}`, 'FunctionId'] })) },
        ...(r.MaxBatchSize !== undefined ? { MaxBatchSize: r.MaxBatchSize } : {}),
        ...(r.Sync !== undefined ? { SyncConfig: r.Sync } : {}),
        ...(r.Caching !== undefined ? { CachingConfig: r.Caching } : {}),
      });
    }
  }
}
