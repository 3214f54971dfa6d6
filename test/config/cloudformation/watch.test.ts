/**
 * The CLI serving a template with --watch, --parameter and the ignored-resources warning: an edit
 * of the template reloads the API, a broken edit leaves the previous one serving; in a template with
 * several GraphQL APIs, an API added or renamed is served and listed by the management API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppSyncClient, ListGraphqlApisCommand } from '@aws-sdk/client-appsync';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../../bin/appsync-gateway.mjs');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Starts `serve` and resolves with the GraphQL URL it prints. */
function serve(args: string[], cwd: string): Promise<{ url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--in-memory', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    children.push(child);
    let output = '';
    const onData = (d: Buffer) => {
      output += d;
      const match = /GraphQL:\s+(http:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

// AWS_LAMBDA auth with an inline authorizer: no generated API key to learn again after a reload.
const AUTHORIZER = `  Authorizer:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Code:
        ZipFile: "exports.handler = async () => ({ isAuthorized: true });"
`;
const template = (word: string, extra = '') => `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Suffix: { Type: String }
Resources:
${AUTHORIZER}  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties:
      Name: watched
      AuthenticationType: AWS_LAMBDA
      LambdaAuthorizerConfig: { AuthorizerUri: !GetAtt Authorizer.Arn, AuthorizerResultTtlInSeconds: 0 }
      EnvironmentVariables: { WORD: !Sub "${word}-\${Suffix}" }
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties: { ApiId: !GetAtt Api.ApiId, Definition: "type Query { word: String }" }
  None:
    Type: AWS::AppSync::DataSource
    Properties: { ApiId: !GetAtt Api.ApiId, Name: none, Type: NONE }
  Word:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: !GetAtt Api.ApiId
      TypeName: Query
      FieldName: word
      DataSourceName: none
      Runtime: { Name: APPSYNC_JS, RuntimeVersion: 1.0.0 }
      Code: "export function request(ctx) { return { payload: ctx.env.WORD }; }\\nexport function response(ctx) { return ctx.result; }"
  Bucket:
    Type: AWS::S3::Bucket
${extra}`;

/** client-appsync on `origin`'s management API, and ListGraphqlApis as sorted `name uri` lines; the caller destroys the client. */
function listing(origin: string) {
  const client = new AppSyncClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const listed = async () => ((await client.send(new ListGraphqlApisCommand({}))).graphqlApis ?? []).map((a) => `${a.name} ${a.uris?.GRAPHQL}`).sort();
  return { client, listed };
}

const word = async (url: string) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'anything' }, body: '{"query":"{ word }"}' });
  return ((await res.json()) as { data?: { word?: string } }).data?.word;
};

