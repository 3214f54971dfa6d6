/**
 * State machine versions and aliases (Publish/Delete versions, Create/Update/Delete aliases) and
 * what a qualified ARN (`…:stateMachine:<name>:<version|alias>`) runs. Both are kept inside the
 * machine's record, so they are logged, replayed and forwarded with it.
 */
import type { StateMachineAliasRecord, StateMachineRecord, StateMachineVersionRecord } from '../store/types.js';
import { checkName, parseArn } from './arns.js';
import type { Catalogue } from './catalogue.js';
import { invalidArn, SfnApiError } from './errors.js';

/** AWS's quotas: versions and aliases per state machine. */
const MAX_VERSIONS = 1000;
const MAX_ALIASES = 100;

/** A version ARN in an alias's routing, with its share of the starts. */
export interface RoutingEntry {
  stateMachineVersionArn: string;
  weight: number;
}

/** `find()`, or undefined when what it looks for does not exist: deleting what is not there succeeds, as AWS answers. */
function unlessMissing<T>(find: () => T): T | undefined {
  try {
    return find();
  } catch (error) {
    if (error instanceof SfnApiError && (error.sfnName === 'ResourceNotFound' || error.sfnName === 'StateMachineDoesNotExist')) return undefined;
    throw error;
  }
}

export class Versions {
  constructor(private readonly catalogue: Catalogue) {}

  /**
   * PublishStateMachineVersion (and `publish: true` on Create/UpdateStateMachine): freezes the
   * current revision as the next version number. Publishing an unchanged revision again answers
   * the latest version, as AWS does.
   */
  publish(arn: string, options: { revisionId?: string; description?: string } = {}): StateMachineVersionRecord & { arn: string } {
    const sm = this.catalogue.machine(arn);
    if (options.revisionId !== undefined && options.revisionId !== sm.revisionId) {
      throw new SfnApiError(
        'ConflictException',
        `Failed to publish the State Machine version: the revisionId '${options.revisionId}' does not match the current revision`,
      );
    }
    const versions = sm.versions ?? [];
    const latest = versions[versions.length - 1];
    if (latest && latest.revisionId === sm.revisionId) return { ...latest, arn: `${sm.arn}:${latest.version}` };
    if (versions.length >= MAX_VERSIONS) {
      throw new SfnApiError('ServiceQuotaExceededException', `The maximum number of versions (${MAX_VERSIONS}) of a state machine was reached`);
    }
    const version: StateMachineVersionRecord = {
      version: sm.nextVersion ?? 1,
      revisionId: sm.revisionId,
      definition: sm.definition,
      roleArn: sm.roleArn,
      description: options.description,
      creationDate: Date.now(),
    };
    this.catalogue.put({ ...sm, versions: [...versions, version], nextVersion: version.version + 1 });
    return { ...version, arn: `${sm.arn}:${version.version}` };
  }

  /** The machine, version or alias a qualified ARN names. */
  qualified(arn: string): { sm: StateMachineRecord; version?: StateMachineVersionRecord; alias?: StateMachineAliasRecord } {
    const parsed = parseArn(arn);
    if (parsed.kind !== 'stateMachine') throw invalidArn(`Resource type not valid in this context: ${parsed.kind}`);
    if (parsed.parts.length !== 2 || parsed.parts.some((p) => p.length === 0)) throw invalidArn(arn);
    const sm = this.catalogue.machine(arn.slice(0, arn.lastIndexOf(':')));
    const qualifier = parsed.parts[1]!;
    if (/^\d+$/.test(qualifier)) {
      const version = sm.versions?.find((v) => v.version === Number(qualifier));
      if (!version) throw new SfnApiError('ResourceNotFound', `Resource not found: '${arn}'`, 400, { resourceName: arn });
      return { sm, version };
    }
    const alias = sm.aliases?.find((a) => a.name === qualifier);
    if (!alias) throw new SfnApiError('ResourceNotFound', `Resource not found: '${arn}'`, 400, { resourceName: arn });
    return { sm, alias };
  }

  /**
   * What StartExecution / StartSyncExecution run for `arn`: the machine's current revision, or a
   * version's (through an alias, one of its versions picked by weight).
   */
  runnable(arn: string): { sm: StateMachineRecord; versionArn?: string; aliasArn?: string } {
    const sm = this.catalogue.machines.byArn.get(arn);
    if (sm) return { sm };
    const parsed = parseArn(arn);
    if (parsed.kind !== 'stateMachine' || parsed.parts.length !== 2) return { sm: this.catalogue.machine(arn) };
    const target = this.qualified(arn);
    let version = target.version;
    if (target.alias) {
      let pick = Math.random() * 100;
      const routes = target.alias.routing;
      const route = routes.find((r) => (pick -= r.weight) < 0) ?? routes[routes.length - 1]!;
      version = target.sm.versions?.find((v) => v.version === route.version);
      if (!version) throw new SfnApiError('ResourceNotFound', `Resource not found: '${target.sm.arn}:${route.version}'`);
    }
    const frozen: StateMachineRecord = { ...target.sm, revisionId: version!.revisionId, definition: version!.definition, roleArn: version!.roleArn };
    return { sm: frozen, versionArn: `${target.sm.arn}:${version!.version}`, aliasArn: target.alias ? arn : undefined };
  }

