/**
 * JSONPath processing of the Amazon States Language: selecting values (`InputPath`, `OutputPath`,
 * `ItemsPath`, `.$` keys), payload templates (`Parameters`, `ResultSelector`, `ItemSelector`,
 * `Assign`) and `ResultPath`.
 *
 * Error causes: this module throws a `StatesError` whose `cause` is the part of AWS's cause
 * after the state prefix. The engine composes the full cause with {@link stateCause}:
 * `An error occurred while executing the state 'X' (entered at the event id #N). <inner>`.
 * - a path that selects nothing (any field but ItemsPath): `States.Runtime`,
 *   `The JSONPath '$.x' specified for the field 'InputPath' could not be found in the input '{"a":1}'`
 *   (the field is `InputPath`, `OutputPath`, `ErrorPath`, `SecondsPath`, ..., or a template key `name.$`);
 * - `ItemsPath` and `ResultPath` that cannot be followed: `States.ReferencePathConflict`,
 *   `Unable to apply step "items" to input {"a":1}`.
 */
import { StatesError, type ContextObject } from './types.js';
// eslint-disable-next-line import-x/no-cycle -- mutual recursion with intrinsics.ts (see there); used only inside functions.
import { evaluateIntrinsic, isIntrinsic } from './intrinsics.js';
import { NOTHING, evaluateDefinite, evaluateSegments } from './lang/pathEval.js';
import { PathSyntaxError, isReferencePath, normalizedPath, parsePath, type ParsedPath } from './lang/pathParser.js';

/** What a path can see besides the state's data: `$$` and variables (`$name`). */
export interface PathScope {
  context: ContextObject;
  variables: Record<string, unknown>;
}

/** The full AWS cause of a runtime failure inside a state. */
export function stateCause(stateName: string, enteredEventId: number, inner: string): string {
  return `An error occurred while executing the state '${stateName}' (entered at the event id #${enteredEventId}). ${inner}`;
}

/** JSON text as AWS prints values inside causes (compact). */
export function jsonText(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

function parseOrThrow(path: string): ParsedPath {
  try {
    return parsePath(path);
  } catch (e) {
    const why = e instanceof PathSyntaxError ? e.message : String(e);
    throw new StatesError('States.Runtime', `Invalid path '${path}' : ${why}`);
  }
}

/** Root value a parsed path starts from. */
function rootOf(parsed: ParsedPath, data: unknown, scope: PathScope): unknown {
  if (parsed.root === 'input') return data;
  if (parsed.root === 'context') return scope.context;
  const name = parsed.variable!;
  if (!Object.prototype.hasOwnProperty.call(scope.variables, name)) return NOTHING;
  return scope.variables[name];
}

function notFound(path: string, parsed: ParsedPath, data: unknown, field: string, scope: PathScope): StatesError {
  // ItemsPath is a Reference Path: AWS reports the step it could not follow
  // (`States.ReferencePathConflict: Unable to apply step "chunks" to input {...}`).
  if (field === 'ItemsPath' && parsed.root === 'input') {
    return new StatesError('States.ReferencePathConflict', `Unable to apply step "${failingStep(parsed, data)}" to input ${jsonText(data)}`);
  }
  // Every other field names itself and the value the path was applied to.
  const input = parsed.root === 'context' ? scope.context : data;
  return new StatesError('States.Runtime', `The JSONPath '${path}' specified for the field '${field}' could not be found in the input '${jsonText(input)}'`);
}

/** The first segment of a definite path that selects nothing, as AWS names it in "Unable to apply step". */
function failingStep(parsed: ParsedPath, root: unknown): string {
  let node = root;
  for (const s of parsed.segments) {
    const name = s.kind === 'prop' ? s.names[0]! : s.kind === 'index' ? String(s.indexes[0]) : normalizedPath({ ...parsed, segments: [s] }).slice(1);
    const next = evaluateDefinite([s], node);
    if (next === NOTHING || (s.kind === 'index' && !Array.isArray(node))) return name;
    node = next;
  }
  return '';
}

/**
 * Selects the value `path` names. A definite path (no `*`, slice, filter, `..`) yields the value
 * itself; an indefinite path yields an array of matches (possibly empty). A definite path that
 * selects nothing throws `States.Runtime` (see the module comment for the cause text).
 * @param field the field being evaluated (`InputPath`, `ItemsPath`, or a template key such as `id.$`).
 */
export function selectPath(path: string, data: unknown, scope: PathScope, field: string): unknown {
  const parsed = parseOrThrow(path);
  const root = rootOf(parsed, data, scope);
  if (root === NOTHING) throw notFound(path, parsed, data, field, scope);
  if (parsed.segments.length === 0) return root;
  if (parsed.definite) {
    const value = evaluateDefinite(parsed.segments, root);
    if (value === NOTHING) throw notFound(path, parsed, data, field, scope);
    return value;
  }
  return evaluateSegments(parsed.segments, root, root);
}

/**
 * Like {@link selectPath} but answers `undefined` instead of throwing when nothing is selected
 * (Choice rules' `IsPresent`, `Variable` checks).
 */
export function trySelectPath(path: string, data: unknown, scope: PathScope): unknown {
  const parsed = parsePath(path);
  const root = rootOf(parsed, data, scope);
  if (root === NOTHING) return undefined;
  if (parsed.segments.length === 0) return root;
  if (parsed.definite) {
    const value = evaluateDefinite(parsed.segments, root);
    return value === NOTHING ? undefined : value;
  }
  return evaluateSegments(parsed.segments, root, root);
}

/**
 * `InputPath` / `OutputPath`: `undefined` (field absent) keeps the data, `null` gives `{}`,
 * otherwise the selected value.
 */
export function filterPath(path: string | null | undefined, data: unknown, scope: PathScope, field: string): unknown {
  if (path === undefined) return data;
  if (path === null) return {};
  if (path === '$') return data;
  return selectPath(path, data, scope, field);
}

/**
 * Applies a JSONPath payload template: keys ending in `.$` take a path (`$.x`, `$$.x`, `$var`) or
 * an intrinsic function call and lose the suffix; nested objects and arrays are processed
 * recursively; other values are copied.
 * @param field the template's field (`Parameters`, `ResultSelector`, `ItemSelector`, `Assign`).
 */
export function applyPayloadTemplate(template: unknown, data: unknown, scope: PathScope, field: string): unknown {
  if (Array.isArray(template)) return template.map((item) => applyPayloadTemplate(item, data, scope, field));
  if (typeof template !== 'object' || template === null) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      const name = key.slice(0, -2);
      if (typeof value !== 'string') {
        throw new StatesError('States.Runtime', `The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`);
      }
      out[name] = isIntrinsic(value) ? evaluateIntrinsic(value, data, scope, key) : selectPath(value, data, scope, key);
    } else {
      out[key] = applyPayloadTemplate(value, data, scope, field);
    }
  }
  return out;
}

