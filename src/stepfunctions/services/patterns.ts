/**
 * Event patterns as EventBridge matches them, shared by EventBridge rules (services/eventbridge.ts)
 * and SNS subscription filter policies (services/sns.ts), which use the same matchers.
 *
 * Written by hand: no maintained npm package matches event patterns.
 */

/** A pattern: field → list of values or matchers, or a nested pattern. */
export type Pattern = { [key: string]: unknown[] | Pattern };

const MATCHERS = new Set(['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'wildcard', 'equals-ignore-case']);
const NUMERIC_OPS = new Set(['<', '<=', '=', '>', '>=']);

/** Checks a pattern as EventBridge does: an object whose leaves are arrays of values or matchers. */
export function checkPattern(pattern: unknown, badPattern: (reason: string) => Error, path = ''): asserts pattern is Pattern {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) throw badPattern(`Filter is not an object at ${path || 'the root'}`);
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (Array.isArray(value)) {
      for (const m of value) {
        if (typeof m !== 'object' || m === null) continue;
        const [name, ...more] = Object.keys(m);
        if (!name || more.length > 0 || !MATCHERS.has(name)) throw badPattern(`Unrecognized match type ${name ?? '{}'} at ${at}`);
        const arg = (m as Record<string, unknown>)[name];
        if (name === 'exists' && typeof arg !== 'boolean') throw badPattern(`exists match pattern must be either true or false. at ${at}`);
        const ignoreCase = typeof arg === 'object' && arg !== null && typeof (arg as Record<string, unknown>)['equals-ignore-case'] === 'string';
        if ((name === 'wildcard' || name === 'equals-ignore-case') && typeof arg !== 'string')
          throw badPattern(`${name} match pattern must be a string at ${at}`);
        if ((name === 'prefix' || name === 'suffix') && typeof arg !== 'string' && !ignoreCase)
          throw badPattern(`${name} match pattern must be a string at ${at}`);
        if (name === 'numeric') {
          if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0)
            throw badPattern(`Value of numeric must be an array of operator and number pairs at ${at}`);
          for (let i = 0; i < arg.length; i += 2) {
            if (!NUMERIC_OPS.has(arg[i] as string) || typeof arg[i + 1] !== 'number')
              throw badPattern(`Unrecognized numeric range operator: ${String(arg[i])} at ${at}`);
          }
        }
      }
    } else if (typeof value === 'object' && value !== null) {
      checkPattern(value, badPattern, at);
    } else {
      throw badPattern(`Match value must be String, number, true, false, or null at ${at}`);
    }
  }
}

function wildcardMatch(glob: string, text: string): boolean {
  const re = new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
  return re.test(text);
}

/** One matcher against one (present) value. */
function matchOne(matcher: unknown, value: unknown): boolean {
  if (typeof matcher !== 'object' || matcher === null) return matcher === value;
  const [name] = Object.keys(matcher);
  const arg = (matcher as Record<string, unknown>)[name!];
  switch (name) {
    case 'prefix':
      if (typeof arg === 'object' && arg !== null && 'equals-ignore-case' in arg)
        return typeof value === 'string' && value.toLowerCase().startsWith(String((arg as Record<string, unknown>)['equals-ignore-case']).toLowerCase());
      return typeof value === 'string' && value.startsWith(String(arg));
    case 'suffix':
      return typeof value === 'string' && value.endsWith(String(arg));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(arg).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardMatch(String(arg), value);
    case 'exists':
      return arg === true;
    case 'anything-but': {
      if (Array.isArray(arg)) return !arg.some((a) => a === value);
      if (typeof arg === 'object' && arg !== null) return !matchOne(arg, value);
      return arg !== value;
    }
    case 'numeric': {
      if (typeof value !== 'number') return false;
      const pairs = arg as unknown[];
      for (let i = 0; i < pairs.length; i += 2) {
        const n = pairs[i + 1] as number;
        const ok = { '<': value < n, '<=': value <= n, '=': value === n, '>': value > n, '>=': value >= n }[pairs[i] as string];
        if (!ok) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** True when the event matches the pattern (every field; an array value matches when any element does). */
export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  const node = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  for (const [key, expected] of Object.entries(pattern)) {
    const present = Object.hasOwn(node, key);
    const value = node[key];
    if (Array.isArray(expected)) {
      if (!present || value === undefined) {
        if (!expected.some((m) => typeof m === 'object' && m !== null && (m as Record<string, unknown>).exists === false)) return false;
        continue;
      }
      const values = Array.isArray(value) ? value : [value];
      if (!expected.some((m) => values.some((v) => matchOne(m, v)))) return false;
    } else {
      if (!present || !matchesPattern(expected, value)) return false;
    }
  }
  return true;
}
