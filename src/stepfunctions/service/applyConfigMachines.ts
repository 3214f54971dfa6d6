/**
 * State machines declared in the gateway's config (`stepFunctions.stateMachines`): created or
 * updated at start-up and on reload, deleted when the config no longer declares them. Machines
 * created through the API are left alone.
 */
import type { Logger } from '../../datasources/types.js';
import type { StateMachineConfig } from '../../config/types.js';
import { ConfigError, ConfigErrors } from '../../errors.js';
import type { StateMachineDefinition } from '../engine/types.js';
import { defaultRoleArn, isValidName, stateMachineArn, type ArnScope } from './arns.js';
import { invalidName } from './errors.js';
import type { Catalogue } from './catalogue.js';
import type { EngineModules } from './engine.js';
import { Machines } from './machines.js';
import { LOG_LEVELS } from './executionLogs.js';
import { unresolvedReferences, type UnresolvedReference } from './unresolvedReferences.js';

/** A declared machine as the catalogue takes it. */
interface ConfigMachine {
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The definition as JSON text (what DescribeStateMachine answers). */
  text: string;
  definition: StateMachineDefinition;
  loggingConfiguration?: Record<string, unknown>;
}

/**
 * A declared machine whose Task states name what the config's loader could not resolve
 * (`Fn::GetAtt` of a function the gateway does not serve, `Fn::ImportValue`, …): valid on AWS,
 * where CloudFormation resolves them, so not refused; the gateway does not create it.
 */
interface SkippedMachine {
  skipped: UnresolvedReference[];
}

/**
 * Reads the machine declared at `stepFunctions.stateMachines.<key>`. Throws `ConfigErrors`, one per
 * thing CreateStateMachine would refuse, each at its key: the name, the type, `loggingConfig`, and
 * every ERROR diagnostic of the ASL validator at the key of the definition it points to
 * (`…definition.States.A.Next: MISSING_TRANSITION_TARGET: Missing 'Next' target: B`). A definition
 * whose only faults are references the gateway cannot resolve is a `SkippedMachine` (Gateway choice,
 * docs/stepfunctions.md#references-the-gateway-cannot-resolve): the validator's complaint at such a
 * key (`Value is not a valid resource ARN`) blames the definition for the gateway's limit.
 */
function readConfigMachine(key: string, config: StateMachineConfig | null | undefined, engine: EngineModules): ConfigMachine | SkippedMachine {
  const at = `stepFunctions.stateMachines.${key}`;
  const problems: ConfigError[] = [];
  const name = config?.name ?? key;
  if (!isValidName(name)) problems.push(new ConfigError(`${at}${config?.name === undefined ? '' : '.name'}`, invalidName(name).message));
  const type = config?.type ?? 'STANDARD';
  if (type !== 'STANDARD' && type !== 'EXPRESS') problems.push(new ConfigError(`${at}.type`, `expected STANDARD or EXPRESS, got ${String(type)}`));
  let loggingConfiguration: Record<string, unknown> | undefined;
  try {
    loggingConfiguration = configLogging(config?.loggingConfig, `${at}.loggingConfig`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error);
  }
  const text = typeof config?.definition === 'string' ? config.definition : JSON.stringify(config?.definition);
  const unresolved = unresolvedReferences(typeof config?.definition === 'string' ? parsedJson(config.definition) : config?.definition, `${at}.definition`);
  const unresolvedKeys = new Set(unresolved.map((u) => u.key));
  const { definition, diagnostics } = engine.validateDefinition(text);
  for (const d of diagnostics) {
    const problemKey = `${at}.definition${keyPathOf(d.location)}`;
    if (d.severity !== 'ERROR' || unresolvedKeys.has(problemKey)) continue;
    problems.push(new ConfigError(problemKey, `${d.code}: ${d.message}`));
  }
  if (problems.length > 0) throw new ConfigErrors(problems);
  if (unresolved.length > 0) return { skipped: unresolved };
  if (!definition) throw new ConfigErrors(problems);
  return { name, type, text, definition, loggingConfiguration };
}

/** JSON text as a value, or undefined where it is not JSON (the validator reports that). */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: INVALID_JSON_DESCRIPTION, from the validator, is this machine's problem.
    return undefined;
  }
}

/** A diagnostic's location (`/States/Par/Branches[0]/States/X/Next`) as the rest of a config key (`.States.Par.Branches.0.States.X.Next`). */
function keyPathOf(location: string): string {
  return location
    .split('/')
    .filter(Boolean)
    .map((part) => `.${part.replace(/\[(\d+)\]/g, '.$1')}`)
    .join('');
}

