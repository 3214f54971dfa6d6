/**
 * A hand-written CloudFormation template (YAML short forms, parameters, mappings, conditions, a
 * nested stack, local code and schema files) served by the gateway and queried over HTTP and WebSocket.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigFile, loadConfigFile, normalizeConfig } from '../../../src/config/index.js';
import { serve } from './serve.js';

const FIXTURE = join(import.meta.dirname, '../../../examples/cloudformation');

describe('a plain CloudFormation template', async () => {
  const loaded = await loadConfigFile(join(FIXTURE, 'template.yaml'), { parameters: { Greeting: 'hi' } });
  const api = await serve(loaded);

  it('is found as template.yaml and read as CloudFormation, listing what it ignores', async () => {
    expect(await findConfigFile(FIXTURE)).toBe(join(FIXTURE, 'template.yaml'));
    expect(loaded.config.name).toBe('plain-dev');
    // The alarm's condition is false: it is not a resource of this stack at all.
    expect(loaded.warnings).toEqual(['ignored resources (they mean nothing to the local gateway): AWS::IAM::Role']);
    const normalized = normalizeConfig(loaded.config, { configDir: loaded.configDir });
    expect(normalized.dataSources.posts!.config).toMatchObject({ tableName: 'posts-dev', table: { BillingMode: 'PAY_PER_REQUEST' } });
  });

  it('a mutation (JS resolver from a local file) and a query (inline VTL) on the table the template defines', async () => {
    expect(await api.query('mutation { addPost(id: "p1", title: "First", author: "ann") { id title author } }')).toEqual({
      data: { addPost: { id: 'p1', title: 'First', author: 'ann' } },
    });
    expect(await api.query('{ getPost(id: "p1") { id title author } }')).toEqual({ data: { getPost: { id: 'p1', title: 'First', author: 'ann' } } });
  });

  it('the API cache and the resolver’s CachingConfig: a cached answer outlives a write until its TTL', async () => {
    expect(loaded.config.caching).toEqual({ behavior: 'PER_RESOLVER_CACHING', ttl: 300, enabled: true });
    await api.query('mutation { addPost(id: "c1", title: "Before") { id } }');
    expect(await api.query('{ getPost(id: "c1") { title } }')).toEqual({ data: { getPost: { title: 'Before' } } });
    await api.query('mutation { addPost(id: "c1", title: "After") { id } }');
    expect(await api.query('{ getPost(id: "c1") { title } }')).toEqual({ data: { getPost: { title: 'Before' } } });
  });

  it('a pipeline reading environment variables set by Ref, Join, a --parameter and a nested stack output', async () => {
    expect(await api.query('{ info }')).toEqual({ data: { info: 'dev hi us-east-1/posts-dev nested' } });
  });

  it('a resolver of the nested stack, with the parent’s API id and data source passed as parameters', async () => {
    expect(await api.query('{ echo(text: "x") }')).toEqual({ data: { echo: 'template-Extras:x' } });
  });

  it('a direct Lambda resolver running the template’s Node.js function from its local code folder', async () => {
    expect(await api.query('{ hello(name: "ann") }')).toEqual({ data: { hello: 'hello ann from hello' } });
  });

  it('a subscription bound with @aws_subscribe receives the mutation', async () => {
    const event = await api.firstEvent('subscription { onAddPost { id title } }', () =>
      api.query('mutation { addPost(id: "p2", title: "Second") { id title } }'),
    );
    expect(event).toEqual({ data: { onAddPost: { id: 'p2', title: 'Second' } } });
  });
});
