/**
 * The Choice state's decision: the first rule of `Choices` that matches names the next state,
 * else `Default`, else `States.NoChoiceMatched`.
 *
 * JSONPath rules compare the value at `Variable` with one operator (`StringEquals`, `NumericLessThanPath`,
 * `IsPresent`, ...) or combine rules with `And` / `Or` / `Not`. JSONata rules have a `Condition`
 * (`{% … %}` or a boolean). A matching top-level rule's own `Assign` / `Output` are returned
 * unevaluated for the caller to apply.
 *
 * Causes are the inner part (see `stateCause` in jsonpath.ts).
 */
import { StatesError } from './types.js';
import { trySelectPath, type PathScope } from './jsonpath.js';
import { evaluateJsonataExpression, jsonataExpression } from './jsonata.js';

/** The result of a Choice state's evaluation. */
export interface ChoiceOutcome {
  next: string;
  /** `Assign` of the matching rule (unevaluated), if it has one. */
  assign?: unknown;
  /** `Output` of the matching rule (JSONata, unevaluated), if it has one. */
  output?: unknown;
}

/**
 * Cause of `States.NoChoiceMatched`.
 * Gateway choice: AWS's exact wording for this cause could not be confirmed from public sources;
 * this text follows the wording AWS uses for failed transitions.
 */
const NO_CHOICE_MATCHED_CAUSE = 'Failed to transition out of the state. The state does not point to a next state.';

/** Evaluates the Choice state `state` for `input`. */
export async function chooseNext(
  state: Record<string, unknown>,
  input: unknown,
  scope: PathScope,
  queryLanguage: 'JSONPath' | 'JSONata',
): Promise<ChoiceOutcome> {
  const choices = Array.isArray(state.Choices) ? (state.Choices as Record<string, unknown>[]) : [];
  for (let i = 0; i < choices.length; i++) {
    const rule = choices[i]!;
    const matched = queryLanguage === 'JSONata' ? await jsonataCondition(rule, input, scope) : matchRule(rule, input, scope);
    if (matched) {
      const outcome: ChoiceOutcome = { next: String(rule.Next) };
      if (rule.Assign !== undefined) outcome.assign = rule.Assign;
      if (rule.Output !== undefined) outcome.output = rule.Output;
      return outcome;
    }
  }
  if (typeof state.Default === 'string') return { next: state.Default };
  throw new StatesError('States.NoChoiceMatched', NO_CHOICE_MATCHED_CAUSE);
}

async function jsonataCondition(rule: Record<string, unknown>, input: unknown, scope: PathScope): Promise<boolean> {
  const condition = rule.Condition;
  if (typeof condition === 'boolean') return condition;
  if (typeof condition !== 'string') return false;
  const expr = jsonataExpression(condition);
  if (expr === undefined) {
    // A literal string is not a boolean.
    throw new StatesError(
      'States.QueryEvaluationError',
      `The JSONata expression '${condition}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', ` +
        `but was 'string' for value: ${JSON.stringify(condition)}`,
    );
  }
  const value = await evaluateJsonataExpression(expr, { input, context: scope.context, variables: scope.variables }, 'Condition');
  if (typeof value !== 'boolean') {
    throw new StatesError(
      'States.QueryEvaluationError',
      `The JSONata expression '${expr}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', ` +
        `but was '${jsonTypeName(value)}' for value: ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function invalidPath(path: string): StatesError {
  return new StatesError('States.Runtime', `Invalid path '${path}': The choice state's condition path references an invalid value.`);
}

/** Every comparison operator of a JSONPath Choice rule. */
export const CHOICE_OPERATORS = [
  'StringEquals',
  'StringEqualsPath',
  'StringLessThan',
  'StringLessThanPath',
  'StringGreaterThan',
  'StringGreaterThanPath',
  'StringLessThanEquals',
  'StringLessThanEqualsPath',
  'StringGreaterThanEquals',
  'StringGreaterThanEqualsPath',
  'StringMatches',
  'NumericEquals',
  'NumericEqualsPath',
  'NumericLessThan',
  'NumericLessThanPath',
  'NumericGreaterThan',
  'NumericGreaterThanPath',
  'NumericLessThanEquals',
  'NumericLessThanEqualsPath',
  'NumericGreaterThanEquals',
  'NumericGreaterThanEqualsPath',
  'BooleanEquals',
  'BooleanEqualsPath',
  'TimestampEquals',
  'TimestampEqualsPath',
  'TimestampLessThan',
  'TimestampLessThanPath',
  'TimestampGreaterThan',
  'TimestampGreaterThanPath',
  'TimestampLessThanEquals',
  'TimestampLessThanEqualsPath',
  'TimestampGreaterThanEquals',
  'TimestampGreaterThanEqualsPath',
  'IsNull',
  'IsPresent',
  'IsNumeric',
  'IsString',
  'IsBoolean',
  'IsTimestamp',
] as const;

const OPERATOR_SET: ReadonlySet<string> = new Set(CHOICE_OPERATORS);

/** The comparison operator key of a rule, if any. */
function ruleOperator(rule: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(rule)) if (OPERATOR_SET.has(key)) return key;
  return undefined;
}

/** True when the JSONPath rule (Boolean or Data-test expression) matches. */
function matchRule(rule: Record<string, unknown>, input: unknown, scope: PathScope): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Record<string, unknown>[]).every((r) => matchRule(r, input, scope));
  if (Array.isArray(rule.Or)) return (rule.Or as Record<string, unknown>[]).some((r) => matchRule(r, input, scope));
  if (rule.Not !== undefined && typeof rule.Not === 'object' && rule.Not !== null) return !matchRule(rule.Not as Record<string, unknown>, input, scope);
  const variable = rule.Variable;
  if (typeof variable !== 'string') return false;
  const op = ruleOperator(rule);
  if (op === undefined) return false;
  const operand = rule[op];
  const value = trySelectPath(variable, input, scope);
  if (op === 'IsPresent') return (value !== undefined) === operand;
  if (value === undefined) throw invalidPath(variable);
  let expected = operand;
  let base = op;
  if (op.endsWith('Path')) {
    base = op.slice(0, -4);
    const other = trySelectPath(String(operand), input, scope);
    if (other === undefined) throw invalidPath(String(operand));
    expected = other;
  }
  return compare(base, value, expected);
}

