/**
 * Turns graphql-js errors into the entries AppSync sends (docs/errors.md: an entry's
 * shape, validation wording, what happens to `data`).
 *
 * graphql-js words its messages its own way; AppSync runs graphql-java, whose wording clients and
 * tests match on. The translations below cover the kinds errors.md lists; anything else keeps
 * graphql-js's text (Gateway choice).
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
  visit,
  type ASTNode,
  type DocumentNode,
  type ValueNode,
} from 'graphql';
import { AppSyncError } from '../errors.js';
import type { ErrorEntry } from '../realtime/types.js';
import { ScalarError } from '../schema/scalars.js';
import { SERIALIZE_FAILURE_MARK } from './compiledQueries.js';

type Location = { line: number; column: number; sourceName: null };

function locationsOf(error: GraphQLError): Location[] | null {
  return error.locations?.map((l) => ({ line: l.line, column: l.column, sourceName: null })) ?? null;
}

/** graphql-java's rendering of a literal (docs/errors.md#validation-and-variable-errors). */
function printJavaValue(node: ValueNode): string {
  switch (node.kind) {
    case Kind.STRING:
      return `StringValue{value='${node.value}'}`;
    case Kind.INT:
      return `IntValue{value=${node.value}}`;
    case Kind.FLOAT:
      return `FloatValue{value=${node.value}}`;
    case Kind.BOOLEAN:
      return `BooleanValue{value=${node.value}}`;
    case Kind.NULL:
      return 'NullValue{}';
    case Kind.ENUM:
      return `EnumValue{name='${node.value}'}`;
    case Kind.VARIABLE:
      return `VariableReference{name='${node.name.value}'}`;
    case Kind.LIST:
      return `ArrayValue{values=[${node.values.map(printJavaValue).join(', ')}]}`;
    case Kind.OBJECT:
      return `ObjectValue{objectFields=[${node.fields.map((f) => `ObjectField{name='${f.name.value}', value=${printJavaValue(f.value)}}`).join(', ')}]}`;
  }
}

/** Response-name path of the field enclosing `target` (`a/b/c`), and the argument path if any. */
function locate(document: DocumentNode, target: ASTNode): { fieldPath: string; argPath: string } {
  let found = { fieldPath: '', argPath: '' };
  visit(document, {
    enter(node, _key, parent, _path, ancestors) {
      if (node !== target) return undefined;
      const fields: string[] = [];
      const args: string[] = [];
      for (const a of [...(ancestors as ASTNode[]), parent as ASTNode, node]) {
        if (!a || Array.isArray(a) || typeof a !== 'object' || !('kind' in a)) continue;
        if (a.kind === Kind.FIELD) fields.push(a.alias?.value ?? a.name.value);
        if (a.kind === Kind.ARGUMENT || a.kind === Kind.OBJECT_FIELD) args.push(a.name.value);
      }
      found = { fieldPath: fields.join('/'), argPath: args.join('.') };
      return false;
    },
  });
  return found;
}

const VALIDATION_RULES: Array<[RegExp, (m: RegExpExecArray) => [string, string]]> = [
  [/^Cannot query field "(.+?)" on type "(.+?)"\./, (m) => ['FieldUndefined', `Field '${m[1]}' in type '${m[2]}' is undefined`]],
  [/^Field "(.+?)" argument "(.+?)" of type ".+?" is required, but it was not provided\./, (m) => ['MissingFieldArgument', `Missing field argument ${m[2]}`]],
  [/^Unknown argument "(.+?)" on field "(.+?)"\./, (m) => ['UnknownArgument', `Unknown field argument ${m[1]}`]],
  [
    /^Field "(.+?)" of type "\[*(.+?)[\]!]*" must have a selection of subfields/,
    (m) => ['SubSelectionRequired', `Sub selection required for type ${m[2]} of field ${m[1]}`],
  ],
  [
    /^Field "(.+?)" must not have a selection since type "\[*(.+?)[\]!]*" has no subfields\./,
    (m) => ['SubSelectionNotAllowed', `Sub selection not allowed on leaf type ${m[2]} of field ${m[1]}`],
  ],
  [/^Variable "\$(.+?)" is not defined/, (m) => ['UndefinedVariable', `Undefined variable ${m[1]}`]],
  [/^Variable "\$(.+?)" is never used/, (m) => ['UnusedVariable', `Unused variable ${m[1]}`]],
  [
    /^Variable "\$.+?" of type "(.+?)" used in position expecting type "(.+?)"\./,
    (m) => ['VariableTypeMismatch', `Variable type '${m[1]}' doesn't match expected type '${m[2]}'`],
  ],
  [/^Unknown type "(.+?)"\./, (m) => ['UnknownType', `Unknown type ${m[1]}`]],
  [/^Field "(.+?)" is not defined by type "(.+?)"\./, (m) => ['WrongType', `contains a field not in '${m[2]}': '${m[1]}'`]],
];

