/** Reading a resolver's `sync` block and validating a versioned data source's config (pure). */
import { describe, expect, it } from 'vitest';
import { dynamodbKind } from '../../../src/datasources/dynamodb/index.js';
import { syncConfigFor } from '../../../src/datasources/dynamodb/versioning.js';
import type { NormalizedConfig } from '../../../src/config/types.js';

const config = (sync: unknown) =>
  ({
    resolvers: [{ typeName: 'Mutation', fieldName: 'save', sync }],
    pipelineFunctions: { step: { name: 'step', dataSource: 'd', sync: { conflictHandler: 'AUTOMERGE' } } },
  }) as unknown as NormalizedConfig;

describe('syncConfigFor', () => {
  it('fills the Serverless AppSync plugin defaults (VERSION, OPTIMISTIC_CONCURRENCY)', () => {
    expect(syncConfigFor(config({}), 'Mutation.save')).toEqual({ conflictDetection: 'VERSION', conflictHandler: 'OPTIMISTIC_CONCURRENCY' });
    expect(syncConfigFor(config(undefined), 'Mutation.save')).toBeUndefined();
    expect(syncConfigFor(config({}), 'Mutation.other')).toBeUndefined();
  });

  it('finds pipeline functions by name', () => {
    expect(syncConfigFor(config(undefined), 'step')).toEqual({ conflictDetection: 'VERSION', conflictHandler: 'AUTOMERGE' });
  });

  it('reads every spelling of the LAMBDA handler', () => {
    expect(syncConfigFor(config({ conflictHandler: 'LAMBDA', function: { handler: 'fn.handler', timeout: 5 } }), 'Mutation.save')?.lambda).toEqual({
      key: 'sync:Mutation.save',
      target: { function: { handler: 'fn.handler', timeout: 5 }, timeout: 5 },
    });
    expect(syncConfigFor(config({ conflictHandler: 'LAMBDA', functionName: 'resolveIt' }), 'Mutation.save')?.lambda).toEqual({ reference: 'resolveIt' });
    expect(syncConfigFor(config({ conflictHandler: 'LAMBDA', functionArn: 'arn:aws:lambda:us-east-1:1:function:x' }), 'Mutation.save')?.lambda).toEqual({
      reference: 'arn:aws:lambda:us-east-1:1:function:x',
    });
    expect(
      syncConfigFor(config({ conflictHandler: 'LAMBDA', lambdaConflictHandlerConfig: { lambdaConflictHandlerArn: 'arn:y' } }), 'Mutation.save')?.lambda,
    ).toEqual({ reference: 'arn:y' });
  });

  it('names a bad value', () => {
    expect(() => syncConfigFor(config({ conflictHandler: 'LAST_WRITER_WINS' }), 'Mutation.save')).toThrow(
      /Mutation\.save\.sync\.conflictHandler: expected OPTIMISTIC_CONCURRENCY, AUTOMERGE or LAMBDA/,
    );
  });
});

describe('versioned data source config', () => {
  const validate = (c: unknown) => dynamodbKind.validate!(c, 'dataSources.notes.config').map((e) => e.message);
  it('needs a Delta table name and minutes for TTLs', () => {
    expect(validate({ tableName: 'notes', versioned: true })).toEqual([expect.stringContaining('deltaSyncConfig.deltaSyncTableName')]);
    expect(validate({ tableName: 'notes', versioned: true, deltaSyncConfig: { deltaSyncTableName: 'delta', baseTableTTL: 'soon' } })).toEqual([
      expect.stringContaining('deltaSyncConfig.baseTableTTL'),
    ]);
    expect(
      validate({ tableName: 'notes', versioned: true, deltaSyncConfig: { deltaSyncTableName: 'delta', baseTableTTL: '0', deltaSyncTableTTL: 60 } }),
    ).toEqual([]);
    expect(validate({ tableName: 'notes', versioned: 'yes' })).toEqual([expect.stringContaining('versioned')]);
  });
});
