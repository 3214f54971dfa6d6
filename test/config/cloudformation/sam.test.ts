/** A SAM template (AWS::Serverless::GraphQLApi, Function, SimpleTable, Globals) served and queried. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import { serve } from './serve.js';

const FIXTURE = join(import.meta.dirname, '../../../examples/sam');

describe('a SAM template', async () => {
  const loaded = await loadConfigFile(join(FIXTURE, 'template.yaml'));
  const api = await serve(loaded);

  it('is read as the AppSync resources SAM expands it into', () => {
    expect(loaded.config).toMatchObject({
      name: 'Api',
      authentication: { type: 'API_KEY' },
      additionalAuthentications: [{ type: 'AWS_LAMBDA', config: { functionName: 'template-AuthFunction', authorizerResultTtlInSeconds: 0 } }],
      apiKeys: [{ name: 'ApiMyKey', description: 'the key clients use' }],
    });
    expect(Object.keys(loaded.config.dataSources as object).sort()).toEqual(['Greeter', 'NONE', 'Posts']);
  });

  it('a pipeline mutation (function code from a file) and query (inline code) on the SimpleTable', async () => {
    expect(await api.query('mutation { addPost(id: "s1", title: "SAM") { id title } }')).toEqual({ data: { addPost: { id: 's1', title: 'SAM' } } });
    expect(await api.query('{ getPost(id: "s1") { id title } }')).toEqual({ data: { getPost: { id: 's1', title: 'SAM' } } });
  });

  it('a Lambda data source running the SAM function from its CodeUri with Globals and its own Environment', async () => {
    expect(await api.query('{ greet(name: "sam") }')).toEqual({ data: { greet: 'hello sam!' } });
  });

  it('DataSource: NONE, and a resolver with its own code', async () => {
    expect(await api.query('{ none }')).toEqual({ data: { none: 'none data source via a resolver with its own code' } });
  });

  it('the Lambda authorizer (an additional provider) runs the template’s inline function', async () => {
    const ask = (token: string) =>
      fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify({ query: '{ none }' }) });
    // `none` allows @aws_lambda: the authorizer's yes lets the request through.
    const allowed = await ask('let-me-in');
    expect(await allowed.json()).toEqual({ data: { none: 'none data source via a resolver with its own code' } });
    const refused = await ask('wrong');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
  });

  it('a subscription receives the mutation', async () => {
    const event = await api.firstEvent('subscription { onAddPost { id title } }', () => api.query('mutation { addPost(id: "s2", title: "Two") { id title } }'));
    expect(event).toEqual({ data: { onAddPost: { id: 's2', title: 'Two' } } });
  });
});
