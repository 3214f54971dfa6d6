/**
 * State machines and activities known to the service: created through the API or declared in the
 * config, each definition revision parsed once and kept while executions may need it.
 */
import { randomUUID } from 'node:crypto';
import type { StateMachineDefinition, StateMachineType } from '../engine/types.js';
import type { ActivityRecord, StateMachineRecord } from '../store/types.js';

export interface Revision {
  id: string;
  text: string;
  parsed: StateMachineDefinition;
}

export class Machines {
  readonly byArn = new Map<string, StateMachineRecord>();
  readonly activities = new Map<string, ActivityRecord>();
  /** Revisions by id: the text always, the parsed definition once something needed it. */
  private readonly revisions = new Map<string, { text: string; parsed?: StateMachineDefinition }>();

  constructor(private readonly parse: (text: string) => StateMachineDefinition | undefined) {}

  /**
   * The parsed definition of a revision. Parsed (and validated) on first need, not when the log
   * is replayed: a start-up replaying large definitions would otherwise validate every one of
   * them before answering anything. Undefined when unknown or no longer valid.
   */
  revision(id: string): Revision | undefined {
    const entry = this.revisions.get(id);
    if (!entry) return undefined;
    entry.parsed ??= this.parse(entry.text);
    if (!entry.parsed) {
      this.revisions.delete(id);
      return undefined;
    }
    return { id, text: entry.text, parsed: entry.parsed };
  }

  /** A revision's definition text, without parsing it. */
  revisionText(id: string): string | undefined {
    return this.revisions.get(id)?.text;
  }

  /** Keeps a revision's text; `parsed` when the caller has validated it already (it is not parsed twice). */
  addRevision(id: string, text: string, parsed?: StateMachineDefinition): void {
    const existing = this.revisions.get(id);
    if (existing) {
      existing.parsed ??= parsed;
      return;
    }
    this.revisions.set(id, { text, parsed });
  }

  /** Adds or replaces a machine; `parsed` is its current definition when already validated. */
  put(record: StateMachineRecord, parsed?: StateMachineDefinition): void {
    this.byArn.set(record.arn, record);
    this.addRevision(record.revisionId, record.definition, parsed);
    for (const v of record.versions ?? []) this.addRevision(v.revisionId, v.definition);
  }

  static newRevisionId(): string {
    return randomUUID();
  }

  static record(fields: {
    arn: string;
    name: string;
    type: StateMachineType;
    definition: string;
    roleArn: string;
    fromConfig?: boolean;
    creationDate?: number;
    description?: string;
    loggingConfiguration?: unknown;
    tracingConfiguration?: unknown;
  }): StateMachineRecord {
    return { ...fields, creationDate: fields.creationDate ?? Date.now(), revisionId: Machines.newRevisionId() };
  }
}
