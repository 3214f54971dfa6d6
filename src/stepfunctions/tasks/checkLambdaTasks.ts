/**
 * What `appsync-gateway validate` checks in the config's state machines: each Task state that names
 * a Lambda function the gateway runs in-process finds the function's file and its export
 * (docs/stepfunctions.md#task-resources), and each names a function the config declares. Serving
 * finds a missing export only when the state first runs, and fails the state with
 * `Runtime.HandlerNotFound`, as Lambda answers; a function the config does not declare fails every
 * run of the state with `Lambda.ResourceNotFoundException`.
 */
import type { NormalizedConfig } from '../../config/types.js';
import { createLambdaInvoker, type LambdaInvoker } from '../../datasources/lambda/invoker.js';
import { ConfigError } from '../../errors.js';
import { forEachTaskState } from '../../config/stateMachineTasks.js';
import { declaredFunctionNames, findFunction } from './lambda.js';
import { lambdaFunctionName, parseResource } from './resource.js';
import { unresolvedReferences } from '../service/unresolvedReferences.js';

/** A Task state that names a Lambda function, and the config key that names it. */
interface LambdaTask {
  path: string;
  functionName: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The function a Task state calls when its definition names it (not when a path or JSONata expression picks it at run time). */
function namedFunction(state: Json, loc: string): LambdaTask | undefined {
  if (typeof state.Resource !== 'string') return undefined;
  const parsed = parseResource(state.Resource);
  if (parsed.kind === 'lambdaFunction') return { path: `${loc}.Resource`, functionName: parsed.functionName };
  if ((parsed.kind !== 'integration' && parsed.kind !== 'sdk') || parsed.service !== 'lambda' || parsed.action !== 'invoke') return undefined;
  // `lambda:invoke.sync` calls no function: the task runner fails it with States.Runtime (not supported).
  if (parsed.pattern !== 'requestResponse' && parsed.pattern !== 'waitForTaskToken') return undefined;
  // JSONPath states give the function in Parameters, JSONata states in Arguments.
  for (const field of ['Parameters', 'Arguments']) {
    const args = state[field];
    const name = isObject(args) ? args.FunctionName : undefined;
    if (typeof name === 'string' && !name.startsWith('{%')) return { path: `${loc}.${field}.FunctionName`, functionName: name };
  }
  return undefined;
}

/** The Lambda Task states of a workflow, those of Parallel branches and Map processors included; keys under `base`. */
function lambdaTasks(workflow: unknown, base: string): LambdaTask[] {
  const found: LambdaTask[] = [];
  forEachTaskState(workflow, (state, key) => {
    const task = namedFunction(state, `${base}${key}`);
    if (task) found.push(task);
  });
  return found;
}

/** A definition as the config gives it: an object, or its JSON text. */
function parsedDefinition(definition: unknown): unknown {
  if (typeof definition !== 'string') return definition;
  try {
    return JSON.parse(definition);
  } catch {
    // Not JSON: the load refuses the machine (configMachineReport); it has no Task states to check.
    return undefined;
  }
}

/**
 * One check per Lambda Task state of the config's state machines that names its function: each
 * rejects with a `ConfigError` at the key of the state that names the function when the config
 * does not declare it (Task states reach only the gateway's own functions, docs/stepfunctions.md#gateway-choices,
 * so every run would fail with `Lambda.ResourceNotFoundException`), and, for a function that runs
 * in-process, when its file is missing, cannot be imported or lacks the export, with the data source's
 * message (the invoker's `check()`, shared with AWS_LAMBDA data sources and authorizers). The
 * machines the gateway skips (docs/stepfunctions.md#references-the-gateway-cannot-resolve) are not checked.
 */
export function checkLambdaTasks(config: NormalizedConfig): Promise<void>[] {
  const invokers = new Map<string, LambdaInvoker | ConfigError>();
  const checks: Promise<void>[] = [];
  for (const [key, machine] of Object.entries(config.stepFunctions.stateMachines)) {
    const definition = parsedDefinition(machine?.definition);
    const at = `stepFunctions.stateMachines.${key}.definition`;
    // A machine the gateway skips for references it cannot resolve has no runs to fail; the load warned of it.
    if (unresolvedReferences(definition, at).length > 0) continue;
    const tasks = lambdaTasks(definition, at);
    for (const task of tasks) {
      const found = findFunction(config, task.functionName);
      if (!found) {
        const declared = declaredFunctionNames(config);
        const functions = declared.length > 0 ? `its functions: ${declared.join(', ')}` : 'it declares none';
        const detail =
          `no Lambda function named "${lambdaFunctionName(task.functionName).name}" in the config (${functions}); ` +
          'every run of this state fails with Lambda.ResourceNotFoundException';
        checks.push(Promise.reject(new ConfigError(task.path, detail)));
        continue;
      }
      let invoker = invokers.get(found.path);
      if (!invoker) {
        try {
          invoker = createLambdaInvoker(found.target, { configDir: config.configDir, gatewayConfig: config, path: found.path });
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          invoker = error;
        }
        invokers.set(found.path, invoker);
      }
      // Absent: the function runs through the Invoke API, with nothing to load before its call.
      const checked = invoker instanceof ConfigError ? Promise.reject(invoker) : invoker.check?.();
      if (!checked) continue;
      checks.push(
        checked.catch((error: unknown) => {
          throw error instanceof ConfigError ? new ConfigError(task.path, error.detail, { cause: error }) : error;
        }),
      );
    }
  }
  // No invoker made here needs closing: an in-process one holds nothing, and one of the Invoke API
  // connects at its first call, which a check never makes.
  return checks;
}
