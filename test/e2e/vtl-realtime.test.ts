/**
 * `$extensions` from VTL templates end to end (docs/resolvers.md#vtl-mapping-templates): the
 * real-time test API (test/realtime/e2eApi.ts) with its mutation and subscription resolvers written
 * as VTL mapping templates. A subscription's response template sets an enhanced filter
 * (`$extensions.setSubscriptionFilter`) or an invalidation filter
 * (`$extensions.setSubscriptionInvalidationFilter`), a mutation's response template invalidates
 * (`$extensions.invalidateSubscriptions`); raw AppSync-protocol WebSocket clients subscribe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { API_KEY, files as jsFiles, realtimeConfig } from '../realtime/e2eApi.js';
import { connectRaw, encodeHeader, start, type RawClient } from '../realtime/rawClient.js';

const NONE_REQUEST = '{ "version": "2018-05-29", "payload": $util.toJson($ctx.args) }';

const files: Record<string, string> = {
  'schema.graphql': jsFiles['schema.graphql']!,
  'vtl/none.request.vtl': NONE_REQUEST,
  'vtl/result.response.vtl': '$util.toJson($ctx.result)',
  'vtl/closeGroup.request.vtl': '{ "version": "2018-05-29", "payload": { "id": "closed", "group": $util.toJson($ctx.args.group) } }',
  'vtl/closeGroup.response.vtl': [
    '$extensions.invalidateSubscriptions({"subscriptionField": "onGroup", "payload": {"group": $ctx.args.group}})',
    '$util.toJson($ctx.result)',
  ].join('\n'),
  'vtl/onSevere.response.vtl': [
    '$extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter({"severity": {"ge": $ctx.args.min}}))',
    '$util.toJson(null)',
  ].join('\n'),
  'vtl/onGroup.response.vtl': [
    '$extensions.setSubscriptionInvalidationFilter($util.transform.toSubscriptionFilter({"group": {"eq": $ctx.args.group}}))',
    '$util.toJson(null)',
  ].join('\n'),
  // $extensions.setSubscriptionFilter belongs to a subscription's response template: elsewhere it is refused.
  'vtl/misplaced.response.vtl': '$extensions.setSubscriptionFilter({"filterGroup": []})\n$util.toJson($ctx.result)',
};

const vtl = (request: string, response: string) => ({ kind: 'UNIT' as const, dataSource: 'local', request: `vtl/${request}`, response: `vtl/${response}` });

let gw: TestGateway;
let wsBase: string;
let host: string;
beforeAll(async () => {
  const config = realtimeConfig('vtl-realtime-test');
  config.schema = 'schema.graphql';
  config.resolvers = {
    'Mutation.createPost': vtl('none.request.vtl', 'result.response.vtl'),
    'Mutation.closeGroup': vtl('closeGroup.request.vtl', 'closeGroup.response.vtl'),
    'Subscription.onSevere': vtl('none.request.vtl', 'onSevere.response.vtl'),
    'Subscription.onGroup': vtl('none.request.vtl', 'onGroup.response.vtl'),
    'Query.ping': vtl('none.request.vtl', 'misplaced.response.vtl'),
  };
  gw = await startTestGateway({ config, files });
  wsBase = gw.origin.replace('http://', 'ws://');
  host = new URL(gw.url).host;
}, 60_000);
afterAll(async () => {
  await gw?.close();
});

const auth = () => ({ host, 'x-api-key': API_KEY });

async function connected(): Promise<RawClient> {
  const client = await connectRaw(`${wsBase}/graphql/realtime?header=${encodeHeader(auth())}&payload=e30=`);
  client.send({ type: 'connection_init' });
  expect(await client.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
  return client;
}

async function subscribe(client: RawClient, id: string, query: string) {
  client.send(start(id, query, auth()));
  expect(await client.next()).toEqual({ type: 'start_ack', id });
}

async function createPost(variables: Record<string, unknown>) {
  const res = await gw.query(
    'mutation($id: ID!, $severity: Int, $group: String) { createPost(id: $id, severity: $severity, group: $group) { id severity group } }',
    variables,
  );
  expect(res.body.errors).toBeUndefined();
}

describe('$extensions from VTL templates, over the AppSync WebSocket protocol', () => {
  it("a subscription's response template sets an enhanced filter: only matching events arrive", async () => {
    const client = await connected();
    await subscribe(client, 'sev', 'subscription { onSevere(min: 5) { id severity } }');
    await createPost({ id: 'low', severity: 1 });
    await createPost({ id: 'high', severity: 8 });
    expect(await client.next()).toEqual({ type: 'data', id: 'sev', payload: { data: { onSevere: { id: 'high', severity: 8 } } } });
    await client.nothing();
    client.close();
  });

  it("a mutation's response template invalidates the subscribers whose invalidation filter matches", async () => {
    const g1 = await connected();
    const g2 = await connected();
    await subscribe(g1, 'g', 'subscription { onGroup(group: "g1") { id } }');
    await subscribe(g2, 'g', 'subscription { onGroup(group: "g2") { id } }');
    const res = await gw.query('mutation { closeGroup(group: "g1") { id } }');
    expect(res.body).toEqual({ data: { closeGroup: { id: 'closed' } } });
    expect(await g1.next()).toEqual({ type: 'complete', id: 'g', payload: { message: 'Subscription complete.' } });
    expect((await g1.closed).code).toBe(1000);
    await createPost({ id: 'still', group: 'g2' });
    expect(await g2.next()).toEqual({ type: 'data', id: 'g', payload: { data: { onGroup: { id: 'still' } } } });
    g2.close();
  });

  it("setSubscriptionFilter outside a subscription's response template fails the field", async () => {
    const { body } = await gw.query('{ ping }');
    expect(body.data).toEqual({ ping: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ path: ['ping'], message: expect.stringContaining('setSubscriptionFilter') });
  });
});
