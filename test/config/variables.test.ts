/** `${self:server.url}`: the gateway's own address, put in by createGateway once --port is known. */
import { describe, expect, it } from 'vitest';
import { resolveVariables } from '../../src/config/index.js';
import { substituteGatewayUrl } from '../../src/config/variables.js';

const resolve = (document: unknown) => resolveVariables(document, { env: { STAGE: 'x' }, baseDir: '/tmp' });

describe('${self:server.url}', () => {
  it('is left for the gateway when the file does not define server.url, alone or inside a string', () => {
    expect(
      resolve({
        server: { port: 4000 },
        dataSources: { self: { config: { endpoint: '${self:server.url}' } }, other: { config: { endpoint: '${self:server.url}/v1?stage=${env:STAGE}' } } },
      }),
    ).toEqual({
      server: { port: 4000 },
      dataSources: { self: { config: { endpoint: '${self:server.url}' } }, other: { config: { endpoint: '${self:server.url}/v1?stage=x' } } },
    });
  });

  it('is what the file says when it defines server.url (a plain self: reference)', () => {
    expect(resolve({ server: { url: 'http://gw.internal:9000' }, a: '${self:server.url}' })).toEqual({
      server: { url: 'http://gw.internal:9000' },
      a: 'http://gw.internal:9000',
    });
  });

  it('substituteGatewayUrl puts the address in every string and says whether any used it', () => {
    const config = { name: 'x', dataSources: { self: { type: 'HTTP', config: { endpoint: '${self:server.url}' } } }, list: ['${self:server.url}/a'] };
    expect(substituteGatewayUrl(config, 'http://127.0.0.1:4600')).toEqual({
      config: { name: 'x', dataSources: { self: { type: 'HTTP', config: { endpoint: 'http://127.0.0.1:4600' } } }, list: ['http://127.0.0.1:4600/a'] },
      used: true,
    });
    const plain = { name: 'x' };
    expect(substituteGatewayUrl(plain, 'http://127.0.0.1:1')).toEqual({ config: plain, used: false });
  });
});
