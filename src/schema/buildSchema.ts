/**
 * Builds the executable schema from AppSync SDL files: the preamble first, then each file parsed
 * with its own name so every error points at file and line.
 */
import {
  GraphQLError,
  Kind,
  Source,
  buildASTSchema,
  isAbstractType,
  isTypeDefinitionNode,
  parse,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
  type TypeDefinitionNode,
} from 'graphql';
import { validateSDL } from 'graphql/validation/validate.js';
import { SchemaError } from '../errors.js';
import { APPSYNC_PREAMBLE, AWS_SCALAR_NAMES } from './preamble.js';
import { createAwsScalars } from './scalars.js';

export interface SchemaSource {
  /** File name for error messages (absolute path or a label such as `<inline>`). */
  file: string;
  sdl: string;
}

export interface BuiltSchema {
  schema: GraphQLSchema;
  document: DocumentNode;
  warnings: string[];
}

const PREAMBLE_FILE = '<appsync preamble>';
const AWS_SCALARS = new Set<string>(AWS_SCALAR_NAMES);
const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

function toSchemaError(error: GraphQLError): SchemaError {
  // For "defined more than once" errors the last node is the offending repeat.
  const node = error.nodes?.[error.nodes.length - 1];
  const source = node?.loc?.source ?? error.source;
  const location =
    (node?.loc ? undefined : error.locations?.[0]) ?? (node?.loc ? { line: node.loc.startToken.line, column: node.loc.startToken.column } : undefined);
  return new SchemaError(error.message, {
    file: source?.name,
    line: location?.line,
    column: location?.column,
  });
}

/** The SDL keyword of each kind of type definition, for `extend <keyword> Name`. */
const EXTENSION_KEYWORD: Record<TypeDefinitionNode['kind'], string> = {
  [Kind.OBJECT_TYPE_DEFINITION]: 'type',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'interface',
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'input',
  [Kind.ENUM_TYPE_DEFINITION]: 'enum',
  [Kind.UNION_TYPE_DEFINITION]: 'union',
  [Kind.SCALAR_TYPE_DEFINITION]: 'scalar',
};

/** Where a type is defined, as `file:line:column`. */
function placeOf(definition: TypeDefinitionNode, file: string): string {
  const token = definition.name.loc?.startToken;
  return token ? `${file}:${token.line}:${token.column}` : file;
}

/**
 * A second definition of a type, in the same file or another one, is refused: AppSync's schema
 * creation fails with `Schema contains duplicate type names.` and the Serverless AppSync plugin v2
 * refuses it before uploading (docs/resolvers.md#schema); merged here, a schema that serves locally
 * would not deploy. Gateway choice: the message also names the first definition and the fix.
 */
function refuseRedefinition(definition: DefinitionNode, file: string, defined: Map<string, string>): void {
  if (!isTypeDefinitionNode(definition)) return;
  const name = definition.name.value;
  const first = defined.get(name);
  if (first === undefined) {
    defined.set(name, placeOf(definition, file));
    return;
  }
  const keyword = EXTENSION_KEYWORD[definition.kind];
  const token = definition.name.loc?.startToken;
  throw new SchemaError(
    `Schema contains duplicate type names: ${name} is already defined at ${first}; add fields to it with "extend ${keyword} ${name}" instead`,
    { file, line: token?.line, column: token?.column },
  );
}

/** Parses and validates AppSync SDL; throws `SchemaError` naming file and line. */
export function buildAppSyncSchema(sources: readonly SchemaSource[]): BuiltSchema {
  const warnings: string[] = [];
  const definitions: DefinitionNode[] = [...parse(new Source(APPSYNC_PREAMBLE, PREAMBLE_FILE)).definitions];
  const defined = new Map<string, string>();
  for (const { file, sdl } of sources) {
    let document: DocumentNode;
    try {
      document = parse(new Source(sdl, file));
    } catch (error) {
      if (error instanceof GraphQLError) throw toSchemaError(error);
      throw error;
    }
    for (const definition of document.definitions) {
      const line = definition.loc?.startToken.line;
      if (definition.kind === Kind.SCALAR_TYPE_DEFINITION) {
        const name = definition.name.value;
        // docs/scalars.md#declaring-them, Gateway choice: a bare redeclared AWS scalar is dropped with a warning.
        if (AWS_SCALARS.has(name) && !definition.directives?.length) {
          warnings.push(`${file}:${line}: scalar ${name} is predefined by AppSync; the declaration is ignored`);
          continue;
        }
        if (!BUILT_IN_SCALARS.has(name)) {
          throw new SchemaError(`custom scalar ${name} is not supported: AppSync allows only the built-in and AWS scalars`, { file, line });
        }
      }
      if (
        (definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
          definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION ||
          definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
          definition.kind === Kind.ENUM_TYPE_DEFINITION ||
          definition.kind === Kind.UNION_TYPE_DEFINITION) &&
        definition.name.value.startsWith('AWS')
      ) {
        throw new SchemaError(`type name ${definition.name.value} uses the reserved prefix AWS`, { file, line });
      }
      if (definition.kind === Kind.DIRECTIVE_DEFINITION && definition.name.value.startsWith('aws_')) {
        warnings.push(`${file}:${line}: directive @${definition.name.value} is predefined by AppSync; the declaration is ignored`);
        continue;
      }
      refuseRedefinition(definition, file, defined);
      definitions.push(definition);
    }
  }
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions };
  const errors = validateSDL(document);
  if (errors.length > 0) throw toSchemaError(errors[0]!);
  let schema: GraphQLSchema;
  try {
    schema = buildASTSchema(document, { assumeValidSDL: true });
  } catch (error) {
    if (error instanceof GraphQLError) throw toSchemaError(error);
    throw new SchemaError(error instanceof Error ? error.message : String(error));
  }
  // buildASTSchema leaves scalars as identity functions; give the AWS scalars their behaviour.
  for (const [name, impl] of Object.entries(createAwsScalars())) {
    const type = schema.getType(name);
    if (type) {
      Object.assign(type, {
        description: impl.description,
        serialize: impl.serialize,
        parseValue: impl.parseValue,
        parseLiteral: impl.parseLiteral,
      });
    }
  }
  if (!schema.getQueryType()) {
    throw new SchemaError('the schema has no Query type', { file: sources[0]?.file });
  }
  installTypeResolvers(schema);
  return { schema, document, warnings };
}

/**
 * Every interface and union resolves its members from `__typename` (how AppSync results name
 * their type). graphql-js does this by default; graphql-jit's default throws when the name is
 * missing, which would fail the whole request of an operation it compiled (src/server/compiledQueries.ts)
 * instead of the one field. Without a name this returns nothing, and both engines report a field
 * error (formatErrors.ts words the two alike).
 */
function installTypeResolvers(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type) || type.resolveType) continue;
    const abstractType = type;
    type.resolveType = (value, context, info) => {
      const named = (value as { __typename?: unknown } | null)?.__typename;
      if (typeof named === 'string') return named;
      for (const possible of info.schema.getPossibleTypes(abstractType)) {
        if (possible.isTypeOf?.(value, context, info) === true) return possible.name;
      }
      return undefined;
    };
  }
}
