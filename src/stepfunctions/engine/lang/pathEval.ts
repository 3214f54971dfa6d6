/**
 * Evaluates a parsed JSONPath against JSON data, with the semantics of the Jayway JsonPath library
 * Step Functions uses (Jackson provider): a missing property yields no result; an out-of-range
 * index at the end of a definite path yields `null`; filters apply to array elements.
 */
import type { FilterExpr, FilterOperand, Segment } from './pathParser.js';

/** Marker for "the path selected nothing". */
export const NOTHING: unique symbol = Symbol('nothing');

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies `segments` to `root`; returns every selected value in document order. */
export function evaluateSegments(segments: readonly Segment[], root: unknown, docRoot: unknown): unknown[] {
  let nodes: unknown[] = [root];
  for (let i = 0; i < segments.length; i++) {
    const leaf = i === segments.length - 1;
    const next: unknown[] = [];
    for (const node of nodes) applySegment(segments[i]!, node, next, leaf, docRoot);
    nodes = next;
    if (nodes.length === 0) break;
  }
  return nodes;
}

/** Fast path for a definite path: the selected value or {@link NOTHING}. */
export function evaluateDefinite(segments: readonly Segment[], root: unknown): unknown {
  let node: unknown = root;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind === 'prop') {
      if (!isObject(node)) return NOTHING;
      if (s.names.length === 1) {
        const name = s.names[0]!;
        if (!Object.prototype.hasOwnProperty.call(node, name)) return NOTHING;
        node = node[name];
      } else {
        const picked: Record<string, unknown> = {};
        for (const name of s.names) if (Object.prototype.hasOwnProperty.call(node, name)) picked[name] = node[name];
        node = picked;
      }
    } else if (s.kind === 'index') {
      if (!Array.isArray(node)) return NOTHING;
      const idx = s.indexes[0]! < 0 ? node.length + s.indexes[0]! : s.indexes[0]!;
      if (idx < 0 || idx >= node.length) {
        // Jackson's ArrayNode.get answers null past the end; Jayway then reports the leaf as null.
        if (i === segments.length - 1) return null;
        return NOTHING;
      }
      node = node[idx];
    } else {
      return NOTHING;
    }
  }
  return node;
}

function applySegment(s: Segment, node: unknown, out: unknown[], leaf: boolean, docRoot: unknown): void {
  switch (s.kind) {
    case 'prop':
      if (!isObject(node)) return;
      if (s.names.length === 1) {
        const name = s.names[0]!;
        if (Object.prototype.hasOwnProperty.call(node, name)) out.push(node[name]);
      } else {
        const picked: Record<string, unknown> = {};
        for (const name of s.names) if (Object.prototype.hasOwnProperty.call(node, name)) picked[name] = node[name];
        out.push(picked);
      }
      return;
    case 'index':
      if (!Array.isArray(node)) return;
      for (const raw of s.indexes) {
        const idx = raw < 0 ? node.length + raw : raw;
        if (idx >= 0 && idx < node.length) out.push(node[idx]);
        else if (leaf && s.indexes.length === 1) out.push(null);
      }
      return;
    case 'slice': {
      if (!Array.isArray(node)) return;
      const len = node.length;
      let start = s.start ?? 0;
      let end = s.end ?? len;
      if (start < 0) start = Math.max(0, len + start);
      if (end < 0) end = Math.max(0, len + end);
      for (let i = start; i < Math.min(end, len); i++) out.push(node[i]);
      return;
    }
    case 'wildcard':
      if (Array.isArray(node)) out.push(...node);
      else if (isObject(node)) out.push(...Object.values(node));
      return;
    case 'filter':
      if (Array.isArray(node)) {
        for (const item of node) if (matchFilter(s.expr, item, docRoot)) out.push(item);
      } else if (isObject(node) && matchFilter(s.expr, node, docRoot)) out.push(node);
      return;
    case 'deep':
      deepScan(s.inner, node, out, docRoot);
      return;
  }
}

function deepScan(inner: Segment, node: unknown, out: unknown[], docRoot: unknown): void {
  applySegment(inner, node, out, false, docRoot);
  if (Array.isArray(node)) for (const item of node) deepScan(inner, item, out, docRoot);
  else if (isObject(node)) for (const v of Object.values(node)) deepScan(inner, v, out, docRoot);
}

function operandValues(o: FilterOperand, current: unknown, docRoot: unknown): unknown[] {
  if (o.kind === 'literal') return [o.value];
  if (o.kind === 'regex') return [o.regex];
  return evaluateSegments(o.segments, o.root === '@' ? current : docRoot, docRoot);
}

function matchFilter(e: FilterExpr, current: unknown, docRoot: unknown): boolean {
  switch (e.kind) {
    case 'or':
      return matchFilter(e.left, current, docRoot) || matchFilter(e.right, current, docRoot);
    case 'and':
      return matchFilter(e.left, current, docRoot) && matchFilter(e.right, current, docRoot);
    case 'not':
      return !matchFilter(e.operand, current, docRoot);
    case 'exists': {
      const values = operandValues(e.operand, current, docRoot);
      if (e.operand.kind === 'literal') return Boolean(e.operand.value);
      return values.length > 0;
    }
    case 'compare': {
      const l = operandValues(e.left, current, docRoot);
      const r = operandValues(e.right, current, docRoot);
      if (l.length === 0 || r.length === 0) return false;
      return compare(e.op, l[0], r[0]);
    }
  }
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return deepEqual(a, b);
    case '!=':
      return !deepEqual(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
      if (op === '<') return a < b;
      if (op === '<=') return a <= b;
      if (op === '>') return a > b;
      return a >= b;
    }
    case '=~':
      return typeof a === 'string' && b instanceof RegExp && new RegExp(`^(?:${b.source})$`, b.flags).test(a);
    case 'in':
      return Array.isArray(b) && b.some((x) => deepEqual(a, x));
    case 'nin':
      return Array.isArray(b) && !b.some((x) => deepEqual(a, x));
    default:
      return false;
  }
}

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual((a as Record<string, unknown>)[k], bo[k]));
}
