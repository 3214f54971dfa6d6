/**
 * The pieces the service takes from the engine (`engine/run.ts`, `engine/validate.ts`,
 * `engine/testState.ts`) and the task runner (`tasks/index.ts`), behind one interface so tests
 * and embedders can swap them.
 */
import type { EngineHost, RunOptions, RunOutcome, StateMachineDefinition, TaskRequest } from '../engine/types.js';
import type { Logger } from '../../datasources/types.js';
import type { NormalizedConfig } from '../../config/types.js';
import { runExecution } from '../engine/run.js';
import { invalidDefinitionMessage, validateDefinition } from '../engine/validate.js';
import { createTaskRunner } from '../tasks/index.js';

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  location: string;
}

export interface TaskRunnerDeps {
  config(): NormalizedConfig;
  dataSources(): ReadonlyMap<string, unknown>;
  logger: Logger;
  startExecution(stateMachineArn: string, input: unknown, name: string | undefined, waitForCompletion: boolean): Promise<unknown>;
  arnScope?: { region: string; accountId: string };
}

export type TaskRunner = ((request: TaskRequest, signal: AbortSignal) => Promise<unknown>) & { close?(): void };

export interface EngineModules {
  runExecution(options: RunOptions): Promise<RunOutcome>;
  validateDefinition(definition: string | unknown): { definition?: StateMachineDefinition; diagnostics: Diagnostic[] };
  invalidDefinitionMessage(diagnostics: Diagnostic[]): string;
  testState?(input: {
    definition: Record<string, unknown>;
    input: unknown;
    inspectionLevel?: 'INFO' | 'DEBUG' | 'TRACE';
    variables?: Record<string, unknown>;
    host: EngineHost;
  }): Promise<unknown>;
  createTaskRunner?(deps: TaskRunnerDeps): TaskRunner;
}

/** `engine/testState.ts` may be missing from a build in progress: loaded by a path held in a variable. */
const TEST_STATE_PATH = '../engine/testState.js';

async function optional<T>(path: string): Promise<T | undefined> {
  try {
    return (await import(path)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

export async function loadEngine(): Promise<EngineModules> {
  const testState = await optional<Pick<EngineModules, 'testState'>>(TEST_STATE_PATH);
  return {
    runExecution,
    validateDefinition,
    invalidDefinitionMessage: (diagnostics) => invalidDefinitionMessage(diagnostics),
    testState: testState?.testState,
    createTaskRunner: (deps) => createTaskRunner(deps as Parameters<typeof createTaskRunner>[0]),
  };
}
