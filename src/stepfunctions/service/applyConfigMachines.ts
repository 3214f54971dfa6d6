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
 * Reads the machine declared at `stepFunctions.stateMachines.<key>`. Throws `ConfigErrors`, one per
 * thing CreateStateMachine would refuse, each at its key: the name, the type, `loggingConfig`, and
 * every ERROR diagnostic of the ASL validator at the key of the definition it points to
 * (`…definition.States.A.Next: MISSING_TRANSITION_TARGET: Missing 'Next' target: B`).
 */
export function readConfigMachine(key: string, config: StateMachineConfig | null | undefined, engine: EngineModules): ConfigMachine {
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
  const { definition, diagnostics } = engine.validateDefinition(text);
  for (const d of diagnostics) {
    if (d.severity !== 'ERROR') continue;
    problems.push(new ConfigError(`${at}.definition${keyPathOf(d.location)}`, `${d.code}: ${d.message}`));
  }
  if (problems.length > 0 || !definition) throw new ConfigErrors(problems);
  return { name, type, text, definition, loggingConfiguration };
}

/** A diagnostic's location (`/States/Par/Branches[0]/States/X/Next`) as the rest of a config key (`.States.Par.Branches.0.States.X.Next`). */
function keyPathOf(location: string): string {
  return location
    .split('/')
    .filter(Boolean)
    .map((part) => `.${part.replace(/\[(\d+)\]/g, '.$1')}`)
    .join('');
}

/**
 * Every problem of the config's machines (`readConfigMachine`), in the order declared. The gateway
 * refuses to load a config that has any, as CreateStateMachine refuses an invalid definition
 * (`InvalidDefinition`), so serving and `appsync-gateway validate` refuse the same machines.
 */
export function configMachineProblems(stateMachines: Record<string, StateMachineConfig>, engine: EngineModules): ConfigError[] {
  const problems: ConfigError[] = [];
  for (const [key, config] of Object.entries(stateMachines ?? {})) {
    try {
      readConfigMachine(key, config, engine);
    } catch (error) {
      if (!(error instanceof ConfigErrors)) throw error;
      problems.push(...error.errors);
    }
  }
  return problems;
}

/**
 * Applies the config's machines. The gateway's load has refused a config with a machine that does
 * not read (`configMachineProblems`); a caller that skipped that check gets each such machine
 * logged at `error` and skipped (the others still apply).
 */
export function applyConfigMachines(
  catalogue: Catalogue,
  stateMachines: Record<string, StateMachineConfig>,
  deps: { engine(): EngineModules; scope: ArnScope; logger: Logger },
): void {
  const declared = new Set<string>();
  for (const [key, config] of Object.entries(stateMachines ?? {})) {
    let machine: ConfigMachine;
    try {
      machine = readConfigMachine(key, config, deps.engine());
    } catch (error) {
      if (!(error instanceof ConfigErrors)) throw error;
      for (const problem of error.errors) deps.logger.error(problem.message);
      continue;
    }
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
