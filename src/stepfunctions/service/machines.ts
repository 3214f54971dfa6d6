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
  readonly revisions = new Map<string, Revision>();

  constructor(private readonly parse: (text: string) => StateMachineDefinition | undefined) {}

  /** The parsed definition of a revision (parsing lazily after a log replay). */
  revision(id: string): Revision | undefined {
    return this.revisions.get(id);
  }

  addRevision(id: string, text: string): Revision | undefined {
    const existing = this.revisions.get(id);
    if (existing) return existing;
    const parsed = this.parse(text);
    if (!parsed) return undefined;
    const revision = { id, text, parsed };
    this.revisions.set(id, revision);
    return revision;
  }

  put(record: StateMachineRecord): void {
    this.byArn.set(record.arn, record);
    this.addRevision(record.revisionId, record.definition);
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
