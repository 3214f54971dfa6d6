/**
 * `stepFunctions.taskDefinitions` and `stepFunctions.jobDefinitions`: the local commands that
 * `ecs:runTask` and `batch:submitJob` tasks run (docs/stepfunctions.md#ecs-and-batch), checked with
 * key-path errors like the rest of the config.
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { LocalCommandConfig } from './types.js';
import { unknownKeyErrors } from './unknownKeys.js';

const TASK_KEYS = ['command', 'env', 'cwd', 'containerName'] as const satisfies ReadonlyArray<keyof LocalCommandConfig>;
const JOB_KEYS = ['command', 'env', 'cwd', 'parameters'] as const satisfies ReadonlyArray<keyof LocalCommandConfig>;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * Reads one of the two blocks (`kind` names it in errors); `cwd` is resolved from the config
 * folder. Problems are pushed with their key paths; `undefined` when the block is absent.
 */
export function normalizeLocalCommands(
  raw: unknown,
  kind: 'taskDefinitions' | 'jobDefinitions',
  configDir: string,
  problems: ConfigError[],
): Record<string, LocalCommandConfig> | undefined {
  if (raw === undefined) return undefined;
  const path = `stepFunctions.${kind}`;
  if (!isObject(raw)) {
    problems.push(new ConfigError(path, `expected { <name>: { command, env, cwd } }, got ${describe(raw)}`));
    return undefined;
  }
  const out: Record<string, LocalCommandConfig> = {};
  for (const [name, block] of Object.entries(raw)) {
    const at = `${path}.${name}`;
    if (!isObject(block)) {
      problems.push(new ConfigError(at, `expected { command, env, cwd }, got ${describe(block)}`));
      continue;
    }
    problems.push(...unknownKeyErrors(block, at, kind === 'taskDefinitions' ? TASK_KEYS : JOB_KEYS).errors);
    const { command, env, cwd, containerName, parameters } = block;
    let ok = true;
    if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === 'string') || command[0] === '') {
      problems.push(new ConfigError(`${at}.command`, `expected a non-empty list of strings (the program, then its arguments), got ${describe(command)}`));
      ok = false;
    }
    if (env !== undefined && !isStringMap(env)) {
      problems.push(new ConfigError(`${at}.env`, `expected { NAME: value } with string values, got ${describe(env)}`));
      ok = false;
    }
    if (cwd !== undefined && (typeof cwd !== 'string' || cwd === '')) {
      problems.push(new ConfigError(`${at}.cwd`, `expected a folder path, got ${describe(cwd)}`));
      ok = false;
    }
    if (containerName !== undefined && (typeof containerName !== 'string' || containerName === '')) {
      problems.push(new ConfigError(`${at}.containerName`, `expected a container name, got ${describe(containerName)}`));
      ok = false;
    }
    if (parameters !== undefined && !isStringMap(parameters)) {
      problems.push(new ConfigError(`${at}.parameters`, `expected { name: value } with string values, got ${describe(parameters)}`));
      ok = false;
    }
    if (!ok) continue;
    out[name] = {
      command: command as string[],
      ...(env !== undefined ? { env: env as Record<string, string> } : {}),
      cwd: cwd === undefined ? configDir : isAbsolute(cwd as string) ? (cwd as string) : resolve(configDir, cwd as string),
      ...(containerName !== undefined ? { containerName: containerName as string } : {}),
      ...(parameters !== undefined ? { parameters: parameters as Record<string, string> } : {}),
    };
  }
  return out;
}
