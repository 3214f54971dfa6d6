/**
 * Static validation of an Amazon States Language definition, with the diagnostics of AWS's
 * `ValidateStateMachineDefinition` (`code`, `message`, `location` such as `/States/Par/Branches[0]/States/X/Next`)
 * and the `InvalidDefinition` message of `CreateStateMachine`
 * (`Invalid State Machine Definition: 'CODE: message at /location, CODE: …'`).
 *
 * Codes: `INVALID_JSON_DESCRIPTION`, `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`
 * (dangling `Next`/`Default`/`StartAt` and unreachable states), `MISSING_END_STATE`,
 * `DUPLICATE_STATE_NAME`, `INVALID_JSONATA_EXPRESSION`.
 */
import type { StateMachineDefinition } from './types.js';
import { isValidPath, isValidReferencePath } from './jsonpath.js';
import { checkIntrinsic, isIntrinsic } from './intrinsics.js';
import { checkJsonata, jsonataExpression } from './jsonata.js';
import { CHOICE_OPERATORS, parseTimestamp } from './choice.js';
import {
  ALLOWED_FIELDS,
  JSONATA_FIELDS,
  JSONATA_ONLY_FIELDS,
  JSONPATH_ONLY_FIELDS,
  STATE_TYPES,
  SUB_WORKFLOW_FIELDS,
  TOP_LEVEL_FIELDS,
} from './lang/stateFields.js';

/** One finding, in the shape of the ValidateStateMachineDefinition API's `diagnostics`. */
export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  /** JSON-pointer-like location (`/States/A/Next`); empty when the finding has none. */
  location: string;
}

type Json = Record<string, unknown>;
type Language = 'JSONPath' | 'JSONata';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Collector {
  readonly diagnostics: Diagnostic[] = [];
  /** Every state name of the whole machine (names are unique across branches and processors). */
  readonly names = new Set<string>();

  error(code: string, message: string, location: string): void {
    this.diagnostics.push({ severity: 'ERROR', code, message, location });
  }
  schema(message: string, location: string): void {
    this.error('SCHEMA_VALIDATION_FAILED', message, location);
  }
}

/**
 * Validates a definition (JSON text or an already parsed value). `definition` is set when there
 * is no ERROR diagnostic.
 */
export function validateDefinition(definition: string | unknown): { definition?: StateMachineDefinition; diagnostics: Diagnostic[] } {
  let doc: unknown = definition;
  if (typeof definition === 'string') {
    try {
      doc = JSON.parse(definition);
    } catch (e) {
      return { diagnostics: [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: (e as Error).message, location: '' }] };
    }
  }
  const c = new Collector();
  if (!isObject(doc)) {
    c.schema('The state machine definition must be a JSON object', '');
    return { diagnostics: c.diagnostics };
  }
  let language: Language = 'JSONPath';
  if (doc.QueryLanguage !== undefined) {
    if (doc.QueryLanguage === 'JSONata') language = 'JSONata';
    else if (doc.QueryLanguage !== 'JSONPath') c.schema('Value should be one of the following: [JSONPath, JSONata]', '/QueryLanguage');
  }
  for (const key of Object.keys(doc)) if (!TOP_LEVEL_FIELDS.has(key)) c.schema(`Field '${key}' is not supported`, `/${key}`);
  if (doc.TimeoutSeconds !== undefined && !isPositiveInt(doc.TimeoutSeconds)) c.schema('Expected value of type [INTEGER] greater than 0', '/TimeoutSeconds');
  validateWorkflow(doc, '', language, c, true);
  const errors = c.diagnostics.some((d) => d.severity === 'ERROR');
  return errors ? { diagnostics: c.diagnostics } : { definition: doc as StateMachineDefinition, diagnostics: c.diagnostics };
}

/** The `InvalidDefinition` message CreateStateMachine/UpdateStateMachine answer with. */
export function invalidDefinitionMessage(diagnostics: readonly Diagnostic[]): string {
  const parts = diagnostics
    .filter((d) => d.severity === 'ERROR')
    .map((d) => (d.code === 'INVALID_JSON_DESCRIPTION' ? `${d.code}: ${d.message}` : `${d.code}: ${d.message} at ${d.location || 'null'}`));
  return `Invalid State Machine Definition: '${parts.join(', ')}'`;
}

function isPositiveInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** A machine, Parallel branch or Map processor: `StartAt` + `States`. */
function validateWorkflow(wf: Json, base: string, language: Language, c: Collector, topLevel: boolean): void {
  const required = ['StartAt', 'States'].filter((f) => wf[f] === undefined);
  if (required.length) c.schema(`These fields are required: [${required.join(', ')}]`, base || '/');
  if (!topLevel) for (const key of Object.keys(wf)) if (!SUB_WORKFLOW_FIELDS.has(key)) c.schema(`Field '${key}' is not supported`, `${base}/${key}`);
  if (wf.StartAt !== undefined && typeof wf.StartAt !== 'string') c.schema('Expected value of type [STRING]', `${base}/StartAt`);
  const states = wf.States;
  if (states === undefined) return;
  if (!isObject(states)) {
    c.schema('Expected value of type [OBJECT]', `${base}/States`);
    return;
  }
  const names = Object.keys(states);
  // One set for the whole workflow: a set per state made validation quadratic (20,000 states: minutes).
  const siblings: ReadonlySet<string> = new Set(names);
  for (const name of names) {
    const loc = `${base}/States/${name}`;
    if (c.names.has(name)) c.error('DUPLICATE_STATE_NAME', `Duplicate State name: ${name}`, loc);
    c.names.add(name);
    if (name.length > 80) c.schema('State name is longer than 80 characters', loc);
    validateState(states[name], loc, language, siblings, c);
  }
  const terminal = names.some((n) => {
    const s = states[n];
    return isObject(s) && (s.Type === 'Succeed' || s.Type === 'Fail' || s.End === true);
  });
  if (topLevel && !terminal) {
    c.error('MISSING_END_STATE', 'Workflow has no terminal state', '');
    return;
  }
  // Reachability from StartAt.
  const start = typeof wf.StartAt === 'string' ? wf.StartAt : undefined;
  const reachable = new Set<string>();
  if (start !== undefined && Object.prototype.hasOwnProperty.call(states, start)) {
    const pending = [start];
    reachable.add(start);
    while (pending.length) {
      for (const target of transitionTargets(states[pending.pop()!])) {
        if (Object.prototype.hasOwnProperty.call(states, target) && !reachable.has(target)) {
          reachable.add(target);
          pending.push(target);
        }
      }
    }
  } else if (start !== undefined) {
    c.error('MISSING_TRANSITION_TARGET', `Missing 'Next' target: ${start}`, `${base}/StartAt`);
  }
  for (const name of names) {
    if (!reachable.has(name)) c.error('MISSING_TRANSITION_TARGET', `State "${name}" is not reachable.`, `${base}/States/${name}`);
  }
}

function transitionTargets(state: unknown): string[] {
  if (!isObject(state)) return [];
  const out: string[] = [];
  if (typeof state.Next === 'string') out.push(state.Next);
  if (typeof state.Default === 'string') out.push(state.Default);
  for (const list of [state.Choices, state.Catch]) {
    if (Array.isArray(list)) for (const r of list) if (isObject(r) && typeof r.Next === 'string') out.push(r.Next);
  }
  return out;
}

function checkTarget(value: unknown, loc: string, siblings: ReadonlySet<string>, c: Collector): void {
  if (typeof value === 'string' && !siblings.has(value)) c.error('MISSING_TRANSITION_TARGET', `Missing 'Next' target: ${value}`, loc);
}

