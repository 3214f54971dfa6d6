/**
 * The API's changes to state machines and activities: checked as AWS checks them, applied to
 * {@link Machines} and appended to the log. Versions and aliases are in `versions.ts`, machines
 * declared in the config in `applyConfigMachines.ts`.
 */
import type { StateMachineDefinition, StateMachineType } from '../engine/types.js';
import type { ActivityRecord, StateMachineRecord, StoreRecord } from '../store/types.js';
import { activityArn, checkName, expectArn, stateMachineArn, type ArnScope } from './arns.js';
import type { EngineModules } from './engine.js';
import { activityDoesNotExist, SfnApiError, stateMachineAlreadyExists, stateMachineDoesNotExist } from './errors.js';
import { Machines } from './machines.js';

export interface CatalogueDeps {
  /** The loaded engine (definitions are validated with it). */
  engine(): EngineModules;
  scope: ArnScope;
  /** Appends a record to the log. */
  append(record: StoreRecord): void;
}

export class Catalogue {
  constructor(
    readonly machines: Machines,
    private readonly deps: CatalogueDeps,
  ) {}

  /** Adds or replaces a machine and logs it; `parsed`: its definition, already validated (so it is not validated again). */
  put(record: StateMachineRecord, parsed?: StateMachineDefinition): void {
    this.machines.put(record, parsed);
    this.deps.append({ k: 'sm', r: record });
  }

  /** Parses and validates a definition; throws InvalidDefinition. */
  checkDefinition(text: string): StateMachineDefinition {
    const engine = this.deps.engine();
    const { definition, diagnostics } = engine.validateDefinition(text);
    if (!definition || diagnostics.some((d) => d.severity === 'ERROR')) {
      throw new SfnApiError('InvalidDefinition', engine.invalidDefinitionMessage(diagnostics.filter((d) => d.severity === 'ERROR')));
    }
    return definition;
  }

  /** ValidateStateMachineDefinition's diagnostics. */
  validate(text: string) {
    return this.deps.engine().validateDefinition(text).diagnostics;
  }

  createStateMachine(input: {
    name: string;
    definition: string;
    roleArn: string;
    type: StateMachineType;
    description?: string;
    loggingConfiguration?: unknown;
    tracingConfiguration?: unknown;
  }): StateMachineRecord {
    checkName(input.name);
    const parsed = this.checkDefinition(input.definition);
    const arn = stateMachineArn(this.deps.scope, input.name);
    const existing = this.machines.byArn.get(arn);
    if (existing) {
      // CreateStateMachine is idempotent for identical parameters.
      if (existing.definition === input.definition && existing.roleArn === input.roleArn && existing.type === input.type) return existing;
      throw stateMachineAlreadyExists(arn);
    }
    const record = Machines.record({ arn, ...input });
    this.put(record, parsed);
    return record;
  }

  machine(arn: string): StateMachineRecord {
    // A known ARN is a valid one: the check only runs on a miss (hot path of StartSyncExecution).
    const sm = this.machines.byArn.get(arn);
    if (sm) return sm;
    expectArn(arn, ['stateMachine'], 1);
    throw stateMachineDoesNotExist(arn);
  }

  stateMachines(): StateMachineRecord[] {
    return [...this.machines.byArn.values()];
  }

  hasStateMachine(arn: string): boolean {
    return this.machines.byArn.has(arn);
  }

  updateStateMachine(
    arn: string,
    changes: { definition?: string; roleArn?: string; loggingConfiguration?: unknown; tracingConfiguration?: unknown },
  ): StateMachineRecord {
    const sm = this.machine(arn);
    const parsed = changes.definition !== undefined ? this.checkDefinition(changes.definition) : undefined;
    const next: StateMachineRecord = {
      ...sm,
      definition: changes.definition ?? sm.definition,
      roleArn: changes.roleArn ?? sm.roleArn,
      loggingConfiguration: changes.loggingConfiguration ?? sm.loggingConfiguration,
      tracingConfiguration: changes.tracingConfiguration ?? sm.tracingConfiguration,
      revisionId: Machines.newRevisionId(),
    };
    this.put(next, parsed);
    return next;
  }

  /** Deletes a machine; its running executions go on with the revision they started with. */
  deleteStateMachine(arn: string): void {
    expectArn(arn, ['stateMachine'], 1);
    if (!this.machines.byArn.delete(arn)) return;
    this.deps.append({ k: 'smdel', arn });
  }

  createActivity(name: string): ActivityRecord {
    checkName(name);
    const arn = activityArn(this.deps.scope, name);
    const existing = this.machines.activities.get(arn);
    if (existing) return existing;
    const record = { arn, name, creationDate: Date.now() };
    this.machines.activities.set(arn, record);
    this.deps.append({ k: 'act', r: record });
    return record;
  }

  activity(arn: string): ActivityRecord {
    expectArn(arn, ['activity'], 1);
    const act = this.machines.activities.get(arn);
    if (!act) throw activityDoesNotExist(arn);
    return act;
  }

  activities(): ActivityRecord[] {
    return [...this.machines.activities.values()];
  }

  hasActivity(arn: string): boolean {
    return this.machines.activities.has(arn);
  }

  deleteActivity(arn: string): void {
    expectArn(arn, ['activity'], 1);
    if (this.machines.activities.delete(arn)) this.deps.append({ k: 'actdel', arn });
  }
}
