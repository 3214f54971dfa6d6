/** Automerge rules (pure) and the SET-clause splice used by versioned UpdateItem. */
import { describe, expect, it } from 'vitest';
import { mergeItems, mergeValue } from '../../../src/datasources/dynamodb/automerge.js';
import { withSetAssignments } from '../../../src/datasources/dynamodb/versioning.js';

describe('automerge', () => {
  it('keeps the server value on a scalar conflict', () => {
    expect(mergeValue({ N: '5' }, { N: '55' })).toEqual({ N: '5' });
    expect(mergeValue({ S: 'Nadia' }, { S: 'Nadia' })).toEqual({ S: 'Nadia' });
  });

  it('takes the incoming value where the server has none or null', () => {
    expect(mergeValue(undefined, { S: 'new' })).toEqual({ S: 'new' });
    expect(mergeValue({ NULL: true }, { N: '1' })).toEqual({ N: '1' });
  });

  it('appends lists (duplicates kept) and unions sets', () => {
    expect(mergeValue({ L: [{ N: '2' }, { N: '4' }] }, { L: [{ N: '4' }, { N: '6' }] })).toEqual({ L: [{ N: '2' }, { N: '4' }, { N: '4' }, { N: '6' }] });
    expect(mergeValue({ SS: ['a', 'b'] }, { SS: ['b', 'c'] })).toEqual({ SS: ['a', 'b', 'c'] });
    expect(mergeValue({ NS: ['1', '2'] }, { NS: ['2.0', '3'] })).toEqual({ NS: ['1', '2', '3'] });
  });

  it('applies the rules inside maps and keeps attributes only the server has', () => {
    const server = { name: { S: 'Shaggy' }, stats: { M: { points: { L: [{ N: '1' }] }, rank: { N: '3' } } }, team: { S: 'A' } };
    const incoming = { name: { S: 'Scooby' }, stats: { M: { points: { L: [{ N: '9' }] }, rank: { N: '1' }, wins: { N: '2' } } } };
    expect(mergeItems(server, incoming)).toEqual({
      name: { S: 'Shaggy' },
      stats: { M: { points: { L: [{ N: '1' }, { N: '9' }] }, rank: { N: '3' }, wins: { N: '2' } } },
      team: { S: 'A' },
    });
  });
});

describe('withSetAssignments', () => {
  it('joins an existing SET clause wherever it is, or adds one', () => {
    expect(withSetAssignments('SET #a = :a REMOVE #b', '#v = :v')).toBe('SET #v = :v, #a = :a REMOVE #b');
    expect(withSetAssignments('REMOVE #b SET #a = :a', '#v = :v')).toBe('REMOVE #b SET #v = :v, #a = :a');
    expect(withSetAssignments('ADD #n :one', '#v = :v')).toBe('SET #v = :v ADD #n :one');
    expect(withSetAssignments('REMOVE #set', '#v = :v')).toBe('SET #v = :v REMOVE #set');
  });
});
