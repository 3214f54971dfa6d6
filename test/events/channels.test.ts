/** Channel paths (docs/events.md#channels), as a table. */
import { describe, expect, it } from 'vitest';
import { matchingKeys, parseChannel } from '../../src/events/channels.js';

describe('parseChannel', () => {
  const cases: Array<{ name: string; input: string; wildcard: boolean; expected: ReturnType<typeof parseChannel> }> = [
    {
      name: 'a namespace and four segments',
      input: '/ns/a/b-2/C/d',
      wildcard: false,
      expected: { ok: true, channel: { path: '/ns/a/b-2/C/d', segments: ['ns', 'a', 'b-2', 'C', 'd'], namespace: 'ns', wildcard: false } },
    },
    {
      name: 'no leading slash (Gateway choice)',
      input: 'ns/a',
      wildcard: false,
      expected: { ok: true, channel: { path: '/ns/a', segments: ['ns', 'a'], namespace: 'ns', wildcard: false } },
    },
    {
      name: 'a trailing wildcard in a subscription',
      input: '/ns/a/*',
      wildcard: true,
      expected: { ok: true, channel: { path: '/ns/a/*', segments: ['ns', 'a', '*'], namespace: 'ns', wildcard: true } },
    },
    {
      name: 'six segments',
      input: '/ns/a/b/c/d/e',
      wildcard: false,
      expected: { ok: false, message: "Invalid channel path '/ns/a/b/c/d/e': a channel has at most 5 segments." },
    },
    {
      name: 'a wildcard in a publish',
      input: '/ns/*',
      wildcard: false,
      expected: { ok: false, message: "Invalid channel path '/ns/*': a wildcard is allowed only as the last segment of a subscription." },
    },
    {
      name: 'a wildcard in the middle',
      input: '/ns/*/a',
      wildcard: true,
      expected: { ok: false, message: "Invalid channel path '/ns/*/a': a wildcard is allowed only as the last segment of a subscription." },
    },
    {
      name: 'a wildcard as the namespace',
      input: '/*',
      wildcard: true,
      expected: { ok: false, message: "Invalid channel path '/*': a wildcard is allowed only as the last segment of a subscription." },
    },
    {
      name: 'an empty segment',
      input: '/ns//a',
      wildcard: false,
      expected: { ok: false, message: "Invalid channel path '/ns//a': segments are 1-50 letters, digits and dashes." },
    },
    {
      name: 'a trailing slash',
      input: '/ns/a/',
      wildcard: false,
      expected: { ok: false, message: "Invalid channel path '/ns/a/': segments are 1-50 letters, digits and dashes." },
    },
    {
      name: 'a 51-character segment',
      input: `/ns/${'a'.repeat(51)}`,
      wildcard: false,
      expected: { ok: false, message: `Invalid channel path '/ns/${'a'.repeat(51)}': segments are 1-50 letters, digits and dashes.` },
    },
    {
      name: 'a leading dash',
      input: '/ns/-a',
      wildcard: false,
      expected: { ok: false, message: "Invalid channel path '/ns/-a': segments are 1-50 letters, digits and dashes." },
    },
  ];
  it.each(cases)('$name', ({ input, wildcard, expected }) => {
    expect(parseChannel(input, wildcard)).toEqual(expected);
  });
});

describe('matchingKeys', () => {
  it('is the path and a wildcard on each shorter prefix', () => {
    const parsed = parseChannel('/ns/a/b', false);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(matchingKeys(parsed.channel)).toEqual(['/ns/a/b', '/ns/*', '/ns/a/*']);
  });
});