/** One validation error in AppSync's form: no `errorType`, `path: null` (docs/errors.md#validation-and-variable-errors). */
export function formatValidationError(error: GraphQLError, document: DocumentNode): ErrorEntry {
  const node = error.nodes?.[0];
  const where = node ? locate(document, node) : { fieldPath: '', argPath: '' };
  let kind: string | undefined;
  let detail = error.message;
  // Literal values the scalar rejects (docs/scalars.md#when-a-value-does-not-parse).
  const scalarMatch = /^Expected value of type "(.+?)", found (.+?)(;|\.$)/.exec(error.message);
  if (scalarMatch && node && 'kind' in node && isValueNode(node)) {
    kind = 'WrongType';
    const scalar = scalarMatch[1]!.replace(/[!\[\]]/g, '');
    detail = `argument '${where.argPath}' with value '${printJavaValue(node)}' is not a valid '${scalar}'`;
  } else {
    for (const [pattern, render] of VALIDATION_RULES) {
      const m = pattern.exec(error.message);
      if (m) {
        [kind, detail] = render(m);
        if (kind === 'WrongType' && node && isValueNode(node)) {
          detail = `argument '${where.argPath.split('.').slice(0, -1).join('.') || where.argPath}' with value '${printJavaValue(node)}' ${detail}`;
        }
        break;
      }
    }
  }
  const message = kind ? `Validation error of type ${kind}: ${detail} @ '${where.fieldPath}'` : error.message;
  return { path: null, locations: locationsOf(error), message };
}

function isValueNode(node: ASTNode): node is ValueNode {
  return [Kind.STRING, Kind.INT, Kind.FLOAT, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT, Kind.VARIABLE].includes(node.kind as Kind);
}

/** Variable coercion errors (docs/errors.md, docs/scalars.md#when-a-value-does-not-parse). */
export function formatVariableError(error: GraphQLError): ErrorEntry {
  let message = error.message;
  const missing = /^Variable "\$(.+?)" of required type "(.+?)" was not provided\./.exec(message);
  const nullNonNull = /^Variable "\$(.+?)" of non-null type "(.+?)" must not be null\./.exec(message);
  const invalid = /^Variable "\$(.+?)" got invalid value (.*?)(?: at "(.+?)")?; (.*)$/s.exec(message);
  if (missing || nullNonNull) {
    const m = (missing ?? nullNonNull)!;
    message = `Variable '${m[1]}' has coerced Null value for NonNull type '${m[2]}'`;
  } else if (invalid) {
    const path = invalid[3] ?? invalid[1]!;
    const name = path
      .split('.')
      .filter((p) => !/^\[?\d+\]?$/.test(p))
      .pop()!
      .replace(/\[\d+\]$/, '');
    // graphql-js wraps the scalar's error once more ("Expected type …"); AppSync shows only its text.
    const original = error.originalError;
    const scalarError = original instanceof ScalarError ? original : (original as { originalError?: unknown } | undefined)?.originalError;
    const reason = scalarError instanceof ScalarError ? scalarError.message : invalid[4]!;
    message = `Variable '${name}' has an invalid value. ${reason}`;
  }
  return { path: null, locations: locationsOf(error), message };
}

