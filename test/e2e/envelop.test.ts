/**
 * envelop plugins on a real gateway: they see and change parse/validate, the context and the
 * execution result, while auth and APPSYNC_JS resolvers still run as without them.
 */
import { useExtendContext, useValidationRule, type Plugin } from '@envelop/core';
import { GraphQLError, type ValidationRule } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway } from '../utils/gateway.js';

const config: GatewayConfig = {
  name: 'envelop-test',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-envelop000000000000000' }],
  dataSources: { none: { type: 'NONE' } },
  resolvers: { 'Query.hello': { kind: 'UNIT', dataSource: 'none', code: 'hello.js' } },
};
const files = {
  'schema.graphql': 'type Query { hello(name: String): String secret: String }',
  'hello.js': 'export function request(ctx) { return { payload: `hello ${ctx.args.name}` }; }\nexport function response(ctx) { return ctx.result; }\n',
};

const noSecrets: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === 'secret') context.reportError(new GraphQLError('secret is off limits', { nodes: [node] }));
  },
});

describe('envelop plugins', () => {
  it('wrap parse, validate, context and execute of GraphQL over HTTP', async () => {
    const seen: Array<{ tenant: unknown; authMode: unknown }> = [];
    const tracing: Plugin = {
      onExecute({ args }) {
        const context = args.contextValue as { tenant?: unknown; auth?: { mode?: unknown } };
        seen.push({ tenant: context.tenant, authMode: context.auth?.mode });
        return {
          onExecuteDone({ result, setResult }) {
            if (!(Symbol.asyncIterator in result)) setResult({ ...result, extensions: { traced: true } });
          },
        };
      },
    };
    const gw = await startTestGateway({
      config,
      files,
      options: { plugins: [useExtendContext(() => ({ tenant: 'acme' })), useValidationRule(noSecrets), tracing] },
    });

    const answered = await gw.query('query Greet { hello(name: "envelop") }');
    expect(answered.status).toBe(200);
    // The resolver ran on the gateway's context, which the plugins extended.
    expect(answered.body).toEqual({ data: { hello: 'hello envelop' }, extensions: { traced: true } });
    expect(seen).toEqual([{ tenant: 'acme', authMode: 'API_KEY' }]);

    const refused = await gw.query('{ secret }');
    expect(refused.status).toBe(200);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors).toEqual([expect.objectContaining({ message: 'secret is off limits', locations: [{ line: 1, column: 3, sourceName: null }] })]);
    expect(seen).toHaveLength(1);

    const broken = await gw.query('{ hello(');
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0]).toMatchObject({ errorType: 'MalformedHttpRequestException' });

    // Auth comes before the plugins: a wrong key never reaches them.
    const denied = await gw.query('{ hello }', undefined, { 'x-api-key': 'da2-wrong', 'content-type': 'application/json' });
    expect(denied.status).toBe(401);
    expect(seen).toHaveLength(1);
    await gw.close();
  });

  it('without plugins the answer has no extensions and the same data', async () => {
    const gw = await startTestGateway({ config, files });
    const answered = await gw.query('{ hello(name: "plain") secret }');
    expect(answered.body).toEqual({ data: { hello: 'hello plain', secret: null } });
    await gw.close();
  });
});
