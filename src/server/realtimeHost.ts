/**
 * The core's side of the real-time contract (src/realtime/types.ts): it authenticates, prepares
 * subscriptions (running their resolvers) and shapes each published event for one subscriber
 * with the same executor and rules as HTTP requests.
 */
import { GraphQLError, Kind, execute, getArgumentValues, getVariableValues, type FieldNode } from 'graphql';
import { AppSyncError, FieldUnauthorizedError } from '../errors.js';
import { createRequestContext } from '../resolvers/index.js';
import type { PubSub, PublishedEvent, RealtimeHost, SubscriptionRequest, PreparedSubscription } from '../realtime/types.js';
import { selectOperation } from './execute.js';
import { formatExecutionError, formatVariableError } from './formatErrors.js';
import type { Api } from './loadApi.js';

export function createRealtimeHost(getApi: () => Api, pubsub: PubSub): RealtimeHost {
  return {
    get schema() {
      return getApi().schema;
    },
    pubsub,
    // The real-time servers keep the promise (a connection's auth is settled once): always one here.
    authenticate: async (request) => getApi().authenticate(request),
    prepareSubscription: (request) => prepareSubscription(getApi(), request),
    renderEvent: (request, event) => renderEvent(getApi(), request, event),
  };
}

async function prepareSubscription(api: Api, request: SubscriptionRequest): Promise<PreparedSubscription> {
  const prepared = api.documents.prepare(request.query);
  if (prepared.kind === 'syntax') return { ok: false, errors: [{ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }] };
  if (prepared.kind === 'invalid') return { ok: false, errors: prepared.errors };
  const operation = selectOperation(prepared.operations, request.operationName);
  if (!('kind' in operation)) return { ok: false, errors: [operation] };
  const subscriptionType = api.schema.getSubscriptionType();
  if (operation.operation !== 'subscription' || !subscriptionType) {
    return { ok: false, errors: [{ message: 'Only subscription operations can be started on the real-time endpoint.' }] };
  }
  const fieldNode = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
  if (!fieldNode) return { ok: false, errors: [{ message: 'The subscription selects no field.' }] };
  const fieldName = fieldNode.name.value;
  const field = subscriptionType.getFields()[fieldName]!;

  const variables = getVariableValues(api.schema, operation.variableDefinitions ?? [], request.variables ?? {});
  if (variables.errors) return { ok: false, errors: variables.errors.map(formatVariableError) };
  const args = getArgumentValues(field, fieldNode, variables.coerced);

  // docs/auth.md#aws_lambda: a Lambda authorizer's deniedFields cover subscription fields too. Over HTTP a
  // denied field resolves to null; a subscription to one is refused at `start` with the same
  // Unauthorized entry as a field the caller's mode may not reach.
  const denied = request.auth.deniedFields?.has(`${subscriptionType.name}.${fieldName}`) ?? false;
  if (denied || !api.rules.canAccess(request.auth, subscriptionType.name, fieldName)) {
    const error = new FieldUnauthorizedError(fieldName, subscriptionType.name);
    return {
      ok: false,
      errors: [
        { path: [fieldNode.alias?.value ?? fieldName], data: null, errorType: error.errorType, errorInfo: null, locations: null, message: error.message },
      ],
    };
  }

  const context = createRequestContext(request.auth, request.headers);
  context.subscribePhase = true;
  const result = await execute({
    schema: api.schema,
    document: prepared.document,
    operationName: operation.name?.value,
    variableValues: request.variables ?? undefined,
    contextValue: context,
  });
  // Only resolver failures reject the subscription; null completion of the placeholder does not.
  const rejections = (result.errors ?? []).filter((e) => AppSyncError.is((e as GraphQLError).originalError));
  if (rejections.length > 0 || context.appendedErrors.length > 0) {
    return { ok: false, errors: [...rejections.map((e) => formatExecutionError(e, api.schema)), ...context.appendedErrors] };
  }
  return {
    ok: true,
    fieldName,
    responseKey: fieldNode.alias?.value ?? fieldName,
    args,
    filter: context.subscriptionFilter,
    invalidationFilter: context.invalidationFilter,
  };
}

async function renderEvent(api: Api, request: SubscriptionRequest, event: PublishedEvent) {
  const prepared = api.documents.prepare(request.query);
  if (prepared.kind !== 'ok') return { data: null, errors: [{ message: 'The subscription document is no longer valid.' }] };
  const context = createRequestContext(request.auth, request.headers);
  const result = await execute({
    schema: api.schema,
    document: prepared.document,
    rootValue: { [event.subscriptionField]: event.payload },
    operationName: request.operationName ?? undefined,
    variableValues: request.variables ?? undefined,
    contextValue: context,
  });
  const errors = (result.errors ?? []).map((e) => formatExecutionError(e, api.schema));
  return errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data ?? null };
}
