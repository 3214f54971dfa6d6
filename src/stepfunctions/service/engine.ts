/**
 * The pieces the service takes from the engine (`engine/run.ts`, `engine/validate.ts`,
 * `engine/testState.ts`) and the task runner (`tasks/index.ts`), behind one interface so tests
 * and embedders can swap them.
 */
import type { EngineHost, RunOptions, RunOutcome, StateMachineDefinition, TaskRequest } from '../engine/types.js';
import type { Logger } from '../../datasources/types.js';
import type { NormalizedConfig } from '../../config/types.js';

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
  /** The in-process SQS queues (services/sqs.ts), passed through to the task runner. */
  sqs?: unknown;
  /** The in-process SNS topics (services/sns.ts). */
  sns?: unknown;
  /** The in-process EventBridge rules (services/eventbridge.ts). */
  events?: unknown;
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
}

/**
 * Loads the engine. Gateway choice: on first need (a machine in the config or the store, or the
 * first API call), so a gateway without state machines starts as fast as one without the feature.
 */
export async function loadEngine(): Promise<EngineModules> {
  const [run, validate, testState] = await Promise.all([import('../engine/run.js'), import('../engine/validate.js'), import('../engine/testState.js')]);
  return {
    runExecution: run.runExecution,
    validateDefinition: validate.validateDefinition,
    invalidDefinitionMessage: (diagnostics) => validate.invalidDefinitionMessage(diagnostics),
    testState: testState.testState,
  };
}

/** Loads the task runner (Lambda, DynamoDB and HTTP clients) when the first Task runs. */
export async function loadTaskRunner(deps: TaskRunnerDeps): Promise<TaskRunner> {
  const { createTaskRunner } = await import('../tasks/index.js');
  return createTaskRunner(deps as Parameters<typeof createTaskRunner>[0]);
}
