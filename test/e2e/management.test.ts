/**
 * Issue 22's "done means", end to end with the real `@aws-sdk/client-appsync` against the CLI as a
 * user runs it (bin/appsync-gateway.mjs in a fresh project folder): create an API, upload a schema,
 * add an embedded-DynamoDB data source with a JS resolver, a VTL-free pipeline and an API key; query
 * and subscribe through the `uris` the API answers (graphql-ws on GRAPHQL, aws-amplify, which derives
 * REALTIME itself); update a resolver under load with no failed request; restart and find the API
 * and its data again; delete it and see its endpoint answer 404 and its name free.
 */
import * as A from '@aws-sdk/client-appsync';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { createClient } from 'graphql-ws';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/appsync-gateway.mjs', import.meta.url));
const RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } as const;
const SDL = `type Note { id: ID! text: String }
type Query { getNote(id: ID!): Note shout(text: String!): String }
type Mutation { putNote(id: ID!, text: String!): Note }
type Subscription { onPutNote: Note @aws_subscribe(mutations: ["putNote"]) }`;
const GET_NOTE = (suffix: string) => `import * as ddb from '@aws-appsync/utils/dynamodb';
export function request(ctx) { return ddb.get({ key: { id: ctx.args.id } }); }
export function response(ctx) { return ctx.result ? { id: ctx.result.id, text: ctx.result.text + '${suffix}' } : null; }`;
const PUT_NOTE = `import * as ddb from '@aws-appsync/utils/dynamodb';
export function request(ctx) { return ddb.put({ key: { id: ctx.args.id }, item: { text: ctx.args.text } }); }
export function response(ctx) { return ctx.result; }`;
const UPPER = `export function request(ctx) { return { payload: ctx.args.text.toUpperCase() }; }
export function response(ctx) { return ctx.result; }`;
const EXCLAIM = `export function request(ctx) { return { payload: ctx.prev.result + '!' }; }
export function response(ctx) { return ctx.result; }`;
const PIPELINE = `export function request(ctx) { return {}; }
export function response(ctx) { return ctx.prev.result; }`;

const children = new Set<ChildProcess>();
let dir: string;
const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
const dialed: string[] = [];
// Amplify dials wss:// for any http:// endpoint and uses the global WebSocket (see
// test/e2e/subscriptions-clients.test.ts): this one dials ws:// for the loopback gateway.
class LoopbackWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    const target = String(url).replace(/^wss:\/\/127\.0\.0\.1:/, 'ws://127.0.0.1:');
    dialed.push(target);
    super(target, protocols);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'appsync-gw-management-'));
  await writeFile(join(dir, 'appsync.config.yml'), 'name: host\nschemaSdl: "type Query { ping: String }"\nauthentication: { type: API_KEY }\n');
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
});
afterAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

interface Serving {
  child: ChildProcess;
  origin: string;
}

function serve(): Promise<Serving> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    children.add(child);
    let output = '';
    const onData = (d: Buffer) => {
      output += d;
      const url = /GraphQL:\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ child, origin: new URL(url).origin });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      children.delete(child);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

async function stop(s: Serving): Promise<void> {
  const closed = new Promise((resolve) => s.child.once('close', resolve));
  s.child.kill('SIGTERM');
  await closed;
}