function validateState(state: unknown, loc: string, machineLanguage: Language, siblings: ReadonlySet<string>, c: Collector): void {
  if (!isObject(state)) {
    c.schema('Expected value of type [OBJECT]', loc);
    return;
  }
  const type = state.Type;
  if (type === undefined) {
    c.schema('These fields are required: [Type]', loc);
    return;
  }
  if (typeof type !== 'string' || !(STATE_TYPES as readonly string[]).includes(type)) {
    c.schema(`Value should be one of the following: [${STATE_TYPES.join(', ')}]`, `${loc}/Type`);
    return;
  }
  // Query language: the state's own, else the machine's; a JSONata machine cannot go back to JSONPath.
  let language = machineLanguage;
  if (state.QueryLanguage !== undefined) {
    if (state.QueryLanguage === 'JSONata') language = 'JSONata';
    else if (state.QueryLanguage === 'JSONPath') {
      if (machineLanguage === 'JSONata') c.schema("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", loc);
      language = 'JSONPath';
    } else c.schema('Value should be one of the following: [JSONPath, JSONata]', `${loc}/QueryLanguage`);
  }
  const allowed = ALLOWED_FIELDS[type]!;
  for (const key of Object.keys(state)) if (!allowed.has(key)) c.schema(`Field '${key}' is not supported`, `${loc}/${key}`);
  const otherFields = language === 'JSONata' ? JSONPATH_ONLY_FIELDS : JSONATA_ONLY_FIELDS;
  const other = language === 'JSONata' ? 'JSONPath' : 'JSONata';
  for (const field of otherFields) {
    if (state[field] !== undefined && allowed.has(field)) {
      c.schema(`The QueryLanguage is set to '${language}', but field '${field}' is only supported for the '${other}' QueryLanguage`, loc);
    }
  }

  // Transitions.
  const flows = type !== 'Choice' && type !== 'Succeed' && type !== 'Fail';
  if (flows) {
    if (state.Next === undefined && state.End !== true) c.schema('These fields are required: [Next or End]', loc);
    if (state.Next !== undefined && state.End !== undefined) c.schema("The fields 'Next' and 'End' are mutually exclusive", loc);
    if (state.Next !== undefined && typeof state.Next !== 'string') c.schema('Expected value of type [STRING]', `${loc}/Next`);
    if (state.End !== undefined && typeof state.End !== 'boolean') c.schema('Expected value of type [BOOLEAN]', `${loc}/End`);
  }
  checkTarget(state.Next, `${loc}/Next`, siblings, c);
  checkTarget(state.Default, `${loc}/Default`, siblings, c);

  if (language === 'JSONPath') validateJsonPathFields(state, loc, c);
  else validateJsonataFields(state, loc, c);
  if (state.Assign !== undefined) validateAssign(state.Assign, `${loc}/Assign`, language, c);

  if (Array.isArray(state.Retry)) validateRetry(state.Retry, `${loc}/Retry`, c);
  else if (state.Retry !== undefined) c.schema('Expected value of type [ARRAY]', `${loc}/Retry`);
  if (Array.isArray(state.Catch)) validateCatch(state.Catch, `${loc}/Catch`, language, siblings, c);
  else if (state.Catch !== undefined) c.schema('Expected value of type [ARRAY]', `${loc}/Catch`);

  switch (type) {
    case 'Task':
      if (state.Resource === undefined) c.schema('These fields are required: [Resource]', loc);
      else if (typeof state.Resource !== 'string' || !/^arn:[^:]+:[^:]*:/.test(state.Resource))
        c.schema('Value is not a valid resource ARN', `${loc}/Resource`);
      for (const f of ['TimeoutSeconds', 'HeartbeatSeconds']) {
        if (state[f] !== undefined && !isPositiveInt(state[f]) && !(language === 'JSONata' && isExpr(state[f])))
          c.schema('Expected value of type [INTEGER] greater than 0', `${loc}/${f}`);
      }
      break;
    case 'Choice':
      validateChoices(state, loc, language, siblings, c);
      break;
    case 'Wait': {
      const given = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter((f) => state[f] !== undefined);
      if (given.length !== 1) c.schema('Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]', loc);
      if (typeof state.Seconds === 'number' && (!Number.isInteger(state.Seconds) || state.Seconds < 0))
        c.schema('Expected value of type [INTEGER] greater than or equal to 0', `${loc}/Seconds`);
      // AWS documents Seconds as 0 to 99999999 (about 3.2 years); the wording of its error is a Gateway choice.
      else if (typeof state.Seconds === 'number' && state.Seconds > MAX_WAIT_SECONDS)
        c.schema(`Expected value of type [INTEGER] less than or equal to ${MAX_WAIT_SECONDS}`, `${loc}/Seconds`);
      if (typeof state.Timestamp === 'string' && !isExpr(state.Timestamp) && parseTimestamp(state.Timestamp) === undefined)
        c.schema("The value for the field 'Timestamp' must be a valid timestamp", `${loc}/Timestamp`);
      break;
    }
    case 'Fail':
      if (state.Error !== undefined && state.ErrorPath !== undefined) c.schema("A Fail state cannot include both field 'Error' and 'ErrorPath'", loc);
      if (state.Cause !== undefined && state.CausePath !== undefined) c.schema("A Fail state cannot include both field 'Cause' and 'CausePath'", loc);
      break;
    case 'Parallel':
      if (!Array.isArray(state.Branches)) c.schema('These fields are required: [Branches]', loc);
      else
        state.Branches.forEach((b, i) => {
          const bl = `${loc}/Branches[${i}]`;
          if (isObject(b)) validateWorkflow(b, bl, machineLanguage, c, false);
          else c.schema('Expected value of type [OBJECT]', bl);
        });
      break;
    case 'Map': {
      const field = state.ItemProcessor !== undefined ? 'ItemProcessor' : state.Iterator !== undefined ? 'Iterator' : undefined;
      if (!field) c.schema('These fields are required: [ItemProcessor]', loc);
      else if (isObject(state[field])) validateWorkflow(state[field] as Json, `${loc}/${field}`, machineLanguage, c, false);
      else c.schema('Expected value of type [OBJECT]', `${loc}/${field}`);
      if (
        state.MaxConcurrency !== undefined &&
        !(typeof state.MaxConcurrency === 'number' && Number.isInteger(state.MaxConcurrency) && state.MaxConcurrency >= 0) &&
        !(language === 'JSONata' && isExpr(state.MaxConcurrency))
      ) {
        c.schema("The field 'MaxConcurrency' must be a non-negative integer", `${loc}/MaxConcurrency`);
      }
      break;
    }
  }
}

