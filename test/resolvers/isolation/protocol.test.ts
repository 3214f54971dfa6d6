/**
 * The calls pipe's records (src/resolvers/isolation/protocol.ts): every call and answer comes back
 * as it was sent, whatever its strings hold, and a record cut anywhere is read whole.
 */
import { describe, expect, it } from 'vitest';
import { decodeCall, decodeReply, encodeCall, encodeReply, FIELD, RECORD, type Call } from '../../../src/resolvers/isolation/protocol.js';

const awkward = `a\u001eb\u001fc\nd"e\u0000`;

const parts = {
  argumentsJson: JSON.stringify({ msg: awkward }),
  identityJson: undefined,
  sourceJson: 'null',
  headersJson: JSON.stringify({ 'x-weird': awkward }),
  fieldName: '"quoted',
  parentTypeName: 'Query',
  variablesJson: undefined,
  selectionSetListJson: '["a","b/c"]',
  selectionSetGraphQL: '{\n  a\n  b {\n    c\n  }\n}',
  envJson: '{}',
  authMode: 'API_KEY',
  operation: 'query',
};

const calls: Call[] = [
  { seq: 3, op: 'openJson', run: 8, base: JSON.stringify({ arguments: { x: awkward } }) },
  { seq: 4, op: 'invoke', run: 8, mod: 2, handler: 'request', phase: 'query:request', step: '{"prev":null}', label: '', close: true },
  { seq: 5, op: 'invoke', run: 8, mod: 2, handler: 'render', phase: awkward, step: '{"prev":{}}', label: '', close: false },
  { seq: 6, op: 'unit', run: 9, mod: 1, request: 'query:request', response: 'query:response', label: '' },
  { seq: 7, op: 'pipeline', run: 10, mod: -1, fns: [3, 4, 5], operation: 'mutation', label: '' },
  { seq: 8, op: 'pipeline', run: 11, mod: 2, fns: [], operation: 'query', label: '' },
  { seq: 9, op: 'close', run: 9 },
  { seq: 10, op: 'stash', run: 9 },
  // A run's first call opens it in the same record.
  { seq: 11, op: 'invoke', run: 12, open: parts, mod: 2, handler: 'request', phase: awkward, step: '{"prev":null}', label: '', close: false },
  { seq: 12, op: 'unit', run: 13, open: parts, mod: 1, request: 'query:request', response: 'query:response', label: '' },
  { seq: 13, op: 'pipeline', run: 14, open: { ...parts, identityJson: '{"sub":"x"}', operation: awkward }, mod: -1, fns: [3], operation: 'query', label: '' },
  { seq: 14, op: 'close', run: 15, open: parts },
  { seq: 15, op: 'stash', run: 16, open: parts },
  {
    seq: 16,
    op: 'invoke',
    run: 17,
    open: { ...parts, stashJson: JSON.stringify({ carried: awkward }) },
    mod: 2,
    handler: 'response',
    phase: 'p',
    step: '{}',
    label: '',
    close: true,
  },
];

describe('calls pipe records', () => {
  it('each call comes back as it was sent, and no field of a record holds a separator', () => {
    for (const call of calls) {
      const record = encodeCall(call);
      expect(record.endsWith(RECORD)).toBe(true);
      expect(record.slice(0, -1)).not.toContain(RECORD);
      expect(decodeCall(record.slice(0, -1))).toEqual(call);
    }
    // Within the record, the separators are the fields' and no more.
    // A call that opens its run: three fields of its own, the run's and 13 parts, then the unit's three.
    expect(encodeCall(calls.find((c) => c.op === 'unit' && c.open)!).split(FIELD)).toHaveLength(3 + 13 + 3);
  });

  it('answers keep their text (newline included) and their console lines', () => {
    const logs: Array<['log' | 'warn', string]> = [
      ['log', awkward],
      ['warn', ''],
    ];
    for (const [seq, text, lines] of [
      [12, 'S{"k":"ok","v":"hi"}\n', undefined],
      [13, '', logs],
      [0, '', logs],
    ] as const) {
      const record = encodeReply(seq, text, lines as never);
      expect(record.slice(0, -1)).not.toContain(RECORD);
      expect(decodeReply(record.slice(0, -1))).toEqual(lines ? [seq, text, lines] : [seq, text]);
    }
  });

  it('an unknown record is an error that shows it', () => {
    expect(() => decodeCall(`x${FIELD}1${FIELD}2`)).toThrow(/unknown call record/);
  });
});
