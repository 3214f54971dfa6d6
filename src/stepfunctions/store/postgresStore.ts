/**
 * The execution store on PostgreSQL (`pg`): the same log as the file store, one row per record
 * in a table created on first use. Batches go out as one `INSERT … SELECT FROM
 * jsonb_array_elements(…) WITH ORDINALITY`, keeping their order in the `seq` column; while one is
 * in flight, what is flushed meanwhile goes out together as the next (group commit, groupCommit.ts).
 *
 * Several gateway instances share one table: each row carries the `owner` (the instance id) that
 * wrote it, an instance loads and compacts only its own rows, and a session-level advisory lock
 * on (table, owner) keeps two live processes from claiming the same id, whose compactions would
 * delete each other's records.
 *
 * An API call about an execution or task token of another instance is forwarded to it through
 * the database (a row in `<table>_calls`, a NOTIFY on the owner's channel, the answer in the same
 * row and a NOTIFY back), so instances behind one load balancer answer for each other.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ConfigError } from '../../errors.js';
import { GroupCommit, type BatchQueue } from './groupCommit.js';
import type { ExecutionStore, PeerAnswer, StorePeers, StoreRecord } from './types.js';

/** How long a call forwarded to another instance may take before the caller gives up. */
const PEER_CALL_TIMEOUT_MS = 10_000;

export interface PostgresStoreOptions {
  connectionString: string;
  /** @default 'appsync_gateway_sfn_log' */
  table?: string;
  /**
   * This gateway instance's id: the rows it writes, loads and compacts. Every instance sharing
   * the table needs its own; an instance restarted with the same id resumes its executions.
   * @default 'default'
   */
  instanceId?: string;
  /** How long a call forwarded to another instance may take. @default 10000 */
  peerTimeoutMs?: number;
  /** Told about a failed write; the store keeps going (the batch is lost). */
  onError?: (error: unknown) => void;
}

