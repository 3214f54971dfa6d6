import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/config/index.js';
import { ConfigErrors } from '../../src/errors.js';

const base = { schemaSdl: 'type Query { a: String }', apiKeys: [{ name: 'k', value: 'da2-abcdefgh' }] };
const normalize = (events: unknown) => normalizeConfig({ ...base, events } as never, { configDir: '/tmp/cfg' }).events;
const problems = (events: unknown): string[] => {
  try {
    normalize(events);
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors.map((e) => e.message);
    throw error;
  }
  return [];
};

describe('events: config (docs/events.md#config)', () => {
  it('is absent without an events block', () => {
    expect(normalize(undefined)).toBeUndefined();
  });

  it('defaults to the file providers and keys, every mode, and the default namespace', () => {
    expect(normalize({})).toEqual({
      name: 'events',
      authProviders: [{ type: 'API_KEY', config: {} }],
      apiKeys: [{ name: 'k', value: 'da2-abcdefgh', expiresAt: undefined, generated: false }],
      connectionAuthModes: ['API_KEY'],
      defaultPublishAuthModes: ['API_KEY'],
      defaultSubscribeAuthModes: ['API_KEY'],
      namespaces: { default: { name: 'default', publishAuthModes: undefined, subscribeAuthModes: undefined, handlerConfigs: {} } },
    });
  });

  it('reads the issue example shape, with { authType } entries and code paths from the config folder', () => {
    const events = normalize({
      name: 'chat',
      authProviders: [{ type: 'API_KEY' }, { type: 'AWS_LAMBDA', config: { handler: 'auth.js#handler' } }],
      apiKeys: [{ name: 'local', value: 'da2-localkey1' }],
      connectionAuthModes: ['API_KEY'],
      defaultPublishAuthModes: [{ authType: 'API_KEY' }],
      defaultSubscribeAuthModes: ['API_KEY', 'AWS_LAMBDA'],
      namespaces: { default: {}, shout: { code: 'handlers/shout.js', publishAuthModes: ['AWS_LAMBDA'], handlerConfigs: {} } },
    })!;
    expect(events.apiKeys.map((k) => k.value)).toEqual(['da2-localkey1']);
    expect(events.defaultPublishAuthModes).toEqual(['API_KEY']);
    expect(events.namespaces.shout).toEqual({
      name: 'shout',
      code: '/tmp/cfg/handlers/shout.js',
      publishAuthModes: ['AWS_LAMBDA'],
      subscribeAuthModes: undefined,
      handlerConfigs: {},
    });
  });

  it('names the key of each problem', () => {
    expect(
      problems({
        connectionAuthModes: ['AWS_IAM'],
        defaultPublishAuthModes: ['NOPE'],
        namespaces: { bad_name: {}, ok: { code: 3, publishAuthModes: [], colour: 1 } },
        extra: true,
      }),
    ).toEqual([
      'events.extra: unknown key; expected one of name, authProviders, apiKeys, connectionAuthModes, defaultPublishAuthModes, defaultSubscribeAuthModes, namespaces',
      'events.connectionAuthModes.0: AWS_IAM is not one of events.authProviders (API_KEY)',
      'events.defaultPublishAuthModes.0: expected one of API_KEY, AWS_IAM, OPENID_CONNECT, AMAZON_COGNITO_USER_POOLS, AWS_LAMBDA, got string "NOPE"',
      'events.namespaces.bad_name: a namespace name is 1-50 letters, digits and dashes, starting and ending with a letter or digit',
      'events.namespaces.ok.colour: unknown key; expected one of code, publishAuthModes, subscribeAuthModes, handlerConfigs',
      'events.namespaces.ok.code: expected a file path, got number 3',
      'events.namespaces.ok.publishAuthModes: expected a non-empty list of auth modes (API_KEY, AWS_IAM, OPENID_CONNECT, AMAZON_COGNITO_USER_POOLS, AWS_LAMBDA), got a list',
    ]);
  });
});