function isExpr(v: unknown): boolean {
  return typeof v === 'string' && jsonataExpression(v) !== undefined;
}

const PATH_FIELDS = ['InputPath', 'OutputPath', 'ItemsPath'];
/** The largest `Seconds` of a Wait state (AWS's Wait state reference). */
const MAX_WAIT_SECONDS = 99_999_999;

const REFERENCE_PATH_FIELDS = [
  'ResultPath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'MaxConcurrencyPath',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCountPath',
];

function validateJsonPathFields(state: Json, loc: string, c: Collector): void {
  for (const f of PATH_FIELDS) {
    const v = state[f];
    if (v === undefined || (v === null && f !== 'ItemsPath')) continue;
    if (typeof v !== 'string' || !isValidPath(v)) c.schema(`The value for the field '${f}' must be a valid JSONPath`, `${loc}/${f}`);
  }
  for (const f of REFERENCE_PATH_FIELDS) {
    const v = state[f];
    if (v === undefined || (v === null && f === 'ResultPath')) continue;
    if (typeof v !== 'string' || !isValidReferencePath(v)) c.schema(`The value for the field '${f}' must be a valid ReferencePath`, `${loc}/${f}`);
  }
  for (const f of ['ErrorPath', 'CausePath']) {
    const v = state[f];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !(isIntrinsic(v) ? checkIntrinsic(v) === undefined : isValidReferencePath(v))) {
      c.schema(`The value for the field '${f}' must be a valid ReferencePath or a valid intrinsic function call`, `${loc}/${f}`);
    }
  }
  for (const f of ['Parameters', 'ResultSelector', 'ItemSelector']) if (state[f] !== undefined) validateTemplate(state[f], `${loc}/${f}`, c);
}

/** A JSONPath payload template: every `.$` key holds a valid path or intrinsic call. */
function validateTemplate(template: unknown, loc: string, c: Collector): void {
  if (Array.isArray(template)) {
    template.forEach((v, i) => validateTemplate(v, `${loc}[${i}]`, c));
    return;
  }
  if (!isObject(template)) return;
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      const ok = typeof value === 'string' && (isIntrinsic(value) ? checkIntrinsic(value) === undefined : isValidPath(value));
      if (!ok) c.schema(`The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`, loc);
    } else validateTemplate(value, `${loc}/${key}`, c);
  }
}

function validateJsonataFields(state: Json, loc: string, c: Collector): void {
  for (const f of JSONATA_FIELDS) if (state[f] !== undefined) validateJsonataValue(state[f], `${loc}/${f}`, c);
}

function validateJsonataValue(value: unknown, loc: string, c: Collector): void {
  if (typeof value === 'string') {
    const expr = jsonataExpression(value);
    if (expr === undefined) return;
    const err = checkJsonata(expr);
    if (err) c.error('INVALID_JSONATA_EXPRESSION', err, loc);
  } else if (Array.isArray(value)) value.forEach((v, i) => validateJsonataValue(v, `${loc}[${i}]`, c));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) validateJsonataValue(v, `${loc}/${k}`, c);
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function validateAssign(assign: unknown, loc: string, language: Language, c: Collector): void {
  if (!isObject(assign)) {
    if (!(language === 'JSONata' && isExpr(assign))) c.schema('Expected value of type [OBJECT]', loc);
    else validateJsonataValue(assign, loc, c);
    return;
  }
  for (const key of Object.keys(assign)) {
    const name = language === 'JSONPath' && key.endsWith('.$') ? key.slice(0, -2) : key;
    if (!VARIABLE_NAME.test(name) || name === 'states') c.schema(`The variable name '${name}' is not valid`, `${loc}/${key}`);
  }
  if (language === 'JSONPath') validateTemplate(assign, loc, c);
  else validateJsonataValue(assign, loc, c);
}

