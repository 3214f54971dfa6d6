/**
 * Amplify Gen 1 output runs unchanged (issue #21, #23): Amplify's own transformer (test/amplify/generate.ts)
 * turns a `@model`/`@auth`/`@index`/`@hasMany`/`@belongsTo` schema into the build folder `amplify push`
 * uploads; the gateway serves that folder on the embedded DynamoDB, and the aws-amplify v6 client
 * (generateClient, API key, the AppSync real-time protocol) runs the operations an Amplify app runs.
 *
 * Amplify dials `wss://<endpoint host>/graphql/realtime` for a non-AppSync endpoint; the gateway here
 * speaks plain HTTP, so the global WebSocket Amplify uses dials `ws://` for the loopback gateway
 * (as in test/e2e/subscriptions-clients.test.ts). Everything else is Amplify's own code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.js';
import { isAmplifyBuild, loadCloudFormation } from '../../src/config/cloudformation/index.js';
import { generateAmplifyBuild, type AmplifyBuild } from './generate.js';
import { silentLogger } from '../utils/logger.js';

/** The schema an Amplify Gen 1 blog app starts from. */
export const BLOG_SCHEMA = /* GraphQL */ `
  type Blog @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String!
    posts: [Post] @hasMany
  }
  type Post @model @auth(rules: [{ allow: public }]) {
    id: ID!
    title: String!
    status: String! @index(name: "byStatus", queryField: "postsByStatus", sortKeyFields: ["title"])
    rating: Int
    blog: Blog @belongsTo
  }
`;

const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
class LoopbackWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/127\.0\.0\.1:/, 'ws://127.0.0.1:'), protocols);
  }
}

let build: AmplifyBuild;
let gateway: Gateway;
/** Amplify's client, typed only as far as these tests use it (its own generics are too deep for tsc here). */
let client: { graphql(options: { query: string; variables?: Record<string, unknown> }): unknown };
let warnings: string[];

beforeAll(async () => {
  build = generateAmplifyBuild({ schema: BLOG_SCHEMA });
  // The path `--config amplify/backend/api/NAME/build` takes.
  const loaded = await loadCloudFormation(build.dir);
  warnings = loaded.warnings;
  expect(loaded.configDir).toBe(dirname(build.dir));
  gateway = await createGateway(loaded.config, { logger: silentLogger, inMemory: true, configDir: loaded.configDir });
  const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  await gateway.ready();
  (globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;
  Amplify.configure({ API: { GraphQL: { endpoint: url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: gateway.apiKeys[0]!.value } } });
  client = generateClient() as unknown as typeof client;
}, 120_000);
afterAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
  await gateway?.close();
  build?.remove();
});

/** Runs an operation through Amplify's client; GraphQL errors reject, as Amplify makes them. */
async function run<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  try {
    const result = (await client.graphql({ query, variables })) as { data: T };
    return result.data;
  } catch (error) {
    throw new Error(`Amplify client: ${JSON.stringify((error as { errors?: unknown }).errors ?? error)}`);
  }
}

