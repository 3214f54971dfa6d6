/**
 * What the management API's handlers share: the registry, how an API's ARN and URIs read, and the
 * schema of an API's SDL (built once per SDL text).
 */
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { parse } from 'graphql';
import type { ApiDefinition, ApiRegistry } from '../apis/index.js';
import { buildAppSyncSchema } from '../schema/index.js';
import { ManagementApiError } from './restJson.js';

/** An API's endpoints, as GetGraphqlApi answers them in `uris`. */
export interface ApiUris {
  GRAPHQL: string;
  REALTIME: string;
}

export interface ManagementContext {
  registry: ApiRegistry;
  region: string;
  accountId: string;
  uris(apiId: string): ApiUris;
  /** Empties the API cache of `apiId` (FlushApiCache); nothing when it has none in force. */
  flushApiCache(apiId: string): Promise<void>;
}

/** A handler's input: path parameters, the query string and the raw body. */
export interface RouteInput {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Buffer;
}

/** A handler's answer: a JSON value, or {@link RawAnswer} for a blob payload. */
export type Handler = (input: RouteInput) => Promise<unknown>;

/** An answer whose body is bytes (GetIntrospectionSchema's `schema` blob), not JSON. */
export class RawAnswer {
  constructor(
    readonly body: Buffer,
    readonly contentType: string,
  ) {}
}

export function apiArn(ctx: ManagementContext, apiId: string): string {
  return `arn:aws:appsync:${ctx.region}:${ctx.accountId}:apis/${apiId}`;
}

/** The built schema and the user's SDL document of an API (cached by SDL text). */
export interface ApiSchema {
  schema: GraphQLSchema;
  document: DocumentNode;
  /** Field names per object, interface and input type of the user's SDL. */
  fields: Map<string, Set<string>>;
}

const schemas = new Map<string, ApiSchema>();

/** The schema in force of `def`; a NotFoundException when it has none yet. */
export function schemaOf(def: ApiDefinition): ApiSchema {
  if (def.schema === undefined) throw ManagementApiError.notFound(`The GraphQL API ${def.apiId} has no schema yet: upload one with StartSchemaCreation.`);
  let built = schemas.get(def.schema);
  if (!built) {
    const schema = buildAppSyncSchema([{ file: 'schema.graphql', sdl: def.schema }]).schema;
    const document = parse(def.schema, { noLocation: true });
    const fields = new Map<string, Set<string>>();
    for (const type of Object.values(schema.getTypeMap())) {
      if ('getFields' in type && typeof type.getFields === 'function') fields.set(type.name, new Set(Object.keys(type.getFields())));
    }
    built = { schema, document, fields };
    // A handful of SDL texts at a time: one per API being worked on.
    if (schemas.size >= 32) schemas.delete(schemas.keys().next().value!);
    schemas.set(def.schema, built);
  }
  return built;
}