function validateRetry(retry: unknown[], loc: string, c: Collector): void {
  retry.forEach((r, i) => {
    const rl = `${loc}[${i}]`;
    if (!isObject(r)) return c.schema('Expected value of type [OBJECT]', rl);
    validateErrorEquals(r, rl, c, i === retry.length - 1);
    for (const key of Object.keys(r)) {
      if (!['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment'].includes(key))
        c.schema(`Field '${key}' is not supported`, `${rl}/${key}`);
    }
    if (r.IntervalSeconds !== undefined && !isPositiveInt(r.IntervalSeconds))
      c.schema('Expected value of type [INTEGER] greater than 0', `${rl}/IntervalSeconds`);
    if (r.MaxDelaySeconds !== undefined && !isPositiveInt(r.MaxDelaySeconds))
      c.schema('Expected value of type [INTEGER] greater than 0', `${rl}/MaxDelaySeconds`);
    if (r.MaxAttempts !== undefined && !(typeof r.MaxAttempts === 'number' && Number.isInteger(r.MaxAttempts) && r.MaxAttempts >= 0))
      c.schema('Expected value of type [INTEGER] greater than or equal to 0', `${rl}/MaxAttempts`);
    if (r.BackoffRate !== undefined && !(typeof r.BackoffRate === 'number' && r.BackoffRate >= 1))
      c.schema('Expected value of type [NUMBER] greater than or equal to 1.0', `${rl}/BackoffRate`);
    if (r.JitterStrategy !== undefined && r.JitterStrategy !== 'FULL' && r.JitterStrategy !== 'NONE')
      c.schema('Value should be one of the following: [FULL, NONE]', `${rl}/JitterStrategy`);
  });
}

function validateCatch(catchers: unknown[], loc: string, language: Language, siblings: ReadonlySet<string>, c: Collector): void {
  catchers.forEach((r, i) => {
    const rl = `${loc}[${i}]`;
    if (!isObject(r)) return c.schema('Expected value of type [OBJECT]', rl);
    validateErrorEquals(r, rl, c, i === catchers.length - 1);
    if (r.Next === undefined) c.schema('These fields are required: [Next]', rl);
    checkTarget(r.Next, `${rl}/Next`, siblings, c);
    const allowed =
      language === 'JSONPath' ? ['ErrorEquals', 'Next', 'ResultPath', 'Assign', 'Comment'] : ['ErrorEquals', 'Next', 'Output', 'Assign', 'Comment'];
    for (const key of Object.keys(r)) if (!allowed.includes(key)) c.schema(`Field '${key}' is not supported`, `${rl}/${key}`);
    if (
      language === 'JSONPath' &&
      r.ResultPath !== undefined &&
      r.ResultPath !== null &&
      !(typeof r.ResultPath === 'string' && isValidReferencePath(r.ResultPath))
    ) {
      c.schema("The value for the field 'ResultPath' must be a valid ReferencePath", `${rl}/ResultPath`);
    }
    if (language === 'JSONata' && r.Output !== undefined) validateJsonataValue(r.Output, `${rl}/Output`, c);
    if (r.Assign !== undefined) validateAssign(r.Assign, `${rl}/Assign`, language, c);
  });
}

function validateErrorEquals(r: Json, rl: string, c: Collector, last: boolean): void {
  const ee = r.ErrorEquals;
  if (ee === undefined) return c.schema('These fields are required: [ErrorEquals]', rl);
  if (!Array.isArray(ee) || ee.length === 0 || !ee.every((e) => typeof e === 'string'))
    return c.schema('Expected value of type [ARRAY] of [STRING] with at least 1 element', `${rl}/ErrorEquals`);
  if (ee.includes('States.ALL') && (ee.length > 1 || !last)) c.schema('States.ALL must appear alone in the last retrier or catcher', `${rl}/ErrorEquals`);
}

// ---- Choice ----