function waitFor<T>(predicate: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
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

describe('the generated build folder', () => {
  it('has the Amplify CLI shape: root template, a nested stack per model, VTL resolvers, schema, parameters', () => {
    expect(isAmplifyBuild(build.dir)).toBe(true);
    expect(build.stacks).toEqual(['Blog', 'ConnectionStack', 'Post']);
    expect(build.resolvers).toEqual(
      expect.arrayContaining(['Mutation.createPost.req.vtl', 'Query.postsByStatus.req.vtl', 'Blog.posts.req.vtl', 'Post.blog.req.vtl']),
    );
    const root = JSON.parse(readFileSync(join(build.dir, 'cloudformation-template.json'), 'utf8'));
    expect(Object.keys(root.Parameters)).toEqual(expect.arrayContaining(['env', 'AppSyncApiName', 'S3DeploymentBucket', 'S3DeploymentRootKey']));
    expect(root.Resources.Post).toMatchObject({ Type: 'AWS::CloudFormation::Stack' });
    expect(JSON.stringify(root.Resources.Post.Properties.TemplateURL)).toContain('/stacks/Post.json');
    expect(readdirSync(join(build.dir, 'stacks')).sort()).toEqual(['Blog.json', 'ConnectionStack.json', 'Post.json']);
    expect(readFileSync(join(build.dir, 'schema.graphql'), 'utf8')).toContain('postsByStatus');
  });

  it('serves with the IAM roles and other non-AppSync resources listed once as ignored', () => {
    expect(warnings.join('\n')).toMatch(/ignored resources.*AWS::IAM::Role/);
  });
});

describe('aws-amplify v6 client on the served build folder', () => {
  let blogId: string;
  let postId: string;

  it('creates (createBlog, createPost with the @hasMany key) and Amplify fills id, createdAt, updatedAt', async () => {
    const { createBlog } = await run('mutation { createBlog(input: { name: "Travel" }) { id name createdAt updatedAt __typename } }');
    expect(createBlog).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Travel',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      __typename: 'Blog',
    });
    expect(createBlog.createdAt).toBe(createBlog.updatedAt);
    blogId = createBlog.id;
    const { createPost } = await run(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id title status rating blogPostsId blog { id name } } }',
      { input: { id: 'post-1', title: 'Lisbon', status: 'published', rating: 4, blogPostsId: blogId } },
    );
    expect(createPost).toEqual({ id: 'post-1', title: 'Lisbon', status: 'published', rating: 4, blogPostsId: blogId, blog: { id: blogId, name: 'Travel' } });
    postId = createPost.id;
    await run('mutation($input: CreatePostInput!) { createPost(input: $input) { id } }', {
      input: { id: 'post-2', title: 'Alps', status: 'draft', blogPostsId: blogId },
    });
    await run('mutation($input: CreatePostInput!) { createPost(input: $input) { id } }', {
      input: { id: 'post-3', title: 'Berlin', status: 'published', rating: 2 },
    });
  });

  it('a second create with the same id fails with the conditional check, as on AppSync', async () => {
    await expect(run('mutation { createPost(input: { id: "post-1", title: "again", status: "x" }) { id } }')).rejects.toThrow(
      /ConditionalCheckFailedException/,
    );
  });

  it('gets one item and its @hasMany connection', async () => {
    const { getBlog } = await run('query($id: ID!) { getBlog(id: $id) { id name posts { items { id title } nextToken } } }', { id: blogId });
    expect(getBlog.name).toBe('Travel');
    expect(getBlog.posts.items.map((p: { id: string }) => p.id).sort()).toEqual(['post-1', 'post-2']);
    expect(getBlog.posts.nextToken).toBeNull();
    expect((await run('{ getPost(id: "missing") { id } }')).getPost).toBeNull();
  });

  it('lists with a filter, a limit and nextToken paging', async () => {
    const all = await run('{ listPosts { items { id } nextToken } }');
    expect(all.listPosts.items.map((p: { id: string }) => p.id).sort()).toEqual(['post-1', 'post-2', 'post-3']);
    const filtered = await run('query($f: ModelPostFilterInput) { listPosts(filter: $f) { items { id rating } } }', { f: { rating: { ge: 3 } } });
    expect(filtered.listPosts.items).toEqual([{ id: 'post-1', rating: 4 }]);
    const seen: string[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const page: any = await run('query($t: String) { listPosts(limit: 2, nextToken: $t) { items { id } nextToken } }', { t: nextToken });
      seen.push(...page.listPosts.items.map((p: { id: string }) => p.id));
      nextToken = page.listPosts.nextToken;
      pages++;
    } while (nextToken && pages < 5);
    expect(seen.sort()).toEqual(['post-1', 'post-2', 'post-3']);
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  it('queries by the @index (GSI) with a sort-key condition', async () => {
    const published = await run('{ postsByStatus(status: "published") { items { id title } } }');
    expect(published.postsByStatus.items).toEqual([
      { id: 'post-3', title: 'Berlin' },
      { id: 'post-1', title: 'Lisbon' },
    ]);
    const after = await run('{ postsByStatus(status: "published", title: { gt: "C" }) { items { id } } }');
    expect(after.postsByStatus.items).toEqual([{ id: 'post-1' }]);
    const desc = await run('{ postsByStatus(status: "published", sortDirection: DESC, limit: 1) { items { id } nextToken } }');
    expect(desc.postsByStatus.items).toEqual([{ id: 'post-1' }]);
    expect(desc.postsByStatus.nextToken).toEqual(expect.any(String));
  });

  it('updates (SET and REMOVE of a null field) with updatedAt moved on', async () => {
    const before = (await run('{ getPost(id: "post-1") { updatedAt } }')).getPost.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    const { updatePost } = await run(
      'mutation { updatePost(input: { id: "post-1", title: "Lisbon again", rating: null }) { id title rating status updatedAt } }',
    );
    expect(updatePost).toMatchObject({ id: 'post-1', title: 'Lisbon again', rating: null, status: 'published' });
    expect(updatePost.updatedAt > before).toBe(true);
  });

  it('update and delete with a condition that does not hold fail as on AppSync', async () => {
    await expect(run('mutation { updatePost(input: { id: "post-2", title: "x" }, condition: { status: { eq: "published" } }) { id } }')).rejects.toThrow(
      /ConditionalCheckFailedException/,
    );
    await expect(run('mutation { updatePost(input: { id: "nope", title: "x" }) { id } }')).rejects.toThrow(/ConditionalCheckFailedException/);
  });

  it('deletes, and the item is gone', async () => {
    const { deletePost } = await run('mutation { deletePost(input: { id: "post-2" }) { id title } }');
    expect(deletePost).toEqual({ id: 'post-2', title: 'Alps' });
    expect((await run('{ getPost(id: "post-2") { id } }')).getPost).toBeNull();
    void postId;
  });

  it('subscribes (onCreatePost with a filter) over the AppSync real-time protocol and receives the matching mutation only', async () => {
    const received: any[] = [];
    const errors: unknown[] = [];
    const observable = client.graphql({
      query: 'subscription($f: ModelSubscriptionPostFilterInput) { onCreatePost(filter: $f) { id title status } }',
      variables: { f: { status: { eq: 'live' } } },
    }) as unknown as { subscribe(o: { next(v: unknown): void; error(e: unknown): void }): { unsubscribe(): void } };
    const subscription = observable.subscribe({ next: (v) => received.push(v), error: (e) => errors.push(e) });
    // Amplify reports readiness through Hub; creating matching posts until the first event arrives
    // avoids depending on its internals.
    let n = 0;
    let last = 0;
    await waitFor(() => {
      if (received.length > 0 || errors.length > 0) return true;
      if (Date.now() - last > 250) {
        last = Date.now();
        void run('mutation($i: CreatePostInput!) { createPost(input: $i) { id title status } }', { i: { id: `warm-${n++}`, title: 'warm', status: 'live' } });
      }
      return undefined;
    }, 'the first event');
    expect(errors).toEqual([]);
    received.length = 0;
    // As on AppSync, subscribers get the fields the mutation selected, and the filter sees only those.
    await run('mutation { createPost(input: { id: "sub-draft", title: "not for me", status: "draft" }) { id title status } }');
    await run('mutation { createPost(input: { id: "sub-live", title: "for me", status: "live" }) { id title status } }');
    const event = await waitFor(() => received.find((r) => r.data?.onCreatePost?.id === 'sub-live'), 'the event');
    expect(event.data.onCreatePost).toEqual({ id: 'sub-live', title: 'for me', status: 'live' });
    expect(received.some((r) => r.data?.onCreatePost?.id === 'sub-draft')).toBe(false);
    subscription.unsubscribe();
  });
});