describe('serve --config template.yaml --watch', () => {
  it('reloads on an edit of the template and keeps the previous API when an edit breaks it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-watch-'));
    dirs.push(dir);
    await writeFile(join(dir, 'template.yaml'), template('one'));
    const { url, output } = await serve(['--watch', '--parameter', 'Suffix=x'], dir);
    expect(output()).toContain('ignored resources (they mean nothing to the local gateway): AWS::S3::Bucket');
    expect(await word(url)).toBe('one-x');

    await writeFile(join(dir, 'template.yaml'), template('two'));
    await expect.poll(() => word(url), { timeout: 15_000, interval: 200 }).toBe('two-x');

    await writeFile(
      join(dir, 'template.yaml'),
      template('three', '  Bad:\n    Type: AWS::AppSync::DataSource\n    Properties: { ApiId: !GetAtt Api.ApiId, Name: bad }\n'),
    );
    await expect.poll(() => output(), { timeout: 15_000, interval: 200 }).toContain('reload failed; the previous API keeps serving');
    expect(output()).toContain(`${join(dir, 'template.yaml')}: Resources.Bad.Properties.Type: AWS::AppSync::DataSource needs Type`);
    expect(await word(url)).toBe('two-x');
  });

  it('an edit of the Event API (a channel namespace renamed) reloads the Events endpoint', async () => {
    const events = (namespace: string) => `  Events:
    Type: AWS::AppSync::Api
    Properties:
      Name: chat
      EventConfig:
        AuthProviders: [{ AuthType: AWS_LAMBDA, LambdaAuthorizerConfig: { AuthorizerUri: !GetAtt Authorizer.Arn, AuthorizerResultTtlInSeconds: 0 } }]
  Room:
    Type: AWS::AppSync::ChannelNamespace
    Properties: { ApiId: !GetAtt Events.ApiId, Name: ${namespace} }
`;
    const publish = async (url: string, channel: string) =>
      (
        await fetch(new URL('/event', url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'anything' },
          body: JSON.stringify({ channel, events: ['{"n":1}'] }),
        })
      ).status;
    const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-watch-events-'));
    dirs.push(dir);
    await writeFile(join(dir, 'template.yaml'), template('one', events('lobby')));
    const { url } = await serve(['--watch', '--parameter', 'Suffix=x'], dir);
    expect(await publish(url, '/lobby/a')).toBe(200);
    expect(await publish(url, '/hall/a')).toBe(400);

    await writeFile(join(dir, 'template.yaml'), template('one', events('hall')));
    await expect.poll(() => publish(url, '/hall/a'), { timeout: 15_000, interval: 200 }).toBe(200);
    expect(await publish(url, '/lobby/a')).toBe(400);
  });

  it('in a template with several GraphQL APIs, an API added and one renamed are served and listed by ListGraphqlApis', async () => {
    // One AWS::AppSync::GraphQLApi with its schema, a NONE data source and a resolver answering its name.
    const graphqlApi = (id: string, name: string) => `  ${id}:
    Type: AWS::AppSync::GraphQLApi
    Properties:
      Name: ${name}
      AuthenticationType: AWS_LAMBDA
      LambdaAuthorizerConfig: { AuthorizerUri: !GetAtt Authorizer.Arn, AuthorizerResultTtlInSeconds: 0 }
  ${id}Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties: { ApiId: !GetAtt ${id}.ApiId, Definition: "type Query { word: String }" }
  ${id}None:
    Type: AWS::AppSync::DataSource
    Properties: { ApiId: !GetAtt ${id}.ApiId, Name: none, Type: NONE }
  ${id}Word:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: !GetAtt ${id}.ApiId
      TypeName: Query
      FieldName: word
      DataSourceName: none
      Runtime: { Name: APPSYNC_JS, RuntimeVersion: 1.0.0 }
      Code: "export function request(ctx) { return { payload: '${name}' }; }\\nexport function response(ctx) { return ctx.result; }"
`;
    const several = (...apis: Array<[string, string]>) => `AWSTemplateFormatVersion: '2010-09-09'
Resources:
${AUTHORIZER}${apis.map(([id, name]) => graphqlApi(id, name)).join('')}`;

    const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-watch-several-'));
    dirs.push(dir);
    await writeFile(join(dir, 'template.yaml'), several(['Shop', 'shop'], ['Todos', 'todos']));
    const { url } = await serve(['--watch'], dir);
    const origin = new URL(url).origin;
    const { client, listed } = listing(origin);
    try {
      expect(await listed()).toEqual([`shop ${origin}/graphql`, `todos ${origin}/apis/todos/graphql`]);
      expect(await word(`${origin}/apis/todos/graphql`)).toBe('todos');

      // A third API added and the second renamed (its logical id kept).
      await writeFile(join(dir, 'template.yaml'), several(['Shop', 'shop'], ['Todos', 'chores'], ['Notes', 'notes']));
      await expect
        .poll(listed, { timeout: 15_000, interval: 200 })
        .toEqual([`chores ${origin}/apis/chores/graphql`, `notes ${origin}/apis/notes/graphql`, `shop ${origin}/graphql`]);
      expect(await word(`${origin}/apis/notes/graphql`)).toBe('notes');
      expect(await word(`${origin}/apis/chores/graphql`)).toBe('chores');
      const gone = await fetch(`${origin}/apis/todos/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'x' },
        body: '{"query":"{ word }"}',
      });
      expect(gone.status).toBe(404);

      // Back to one API, the first renamed: the listing holds it alone, under its new name.
      await writeFile(join(dir, 'template.yaml'), several(['Shop', 'store']));
      await expect.poll(listed, { timeout: 15_000, interval: 200 }).toEqual([`store ${origin}/graphql`]);
      expect(await word(url)).toBe('store');
    } finally {
      client.destroy();
    }
  });

  it('a CDK cloud assembly rewritten as cdk synth does (a stack added, one API renamed) is served and listed by ListGraphqlApis', async () => {
    // One stack's template as cdk synth writes it (JSON): an API with its inline authorizer, schema, NONE data source and a resolver answering its name.
    const stackTemplate = (name: string) => ({
      Resources: {
        Authorizer: {
          Type: 'AWS::Lambda::Function',
          Properties: { Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => ({ isAuthorized: true });' } },
        },
        Api: {
          Type: 'AWS::AppSync::GraphQLApi',
          Properties: {
            Name: name,
            AuthenticationType: 'AWS_LAMBDA',
            LambdaAuthorizerConfig: { AuthorizerUri: { 'Fn::GetAtt': ['Authorizer', 'Arn'] }, AuthorizerResultTtlInSeconds: 0 },
          },
        },
        Schema: { Type: 'AWS::AppSync::GraphQLSchema', Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, Definition: 'type Query { word: String }' } },
        None: { Type: 'AWS::AppSync::DataSource', Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, Name: 'none', Type: 'NONE' } },
        Word: {
          Type: 'AWS::AppSync::Resolver',
          Properties: {
            ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] },
            TypeName: 'Query',
            FieldName: 'word',
            DataSourceName: 'none',
            Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
            Code: `export function request(ctx) { return { payload: '${name}' }; }\nexport function response(ctx) { return ctx.result; }`,
          },
        },
      },
    });
    const dir = await mkdtemp(join(tmpdir(), 'appsync-cdk-watch-several-'));
    dirs.push(dir);
    const assembly = join(dir, 'cdk.out');
    await mkdir(assembly);
    /** Writes the stacks' templates, then the manifest naming them (in that order, as cdk synth leaves them). */
    const synth = async (stacks: Array<[string, string]>) => {
      for (const [stack, name] of stacks) await writeFile(join(assembly, `${stack}.template.json`), JSON.stringify(stackTemplate(name), null, 1));
      const artifacts = Object.fromEntries(
        stacks.map(([stack]) => [
          stack,
          { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: `${stack}.template.json` } },
        ]),
      );
      await writeFile(join(assembly, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts }, null, 1));
    };
    await synth([
      ['ShopStack', 'shop'],
      ['TodosStack', 'todos'],
    ]);
    const { url } = await serve(['--config', 'cdk.out', '--watch'], dir);
    const origin = new URL(url).origin;
    const { client, listed } = listing(origin);
    try {
      expect(await listed()).toEqual([`shop ${origin}/graphql`, `todos ${origin}/apis/todos/graphql`]);

      await synth([
        ['ShopStack', 'shop'],
        ['TodosStack', 'chores'],
        ['NotesStack', 'notes'],
      ]);
      await expect
        .poll(listed, { timeout: 15_000, interval: 200 })
        .toEqual([`chores ${origin}/apis/chores/graphql`, `notes ${origin}/apis/notes/graphql`, `shop ${origin}/graphql`]);
      expect(await word(`${origin}/apis/notes/graphql`)).toBe('notes');
      expect(await word(`${origin}/apis/chores/graphql`)).toBe('chores');
      expect(await word(url)).toBe('shop');
    } finally {
      client.destroy();
    }
  });
});
