/**
 * A key the config names without a value is generated when the gateway starts and keeps that
 * value through reloads (`--watch`, a template re-synthesised): clients holding it stay in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const config = (keys: string[]): GatewayConfig => ({
  name: 'generated-keys',
  schemaSdl: 'type Query { ok: Boolean }',
  apiKeys: keys.map((name) => ({ name })),
  resolvers: { 'Query.ok': { kind: 'UNIT', dataSource: 'none', code: 'ok.js' } },
  dataSources: { none: { type: 'NONE' } },
});
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    files: { 'ok.js': 'export const request = () => ({ payload: true });\nexport const response = (ctx) => ctx.result;\n' },
    config: config(['dev']),
  });
});
afterAll(() => gw.close());

async function okWith(key: string): Promise<number> {
  const response = await fetch(`${gw.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query: '{ ok }' }),
  });
  return response.status;
}

describe('generated API keys', () => {
  it('keep their value through reloads; a key added by a reload gets a new value', async () => {
    const [dev] = gw.gateway.apiKeys;
    expect(dev).toMatchObject({ name: 'dev', generated: true });
    expect(await okWith(dev!.value)).toBe(200);

    await gw.gateway.reload(config(['dev', 'ci']));
    const keys = Object.fromEntries(gw.gateway.apiKeys.map((k) => [k.name, k.value]));
    expect(keys.dev).toBe(dev!.value);
    expect(keys.ci).toMatch(/^da2-/);
    expect(keys.ci).not.toBe(dev!.value);
    expect(await okWith(dev!.value)).toBe(200);
    expect(await okWith(keys.ci!)).toBe(200);
    expect(await okWith('da2-notakeyatall0000')).toBe(401);
  });
});
