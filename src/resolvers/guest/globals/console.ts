/**
 * The `console` global: resolver code's log lines go to the gateway's logger through the host.
 * Runs inside the sandbox: see ../README.md.
 */
import type { SandboxHost } from '../host.js';
import { deepFreeze } from '../run.js';

/** Builds a frozen `console`; `stringifyJson` is `JSON.stringify` as it was before resolver code could replace it. */
export function createConsole(log: SandboxHost['log'], stringifyJson: typeof JSON.stringify) {
  const format = (args: unknown[]): string =>
    args
      .map((a) => {
        if (typeof a === 'string') return a;
        try {
          return stringifyJson(a) ?? String(a);
        } catch {
          return String(a);
        }
      })
      .join(' ');
  return deepFreeze({
    log: (...args: unknown[]) => log('log', format(args)),
    info: (...args: unknown[]) => log('info', format(args)),
    warn: (...args: unknown[]) => log('warn', format(args)),
    error: (...args: unknown[]) => log('error', format(args)),
    debug: (...args: unknown[]) => log('debug', format(args)),
  });
}
