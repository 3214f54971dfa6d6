/**
 * Time to Live on the embedded store: UpdateTimeToLive, DescribeTimeToLive (dynalite answers the
 * latter with DISABLED always and lacks the former) and the deletion of expired items.
 *
 * Written by hand over dynalite, which has no TTL. The setting of a table is kept in dynalite's own
 * LevelDB under `ttl~<table>` (a prefix dynalite does not use), so a store on disk keeps it, and it
 * carries the table's creation time, so a table deleted and made again starts without TTL.
 *
 * Gateway choice: DynamoDB deletes expired items within a few days and returns them until then; the
 * embedded store sweeps every {@link TTL_SWEEP_MS} ms, so an item stops being returned at most about
 * a second after the epoch second in its TTL attribute. A sweep reads every item of the tables with
 * TTL, so on large tables (a sweep longer than 50 ms) the sweeps space out to keep them to about 5%
 * of the time: 20 times the last sweep's duration. As in DynamoDB, the attribute must be a
 * Number of epoch seconds, and values more than five years in the past are not expired. A sweep
 * deletes through DeleteItem with the condition that the item is still expired, so a write that
 * renews an item meanwhile wins.
 */
import { StoreError, noSuchTable, validationError } from './errors.js';
import { validated, type TableDescription } from './dynalite.js';
import type { EmbeddedDynamoDBStore } from './store.js';

/** How often expired items are deleted (ms). */
export const TTL_SWEEP_MS = 1000;
const FIVE_YEARS_S = 5 * 365 * 24 * 3600;
const PREFIX = 'ttl~';

interface Setting {
  AttributeName: string;
  /** CreationDateTime of the table the setting belongs to. */
  created: number;
}

export class TimeToLive {
  private readonly settings = new Map<string, Setting>();
  private readonly loaded: Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private closed = false;
  private warned = false;
  /** ms until the next sweep. */
  private pause = TTL_SWEEP_MS;

  constructor(private readonly store: EmbeddedDynamoDBStore) {
    // A store that cannot list its settings keeps serving; TTL stays off until a table turns it on.
    this.loaded = this.load().catch((error: unknown) => this.warn(`reading the TTL settings failed: ${(error as Error).message}`));
  }

  private async load(): Promise<void> {
    const db = this.store.dynalite.db;
    const names: string[] = [];
    for await (const key of db.keys({ gte: PREFIX, lt: `${PREFIX}\xff` })) names.push(key);
    for (const key of names) {
      const value = await new Promise<Setting | undefined>((resolve, reject) =>
        db.get(key, (e, v) => (e && e.name !== 'NotFoundError' ? reject(e) : resolve(v ?? undefined))),
      );
      if (value) this.settings.set(key.slice(PREFIX.length), value);
    }
    if (this.settings.size) this.start();
  }

  private table(name: string): Promise<TableDescription> {
    return new Promise((resolve, reject) =>
      this.store.dynalite.getTable(name, false, (error, table) => (error ? reject(error.name === 'NotFoundError' ? noSuchTable() : error) : resolve(table!))),
    );
  }

  /** The live setting of `table`, dropping one left by an earlier table of that name. */
  private async current(table: TableDescription): Promise<Setting | undefined> {
    await this.loaded;
    const setting = this.settings.get(table.TableName);
    if (setting && setting.created !== table.CreationDateTime) {
      await this.write(table.TableName, undefined);
      return undefined;
    }
    return setting;
  }

  private async write(name: string, setting: Setting | undefined): Promise<void> {
    const db = this.store.dynalite.db;
    await new Promise<void>((resolve, reject) => {
      const done = (e: Error | null) => (e ? reject(e) : resolve());
      if (setting) db.put(PREFIX + name, setting, done);
      else db.del(PREFIX + name, done);
    });
    if (setting) this.settings.set(name, setting);
    else this.settings.delete(name);
    if (this.settings.size) this.start();
    else this.stop();
  }

  /** DynamoDB's DescribeTimeToLive. */
  async describe(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { TableName } = validated(this.store.dynalite, 'DescribeTimeToLive', { TableName: input.TableName });
    const setting = await this.current(await this.table(String(TableName)));
    return { TimeToLiveDescription: setting ? { TimeToLiveStatus: 'ENABLED', AttributeName: setting.AttributeName } : { TimeToLiveStatus: 'DISABLED' } };
  }

