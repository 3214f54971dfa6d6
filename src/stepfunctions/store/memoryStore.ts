/**
 * The store of a gateway run in memory (`--in-memory`): records are dropped, so executions live as
 * long as the process. The service keeps the live state itself; a store only replays it at start.
 */
import type { ExecutionStore } from './types.js';

export function createMemoryStore(): ExecutionStore {
  return {
    load: async () => [],
    append() {},
    appendEvents() {},
    flush: async () => {},
    compact: async () => {},
    close: async () => {},
  };
}
