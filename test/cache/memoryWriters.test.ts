/**
 * The in-memory store on a Node whose Buffer lacks the per-encoding writers (`utf8Write`, `latin1Write`,
 * `ucs2Write`, which are not documented API): it writes through `Buffer#write` instead, with the same
 * bytes, and says so once with a process warning.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const WRITERS = ['utf8Write', 'latin1Write', 'ucs2Write'] as const;
const proto = Buffer.prototype as unknown as Record<string, unknown>;
const saved = Object.fromEntries(WRITERS.map((name) => [name, proto[name]]));

afterEach(() => {
  for (const name of WRITERS) proto[name] = saved[name];
  vi.restoreAllMocks();
});

describe('MemoryCacheStore without Buffer#utf8Write and its kin', () => {
  it('keeps and finds ASCII, non-ASCII and split keys and texts as with them, and warns once', async () => {
    const warnings: string[] = [];
    vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => void warnings.push(String(warning)));
    for (const name of WRITERS) delete proto[name];
    vi.resetModules();
    const { MemoryCacheStore } = await import('../../src/cache/memory.js');
    for (const name of WRITERS) proto[name] = saved[name];

    const store = new MemoryCacheStore(1_000_000);
    const tag = { field: 'Query.item', values: { arguments: { id: 'é' } } };
    await store.set('ascii', 'plain text', 60_000, []);
    await store.set('clé', 'texte accentué ✓', 60_000, [tag]);
    await store.set({ head: 'h\u0000', tail: 'tëil' }, 'split', 60_000, []);
    expect(await store.get('ascii')).toBe('plain text');
    expect(await store.get('clé')).toBe('texte accentué ✓');
    expect(await store.get('h\u0000tëil')).toBe('split');
    expect(await store.get('cle')).toBeUndefined();
    expect(await store.evict('Query.item', (values) => (values.arguments as { id: string }).id === 'é')).toBe(1);
    expect(await store.get('clé')).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('has no utf8Write/latin1Write/ucs2Write')]);
  });
});
