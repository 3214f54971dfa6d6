/**
 * A small `RealtimeHost` for protocol tests: real graphql-js parse/validate/execute over a small
 * schema; API-key-like auth (`good` accepted, `expired` → Unauthorized); `onFiltered(min)` sets an
 * enhanced filter, `onInvalidatable(group)` an invalidation filter, `secret` is not allowed.
 */
import { GraphQLError, Kind, buildSchema, execute, parse, validate, valueFromAST, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { UnauthorizedError } from '../../src/errors.js';
import type { PreparedSubscription, PubSub, RealtimeHost, SubscriptionRequest } from '../../src/realtime/types.js';
import type { AuthContext, AuthRequest } from '../../src/auth/types.js';

export const fakeSchema = buildSchema(`
  type Post { id: ID! author: String title: String severity: Int group: String }
  type Query { x: String }
  type Mutation { createPost(id: ID!): Post }
  type Subscription {
    onCreatePost(author: String, id: ID): Post
    onFiltered(min: Int!): Post
    onInvalidatable(group: String!): Post
    secret: Post
    tooWide: Post
  }
`);

const API_KEY: AuthContext = Object.freeze({ mode: 'API_KEY', identity: null });

export interface FakeHost extends RealtimeHost {
  /** Every AuthRequest the host was asked to authenticate. */
  authRequests: AuthRequest[];
}

export function createFakeHost(pubsub: PubSub): FakeHost {
  const authRequests: AuthRequest[] = [];
  return {
    schema: fakeSchema,
    pubsub,
    authRequests,
    async authenticate(request) {
      authRequests.push(request);
      const key = request.headers['x-api-key'];
      if (key === 'good') return API_KEY;
      throw new UnauthorizedError('You are not authorized to make this call.');
    },
    async prepareSubscription(request: SubscriptionRequest): Promise<PreparedSubscription> {
      let document;
      try {
        document = parse(request.query);
      } catch (error) {
        return { ok: false, errors: [{ message: (error as GraphQLError).message }] };
      }
      const errors = validate(fakeSchema, document);
      if (errors.length > 0) return { ok: false, errors: errors.map((e) => ({ message: e.message })) };
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      const fieldNode = operation.selectionSet.selections[0] as FieldNode;
      const fieldName = fieldNode.name.value;
      if (fieldName === 'secret') {
        return {
          ok: false,
          errors: [
            {
              path: ['secret'],
              data: null,
              errorType: 'Unauthorized',
              errorInfo: null,
              locations: null,
              message: 'Not Authorized to access secret on type Subscription',
            },
          ],
        };
      }
      const field = fakeSchema.getSubscriptionType()!.getFields()[fieldName]!;
      // Arguments present in the operation only (realtime.md §4), coerced with real graphql-js.
      const args: Record<string, unknown> = {};
      for (const node of fieldNode.arguments ?? []) {
        const def = field.args.find((a) => a.name === node.name.value)!;
        if (node.value.kind === Kind.VARIABLE && !(node.value.name.value in (request.variables ?? {}))) continue;
        args[def.name] = valueFromAST(node.value, def.type, request.variables ?? {});
      }
      const prepared: PreparedSubscription = { ok: true, fieldName, responseKey: fieldNode.alias?.value ?? fieldName, args };
      if (fieldName === 'onFiltered') prepared.filter = { filterGroup: [{ filters: [{ fieldName: 'severity', operator: 'ge', value: args.min }] }] };
      if (fieldName === 'onInvalidatable')
        prepared.invalidationFilter = { filterGroup: [{ filters: [{ fieldName: 'group', operator: 'eq', value: args.group }] }] };
      if (fieldName === 'tooWide') prepared.filter = { filterGroup: [{ filters: [{ fieldName: 'a', operator: 'in', value: [1, 2, 3, 4, 5, 6] }] }] };
      return prepared;
    },
    async renderEvent(request, event) {
      const result = await execute({
        schema: fakeSchema,
        document: parse(request.query),
        rootValue: { [event.subscriptionField]: event.payload },
        variableValues: request.variables ?? undefined,
        operationName: request.operationName ?? undefined,
      });
      return result.errors
        ? { data: result.data ?? null, errors: result.errors.map((e) => ({ message: e.message, path: e.path ?? null })) }
        : { data: result.data ?? null };
    },
  };
}
