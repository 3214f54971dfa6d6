/** Helpers for `ctx.identity` (docs/auth.md#who-the-caller-is-ctxidentity). */
import type { AuthRequest } from './types.js';

/** `x-forwarded-for` addresses in order, then the TCP peer (Gateway choice, docs/auth.md#who-the-caller-is-ctxidentity). */
export function sourceIps(request: AuthRequest): string[] {
  const forwarded = request.headers['x-forwarded-for'];
  const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const peer = request.sourceIp.replace(/^::ffff:/, '');
  return peer ? [...list, peer] : list;
}

export function headerValue(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
