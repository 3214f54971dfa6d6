/** `util.http.copyHeaders` and the response-header rules of addResponseHeader (docs/resolvers.md#util-in-detail, util.http). */
const HOP_BY_HOP = [
  'transfer-encoding',
  'connection',
  'host',
  'expect',
  'keep-alive',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'content-length',
];
const RESTRICTED = new Set([
  ...HOP_BY_HOP,
  'access-control-allow-credentials',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'access-control-max-age',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'vary',
  'content-type',
]);

export function isRestrictedResponseHeader(name: string): boolean {
  const lower = String(name).toLowerCase();
  return RESTRICTED.has(lower) || lower.startsWith('x-amzn-') || lower.startsWith('x-amz-');
}

export function copyHeaders(headers: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!headers || typeof headers !== 'object') return out;
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.includes(k.toLowerCase())) out[k] = v;
  return out;
}
