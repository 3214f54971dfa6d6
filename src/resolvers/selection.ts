/**
 * `ctx.info.selectionSetList` and `ctx.info.selectionSetGraphQL` (docs/resolvers.md#util-in-detail),
 * computed once per field node of a cached document.
 */
import {
  Kind,
  getNamedType,
  isObjectType,
  isInterfaceType,
  print,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

export interface SelectionInfo {
  selectionSetList: string[];
  selectionSetGraphQL: string;
}

const cache = new WeakMap<FieldNode, SelectionInfo>();

export function selectionInfo(
  schema: GraphQLSchema,
  fieldNode: FieldNode,
  returnType: GraphQLNamedType,
  fragments: Record<string, FragmentDefinitionNode>,
): SelectionInfo {
  let info = cache.get(fieldNode);
  if (!info) {
    const list: string[] = [];
    if (fieldNode.selectionSet) collectPaths(schema, fieldNode.selectionSet, returnType, fragments, '', list);
    info = {
      selectionSetList: list,
      selectionSetGraphQL: fieldNode.selectionSet ? print(fieldNode.selectionSet) : '',
    };
    cache.set(fieldNode, info);
  }
  return info;
}

/** Whether a fragment on `condition` applies to the field's type (Gateway choice, docs/resolvers.md#resolver-runtime-appsync_js). */
function matchesType(schema: GraphQLSchema, condition: string | undefined, type: GraphQLNamedType): boolean {
  if (!condition || condition === type.name) return true;
  const conditionType = schema.getType(condition);
  return !!conditionType && isInterfaceType(conditionType) && isObjectType(type) && type.getInterfaces().includes(conditionType);
}

function collectPaths(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  type: GraphQLNamedType,
  fragments: Record<string, FragmentDefinitionNode>,
  prefix: string,
  out: string[],
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const path = prefix ? `${prefix}/${key}` : key;
      if (!out.includes(path)) out.push(path);
      if (selection.selectionSet && (isObjectType(type) || isInterfaceType(type))) {
        const field = type.getFields()[selection.name.value];
        if (field) collectPaths(schema, selection.selectionSet, getNamedType(field.type), fragments, path, out);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (matchesType(schema, selection.typeCondition?.name.value, type)) {
        collectPaths(schema, selection.selectionSet, type, fragments, prefix, out);
      }
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment && matchesType(schema, fragment.typeCondition.name.value, type)) {
        collectPaths(schema, fragment.selectionSet, type, fragments, prefix, out);
      }
    }
  }
}

/**
 * Keeps only the selected keys of `data` (docs/errors.md#the-shape-of-an-error-entry: the `data` of
 * `util.error` is filtered by the field's selection set).
 */
export function filterBySelection(data: unknown, selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>): unknown {
  if (!selectionSet || data === null || typeof data !== 'object') return data;
  if (Array.isArray(data)) return data.map((item) => filterBySelection(item, selectionSet, fragments));
  const out: Record<string, unknown> = {};
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (Object.hasOwn(data, name)) {
          out[selection.alias?.value ?? name] = filterBySelection((data as Record<string, unknown>)[name], selection.selectionSet, fragments);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else {
        const fragment = fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(selectionSet);
  return out;
}
