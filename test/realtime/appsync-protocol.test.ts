import { describe, expect, it } from 'vitest';
import { MessageType, decodeHeaderObject, parseStartData, validateMessage } from '../../src/realtime/appsync-protocol.js';

const auth = { host: 'example.com', 'x-api-key': 'da2-x' };

describe('validateMessage (realtime.md §2)', () => {
  const valid = [
    { name: 'connection_init', input: { type: 'connection_init' }, expected: { type: 'connection_init' } },
    { name: 'connection_init with payload', input: { type: 'connection_init', payload: {} }, expected: { type: 'connection_init' } },
    {
      name: 'start',
      input: { id: '1', type: 'start', payload: { data: '{"query":"subscription{a}"}', extensions: { authorization: auth } } },
      expected: { id: '1', type: 'start', payload: { data: '{"query":"subscription{a}"}', extensions: { authorization: auth } } },
    },
    { name: 'stop', input: { id: 'x', type: 'stop' }, expected: { id: 'x', type: 'stop' } },
  ];
  for (const c of valid) {
    it(`accepts ${c.name}`, () => {
      expect(validateMessage(c.input)).toEqual({ ok: true, message: c.expected });
    });
  }

  const invalid = [
    { name: 'non-object', input: 'hello', reason: 'message expects an object, got string' },
    { name: 'array', input: [], reason: 'message expects an object, got array' },
    { name: 'missing type', input: { id: '1' }, reason: "message expects 'type' to be a string, got undefined" },
    { name: 'unknown type', input: { type: 'subscribe', id: '1' }, reason: "unknown message type 'subscribe'", id: '1' },
    { name: 'start without id', input: { type: 'start', payload: {} }, reason: `"start" message expects 'id' to be a non-empty string, got undefined` },
    { name: 'start with numeric id', input: { type: 'start', id: 1 }, reason: `"start" message expects 'id' to be a non-empty string, got number` },
    { name: 'start without payload', input: { type: 'start', id: 'a' }, reason: `"start" message expects 'payload' to be an object, got undefined`, id: 'a' },
    {
      name: 'start with object data',
      input: { type: 'start', id: 'a', payload: { data: { query: 'x' }, extensions: { authorization: auth } } },
      reason: `"start" message expects 'payload.data' to be a string, got object`,
      id: 'a',
    },
    {
      name: 'start without extensions',
      input: { type: 'start', id: 'a', payload: { data: '{}' } },
      reason: `"start" message expects 'payload.extensions' to be an object, got undefined`,
      id: 'a',
    },
    {
      name: 'start without authorization',
      input: { type: 'start', id: 'a', payload: { data: '{}', extensions: {} } },
      reason: `"start" message expects 'payload.extensions.authorization' to be an object, got undefined`,
      id: 'a',
    },
    { name: 'stop without id', input: { type: 'stop' }, reason: `"stop" message expects 'id' to be a non-empty string, got undefined` },
    {
      name: 'connection_init with string payload',
      input: { type: 'connection_init', payload: 'x' },
      reason: `"connection_init" message expects 'payload' to be an object, got string`,
    },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}, naming the field`, () => {
      const result = validateMessage(c.input);
      expect(result).toEqual(c.id === undefined ? { ok: false, reason: c.reason } : { ok: false, reason: c.reason, id: c.id });
    });
  }

  it('keeps the enum values of the spec', () => {
    expect(Object.values(MessageType).sort()).toEqual(
      ['complete', 'connection_ack', 'connection_error', 'connection_init', 'data', 'error', 'ka', 'start', 'start_ack', 'stop'].sort(),
    );
  });
});

describe('parseStartData (realtime.md §2: payload.data is a JSON string)', () => {
  it('reads query, variables and operationName', () => {
    expect(parseStartData(JSON.stringify({ query: 'subscription S { a }', variables: { x: 1 }, operationName: 'S' }))).toEqual({
      ok: true,
      query: 'subscription S { a }',
      variables: { x: 1 },
      operationName: 'S',
    });
  });
  it('defaults variables and operationName to null', () => {
    expect(parseStartData('{"query":"subscription { a }"}')).toEqual({ ok: true, query: 'subscription { a }', variables: null, operationName: null });
  });
  it.each([
    ['not json', "'payload.data' is not valid JSON"],
    ['[]', "'payload.data' expects an object, got array"],
    ['{"query":1}', "'payload.data.query' expects a string, got number"],
    ['{"query":"x","variables":[]}', "'payload.data.variables' expects an object, got array"],
    ['{"query":"x","operationName":3}', "'payload.data.operationName' expects a string, got number"],
  ])('rejects %s', (data, reason) => {
    expect(parseStartData(data)).toEqual({ ok: false, reason });
  });
});

describe('decodeHeaderObject (realtime.md §1)', () => {
  const object = { host: 'api.example.com', 'x-api-key': 'da2-abc', Authorization: 'ey??>>' };
  it('decodes base64 (query string form)', () => {
    expect(decodeHeaderObject(Buffer.from(JSON.stringify(object)).toString('base64'))).toEqual(object);
  });
  it('decodes base64url without padding (subprotocol form)', () => {
    expect(decodeHeaderObject(Buffer.from(JSON.stringify(object)).toString('base64url'))).toEqual(object);
  });
  it('returns null for non-objects', () => {
    expect(decodeHeaderObject(Buffer.from('[1]').toString('base64'))).toBeNull();
    expect(decodeHeaderObject('%%%')).toBeNull();
  });
});