export function createPostgresStore(options: PostgresStoreOptions): ExecutionStore {
  const table = options.table ?? 'appsync_gateway_sfn_log';
  const owner = options.instanceId ?? 'default';
  const callsTable = `${table}_calls`;
  const lockKey = `appsync-gateway:${table}`;
  const peerTimeoutMs = options.peerTimeoutMs ?? PEER_CALL_TIMEOUT_MS;
  // NOTIFY channels are identifiers: a hash keeps any instance id usable.
  const channelOf = (instance: string) => `appsync_sfn_${createHash('sha256').update(`${table}\0${instance}`).digest('hex').slice(0, 40)}`;
  const onError =
    options.onError ?? ((error: unknown) => process.emitWarning(`Step Functions store write failed: ${(error as Error)?.message ?? String(error)}`));
  if (!/^[a-z_][a-z0-9_]*$/i.test(table)) throw new Error(`stepFunctions.store.table: expected an SQL identifier, got ${table}`);
  // `pg` is loaded with the first query: a gateway on the file store never pays for it.
  let pool: pg.Pool | undefined;
  let ready: Promise<pg.Pool> | undefined;
  // The connection holding the instance lock: the lock lives as long as this session.
  let lockClient: pg.Client | undefined;
  const ensureTable = () =>
    (ready ??= (async () => {
      const { default: driver } = await import('pg');
      pool ??= new driver.Pool({ connectionString: options.connectionString, max: 2 });
      const client = await pool.connect();
      try {
        // Instances starting together would race on CREATE … IF NOT EXISTS; one at a time.
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`appsync-gateway:ddl:${table}`]);
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (seq BIGSERIAL PRIMARY KEY, owner TEXT NOT NULL DEFAULT 'default', record JSONB NOT NULL)`);
        // Tables written before instance ids existed: their rows belong to the default instance.
        await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS owner TEXT NOT NULL DEFAULT 'default'`);
        await client.query(`CREATE INDEX IF NOT EXISTS ${table}_owner_seq ON ${table} (owner, seq)`);
        // Which instance owns an execution or a task token (forwarded calls look it up).
        await client.query(`CREATE INDEX IF NOT EXISTS ${table}_arn ON ${table} ((record->'r'->>'arn')) WHERE record->>'k' IN ('x', 'sm', 'act')`);
        await client.query(`CREATE INDEX IF NOT EXISTS ${table}_token ON ${table} ((record->'c'->>'taskToken')) WHERE record->>'k' = 'c'`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${callsTable} (id BIGSERIAL PRIMARY KEY, target TEXT NOT NULL, caller TEXT NOT NULL, action TEXT NOT NULL, ` +
            'input TEXT NOT NULL, answer TEXT)',
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      if (!lockClient) await lockInstance(driver);
      return pool;
    })().catch(async (error: unknown) => {
      if (error instanceof ConfigError) {
        // Refused at start: nothing of this store stays open.
        await pool?.end().catch(() => undefined);
        pool = undefined;
      }
      // Try again with the next batch (the database may come back).
      ready = undefined;
      throw error;
    }));
  const lockInstance = async (driver: typeof pg) => {
    const client = new driver.Client({ connectionString: options.connectionString });
    await client.connect();
    let locked = false;
    // A few tries: another instance taking over this id's rows holds its lock for a moment.
    for (let attempt = 0; attempt < 5 && !locked; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200));
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [lockKey, owner]);
      locked = rows[0]?.locked === true;
    }
    if (!locked) {
      await client.end().catch(() => undefined);
      throw new ConfigError(
        'stepFunctions.store.instanceId',
        `instance "${owner}" of the Step Functions store table ${table} is in use by another running gateway; ` +
          'give each instance sharing the table its own instanceId',
      );
    }
    await client.query(`LISTEN ${channelOf(owner)}`);
    client.on('notification', (message) => void onNotification(message.payload ?? ''));
    // A dropped session releases the lock; the store keeps writing (its pool reconnects) and says so.
    client.on('error', (error) => {
      if (lockClient !== client) return;
      onError(new Error(`lost the instance lock of ${table}/${owner}; taking it again: ${error.message}`));
      lockClient = undefined;
      ready = undefined;
      // At once, not with the next write: other instances take over an id left free for long.
      const retake = () => {
        if (writer.closed || lockClient) return;
        ensureTable().catch(() => setTimeout(retake, 1000).unref());
      };
      setTimeout(retake, 100).unref();
    });
    lockClient = client;
  };

  // ------------------------------------------------------------ calls between instances
  let serveCall: ((action: string, input: Record<string, unknown>) => Promise<PeerAnswer>) | undefined;
  /** Calls this instance sent, waiting for their answer, by row id. */
  const awaitingAnswer = new Map<string, (answer: PeerAnswer) => void>();
  /** Instances whose id was free at the last look for stopped instances. */
  const seenFree = new Set<string>();

  /** Payloads: `q:<id>` a call for this instance, `a:<id>` the answer to one of its calls. */
  const onNotification = async (payload: string) => {
    const id = payload.slice(2);
    try {
      const db = await ensureTable();
      if (payload.startsWith('a:')) {
        const settle = awaitingAnswer.get(id);
        if (!settle) return;
        const { rows } = await db.query<{ answer: string | null }>(`DELETE FROM ${callsTable} WHERE id = $1 RETURNING answer`, [id]);
        const text = rows[0]?.answer;
        settle(text ? (JSON.parse(text) as PeerAnswer) : { ok: false, name: 'ServiceUnavailable', message: 'the call was lost', status: 503 });
        return;
      }
      if (!payload.startsWith('q:')) return;
      const { rows } = await db.query<{ caller: string; action: string; input: string }>(
        `SELECT caller, action, input FROM ${callsTable} WHERE id = $1 AND target = $2 AND answer IS NULL`,
        [id, owner],
      );
      const call = rows[0];
      if (!call) return;
      let answer: PeerAnswer;
      try {
        answer = serveCall
          ? await serveCall(call.action, JSON.parse(call.input) as Record<string, unknown>)
          : { ok: false, name: 'ServiceUnavailable', message: `instance "${owner}" is starting`, status: 503 };
      } catch (error) {
        answer = { ok: false, name: 'InternalFailure', message: (error as Error)?.message ?? String(error), status: 500 };
      }
      await db.query(`UPDATE ${callsTable} SET answer = $2 WHERE id = $1`, [id, JSON.stringify(answer)]);
      await db.query('SELECT pg_notify($1, $2)', [channelOf(call.caller), `a:${id}`]);
    } catch (error) {
      onError(error);
    }
  };

  const peers: StorePeers = {
    async ownerOf(ref) {
      const db = await ensureTable();
      const arn = ref.executionArn ?? ref.stateMachineArn ?? ref.activityArn;
      const query = arn
        ? {
            text: `SELECT owner FROM ${table} WHERE record->>'k' IN ('x', 'sm', 'act') AND record->'r'->>'arn' = $1 AND owner <> $2 ORDER BY seq DESC LIMIT 1`,
            value: arn,
          }
        : {
            text: `SELECT owner FROM ${table} WHERE record->>'k' = 'c' AND record->'c'->>'taskToken' = $1 AND owner <> $2 ORDER BY seq DESC LIMIT 1`,
            value: ref.taskToken,
          };
      if (!query.value) return undefined;
      const { rows } = await db.query<{ owner: string }>(query.text, [query.value, owner]);
      return rows[0]?.owner;
    },
    async liveOwners() {
      const db = await ensureTable();
      // pg_locks shows a two-key advisory lock as classid = key 1, objid = key 2 (as oids).
      const { rows } = await db.query<{ owner: string }>(
        `SELECT o.owner FROM (SELECT DISTINCT owner FROM ${table} WHERE owner <> $1) o
         WHERE EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
           AND l.classid = hashtext($2)::oid AND l.objid = hashtext(o.owner)::oid)
         ORDER BY o.owner`,
        [owner, lockKey],
      );
      return rows.map((r) => r.owner);
    },
    async call(target, action, input, timeoutMs = peerTimeoutMs) {
      const db = await ensureTable();
      const { rows } = await db.query<{ id: string }>(`INSERT INTO ${callsTable} (target, caller, action, input) VALUES ($1, $2, $3, $4) RETURNING id`, [
        target,
        owner,
        action,
        JSON.stringify(input),
      ]);
      const id = String(rows[0]!.id);
      const answered = new Promise<PeerAnswer>((resolve, reject) => {
        const timer = setTimeout(() => {
          awaitingAnswer.delete(id);
          void db.query(`DELETE FROM ${callsTable} WHERE id = $1`, [id]).catch(() => undefined);
          reject(new Error(`it did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        awaitingAnswer.set(id, (answer) => {
          awaitingAnswer.delete(id);
          clearTimeout(timer);
          resolve(answer);
        });
      });
      try {
        await db.query('SELECT pg_notify($1, $2)', [channelOf(target), `q:${id}`]);
      } catch (error) {
        awaitingAnswer.get(id)?.({ ok: false, name: 'ServiceUnavailable', message: (error as Error).message, status: 503 });
      }
      return answered;
    },
    async claimAbandoned() {
      const db = await ensureTable();
      const lock = lockClient;
      if (!lock || writer.closed) return [];
      const { rows: owners } = await db.query<{ owner: string }>(`SELECT DISTINCT owner FROM ${table} WHERE owner <> $1`, [owner]);
      const claims: Array<{ from: string; records: StoreRecord[] }> = [];
      for (const { owner: other } of owners) {
        // The id's lock is free only when no process holds it. Taken over only when it was free
        // at the previous look too: an instance whose session dropped (a database restart) has
        // time to take its lock again.
        const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [lockKey, other]);
        if (!rows[0]?.locked) {
          seenFree.delete(other);
          continue;
        }
        if (!seenFree.has(other)) {
          seenFree.add(other);
          await lock.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [lockKey, other]);
          continue;
        }
        seenFree.delete(other);
        try {
          const moved = await db.query<{ seq: string; record: StoreRecord }>(`UPDATE ${table} SET owner = $1 WHERE owner = $2 RETURNING seq, record`, [
            owner,
            other,
          ]);
          const records = moved.rows.sort((x, y) => Number(x.seq) - Number(y.seq)).map((r) => r.record);
          if (records.length > 0) claims.push({ from: other, records });
        } finally {
          await lock.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [lockKey, other]);
        }
      }
      return claims;
    },
    serve(handler) {
      serveCall = handler;
    },
  };

  /** Queued records as JSON texts (events arrive already serialized). */
  let pending: string[] = [];

  const insert = async (client: pg.Pool | pg.PoolClient, texts: string[]) => {
    await client.query(`INSERT INTO ${table} (owner, record) SELECT $2, value FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(value, n) ORDER BY n`, [
      `[${texts.join(',')}]`,
      owner,
    ]);
  };

  const queue: BatchQueue = {
    get empty() {
      return pending.length === 0;
    },
    add(record) {
      pending.push(JSON.stringify(record));
    },
    addEvents(arn, eventsJson) {
      const text = typeof eventsJson === 'string' ? eventsJson : Buffer.from(eventsJson.buffer, eventsJson.byteOffset, eventsJson.byteLength).toString('utf8');
      pending.push(`{"k":"ev","a":${JSON.stringify(arn)},"ev":${text}}`);
    },
    take() {
      const batch = pending;
      pending = [];
      // Each INSERT commits on its own; with PostgreSQL's default synchronous_commit the commit
      // answers once the WAL is flushed, so a resolved batch survives a crash of either side.
      return async () => insert(await ensureTable(), batch);
    },
    clear() {
      pending = [];
    },
  };
  const writer = new GroupCommit(queue, onError);

  return {
    peers,
    async load() {
      const db = await ensureTable();
      const { rows } = await db.query<{ record: StoreRecord }>(`SELECT record FROM ${table} WHERE owner = $1 ORDER BY seq`, [owner]);
      return rows.map((r) => r.record);
    },
    append: (record) => writer.append(record),
    appendEvents: (arn, eventsJson) => writer.appendEvents(arn, eventsJson),
    flush: writer.flush,
    compact(records) {
      // On the write chain: later batches land after it.
      return writer.compact(async () => {
        const client = await (await ensureTable()).connect();
        try {
          await client.query('BEGIN');
          await client.query(`DELETE FROM ${table} WHERE owner = $1`, [owner]);
          for (let i = 0; i < records.length; i += 5000)
            await insert(
              client,
              records.slice(i, i + 5000).map((r) => JSON.stringify(r)),
            );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      });
    },
    async close() {
      if (!(await writer.close())) return;
      serveCall = undefined;
      for (const settle of [...awaitingAnswer.values()]) settle({ ok: false, name: 'ServiceUnavailable', message: 'the gateway is stopping', status: 503 });
      await pool?.end();
      await lockClient?.end().catch(() => undefined);
    },
  };
}