function compare(op: string, value: unknown, expected: unknown): boolean {
  switch (op) {
    case 'IsNull':
      return (value === null) === expected;
    case 'IsNumeric':
      return (typeof value === 'number') === expected;
    case 'IsString':
      return (typeof value === 'string') === expected;
    case 'IsBoolean':
      return (typeof value === 'boolean') === expected;
    case 'IsTimestamp':
      return (typeof value === 'string' && parseTimestamp(value) !== undefined) === expected;
    case 'BooleanEquals':
      return typeof value === 'boolean' && value === expected;
    case 'StringMatches':
      return typeof value === 'string' && typeof expected === 'string' && stringMatches(value, expected);
  }
  if (op.startsWith('String')) {
    if (typeof value !== 'string' || typeof expected !== 'string') return false;
    return order(op.slice(6), value < expected ? -1 : value > expected ? 1 : 0);
  }
  if (op.startsWith('Numeric')) {
    if (typeof value !== 'number' || typeof expected !== 'number') return false;
    return order(op.slice(7), value < expected ? -1 : value > expected ? 1 : 0);
  }
  if (op.startsWith('Timestamp')) {
    if (typeof value !== 'string' || typeof expected !== 'string') return false;
    const a = parseTimestamp(value);
    const b = parseTimestamp(expected);
    if (a === undefined || b === undefined) return false;
    return order(op.slice(9), a < b ? -1 : a > b ? 1 : 0);
  }
  return false;
}

function order(kind: string, cmp: number): boolean {
  switch (kind) {
    case 'Equals':
      return cmp === 0;
    case 'LessThan':
      return cmp < 0;
    case 'GreaterThan':
      return cmp > 0;
    case 'LessThanEquals':
      return cmp <= 0;
    case 'GreaterThanEquals':
      return cmp >= 0;
    default:
      return false;
  }
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 timestamp as AWS accepts it (uppercase `T`, `Z` or a numeric offset) → nanoseconds
 * since the epoch as a bigint, so fractions beyond milliseconds still compare; undefined when invalid.
 */
export function parseTimestamp(text: string): bigint | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s === '60' ? '59' : s}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2026-02-30 over to March; AWS rejects it.
  const check = new Date(Date.UTC(Number(y), month - 1, day));
  if (check.getUTCDate() !== day) return undefined;
  const nanos = BigInt((frac ?? '').padEnd(9, '0').slice(0, 9) || '0');
  return BigInt(ms) * 1_000_000n + nanos;
}

const matcherCache = new Map<string, RegExp>();

/**
 * `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a literal
 * backslash (written `\\*` and `\\\\` inside JSON).
 */
export function stringMatches(value: string, pattern: string): boolean {
  let re = matcherCache.get(pattern);
  if (!re) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '\\' && i + 1 < pattern.length) {
        src += escapeRegex(pattern[i + 1]!);
        i++;
      } else if (c === '*') src += '[\\s\\S]*';
      else src += escapeRegex(c);
    }
    re = new RegExp(`^${src}$`);
    if (matcherCache.size > 10_000) matcherCache.clear();
    matcherCache.set(pattern, re);
  }
  return re.test(value);
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