function validateChoices(state: Json, loc: string, language: Language, siblings: ReadonlySet<string>, c: Collector): void {
  const choices = state.Choices;
  if (choices === undefined) return c.schema('These fields are required: [Choices]', loc);
  if (!Array.isArray(choices) || choices.length === 0) return c.schema('Expected value of type [ARRAY] with at least 1 element', `${loc}/Choices`);
  choices.forEach((rule, i) => {
    const rl = `${loc}/Choices[${i}]`;
    if (!isObject(rule)) return c.schema('Expected value of type [OBJECT]', rl);
    if (rule.Next === undefined) c.schema('These fields are required: [Next]', rl);
    checkTarget(rule.Next, `${rl}/Next`, siblings, c);
    if (language === 'JSONata') {
      for (const key of Object.keys(rule))
        if (!['Condition', 'Next', 'Assign', 'Output', 'Comment'].includes(key)) c.schema(`Field '${key}' is not supported`, `${rl}/${key}`);
      if (rule.Condition === undefined) c.schema('These fields are required: [Condition]', rl);
      else if (typeof rule.Condition === 'string') {
        if (!isExpr(rule.Condition)) c.schema("The value for the field 'Condition' must be a JSONata expression or a boolean", `${rl}/Condition`);
        else validateJsonataValue(rule.Condition, `${rl}/Condition`, c);
      } else if (typeof rule.Condition !== 'boolean')
        c.schema("The value for the field 'Condition' must be a JSONata expression or a boolean", `${rl}/Condition`);
      if (rule.Output !== undefined) validateJsonataValue(rule.Output, `${rl}/Output`, c);
    } else {
      validateRule(rule, rl, c, true);
    }
    if (rule.Assign !== undefined) validateAssign(rule.Assign, `${rl}/Assign`, language, c);
  });
}

const OPERATORS: ReadonlySet<string> = new Set(CHOICE_OPERATORS);

function validateRule(rule: Json, rl: string, c: Collector, top: boolean): void {
  const extra = top ? ['Next', 'Assign', 'Comment'] : ['Comment'];
  if (rule.And !== undefined || rule.Or !== undefined) {
    const key = rule.And !== undefined ? 'And' : 'Or';
    const list = rule[key];
    if (!Array.isArray(list) || list.length === 0) return c.schema('Expected value of type [ARRAY] with at least 1 element', `${rl}/${key}`);
    list.forEach((r, i) => (isObject(r) ? validateRule(r, `${rl}/${key}[${i}]`, c, false) : c.schema('Expected value of type [OBJECT]', `${rl}/${key}[${i}]`)));
    for (const k of Object.keys(rule)) if (k !== key && !extra.includes(k)) c.schema(`Field '${k}' is not supported`, `${rl}/${k}`);
    return;
  }
  if (rule.Not !== undefined) {
    if (!isObject(rule.Not)) return c.schema('Expected value of type [OBJECT]', `${rl}/Not`);
    validateRule(rule.Not, `${rl}/Not`, c, false);
    for (const k of Object.keys(rule)) if (k !== 'Not' && !extra.includes(k)) c.schema(`Field '${k}' is not supported`, `${rl}/${k}`);
    return;
  }
  if (rule.Variable === undefined) return c.schema('These fields are required: [Variable]', rl);
  if (typeof rule.Variable !== 'string' || !isValidPath(rule.Variable))
    c.schema("The value for the field 'Variable' must be a valid JSONPath", `${rl}/Variable`);
  const ops = Object.keys(rule).filter((k) => OPERATORS.has(k));
  if (ops.length !== 1) c.schema('A choice rule must have exactly one comparison operator', rl);
  for (const k of Object.keys(rule)) if (k !== 'Variable' && !OPERATORS.has(k) && !extra.includes(k)) c.schema(`Field '${k}' is not supported`, `${rl}/${k}`);
  for (const op of ops) {
    const v = rule[op];
    const ol = `${rl}/${op}`;
    if (op.endsWith('Path')) {
      if (typeof v !== 'string' || !isValidPath(v)) c.schema(`The value for the field '${op}' must be a valid JSONPath`, ol);
    } else if (op.startsWith('Is') || op === 'BooleanEquals') {
      if (typeof v !== 'boolean') c.schema('Expected value of type [BOOLEAN]', ol);
    } else if (op.startsWith('Numeric')) {
      if (typeof v !== 'number') c.schema('Expected value of type [NUMBER]', ol);
    } else if (op.startsWith('Timestamp')) {
      if (typeof v !== 'string' || parseTimestamp(v) === undefined) c.schema(`The value for the field '${op}' must be a valid timestamp`, ol);
    } else if (typeof v !== 'string') c.schema('Expected value of type [STRING]', ol);
  }
}