/**
 * `ResultPath`: `undefined` (absent) or `$` → the result replaces the input; `null` → the input
 * is kept; a reference path (`$.a.b`, `$.list[0]`) → a copy of the input with the result placed
 * there, creating missing objects on the way.
 */
export function applyResultPath(input: unknown, result: unknown, resultPath: string | null | undefined): unknown {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return input;
  let parsed: ParsedPath;
  try {
    parsed = parsePath(resultPath);
  } catch (e) {
    throw new StatesError('States.Runtime', `Invalid path '${resultPath}' : ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isReferencePath(parsed)) {
    throw new StatesError('States.Runtime', `Invalid path '${resultPath}': ResultPath must be a Reference Path`);
  }
  if (parsed.segments.length === 0) return result;
  // AWS: `States.ReferencePathConflict: Unable to apply step "aggregatedResult" to input [...]`.
  let step = '';
  const unable = () => new StatesError('States.ReferencePathConflict', `Unable to apply step "${step}" to input ${jsonText(input)}`);
  const first = parsed.segments[0]!;
  step = first.kind === 'prop' ? first.names[0]! : String((first as { indexes: number[] }).indexes[0]);
  if (typeof input !== 'object' || input === null) throw unable();
  const copy: unknown = Array.isArray(input) ? [...input] : { ...input };
  let node = copy as Record<string, unknown> | unknown[];
  const segs = parsed.segments;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    step = s.kind === 'prop' ? s.names[0]! : s.kind === 'index' ? String(s.indexes[0]) : '';
    if (s.kind === 'prop') {
      if (Array.isArray(node)) throw unable();
      const name = s.names[0]!;
      if (last) {
        node[name] = result;
      } else {
        const child = node[name];
        const cloned = child === undefined || child === null ? {} : typeof child === 'object' ? (Array.isArray(child) ? [...child] : { ...child }) : undefined;
        if (cloned === undefined) {
          // The next step is the one that cannot be applied (to a number, string, ...).
          const n = segs[i + 1]!;
          step = n.kind === 'prop' ? n.names[0]! : n.kind === 'index' ? String(n.indexes[0]) : '';
          throw unable();
        }
        node[name] = cloned;
        node = cloned as Record<string, unknown> | unknown[];
      }
    } else if (s.kind === 'index') {
      if (!Array.isArray(node)) throw unable();
      const raw = s.indexes[0]!;
      const idx = raw < 0 ? node.length + raw : raw;
      if (idx < 0 || idx >= node.length) throw unable();
      if (last) node[idx] = result;
      else {
        const child = node[idx];
        if (typeof child !== 'object' || child === null) {
          const n = segs[i + 1]!;
          step = n.kind === 'prop' ? n.names[0]! : n.kind === 'index' ? String(n.indexes[0]) : '';
          throw unable();
        }
        const cloned = Array.isArray(child) ? [...child] : { ...child };
        node[idx] = cloned;
        node = cloned as Record<string, unknown> | unknown[];
      }
    }
  }
  return copy;
}

/** True when `path` parses as a JSONPath of the ASL dialect (validation). */
export function isValidPath(path: string): boolean {
  try {
    parsePath(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `path` is a Reference Path (what `ResultPath` accepts). */
export function isValidReferencePath(path: string): boolean {
  try {
    return isReferencePath(parsePath(path));
  } catch {
    return false;
  }
}