function waitFor<T>(predicate: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = predicate();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

it('builds an API with the SDK, serves it at its uris, updates it under load, keeps it across a restart, and deletes it', { timeout: 180_000 }, async () => {
  let serving = await serve();
  const appsync = new A.AppSyncClient({
    endpoint: serving.origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    // Create the API and upload its schema.
    const { graphqlApi } = await appsync.send(new A.CreateGraphqlApiCommand({ name: 'notes', authenticationType: 'API_KEY' }));
    const apiId = graphqlApi!.apiId!;
    const uris = graphqlApi!.uris!;
    expect(uris).toEqual({
      GRAPHQL: `${serving.origin}/apis/${apiId}/graphql`,
      REALTIME: `${serving.origin.replace('http', 'ws')}/apis/${apiId}/graphql/realtime`,
    });
    await appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode(SDL) }));
    for (;;) {
      const { status, details } = await appsync.send(new A.GetSchemaCreationStatusCommand({ apiId }));
      if (status === 'SUCCESS') break;
      expect(status, details).toBe('PROCESSING');
      await new Promise((r) => setTimeout(r, 50));
    }

    // An embedded-DynamoDB data source with JS resolvers, a NONE data source with a two-function pipeline, an API key.
    await appsync.send(
      new A.CreateDataSourceCommand({ apiId, name: 'notes', type: 'AMAZON_DYNAMODB', dynamodbConfig: { tableName: 'notes', awsRegion: 'us-east-1' } }),
    );
    await appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'none', type: 'NONE' }));
    await appsync.send(
      new A.CreateResolverCommand({ apiId, typeName: 'Query', fieldName: 'getNote', dataSourceName: 'notes', runtime: RUNTIME, code: GET_NOTE('') }),
    );
    await appsync.send(
      new A.CreateResolverCommand({ apiId, typeName: 'Mutation', fieldName: 'putNote', dataSourceName: 'notes', runtime: RUNTIME, code: PUT_NOTE }),
    );
    const upper = await appsync.send(new A.CreateFunctionCommand({ apiId, name: 'upper', dataSourceName: 'none', runtime: RUNTIME, code: UPPER }));
    const exclaim = await appsync.send(new A.CreateFunctionCommand({ apiId, name: 'exclaim', dataSourceName: 'none', runtime: RUNTIME, code: EXCLAIM }));
    await appsync.send(
      new A.CreateResolverCommand({
        apiId,
        typeName: 'Query',
        fieldName: 'shout',
        kind: 'PIPELINE',
        pipelineConfig: { functions: [upper.functionConfiguration!.functionId!, exclaim.functionConfiguration!.functionId!] },
        runtime: RUNTIME,
        code: PIPELINE,
      }),
    );
    const key = (await appsync.send(new A.CreateApiKeyCommand({ apiId }))).apiKey!.id!;

    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const response = await fetch(uris.GRAPHQL!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any; errors?: unknown[] } };
    };
    expect(await gql('mutation { putNote(id: "1", text: "first") { id text } }')).toEqual({
      status: 200,
      body: { data: { putNote: { id: '1', text: 'first' } } },
    });
    expect(await gql('{ getNote(id: "1") { id text } shout(text: "hey") }')).toEqual({
      status: 200,
      body: { data: { getNote: { id: '1', text: 'first' }, shout: 'HEY!' } },
    });
    expect(
      (
        await fetch(uris.GRAPHQL!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'da2-wrong' },
          body: '{"query":"{ shout(text: \\"x\\") }"}',
        })
      ).status,
    ).toBe(401);

    // Subscribe through the uris: graphql-ws on GRAPHQL, Amplify on the REALTIME it derives from GRAPHQL.
    const wsEvents: unknown[] = [];
    const ws = createClient({
      url: uris.GRAPHQL!.replace('http://', 'ws://'),
      webSocketImpl: WebSocket,
      connectionParams: { 'x-api-key': key },
      retryAttempts: 0,
    });
    const disposeWs = ws.subscribe(
      { query: 'subscription { onPutNote { id text } }' },
      { next: (v) => void wsEvents.push(v), error: (e) => void wsEvents.push({ error: e }), complete: () => undefined },
    );
    Amplify.configure({ API: { GraphQL: { endpoint: uris.GRAPHQL!, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: key } } });
    const amplifyEvents: unknown[] = [];
    const amplifySubscription = (
      generateClient().graphql({ query: 'subscription { onPutNote { id text } }' }) as unknown as {
        subscribe(o: { next(v: unknown): void; error(e: unknown): void }): { unsubscribe(): void };
      }
    ).subscribe({ next: (v) => amplifyEvents.push(v), error: (e) => amplifyEvents.push({ error: e }) });
    let n = 0;
    await waitFor(() => {
      if (wsEvents.length > 0 && amplifyEvents.length > 0) return true;
      void gql('mutation($id: ID!) { putNote(id: $id, text: "warm") { id text } }', { id: `warm-${n++}` });
      return undefined;
    }, 'the first events');
    await gql('mutation { putNote(id: "live", text: "pushed") { id text } }');
    expect(await waitFor(() => wsEvents.find((e) => JSON.stringify(e).includes('"live"')), 'the graphql-ws event')).toEqual({
      data: { onPutNote: { id: 'live', text: 'pushed' } },
    });
    expect(await waitFor(() => amplifyEvents.find((e) => JSON.stringify(e).includes('"live"')), 'the amplify event')).toMatchObject({
      data: { onPutNote: { id: 'live', text: 'pushed' } },
    });
    expect(dialed[0]).toBe(uris.REALTIME);
    amplifySubscription.unsubscribe();
    disposeWs();
    await ws.dispose();

    // Update a resolver three times while four callers query without pause: no request fails, and the last version serves.
    let running = true;
    const answers: Array<{ status: number; body: { data?: any; errors?: unknown[] } }> = [];
    const callers = Array.from({ length: 4 }, async () => {
      while (running) answers.push(await gql('{ getNote(id: "1") { text } }'));
    });
    for (const suffix of [' v2', ' v3', ' v4']) {
      await new Promise((r) => setTimeout(r, 300));
      await appsync.send(
        new A.UpdateResolverCommand({ apiId, typeName: 'Query', fieldName: 'getNote', dataSourceName: 'notes', runtime: RUNTIME, code: GET_NOTE(suffix) }),
      );
    }
    await waitFor(() => (answers.at(-1)?.body.data?.getNote?.text === 'first v4' ? true : undefined), 'the last version');
    running = false;
    await Promise.all(callers);
    // Requests wait while a changed version loads, so on a busy machine few may complete; each caller ran more than once.
    expect(answers.length).toBeGreaterThan(8);
    expect(answers.filter((a) => a.status !== 200 || a.body.errors)).toEqual([]);
    // Changes that arrive while a version loads are applied together, so a middle version may never serve.
    const seen = new Set(answers.map((a) => a.body.data.getNote.text));
    expect(seen).toContain('first');
    expect(seen).toContain('first v4');
    expect([...seen].filter((text) => !['first', 'first v2', 'first v3', 'first v4'].includes(text))).toEqual([]);

    // Restart: the API, its key and its DynamoDB data are back.
    await stop(serving);
    serving = await serve();
    const restarted = new A.AppSyncClient({
      endpoint: serving.origin,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      const again = (await restarted.send(new A.GetGraphqlApiCommand({ apiId }))).graphqlApi!;
      expect(again).toMatchObject({ apiId, name: 'notes', uris: { GRAPHQL: `${serving.origin}/apis/${apiId}/graphql` } });
      const answer = await fetch(again.uris!.GRAPHQL!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query: '{ getNote(id: "1") { id text } shout(text: "back") }' }),
      });
      expect(await answer.json()).toEqual({ data: { getNote: { id: '1', text: 'first v4' }, shout: 'BACK!' } });
      expect((await restarted.send(new A.ListResolversCommand({ apiId, typeName: 'Query' }))).resolvers!.map((r) => r.fieldName)).toEqual(['getNote', 'shout']);

      // Delete: the endpoint answers 404 and the name is free.
      await restarted.send(new A.DeleteGraphqlApiCommand({ apiId }));
      const gone = await fetch(again.uris!.GRAPHQL!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: '{"query":"{ shout(text: \\"x\\") }"}',
      });
      expect(gone.status).toBe(404);
      const reused = await restarted.send(new A.CreateGraphqlApiCommand({ name: 'notes', authenticationType: 'API_KEY' }));
      expect(reused.graphqlApi!.apiId).not.toBe(apiId);
    } finally {
      restarted.destroy();
    }
  } finally {
    appsync.destroy();
    await stop(serving);
  }
});
