/**
 * The default logger (src/server/logger.ts): `debugEnabled` tells callers on hot paths whether a
 * debug line would be written, so they can skip building its fields (the API cache's lookups).
 */
import { describe, expect, it, vi } from 'vitest';
import { createConsoleLogger } from '../../src/server/logger.js';

describe('createConsoleLogger', () => {
  it('says whether debug lines are written, and writes them only then', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const info = createConsoleLogger('info');
      expect(info.debugEnabled).toBe(false);
      info.debug('dropped', { key: 'k' });
      expect(write).not.toHaveBeenCalled();
      const debug = createConsoleLogger('debug');
      expect(debug.debugEnabled).toBe(true);
      debug.debug('kept', { key: 'k' });
      expect(write).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0]![0])).toMatch(/DEBUG kept key=k\n$/);
    } finally {
      write.mockRestore();
    }
  });
});
