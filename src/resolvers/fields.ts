/**
 * Field wiring: a field gets a `resolve` that checks auth (`@aws_*` rules, Lambda `deniedFields`) and
 * the query depth limit before it runs the field's resolver, or the default resolver for fields
 * without one. A field without a resolver that no request can be refused or nulled at (no depth limit,
 * `AuthRules.admitsEveryRequest`) gets no `resolve`: graphql-jit then reads the property inline
 * instead of calling a function with a resolve info for it (the hot path of a page of items).
 */
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import type { AuthRules } from '../auth/rules.js';
import type { NormalizedConfig } from '../config/types.js';
import { FieldError, FieldUnauthorizedError } from '../errors.js';
import type { BoundResolver } from './bound.js';
import type { RequestContext } from './requestContext.js';

/** Runs one bound field's resolver (execute.ts): its value, or a promise of it while the run waits on something. */
export type RunBound = (bound: BoundResolver, source: unknown, args: Record<string, unknown>, context: RequestContext, info: GraphQLResolveInfo) => unknown;

/**
 * Names a parent value can hold without owning them: JSON objects and arrays, and a string, number or
 * boolean a resolver returned where an object type was due. graphql-js's default resolver calls a
 * function-valued property and reads nothing from a primitive; graphql-jit's inline read of a field with
 * no `resolve` does neither (`length` of a string would be its length). Such fields keep a `resolve`, so
 * both engines answer as before.
 */
const INHERITED = [Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype];
const isInheritedName = (name: string): boolean => INHERITED.some((proto) => name in proto);

export function attachFieldResolvers(
  schema: GraphQLSchema,
  rules: AuthRules,
  config: NormalizedConfig,
  bound: ReadonlyMap<string, BoundResolver>,
  run: RunBound,
): void {
  const subscriptionType = schema.getSubscriptionType();
  const depthLimit = config.queryDepthLimit;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const isSubscription = type === subscriptionType;
    const typeName = type.name;
    for (const field of Object.values(type.getFields())) {
      const resolver = bound.get(`${typeName}.${field.name}`);
      const fieldName = field.name;
      if (!isSubscription && !resolver && depthLimit === undefined && !isInheritedName(fieldName) && rules.admitsEveryRequest(typeName, fieldName)) {
        // Both engines then read `source[fieldName]`, as defaultFieldResolver does for the JSON values resolvers give.
        field.resolve = undefined;
        continue;
      }
      let resolve: GraphQLFieldResolver<unknown, RequestContext>;
      if (isSubscription) {
        // Events carry the mutation's payload; the subscription resolver ran at subscribe time.
        resolve = async (source, args, context, info) => {
          if (context.subscribePhase) {
            if (resolver) await run(resolver, source, args, context, info);
            return null;
          }
          return (source as Record<string, unknown> | undefined)?.[fieldName] ?? null;
        };
      } else if (resolver) {
        resolve = (source, args, context, info) => run(resolver, source, args, context, info);
      } else {
        resolve = defaultFieldResolver as GraphQLFieldResolver<unknown, RequestContext>;
      }
      field.resolve = (source, args, context, info) => {
        if (!rules.canAccess(context.auth, typeName, fieldName)) throw new FieldUnauthorizedError(fieldName, typeName);
        // docs/auth.md#aws_lambda: Lambda deniedFields are forced to null; Gateway choice: no error entry.
        if (context.auth.deniedFields?.has(`${typeName}.${fieldName}`)) return null;
        if (depthLimit !== undefined && fieldDepth(info.path) > depthLimit) {
          // docs/errors.md#request-limits: fields past `queryDepthLimit` fail; null moves to the nearest nullable parent.
          throw new FieldError(`Query depth limit of ${depthLimit} reached`, 'QueryDepthLimitReached');
        }
        return resolve(source, args, context, info);
      };
    }
  }
}

/** Depth of a field: the number of field names (not list indexes) on its path. */
function fieldDepth(path: GraphQLResolveInfo['path']): number {
  let depth = 0;
  for (let p: GraphQLResolveInfo['path'] | undefined = path; p; p = p.prev) if (typeof p.key === 'string') depth += 1;
  return depth;
}