  /** DynamoDB's UpdateTimeToLive (takes effect at once; DynamoDB Local does the same). */
  async update(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { TableName } = validated(this.store.dynalite, 'DescribeTimeToLive', { TableName: input.TableName });
    const spec = input.TimeToLiveSpecification as { AttributeName?: unknown; Enabled?: unknown } | undefined | null;
    if (!spec || typeof spec !== 'object')
      throw validationError("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null");
    if (typeof spec.Enabled !== 'boolean')
      throw validationError(
        "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null",
      );
    if (typeof spec.AttributeName !== 'string')
      throw validationError(
        "1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null",
      );
    if (spec.AttributeName.length < 1 || spec.AttributeName.length > 255) {
      throw validationError(
        `1 validation error detected: Value '${spec.AttributeName}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: ` +
          'Member must have length between 1 and 255',
      );
    }
    const table = await this.table(String(TableName));
    const setting = await this.current(table);
    if (spec.Enabled) {
      if (setting)
        throw validationError(
          setting.AttributeName === spec.AttributeName ? 'TimeToLive is already enabled' : 'TimeToLive is active on a different AttributeName',
        );
      await this.write(table.TableName, { AttributeName: spec.AttributeName, created: table.CreationDateTime });
    } else {
      if (!setting) throw validationError('TimeToLive is already disabled');
      if (setting.AttributeName !== spec.AttributeName) throw validationError('TimeToLive is active on a different AttributeName');
      await this.write(table.TableName, undefined);
    }
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  private start(): void {
    if (this.timer || this.sweeping || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweeping = true;
      const started = performance.now();
      this.sweep()
        .catch((error: unknown) => this.warn(`deleting expired items failed: ${(error as Error).message}`))
        .finally(() => {
          this.sweeping = false;
          // A sweep reads every item of the TTL tables: on large tables the next one waits longer,
          // so sweeping takes at most about 5% of the time.
          this.pause = Math.max(TTL_SWEEP_MS, 20 * (performance.now() - started));
          if (this.settings.size) this.start();
        });
    }, this.pause);
    this.timer.unref();
  }

  /** The store has no logger of its own: one warning, once, as for any optional part that fails. */
  private warn(message: string): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(`embedded DynamoDB: ${message}`, 'AppSyncGatewayWarning');
  }

  /** Stops sweeping (the store closes, or no table has TTL left). */
  stop(closing = false): void {
    if (closing) this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Deletes the items that expired, table by table. */
  async sweep(): Promise<void> {
    await this.loaded;
    const now = Math.floor(Date.now() / 1000);
    for (const [name, setting] of [...this.settings]) {
      let table: TableDescription;
      try {
        table = await this.table(name);
      } catch (error) {
        if (error instanceof StoreError) {
          await this.write(name, undefined);
          continue;
        }
        throw error;
      }
      if (table.CreationDateTime !== setting.created) {
        await this.write(name, undefined);
        continue;
      }
      const keyNames = table.KeySchema.map((k) => k.AttributeName);
      const expired: Array<Record<string, unknown>> = [];
      for await (const item of this.store.dynalite.getItemDb(name).createValueStream()) {
        const value = item[setting.AttributeName]?.N;
        if (typeof value !== 'string') continue;
        const at = Number(value);
        if (at <= now && at > now - FIVE_YEARS_S) expired.push(Object.fromEntries(keyNames.map((k) => [k, item[k]])));
      }
      for (const Key of expired) {
        await this.store
          .call('DeleteItem', {
            TableName: name,
            Key,
            ConditionExpression: '#ttl <= :now',
            ExpressionAttributeNames: { '#ttl': setting.AttributeName },
            ExpressionAttributeValues: { ':now': { N: String(now) } },
          })
          .catch((error: unknown) => {
            // Renewed or deleted since the scan: nothing to do.
            if ((error as StoreError).body?.__type?.endsWith('#ConditionalCheckFailedException')) return;
            throw error;
          });
      }
    }
  }
}
