/**
 * An AppSync Event API written with aws-cdk-lib (`EventApi`, `ChannelNamespace`, an API key
 * provider, onPublish code inline and from a file asset), synthesised in the test beside a GraphQL
 * API and served as the gateway's Event API (docs/cloudformation.md#event-apis): publish over HTTP,
 * receive over the Events WebSocket.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@aws-sdk/client-appsync';
import { App, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import type { EventsConfig } from '../../../src/config/types.js';
import { ConfigErrors } from '../../../src/errors.js';
import { createGateway } from '../../../src/index.js';
import { silentLogger } from '../../utils/logger.js';
import { connectRaw, encodeHeader } from '../../realtime/rawClient.js';
import { serve } from './serve.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/cdk');
const projects: string[] = [];
afterAll(() => Promise.all(projects.map((p) => rm(p, { recursive: true, force: true }))));

interface Variant {
  /** Without the GraphQL API: only the Event API. */
  eventOnly?: boolean;
  /** Breaks the `shout` namespace with a property AWS does not have. */
  badProperty?: boolean;
}

/** The app a CDK user writes; `app.synth()` is what `cdk synth` runs. */
async function synthesize(variant: Variant = {}): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'appsync-cdk-events-'));
  projects.push(project);
  await writeFile(
    join(project, 'tag.js'),
    'export function onPublish(ctx) { return ctx.events.map((e) => ({ id: e.id, payload: { ...e.payload, tagged: ctx.info.channel.path } })); }\n',
  );
  const app = new App({ outdir: join(project, 'cdk.out') });
  const stack = new Stack(app, 'EventsStack');
  const apiKey = { authorizationType: appsync.AppSyncAuthorizationType.API_KEY };
  // A Lambda authorizer of the input, run in-process, as a second provider.
  const authorizer = new lambda.Function(stack, 'Authorizer', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline("exports.handler = async (e) => ({ isAuthorized: e.authorizationToken === 'letmein' });"),
  });
  const lambdaAuth = { authorizationType: appsync.AppSyncAuthorizationType.LAMBDA, lambdaAuthorizerConfig: { handler: authorizer } };
  const events = new appsync.EventApi(stack, 'Events', {
    apiName: 'chat',
    authorizationConfig: {
      authProviders: [apiKey, lambdaAuth],
      connectionAuthModeTypes: [appsync.AppSyncAuthorizationType.API_KEY],
      defaultPublishAuthModeTypes: [appsync.AppSyncAuthorizationType.API_KEY],
      defaultSubscribeAuthModeTypes: [appsync.AppSyncAuthorizationType.API_KEY],
    },
  });
  events.addChannelNamespace('secure', { authorizationConfig: { publishAuthModeTypes: [appsync.AppSyncAuthorizationType.LAMBDA] } });
  events.addChannelNamespace('default');
  const shout = events.addChannelNamespace('shout', {
    code: appsync.Code.fromInline(
      'export function onPublish(ctx) { return ctx.events.map((e) => ({ id: e.id, payload: { ...e.payload, text: String(e.payload.text).toUpperCase() } })); }',
    ),
    authorizationConfig: { publishAuthModeTypes: [appsync.AppSyncAuthorizationType.API_KEY] },
  });
  events.addChannelNamespace('tag', { code: appsync.Code.fromAsset(join(project, 'tag.js')) });
  // HandlerConfigs with behavior DIRECT on a Lambda data source of the Event API, the function run in-process.
  const stamp = new lambda.Function(stack, 'Stamp', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      'exports.handler = async (ctx) => ({ events: ctx.events.map((e) => ({ id: e.id, payload: { ...e.payload, by: ctx.info.channelNamespace.name } })) });',
    ),
  });
  const stampSource = events.addLambdaDataSource('stamp', stamp);
  events.addChannelNamespace('direct', {
    publishHandlerConfig: { direct: true, dataSource: stampSource, lambdaInvokeType: appsync.LambdaInvokeType.REQUEST_RESPONSE },
  });
  if (variant.badProperty) (shout.node.defaultChild as appsync.CfnChannelNamespace).addPropertyOverride('HandlerConfigs.OnPublish.Behaviour', 'CODE');
  if (!variant.eventOnly)
    new appsync.GraphqlApi(stack, 'Api', {
      name: 'graphql-beside-events',
      definition: appsync.Definition.fromFile(join(FIXTURE, 'schema.graphql')),
      // Fn::GetAtt of the Event API's attributes, read back through the API's environment.
      environmentVariables: { EVENTS_ID: events.apiId, EVENTS_ARN: events.apiArn, EVENTS_HTTP: events.httpDns, EVENTS_REALTIME: events.realtimeDns },
    });
  app.synth();
  return join(project, 'cdk.out');
}

