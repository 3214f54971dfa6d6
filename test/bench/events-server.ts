/**
 * Child process for the Events bench: a gateway whose config has an `events:` block (API key, the
 * `default` namespace, no handlers). Prints `LISTENING <port>`; answers IPC `memory` with
 * `process.memoryUsage()` after a GC.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '../../src/index.js';
import { silentLogger } from '../utils/logger.js';

export const EVENTS_BENCH_KEY = 'da2-eventsbench01';

process.on('message', (message) => {
  if (message !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ memory: process.memoryUsage() });
});

if (process.env.EVENTS_BENCH_CHILD === '1') {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-events-bench-'));
  const gateway = await createGateway(
    { name: 'events-bench', schemaSdl: 'type Query { ok: Boolean }', apiKeys: [{ name: 'k', value: EVENTS_BENCH_KEY }], events: {} },
    { configDir: dir, logger: silentLogger, inMemory: true },
  );
  const { port } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`LISTENING ${port}\n`);
}
