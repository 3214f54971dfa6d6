/**
 * The default logger: one line per event on stderr, `LEVEL message key=value…`. Secrets never
 * reach it: callers log names and ids, not tokens or keys.
 */
import type { Logger } from '../datasources/types.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function formatFields(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join('');
}

export function createConsoleLogger(level: LogLevel = (process.env.APPSYNC_GATEWAY_LOG_LEVEL as LogLevel | undefined) ?? 'info'): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${message}${formatFields(fields)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    debugEnabled: ORDER.debug >= threshold,
  };
}
