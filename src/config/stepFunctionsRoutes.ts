/**
 * `stepFunctions.routes` (HTTP routes that start executions, as an API Gateway Step Functions
 * integration does) and `stepFunctions.rules` (EventBridge rules of the in-process default bus),
 * checked with key-path errors like the rest of the config (docs/stepfunctions.md#http-routes,
 * docs/stepfunctions.md#rules-in-the-config).
 */
import { ConfigError } from '../errors.js';
import type { AuthenticationType, EventRuleConfig, EventRuleTargetConfig, StepFunctionsRouteConfig } from './types.js';
import { unknownKeyErrors } from './unknownKeys.js';

const ROUTE_KEYS = ['method', 'path', 'stateMachine', 'action', 'auth'] as const satisfies ReadonlyArray<keyof StepFunctionsRouteConfig>;
const RULE_KEYS = ['eventPattern', 'state', 'description', 'targets'] as const satisfies ReadonlyArray<keyof EventRuleConfig>;
const TARGET_KEYS = ['id', 'arn', 'stateMachine', 'input', 'inputPath', 'inputTransformer', 'deadLetterConfig'] as const satisfies ReadonlyArray<
  keyof EventRuleTargetConfig
>;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ACTIONS = ['StartExecution', 'StartSyncExecution'] as const;
/** The auth modes a route may ask for: each must be one of the API's configured modes (AWS_LAMBDA is not offered). */
const ROUTE_AUTH = ['NONE', 'API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

/** Reads `stepFunctions.routes`; `modes` are the API's configured auth modes. */
export function normalizeStepFunctionsRoutes(
  raw: unknown,
  modes: readonly AuthenticationType[],
  problems: ConfigError[],
): StepFunctionsRouteConfig[] | undefined {
  if (raw === undefined) return undefined;
  const path = 'stepFunctions.routes';
  if (!Array.isArray(raw)) {
    problems.push(new ConfigError(path, `expected a list of { method, path, stateMachine, action, auth }, got ${describe(raw)}`));
    return undefined;
  }
  const out: StepFunctionsRouteConfig[] = [];
  const seen = new Set<string>();
  for (const [i, route] of raw.entries()) {
    const at = `${path}.${i}`;
    if (!isObject(route)) {
      problems.push(new ConfigError(at, `expected { method, path, stateMachine, action, auth }, got ${describe(route)}`));
      continue;
    }
    problems.push(...unknownKeyErrors(route, at, ROUTE_KEYS).errors);
    const before = problems.length;
    const method = typeof route.method === 'string' ? route.method.toUpperCase() : route.method === undefined ? 'POST' : undefined;
    if (method === undefined || !METHODS.includes(method))
      problems.push(new ConfigError(`${at}.method`, `expected one of ${METHODS.join(', ')}, got ${describe(route.method)}`));
    if (typeof route.path !== 'string' || !/^\/[^\s?#]*$/.test(route.path))
      problems.push(new ConfigError(`${at}.path`, `expected a path starting with / (no query string), got ${describe(route.path)}`));
    if (typeof route.stateMachine !== 'string' || route.stateMachine === '')
      problems.push(new ConfigError(`${at}.stateMachine`, `expected a state machine's key, name or ARN, got ${describe(route.stateMachine)}`));
    const action = route.action ?? 'StartExecution';
    if (!(ACTIONS as readonly unknown[]).includes(action))
      problems.push(new ConfigError(`${at}.action`, `expected ${ACTIONS.join(' or ')}, got ${describe(action)}`));
    const auth = route.auth ?? 'NONE';
    if (!(ROUTE_AUTH as readonly unknown[]).includes(auth)) {
      problems.push(new ConfigError(`${at}.auth`, `expected one of ${ROUTE_AUTH.join(', ')}, got ${describe(auth)}`));
    } else if (auth !== 'NONE' && !modes.includes(auth as AuthenticationType)) {
      problems.push(
        new ConfigError(`${at}.auth`, `${String(auth)} is not one of the API's auth modes (${modes.join(', ')}); add it to additionalAuthentications`),
      );
    }
    if (problems.length > before) continue;
    const key = `${method} ${route.path as string}`;
    if (seen.has(key)) {
      problems.push(new ConfigError(at, `a second route for ${key}`));
      continue;
    }
    seen.add(key);
    out.push({
      method: method!,
      path: route.path as string,
      stateMachine: route.stateMachine as string,
      action: action as StepFunctionsRouteConfig['action'],
      auth: auth as StepFunctionsRouteConfig['auth'],
    });
  }
  return out;
}

/**
 * Reads `stepFunctions.rules` (name → { eventPattern, state, targets }). The shapes are checked
 * here; the pattern itself is checked by the in-process EventBridge when the rule is made, as
 * PutRule does (a pattern it refuses is logged at `warn` and the rule skipped).
 */
export function normalizeEventRules(raw: unknown, problems: ConfigError[]): Record<string, EventRuleConfig> | undefined {
  if (raw === undefined) return undefined;
  const path = 'stepFunctions.rules';
  if (!isObject(raw)) {
    problems.push(new ConfigError(path, `expected rule name → { eventPattern, targets }, got ${describe(raw)}`));
    return undefined;
  }
  const out: Record<string, EventRuleConfig> = {};
  for (const [name, rule] of Object.entries(raw)) {
    const at = `${path}.${name}`;
    if (!isObject(rule)) {
      problems.push(new ConfigError(at, `expected { eventPattern, targets }, got ${describe(rule)}`));
      continue;
    }
    const before = problems.length;
    problems.push(...unknownKeyErrors(rule, at, RULE_KEYS).errors);
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) problems.push(new ConfigError(at, 'a rule name is 1-64 letters, digits, dots, dashes or underscores'));
    if (!isObject(rule.eventPattern))
      problems.push(new ConfigError(`${at}.eventPattern`, `expected an event pattern object, got ${describe(rule.eventPattern)}`));
    if (rule.state !== undefined && rule.state !== 'ENABLED' && rule.state !== 'DISABLED')
      problems.push(new ConfigError(`${at}.state`, `expected ENABLED or DISABLED, got ${describe(rule.state)}`));
    const targets: EventRuleTargetConfig[] = [];
    if (!Array.isArray(rule.targets ?? [])) problems.push(new ConfigError(`${at}.targets`, `expected a list, got ${describe(rule.targets)}`));
    else {
      for (const [i, target] of ((rule.targets as unknown[] | undefined) ?? []).entries()) {
        const tat = `${at}.targets.${i}`;
        if (!isObject(target)) {
          problems.push(new ConfigError(tat, `expected { id, arn | stateMachine, … }, got ${describe(target)}`));
          continue;
        }
        problems.push(...unknownKeyErrors(target, tat, TARGET_KEYS).errors);
        if ((typeof target.arn === 'string') === (typeof target.stateMachine === 'string'))
          problems.push(new ConfigError(tat, 'expected either arn (a state machine, Lambda function, queue or topic ARN) or stateMachine (a key or name)'));
        if (target.id !== undefined && typeof target.id !== 'string')
          problems.push(new ConfigError(`${tat}.id`, `expected a string, got ${describe(target.id)}`));
        const given = ['input', 'inputPath', 'inputTransformer'].filter((k) => target[k] !== undefined);
        if (given.length > 1) problems.push(new ConfigError(tat, `input, inputPath and inputTransformer exclude each other (got ${given.join(', ')})`));
        if (target.inputPath !== undefined && typeof target.inputPath !== 'string')
          problems.push(new ConfigError(`${tat}.inputPath`, `expected a JSONPath such as $.detail, got ${describe(target.inputPath)}`));
        const transformer = target.inputTransformer;
        if (transformer !== undefined) {
          if (!isObject(transformer) || typeof transformer.inputTemplate !== 'string') {
            problems.push(new ConfigError(`${tat}.inputTransformer`, 'expected { inputPathsMap, inputTemplate } with inputTemplate a string'));
          } else {
            problems.push(...unknownKeyErrors(transformer, `${tat}.inputTransformer`, ['inputPathsMap', 'inputTemplate']).errors);
            if (transformer.inputPathsMap !== undefined && !isObject(transformer.inputPathsMap))
              problems.push(new ConfigError(`${tat}.inputTransformer.inputPathsMap`, `expected name → JSONPath, got ${describe(transformer.inputPathsMap)}`));
          }
        }
        const deadLetter = target.deadLetterConfig;
        if (deadLetter !== undefined) {
          // Whether the ARN is a queue's is PutTargets' check, made when the rule is (the rule is skipped with a warn if not).
          if (!isObject(deadLetter) || typeof deadLetter.arn !== 'string')
            problems.push(new ConfigError(`${tat}.deadLetterConfig`, `expected { arn: <an SQS queue ARN> }, got ${describe(deadLetter)}`));
          else problems.push(...unknownKeyErrors(deadLetter, `${tat}.deadLetterConfig`, ['arn']).errors);
        }
        targets.push(target as unknown as EventRuleTargetConfig);
      }
    }
    if (problems.length > before) continue;
    out[name] = {
      eventPattern: rule.eventPattern as Record<string, unknown>,
      ...(rule.state !== undefined ? { state: rule.state as 'ENABLED' | 'DISABLED' } : {}),
      ...(typeof rule.description === 'string' ? { description: rule.description } : {}),
      targets,
    };
  }
  return out;
}
