/**
 * Serverless Framework variables in config files: `${env:NAME}`, `${self:path.to.key}`,
 * `${opt:stage}`, `${file(./other.yml):key}`, defaults after a comma (`${env:X, 'fallback'}`),
 * and nesting (`${self:custom.${opt:stage}.table}`). Any other source (`ssm:`, `cf:`, `s3:`,
 * `sls:`, …) is a ConfigError naming the key path: the gateway runs without AWS, so it cannot
 * resolve them, and a silent empty string would be worse.
 *
 * Hand-written: the Serverless Framework's resolver is not published as a library.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';

export interface VariableOptions {
  /** `--stage`; default: `provider.stage` of the file, else `dev`. */
  stage?: string;
  /** Other `--opt` values. */
  options?: Record<string, string | undefined>;
  env: Record<string, string | undefined>;
  /** Folder `${file(...)}` paths resolve from. */
  baseDir: string;
}

const MAX_DEPTH = 20;

/**
 * The gateway's own origin (`http://127.0.0.1:4600`), known only once `--port`/`--host` are: left
 * in place by `resolveVariables` unless the file defines `server.url`, and replaced by
 * `createGateway` (see {@link substituteGatewayUrl}).
 */
export const GATEWAY_URL_VARIABLE = '${self:server.url}';

/**
 * Finds the innermost `${…}` (no `${` inside it), so nested references resolve inside out;
 * references `keep` accepts are skipped.
 */
function innermost(text: string, keep: (body: string) => boolean): { start: number; end: number; body: string } | undefined {
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') open = i;
    else if (text[i] === '}' && open >= 0) {
      const body = text.slice(open + 2, i);
      if (!keep(body)) return { start: open, end: i + 1, body };
      open = -1;
    }
  }
  return undefined;
}

/**
 * Replaces `${self:server.url}` in every string of `config` with `url`; `used` tells whether any
 * string named it.
 */
export function substituteGatewayUrl<T>(config: T, url: string): { config: T; used: boolean } {
  let used = false;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes(GATEWAY_URL_VARIABLE)) return value;
      used = true;
      return value.split(GATEWAY_URL_VARIABLE).join(url);
    }
    if (Array.isArray(value)) return value.map(walk);
    // Only plain data: class instances (a logger, a client) pass through untouched.
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  const out = walk(config) as T;
  return { config: used ? out : config, used };
}

/** Splits `source:address, 'default'` at the first top-level comma. */
function splitDefault(body: string): [string, string | undefined] {
  let quote: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',') return [body.slice(0, i).trim(), body.slice(i + 1).trim()];
  }
  return [body.trim(), undefined];
}

function getPath(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('.').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function resolveVariables(document: unknown, options: VariableOptions): unknown {
  const stage = options.stage ?? stringAt(document, 'provider.stage') ?? 'dev';
  // `${self:server.url}` waits for createGateway unless the file itself says what it is.
  const deferGatewayUrl = getPath(document, 'server.url') === undefined;
  const keep = (body: string) => deferGatewayUrl && body.replace(/\s+/g, '') === 'self:server.url';
  const fileCache = new Map<string, unknown>();

  const lookup = (reference: string, keyPath: string, depth: number): unknown => {
    const [address, fallback] = splitDefault(reference);
    let value: unknown;
    const colon = address.indexOf(':');
    const source = colon >= 0 ? address.slice(0, colon).trim() : address.trim();
    const rest = colon >= 0 ? address.slice(colon + 1).trim() : '';
    if (/^['"].*['"]$/.test(address)) {
      value = address.slice(1, -1);
    } else if (source === 'env') {
      value = options.env[rest];
    } else if (source === 'opt') {
      value = rest === 'stage' ? stage : options.options?.[rest];
    } else if (source === 'self') {
      value = resolveValue(getPath(document, rest), keyPath, depth + 1);
    } else if (source.startsWith('file(')) {
      const m = /^file\((.+?)\)$/.exec(source);
      if (!m) throw new ConfigError(keyPath, `cannot read the variable \${${reference}}`);
      const path = resolvePath(options.baseDir, m[1]!.trim());
      if (!fileCache.has(path)) {
        let parsed: unknown;
        try {
          const text = readFileSync(path, 'utf8');
          parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
        } catch (error) {
          throw new ConfigError(keyPath, `\${${reference}}: cannot read ${path} (${(error as Error).message})`);
        }
        fileCache.set(path, resolveVariables(parsed, { ...options, stage, baseDir: dirname(path) }));
      }
      value = rest ? getPath(fileCache.get(path), rest) : fileCache.get(path);
    } else {
      throw new ConfigError(
        keyPath,
        `the variable source "${source}" in \${${reference}} is not supported (supported: env, self, opt, file); ` +
          'put the value in the file or in an environment variable',
      );
    }
    if (value === undefined || value === null) {
      if (fallback === undefined) throw new ConfigError(keyPath, `\${${reference}} has no value and no default`);
      return lookup(fallback, keyPath, depth + 1);
    }
    return value;
  };

  const resolveString = (text: string, keyPath: string, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new ConfigError(keyPath, 'variables refer to each other in a loop');
    let current = text;
    for (let guard = 0; guard < 100; guard++) {
      const ref = innermost(current, keep);
      if (!ref) return current;
      const value = lookup(ref.body, keyPath, depth);
      // A reference that is the whole string keeps its type (objects, numbers, booleans).
      if (ref.start === 0 && ref.end === current.length) {
        return typeof value === 'string' ? resolveString(value, keyPath, depth + 1) : value;
      }
      current = current.slice(0, ref.start) + (typeof value === 'object' ? JSON.stringify(value) : String(value)) + current.slice(ref.end);
    }
    throw new ConfigError(keyPath, 'too many variables in one value');
  };

  const resolveValue = (value: unknown, keyPath: string, depth: number): unknown => {
    if (typeof value === 'string') return value.includes('${') ? resolveString(value, keyPath, depth) : value;
    if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, keyPath ? `${keyPath}.${i}` : String(i), depth));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = resolveValue(v, keyPath ? `${keyPath}.${k}` : k, depth);
      return out;
    }
    return value;
  };

  return resolveValue(document, '', 0);
}

function stringAt(document: unknown, path: string): string | undefined {
  const value = getPath(document, path);
  return typeof value === 'string' && !value.includes('${') ? value : undefined;
}
