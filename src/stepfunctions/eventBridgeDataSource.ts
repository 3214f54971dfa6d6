/**
 * The `AMAZON_EVENTBRIDGE` data source (docs/stepfunctions.md#from-resolvers): a resolver puts
 * events on the in-process EventBridge's default bus, where the rules (from PutRule, the config or
 * CloudFormation) send them on, as AppSync's EventBridge data source puts them on a bus.
 *
 * ```yaml
 * dataSources:
 *   bus: { type: AMAZON_EVENTBRIDGE, config: { eventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' } }
 * ```
 *
 * `request(ctx)` returns `{ operation: 'PutEvents', events: [{ source, detail, detailType, resources?, time? }] }`
 * and `ctx.result` is PutEvents' response, `{ Entries: [{ EventId } | { ErrorCode, ErrorMessage }], FailedEntryCount }`.
 */
import { ConfigError } from '../errors.js';
import { unknownKeyErrors } from '../config/index.js';
import { isDefaultEventBusArn } from '../config/awsDefaults.js';
import type { DataSource, DataSourceKind, DataSourceResult } from '../datasources/types.js';
import { EventsError, type EventEntry } from './services/eventbridge.js';

/** The data source's config, as AppSync's `EventBridgeDataSourceConfig`. */
export interface EventBridgeDataSourceConfig {
  /** The bus; only the default bus exists in-process. @default the default bus */
  eventBusArn?: string;
}

/** What the data source needs of the Step Functions service (`createStepFunctionsService`'s handle). */
export interface EventsPutter {
  readonly events: { putEvents(entries: EventEntry[]): Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }> };
}

// PutEvents takes at most 10 entries per call.
const MAX_ENTRIES = 10;

function validate(config: unknown, path: string): ConfigError[] {
  const c = (config ?? {}) as Record<string, unknown>;
  const problems: ConfigError[] = unknownKeyErrors(c, path, ['eventBusArn']).errors;
  if (c.eventBusArn !== undefined && !isDefaultEventBusArn(c.eventBusArn)) {
    problems.push(
      new ConfigError(
        `${path}.eventBusArn`,
        `expected the default bus (arn:aws:events:<region>:<account>:event-bus/default), got ${JSON.stringify(c.eventBusArn)}: ` +
          'the in-process EventBridge has only that bus',
      ),
    );
  }
  return problems;
}

const bad = (message: string): DataSourceResult => ({ error: { type: 'EventBridge:ValidationException', message } });

/** Creates the `AMAZON_EVENTBRIDGE` kind bound to the gateway's in-process EventBridge (created after the data sources). */
export function createEventBridgeDataSourceKind(putter: () => EventsPutter | undefined): DataSourceKind<EventBridgeDataSourceConfig> {
  return {
    validate,
    create({ name }): DataSource {
      return {
        name,
        type: 'AMAZON_EVENTBRIDGE',
        async invoke(request) {
          const r = (request ?? {}) as { operation?: unknown; events?: unknown };
          if (r.operation !== 'PutEvents') return bad(`operation: expected PutEvents, got ${JSON.stringify(r.operation)}`);
          if (!Array.isArray(r.events) || r.events.length === 0 || r.events.length > MAX_ENTRIES)
            return bad(
              `events: expected a list of 1 to ${MAX_ENTRIES} events, got ${Array.isArray(r.events) ? `${r.events.length}` : JSON.stringify(r.events)}`,
            );
          const entries: EventEntry[] = [];
          for (const [i, e] of (r.events as Array<Record<string, unknown>>).entries()) {
            if (!e || typeof e !== 'object') return bad(`events.${i}: expected { source, detail, detailType }`);
            const time = typeof e.time === 'string' ? new Date(e.time) : undefined;
            if (time && Number.isNaN(time.getTime())) return bad(`events.${i}.time: expected an RFC 3339 timestamp, got ${JSON.stringify(e.time)}`);
            entries.push({
              Source: e.source,
              DetailType: e.detailType,
              // AppSync takes `detail` as an object and sends it as PutEvents' JSON text.
              Detail: e.detail === undefined ? undefined : typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail),
              Resources: e.resources,
              ...(time ? { Time: time } : {}),
            });
          }
          const bus = putter();
          if (!bus) throw new Error('The in-process EventBridge is not running');
          let answered: ReturnType<EventsPutter['events']['putEvents']>;
          try {
            answered = bus.events.putEvents(entries);
          } catch (error) {
            // A call PutEvents refuses whole (entries over its size limit) is the field error AppSync reports for it.
            if (!(error instanceof EventsError)) throw error;
            return { error: { type: `EventBridge:${error.code}`, message: error.message } };
          }
          return { result: { Entries: answered, FailedEntryCount: answered.filter((a) => a.ErrorCode).length } };
        },
      };
    },
  };
}
