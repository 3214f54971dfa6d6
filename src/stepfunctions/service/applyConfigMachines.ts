/**
 * State machines declared in the gateway's config (`stepFunctions.stateMachines`): created or
 * updated at start-up and on reload, deleted when the config no longer declares them. Machines
 * created through the API are left alone.
 */
import type { Logger } from '../../datasources/types.js';
import type { StateMachineConfig } from '../../config/types.js';
import { checkName, defaultRoleArn, stateMachineArn, type ArnScope } from './arns.js';
import type { Catalogue } from './catalogue.js';
import type { EngineModules } from './engine.js';
import { Machines } from './machines.js';
import { LOG_LEVELS } from './executionLogs.js';

/** Applies the config's machines. A definition that does not validate is logged and skipped (the others still apply). */
export function applyConfigMachines(
  catalogue: Catalogue,
  stateMachines: Record<string, StateMachineConfig>,
  deps: { engine(): EngineModules; scope: ArnScope; logger: Logger },
): void {
  const declared = new Set<string>();
  for (const [key, config] of Object.entries(stateMachines ?? {})) {
    const name = config?.name ?? key;
    try {
      checkName(name);
      const text = typeof config.definition === 'string' ? config.definition : JSON.stringify(config.definition);
      const type = config.type ?? 'STANDARD';
      if (type !== 'STANDARD' && type !== 'EXPRESS') throw new Error(`type must be STANDARD or EXPRESS, got ${String(type)}`);
      const engine = deps.engine();
      const { definition, diagnostics } = engine.validateDefinition(text);
      if (!definition) throw new Error(engine.invalidDefinitionMessage(diagnostics));
      const loggingConfiguration = configLogging(config.loggingConfig);
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
    } catch (error) {
      deps.logger.error(`stepFunctions.stateMachines.${key}: ${(error as Error).message}`);
    }
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
function configLogging(raw: StateMachineConfig['loggingConfig']): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new Error(`loggingConfig must be an object, got ${typeof raw}`);
  const level = raw.level ?? 'ERROR';
  if (!LOG_LEVELS.includes(level)) throw new Error(`loggingConfig.level must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
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