/** `/a/b[2]/c` as AppSync prints result paths. */
function printResultPath(path: ReadonlyArray<string | number>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `/${p}`)).join('');
}

/** A field error from execution: resolver errors keep their type; completion errors are translated. */
export function formatExecutionError(error: GraphQLError, schema?: GraphQLSchema): ErrorEntry {
  const original = error.originalError;
  const path = error.path ?? null;
  if (original && AppSyncError.is(original)) {
    return {
      path,
      data: original.data ?? null,
      errorType: original.errorType,
      errorInfo: original.errorInfo ?? null,
      locations: locationsOf(error),
      message: original.message,
    };
  }
  const printed = path ? printResultPath(path) : '';
  if (original instanceof ScalarError) {
    return { path, locations: null, message: `Can't serialize value (${printed}) : ${original.message}` };
  }
  if (error.message.startsWith(SERIALIZE_FAILURE_MARK)) {
    // The same failure in an operation compiled by graphql-jit (compiledQueries.ts).
    return { path, locations: null, message: `Can't serialize value (${printed}) : ${error.message.slice(SERIALIZE_FAILURE_MARK.length)}` };
  }
  const abstract = abstractTypeFailure(error.message);
  if (abstract) return { path, locations: locationsOf(error), message: abstract };
  const nonNull = /^Cannot return null for non-nullable field (.+?)\.(.+?)\.$/.exec(error.message);
  if (nonNull && error.path) {
    return {
      path,
      locations: null,
      message: `Cannot return null for non-nullable type: '${nonNullTypeName(schema, nonNull[1]!, nonNull[2]!)}' within parent '${nonNull[1]}' (${printed})`,
    };
  }
  if (/^Expected Iterable, but did not find one/.test(error.message)) {
    return { path, locations: null, message: `Can't resolve value (${printed}) : type mismatch error, expected type LIST, got OBJECT` };
  }
  if (
    error.message.startsWith('Enum "') ||
    error.message.startsWith('Int cannot represent') ||
    error.message.startsWith('Float cannot represent') ||
    error.message.startsWith('String cannot represent') ||
    error.message.startsWith('Boolean cannot represent') ||
    error.message.startsWith('ID cannot represent')
  ) {
    return { path, locations: null, message: `Can't serialize value (${printed}) : ${error.message}` };
  }
  if (original && !(original instanceof GraphQLError)) {
    // An unexpected fault in the gateway or a data source: keep the field-level shape.
    return { path, data: null, errorType: 'InternalFailure', errorInfo: null, locations: locationsOf(error), message: original.message };
  }
  return { path, locations: locationsOf(error), message: error.message };
}

/**
 * An interface or union value whose type cannot be told, in one wording for graphql-js and for
 * operations compiled by graphql-jit, which word it differently (Gateway choice: AppSync's own
 * wording is not documented).
 */
function abstractTypeFailure(message: string): string | undefined {
  const missing =
    /^Abstract type "(\w+)" must resolve to an Object type at runtime for field /.exec(message) ??
    /^Runtime Object type is not a possible type for "(\w+)"\.$/.exec(message);
  if (missing) return `Abstract type "${missing[1]}" must resolve to an Object type at runtime: the value has no __typename naming one of its types.`;
  const unknown = /^Abstract type "(\w+)" was resolved to a type "(\w+)" that does not exist inside the schema\.$/.exec(message);
  if (unknown) return `Runtime Object type "${unknown[2]}" is not a possible type for "${unknown[1]}".`;
  return undefined;
}

/** The named type of `parent.field`, as AppSync names it in non-null errors. */
function nonNullTypeName(schema: GraphQLSchema | undefined, parent: string, field: string): string {
  const type = schema?.getType(parent);
  if (type && (isObjectType(type) || isInterfaceType(type))) {
    const f = type.getFields()[field];
    if (f) return getNamedType(f.type).name;
  }
  return field;
}
