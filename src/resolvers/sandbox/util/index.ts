/**
 * INTERIM util helpers, written by the lead so the sandbox runs while the full library (Java
 * time formats, transform rendering, XML, …) is being built. It will be replaced.
 */
import type { SandboxHost } from '../host.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

function fromUtf8(bytes: number[]): string {
  let s = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let c: number;
    if (b < 0x80) (c = b), (i += 1);
    else if (b < 0xe0) (c = ((b & 31) << 6) | (bytes[i + 1]! & 63)), (i += 2);
    else if (b < 0xf0) (c = ((b & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63)), (i += 3);
    else (c = ((b & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63)), (i += 4);
    s += String.fromCodePoint(c);
  }
  return s;
}

function base64Encode(s: string): string {
  const b = utf8(String(s));
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
  }
  return out;
}

function base64Decode(s: string): string {
  const clean = String(s).replace(/[^A-Za-z0-9+/]/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < clean.length; i += 4) {
    const n = (B64.indexOf(clean[i]!) << 18) | (B64.indexOf(clean[i + 1] ?? 'A') << 12) | (B64.indexOf(clean[i + 2] ?? 'A') << 6) | B64.indexOf(clean[i + 3] ?? 'A');
    bytes.push((n >> 16) & 255);
    if (clean[i + 2] !== undefined) bytes.push((n >> 8) & 255);
    if (clean[i + 3] !== undefined) bytes.push(n & 255);
  }
  return fromUtf8(bytes);
}

const RESTRICTED = new Set([
  'transfer-encoding', 'connection', 'host', 'expect', 'keep-alive', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'te', 'content-length',
  'access-control-allow-credentials', 'access-control-allow-origin', 'access-control-expose-headers', 'access-control-max-age',
  'access-control-allow-methods', 'access-control-allow-headers', 'vary', 'content-type',
]);

export function isRestrictedResponseHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESTRICTED.has(lower) || lower.startsWith('x-amzn-') || lower.startsWith('x-amz-');
}

function toDynamoDB(v: unknown): unknown {
  if (v === null || v === undefined) return { NULL: null };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: v };
  if (typeof v === 'boolean') return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map(toDynamoDB) };
  return { M: Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, toDynamoDB(x)])) };
}

export function createUtilHelpers(host: SandboxHost) {
  const hex = (n: number) => host.randomHex(n);
  const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return {
    base64Encode,
    base64Decode,
    urlEncode: (s: string) => encodeURIComponent(String(s)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    urlDecode: (s: string) => decodeURIComponent(String(s).replace(/\+/g, ' ')),
    autoId() {
      const h = hex(16).split('');
      h[12] = '4';
      h[16] = '89ab'[parseInt(h[16]!, 16) & 3]!;
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
    autoUlid() {
      let t = Date.now();
      let time = '';
      for (let i = 0; i < 10; i++) {
        time = CROCKFORD[t % 32]! + time;
        t = Math.floor(t / 32);
      }
      const r = hex(16);
      let rand = '';
      for (let i = 0; i < 16; i++) rand += CROCKFORD[parseInt(r.slice(i * 2, i * 2 + 2), 16) % 32];
      return time + rand;
    },
    autoKsuid() {
      const r = hex(27);
      let s = '';
      for (let i = 0; i < 27; i++) s += BASE62[parseInt(r.slice(i * 2, i * 2 + 2), 16) % 62];
      return s;
    },
    escapeJavaScript: (s: string) => JSON.stringify(String(s)).slice(1, -1).replace(/'/g, "\\'"),
    matches: (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(String(value)),
    time: {
      nowISO8601: () => new Date().toISOString(),
      nowEpochSeconds: () => Math.floor(Date.now() / 1000),
      nowEpochMilliSeconds: () => Date.now(),
      epochMilliSecondsToSeconds: (ms: number) => Math.floor(ms / 1000),
      epochMilliSecondsToISO8601: (ms: number) => new Date(ms).toISOString(),
      parseISO8601ToEpochMilliSeconds: (s: string) => Date.parse(s),
    },
    str: { normalize: (s: string, form: string) => String(s).normalize(form.toUpperCase()) },
    math: {
      roundNum: (x: number) => Math.round(x),
      minVal: (a: number, b: number) => Math.min(a, b),
      maxVal: (a: number, b: number) => Math.max(a, b),
      randomDouble: () => Math.random(),
      randomWithinRange: (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1)),
    },
    http: {
      copyHeaders: (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h ?? {}).filter(([k]) => !RESTRICTED.has(k.toLowerCase()) || k.toLowerCase() === 'content-type' || k.toLowerCase().startsWith('access-control') || k.toLowerCase() === 'vary')),
    },
    dynamodb: {
      toDynamoDB,
      toMapValues: (o: Record<string, unknown>) => (toDynamoDB(o) as { M: unknown }).M,
      toString: (s: string) => ({ S: s }),
      toNumber: (n: number) => ({ N: n }),
      toBoolean: (b: boolean) => ({ BOOL: b }),
      toNull: () => ({ NULL: null }),
      toList: (l: unknown[]) => toDynamoDB(l),
      toMap: (o: object) => toDynamoDB(o),
      toStringSet: (l: string[]) => ({ SS: l }),
      toNumberSet: (l: number[]) => ({ NS: l }),
    },
    xml: {},
    transform: {},
  };
}
