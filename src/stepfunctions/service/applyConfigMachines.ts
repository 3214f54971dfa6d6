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
      const arn = stateMachineArn(deps.scope, name);
      declared.add(arn);
      const existing = catalogue.machines.byArn.get(arn);
      if (existing && existing.definition === text && existing.type === type) {
        if (!existing.fromConfig) catalogue.put({ ...existing, fromConfig: true });
        continue;
      }
      const roleArn = (config as { role?: string }).role ?? existing?.roleArn ?? defaultRoleArn(deps.scope);
      catalogue.put(Machines.record({ arn, name, type, definition: text, roleArn, fromConfig: true, creationDate: existing?.creationDate }), definition);
    } catch (error) {
      deps.logger.error(`stepFunctions.stateMachines.${key}: ${(error as Error).message}`);
    }
  }
  for (const sm of catalogue.stateMachines()) {
    if (sm.fromConfig && !declared.has(sm.arn)) catalogue.deleteStateMachine(sm.arn);
  }
}
