/**
 * `stepFunctions.services`: remote endpoints for the SQS, SNS and EventBridge integrations
 * (docs/stepfunctions.md#remote-endpoints), checked with key-path errors like the rest of the config.
 */
import { ConfigError } from '../errors.js';
import type { ServiceEndpointConfig, StepFunctionsServicesConfig } from './types.js';
import { unknownKeyErrors } from './unknownKeys.js';

const SERVICES = ['sqs', 'sns', 'eventBridge'] as const satisfies ReadonlyArray<keyof StepFunctionsServicesConfig>;
const ENDPOINT_KEYS = ['endpoint', 'region'] as const satisfies ReadonlyArray<keyof ServiceEndpointConfig>;
// AWS region names: lower-case words and digits joined by dashes (us-east-1, us-gov-west-1, eu-central-2).
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

/** Reads `stepFunctions.services`; problems are pushed with their key paths; `undefined` when absent. */
export function normalizeStepFunctionsServices(raw: unknown, problems: ConfigError[]): StepFunctionsServicesConfig | undefined {
  if (raw === undefined) return undefined;
  const path = 'stepFunctions.services';
  if (!isObject(raw)) {
    problems.push(new ConfigError(path, `expected { sqs, sns, eventBridge }, got ${describe(raw)}`));
    return undefined;
  }
  problems.push(...unknownKeyErrors(raw, path, SERVICES).errors);
  const out: StepFunctionsServicesConfig = {};
  for (const service of SERVICES) {
    const block = raw[service];
    if (block === undefined) continue;
    const at = `${path}.${service}`;
    if (!isObject(block)) {
      problems.push(new ConfigError(at, `expected { endpoint, region }, got ${describe(block)}`));
      continue;
    }
    problems.push(...unknownKeyErrors(block, at, ENDPOINT_KEYS).errors);
    const { endpoint, region } = block;
    let ok = true;
    if (endpoint !== undefined && !(typeof endpoint === 'string' && /^https?:\/\/[^/\s]+/.test(endpoint) && URL.canParse(endpoint))) {
      problems.push(new ConfigError(`${at}.endpoint`, `expected an http(s) URL, got ${describe(endpoint)}`));
      ok = false;
    }
    if (region !== undefined && !(typeof region === 'string' && REGION.test(region))) {
      problems.push(new ConfigError(`${at}.region`, `expected an AWS region name such as us-east-1, got ${describe(region)}`));
      ok = false;
    }
    if (endpoint === undefined && region === undefined) {
      problems.push(new ConfigError(at, 'expected an endpoint, a region or both (leave the service out to use the in-process default)'));
      ok = false;
    }
    if (ok) out[service] = { ...(endpoint !== undefined ? { endpoint: endpoint as string } : {}), region: (region as string | undefined) ?? 'us-east-1' };
  }
  return out;
}