/** What the gateway's load makes of the config's machines: refusals, and warnings for the machines it skips. */
export interface ConfigMachineReport {
  /** What CreateStateMachine would refuse, one per key; the load refuses a config with any. */
  problems: ConfigError[];
  /** One per machine skipped, listing its references the gateway cannot resolve, each at its key. */
  warnings: string[];
}

/**
 * Every problem of the config's machines (`readConfigMachine`), in the order declared. The gateway
 * refuses to load a config that has any, as CreateStateMachine refuses an invalid definition
 * (`InvalidDefinition`), so serving and `appsync-gateway validate` refuse the same machines, and
 * both warn alike of the machines skipped for references the gateway cannot resolve.
 */
export function configMachineReport(stateMachines: Record<string, StateMachineConfig>, engine: EngineModules): ConfigMachineReport {
  const problems: ConfigError[] = [];
  const warnings: string[] = [];
  for (const [key, config] of Object.entries(stateMachines ?? {})) {
    try {
      const read = readConfigMachine(key, config, engine);
      if ('skipped' in read) warnings.push(skippedWarning(config?.name ?? key, read.skipped));
    } catch (error) {
      if (!(error instanceof ConfigErrors)) throw error;
      problems.push(...error.errors);
    }
  }
  return { problems, warnings };
}

/** The one warning of a machine skipped: why, what starting it answers, and each reference at its key. */
function skippedWarning(name: string, references: UnresolvedReference[]): string {
  return [
    `state machine ${name} is not created (starting it answers StateMachineDoesNotExist): its Task states name what the gateway cannot resolve ` +
      '(docs/stepfunctions.md#references-the-gateway-cannot-resolve):',
    ...references.map((u) => `  ${u.key}: ${u.message}`),
  ].join('\n');
}

/**
 * Applies the config's machines. The gateway's load has refused a config with a machine that does
 * not read and warned of those it skips (`configMachineReport`); a caller that skipped that check
 * gets each machine that does not read logged at `error` and skipped (the others still apply). A
 * machine skipped for unresolved references is left out quietly: the load said why.
 */
export function applyConfigMachines(
  catalogue: Catalogue,
  stateMachines: Record<string, StateMachineConfig>,
  deps: { engine(): EngineModules; scope: ArnScope; logger: Logger },
): void {
  const declared = new Set<string>();
  for (const [key, config] of Object.entries(stateMachines ?? {})) {
    let machine: ConfigMachine | SkippedMachine;
    try {
      machine = readConfigMachine(key, config, deps.engine());
    } catch (error) {
      if (!(error instanceof ConfigErrors)) throw error;
      for (const problem of error.errors) deps.logger.error(problem.message);
      continue;
    }
    if ('skipped' in machine) continue;
    const { name, type, text, definition, loggingConfiguration } = machine;
    const arn = stateMachineArn(deps.scope, name);
    declared.add(arn);
    const existing = catalogue.machines.byArn.get(arn);
    if (
      existing &&
      existing.definition === text &&
      existing.type === type &&
      JSON.stringify(existing.loggingConfiguration) === JSON.stringify(loggingConfiguration)
    ) {
      if (!existing.fromConfig) catalogue.put({ ...existing, fromConfig: true });
      continue;
    }
    const roleArn = (config as { role?: string }).role ?? existing?.roleArn ?? defaultRoleArn(deps.scope);
    catalogue.put(
      Machines.record({ arn, name, type, definition: text, roleArn, fromConfig: true, creationDate: existing?.creationDate, loggingConfiguration }),
      definition,
    );
  }
  for (const sm of catalogue.stateMachines()) {
    if (sm.fromConfig && !declared.has(sm.arn)) catalogue.deleteStateMachine(sm.arn);
  }
}

/**
 * The plugin's `loggingConfig` as the API's `loggingConfiguration` (level ERROR when the block
 * leaves it out, as the plugin does); log group ARNs given as text become its destinations, other
 * forms (`Fn::GetAtt`) are left out. `stdout` (local addition) is kept for executionLogs.ts.
 */
function configLogging(raw: StateMachineConfig['loggingConfig'], at: string): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new ConfigError(at, `expected an object, got ${typeof raw}`);
  const level = raw.level ?? 'ERROR';
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`${at}.level`, `expected one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
  const destinations = (Array.isArray(raw.destinations) ? raw.destinations : [])
    .filter((d): d is string => typeof d === 'string')
    .map((logGroupArn) => ({ cloudWatchLogsLogGroup: { logGroupArn } }));
  return {
    level,
    includeExecutionData: raw.includeExecutionData === true,
    ...(destinations.length > 0 ? { destinations } : {}),
    ...(raw.stdout === true ? { stdout: true } : {}),
  };
}
