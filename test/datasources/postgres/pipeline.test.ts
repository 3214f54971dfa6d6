/**
 * The pipelined connection on a real PostgreSQL server (src/datasources/postgres/pipeline.ts): the
 * statements written in one event-loop turn leave in one socket write.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { PipelinedConnection } from '../../../src/datasources/postgres/pipeline.js';
import { silentLogger } from '../../utils/logger.js';
import { createTestDatabase } from './helpers.js';

const url = inject('postgresUrl');

describe.skipIf(!url)(`the pipelined connection's writes${url ? '' : ` (skipped: ${inject('postgresSkipReason')})`}`, () => {
  let line: PipelinedConnection;
  /** Socket writes (each a write system call once uncorked) since the counter was last read. */
  let writes = 0;

  beforeAll(async () => {
    const connectionString = await createTestDatabase(url);
    line = new PipelinedConnection(
      async () => {
        const client = new pg.Client({ connectionString, pipeline: true } as pg.ClientConfig);
        await client.connect();
        // Counted on the real socket: `_write` for a lone buffer, `_writev` for several written at once.
        const stream = (client as unknown as { connection: { stream: { _write: Function; _writev: Function } } }).connection.stream;
        const write = stream._write;
        const writev = stream._writev;
        stream._write = function (...args: unknown[]) {
          writes++;
          return write.apply(this, args);
        };
        stream._writev = function (...args: unknown[]) {
          writes++;
          return writev.apply(this, args);
        };
        return client;
      },
      silentLogger,
      'test',
    );
    await line.query('SELECT 1', [], true);
  });
  afterAll(async () => {
    await line?.close();
  });

  it('writes the statements of one event-loop turn in one write, each answered with its own rows', async () => {
    writes = 0;
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => line.query('SELECT $1::int * 2 AS v', [i], true)));
    expect(answers.map((a) => a.rows)).toEqual([[['0']], [['2']], [['4']], [['6']], [['8']]]);
    expect(writes).toBe(1);
  });

  it('a statement of a later turn goes in a write of its own', async () => {
    writes = 0;
    expect((await line.query('SELECT 1 AS one', [], true)).rows).toEqual([['1']]);
    expect((await line.query('SELECT 2 AS two', [], true)).rows).toEqual([['2']]);
    expect(writes).toBe(2);
  });
});