describe('an Event API of a CDK app', async () => {
  const assembly = await synthesize();
  const loaded = await loadConfigFile(assembly);
  const api = await serve(loaded);
  const origin = new URL(api.url).origin;
  const eventsKey = api.gateway.config.events!.apiKeys[0]!.value;

  const post = async (channel: string, events: unknown[], key = eventsKey, headers: Record<string, string> = { 'x-api-key': key }) => {
    const res = await fetch(`${origin}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  /** Subscribes to `channel` over the Events WebSocket, publishes `event` over HTTP, returns the `data` frame's event. */
  async function publishAndReceive(channel: string, event: unknown): Promise<unknown> {
    const auth = { host: 'localhost', 'x-api-key': eventsKey };
    const client = await connectRaw(`${origin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
    try {
      client.send({ type: 'connection_init' });
      expect(await client.next()).toMatchObject({ type: 'connection_ack' });
      client.send({ type: 'subscribe', id: 's1', channel, authorization: auth });
      expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's1' });
      const { status, body } = await post(channel, [event]);
      expect(status).toBe(200);
      expect(body.successful).toHaveLength(1);
      const frame = await client.next();
      expect(frame).toMatchObject({ type: 'data', id: 's1' });
      return JSON.parse(frame.event);
    } finally {
      client.close();
    }
  }

  it('is read into the events block: name, auth modes, the namespaces and the Event API’s own key', () => {
    const events = loaded.config.events as EventsConfig;
    expect(events.name).toBe('chat');
    expect(events.authProviders).toEqual([{ type: 'API_KEY' }, { type: 'AWS_LAMBDA', config: { functionName: expect.stringMatching(/Authorizer/) } }]);
    expect(events.connectionAuthModes).toEqual(['API_KEY']);
    expect(Object.keys(events.namespaces!).sort()).toEqual(['default', 'direct', 'secure', 'shout', 'tag']);
    expect(events.namespaces!.direct!.handlerConfigs).toEqual({
      onPublish: { behavior: 'DIRECT', integration: { dataSourceName: 'stamp', lambdaConfig: { invokeType: 'REQUEST_RESPONSE' } } },
    });
    expect(events.namespaces!.shout!.publishAuthModes).toEqual(['API_KEY']);
    expect(events.apiKeys).toEqual([{ name: expect.stringMatching(/^EventsDefaultApiKey/) }]);
    expect(loaded.config.name).toBe('graphql-beside-events');
  });

  it('Fn::GetAtt of the Event API gives local values', () => {
    expect(loaded.config.environment).toEqual({
      EVENTS_ID: expect.stringMatching(/^Events[0-9A-F]{8}$/),
      EVENTS_ARN: expect.stringMatching(/^arn:aws:appsync:us-east-1:123456789012:apis\/Events[0-9A-F]{8}$/),
      EVENTS_HTTP: expect.stringMatching(/^events[0-9a-f]{8}\.appsync-api\.us-east-1\.amazonaws\.com$/),
      EVENTS_REALTIME: expect.stringMatching(/^events[0-9a-f]{8}\.appsync-realtime-api\.us-east-1\.amazonaws\.com$/),
    });
  });

  it('an event published over HTTP reaches a subscriber of the Events WebSocket', async () => {
    expect(await publishAndReceive('/default/room', { text: 'hi' })).toEqual({ text: 'hi' });
  });

  it('the onPublish handler of CodeHandlers (inline) transforms the event', async () => {
    expect(await publishAndReceive('/shout/room', { text: 'hi' })).toEqual({ text: 'HI' });
  });

  it('the onPublish handler of CodeS3Location (a file asset) transforms the event', async () => {
    expect(await publishAndReceive('/tag/a/b', { n: 1 })).toEqual({ n: 1, tagged: '/tag/a/b' });
  });

  it('HandlerConfigs DIRECT sends the publish to the Event API’s Lambda data source', async () => {
    expect(await publishAndReceive('/direct/room', { text: 'hi' })).toEqual({ text: 'hi', by: 'direct' });
  });

  it('a namespace’s PublishAuthModes (AWS_LAMBDA) with the Lambda authorizer of EventConfig.AuthProviders', async () => {
    expect((await post('/secure/room', [{ n: 1 }])).status).toBe(401);
    expect((await post('/secure/room', [{ n: 1 }], eventsKey, { authorization: 'nope' })).status).toBe(401);
    const allowed = await post('/secure/room', [{ n: 1 }], eventsKey, { authorization: 'letmein' });
    expect(allowed.status).toBe(200);
    expect(allowed.body.successful).toHaveLength(1);
  });

  it('the GraphQL API’s key does not open the Event API, and the GraphQL API still answers', async () => {
    expect(api.apiKey).not.toBe(eventsKey);
    expect((await post('/default/room', [{ text: 'x' }], api.apiKey)).status).toBe(401);
    expect(await api.query('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });

  it('the management API lists it (ListApis, GetApi) with dns at the gateway’s host, its providers, namespaces and key', async () => {
    const client = new A.AppSyncClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    try {
      const { apis } = await client.send(new A.ListApisCommand({}));
      const host = new URL(origin).host;
      expect(apis!.map((a) => [a.apiId, a.name, a.dns])).toEqual([['chat', 'chat', { HTTP: host, REALTIME: host }]]);
      expect(apis![0]!.eventConfig!.authProviders).toEqual([
        { authType: 'API_KEY' },
        {
          authType: 'AWS_LAMBDA',
          lambdaAuthorizerConfig: { authorizerUri: expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:.*Authorizer/) },
        },
      ]);
      const { channelNamespaces } = await client.send(new A.ListChannelNamespacesCommand({ apiId: 'chat' }));
      expect(channelNamespaces!.map((n) => n.name).sort()).toEqual(['default', 'direct', 'secure', 'shout', 'tag']);
      expect(channelNamespaces!.find((n) => n.name === 'direct')!.handlerConfigs).toEqual({
        onPublish: { behavior: 'DIRECT', integration: { dataSourceName: 'stamp', lambdaConfig: { invokeType: 'REQUEST_RESPONSE' } } },
      });
      expect((await client.send(new A.ListApiKeysCommand({ apiId: 'chat' }))).apiKeys!.map((k) => k.id)).toEqual([eventsKey]);
      expect((await client.send(new A.ListGraphqlApisCommand({}))).graphqlApis!.map((a) => a.name)).toEqual(['graphql-beside-events']);
    } finally {
      client.destroy();
    }
  });

  it('a property AWS does not have is a load error naming the logical id and property path', async () => {
    const bad = await synthesize({ badProperty: true });
    const error = await loadConfigFile(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigErrors);
    expect((error as ConfigErrors).errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /EventsStack\.template\.json: Resources\.Eventsshout\w+\.Properties\.HandlerConfigs\.OnPublish\.Behaviour: Behaviour is not a property the gateway reads here \(Behavior, Integration\)$/,
      ),
    ]);
  });

  it('an Event API without a GraphQL API is served alone: /event and /event/realtime, no /graphql', async () => {
    const only = await loadConfigFile(await synthesize({ eventOnly: true }));
    expect(only.config.name).toBe('chat');
    expect(only.config.schema).toBeUndefined();
    expect(only.config.schemaSdl).toBeUndefined();
    const gateway = await createGateway(only.config, { configDir: only.configDir, configFile: only.configFile, logger: silentLogger, inMemory: true });
    try {
      const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
      const aloneOrigin = new URL(url).origin;
      const key = gateway.config.events!.apiKeys[0]!.value;
      const auth = { host: 'localhost', 'x-api-key': key };
      const client = await connectRaw(`${aloneOrigin.replace('http', 'ws')}/event/realtime`, ['aws-appsync-event-ws', `header-${encodeHeader(auth, true)}`]);
      client.send({ type: 'connection_init' });
      expect(await client.next()).toMatchObject({ type: 'connection_ack' });
      client.send({ type: 'subscribe', id: 's', channel: '/shout/room', authorization: auth });
      expect(await client.next()).toEqual({ type: 'subscribe_success', id: 's' });
      const res = await fetch(`${aloneOrigin}/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ channel: '/shout/room', events: [JSON.stringify({ text: 'alone' })] }),
      });
      expect(res.status).toBe(200);
      expect(JSON.parse((await client.next()).event)).toEqual({ text: 'ALONE' });
      client.close();
      // The Event API's Lambda data source (DIRECT) runs as beside a GraphQL API.
      const direct = await fetch(`${aloneOrigin}/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ channel: '/direct/room', events: ['{}'] }),
      });
      expect(((await direct.json()) as { successful: unknown[] }).successful).toHaveLength(1);
      const graphql = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: '{"query":"{ __typename }"}',
      });
      expect(graphql.status).toBe(404);
    } finally {
      await gateway.close();
    }
  });
});