  /** DeleteStateMachineVersion: refused while an alias routes to it. */
  deleteVersion(versionArn: string): void {
    const target = unlessMissing(() => this.qualified(versionArn));
    if (!target) return;
    const { sm, version } = target;
    if (!version) throw invalidArn(versionArn);
    const referencing = (sm.aliases ?? []).filter((a) => a.routing.some((r) => r.version === version.version));
    if (referencing.length > 0) {
      const names = referencing.map((a) => `${sm.arn}:${a.name}`).join(', ');
      throw new SfnApiError(
        'ConflictException',
        `Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${names}]`,
      );
    }
    this.catalogue.put({ ...sm, versions: sm.versions!.filter((v) => v !== version) });
  }

  /** The versions an alias routing names, checked: one or two versions of `sm`, weights 0–100 summing to 100. */
  private routingOf(sm: StateMachineRecord, routing: RoutingEntry[]): StateMachineAliasRecord['routing'] {
    if (routing.length < 1 || routing.length > 2) throw new SfnApiError('ValidationException', 'Routing configuration must contain one or two versions');
    const out = routing.map((r) => {
      const target = this.qualified(r.stateMachineVersionArn);
      if (target.sm !== sm || !target.version) {
        throw new SfnApiError('ValidationException', `Routing configuration can only reference versions of ${sm.arn}: '${r.stateMachineVersionArn}'`);
      }
      if (!Number.isInteger(r.weight) || r.weight < 0 || r.weight > 100) {
        throw new SfnApiError('ValidationException', `Invalid weight ${r.weight}: weights are integers from 0 to 100`);
      }
      return { version: target.version.version, weight: r.weight };
    });
    if (out.reduce((sum, r) => sum + r.weight, 0) !== 100) throw new SfnApiError('ValidationException', 'Sum of routing configuration weights must equal 100');
    if (out.length === 2 && out[0]!.version === out[1]!.version) {
      throw new SfnApiError('ValidationException', 'Routing configuration must reference two different versions');
    }
    return out;
  }

  createAlias(name: string, description: string | undefined, routing: RoutingEntry[]): { arn: string; creationDate: number } {
    checkName(name);
    if (/^\d+$/.test(name)) throw new SfnApiError('ValidationException', `Invalid alias name: '${name}' (an alias name cannot be a number)`);
    const first = routing[0]?.stateMachineVersionArn;
    if (!first) throw new SfnApiError('ValidationException', 'Routing configuration must contain one or two versions');
    const sm = this.qualified(first).sm;
    const route = this.routingOf(sm, routing);
    const arn = `${sm.arn}:${name}`;
    const existing = sm.aliases?.find((a) => a.name === name);
    if (existing) {
      const same = JSON.stringify(existing.routing) === JSON.stringify(route) && existing.description === description;
      if (same) return { arn, creationDate: existing.creationDate };
      throw new SfnApiError(
        'ConflictException',
        `Failed to create alias because an alias with the same name and a different routing configuration already exists: '${arn}'`,
      );
    }
    if ((sm.aliases?.length ?? 0) >= MAX_ALIASES) {
      throw new SfnApiError('ServiceQuotaExceededException', `The maximum number of aliases (${MAX_ALIASES}) of a state machine was reached`);
    }
    const now = Date.now();
    this.catalogue.put({ ...sm, aliases: [...(sm.aliases ?? []), { name, description, routing: route, creationDate: now, updateDate: now }] });
    return { arn, creationDate: now };
  }

  alias(aliasArn: string): { sm: StateMachineRecord; alias: StateMachineAliasRecord } {
    const target = this.qualified(aliasArn);
    if (!target.alias) throw invalidArn(aliasArn);
    return { sm: target.sm, alias: target.alias };
  }

  updateAlias(aliasArn: string, changes: { description?: string; routing?: RoutingEntry[] }): number {
    const { sm, alias } = this.alias(aliasArn);
    const next: StateMachineAliasRecord = {
      ...alias,
      description: changes.description ?? alias.description,
      routing: changes.routing ? this.routingOf(sm, changes.routing) : alias.routing,
      updateDate: Date.now(),
    };
    this.catalogue.put({ ...sm, aliases: sm.aliases!.map((a) => (a === alias ? next : a)) });
    return next.updateDate;
  }

  deleteAlias(aliasArn: string): void {
    const found = unlessMissing(() => this.alias(aliasArn));
    if (!found) return;
    this.catalogue.put({ ...found.sm, aliases: found.sm.aliases!.filter((a) => a !== found.alias) });
  }
}
