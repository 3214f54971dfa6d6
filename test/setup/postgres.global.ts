/**
 * Global setup: one real PostgreSQL server per test run (Debian's `postgresql` binaries in a temp
 * folder, random port). Tests read its URL with `inject('postgresUrl')`; an empty string means it
 * could not start, with the reason in `postgresSkipReason`. With CI=true a failure fails the run.
 */
import type { TestProject } from 'vitest/node';
import { startPgServer, type PgServer } from '../datasources/postgres/pgServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresSkipReason: string;
  }
}

let server: PgServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  try {
    server = await startPgServer();
    project.provide('postgresUrl', server.url);
    project.provide('postgresSkipReason', '');
  } catch (err) {
    const reason = `PostgreSQL server could not start: ${(err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(reason, { cause: err });
    project.provide('postgresUrl', '');
    project.provide('postgresSkipReason', reason);
  }
}

export async function teardown(): Promise<void> {
  await server?.destroy();
  server = undefined;
}
