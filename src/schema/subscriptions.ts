/**
 * Reads `@aws_subscribe(mutations: [...])` into a map from mutation field to the subscription
 * fields it feeds (docs/realtime.md).
 */
import { Kind, type GraphQLSchema } from 'graphql';

export type SubscriptionBindings = ReadonlyMap<string, readonly string[]>;

export function readSubscriptionBindings(schema: GraphQLSchema): SubscriptionBindings {
  const bindings = new Map<string, string[]>();
  const subscriptionType = schema.getSubscriptionType();
  if (!subscriptionType) return bindings;
  for (const field of Object.values(subscriptionType.getFields())) {
    const directive = field.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
    const mutations = directive?.arguments?.find((a) => a.name.value === 'mutations')?.value;
    if (!mutations) continue;
    const names = mutations.kind === Kind.LIST ? mutations.values : [mutations];
    for (const value of names) {
      if (value.kind !== Kind.STRING) continue;
      const list = bindings.get(value.value) ?? [];
      list.push(field.name);
      bindings.set(value.value, list);
    }
  }
  return bindings;
}
