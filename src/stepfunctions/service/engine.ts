/**
 * The pieces the service takes from the engine (`engine/run.ts`, `engine/validate.ts`,
 * `engine/testState.ts`) and the task runner (`tasks/index.ts`), loaded once at start.
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

// Module paths held in variables: the service must load while sibling modules are still missing
// (they are built in parallel); each missing one degrades to a documented fallback.
const paths = {
  run: '../engine/run.js',
  validate: '../engine/validate.js',
  testState: '../engine/testState.js',
  tasks: '../tasks/index.js',
};

async function optional<T>(path: string): Promise<T | undefined> {
  try {
    return (await import(path)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** Minimal checks used only while `engine/validate.ts` is missing. */
function fallbackValidate(definition: string | unknown): { definition?: StateMachineDefinition; diagnostics: Diagnostic[] } {
  let parsed: unknown = definition;
  if (typeof definition === 'string') {
    try {
      parsed = JSON.parse(definition);
    } catch (error) {
      return { diagnostics: [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: (error as Error).message, location: '' }] };
    }
  }
  const d = parsed as Partial<StateMachineDefinition> | null;
  if (!d || typeof d !== 'object' || typeof d.StartAt !== 'string' || !d.States || typeof d.States !== 'object' || !(d.StartAt in d.States)) {
    return { diagnostics: [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'The definition needs StartAt naming one of States', location: '/StartAt' }] };
  }
  return { definition: d as StateMachineDefinition, diagnostics: [] };
}

export async function loadEngine(): Promise<EngineModules> {
  const [run, validate, testState, tasks] = await Promise.all([
    optional<Pick<EngineModules, 'runExecution'>>(paths.run),
    optional<Pick<EngineModules, 'validateDefinition' | 'invalidDefinitionMessage'>>(paths.validate),
    optional<Pick<EngineModules, 'testState'>>(paths.testState),
    optional<Pick<EngineModules, 'createTaskRunner'>>(paths.tasks),
  ]);
  return {
    runExecution:
      run?.runExecution ??
      (async () => ({ status: 'FAILED', error: 'States.Runtime', cause: 'The Step Functions engine is not available in this build.' })),
    validateDefinition: validate?.validateDefinition ?? fallbackValidate,
    invalidDefinitionMessage:
      validate?.invalidDefinitionMessage ??
      ((diagnostics) => `Invalid State Machine Definition: '${diagnostics.map((d) => `${d.code}: ${d.message} at ${d.location}`).join(', ')}'`),
    testState: testState?.testState,
    createTaskRunner: tasks?.createTaskRunner,
  };
}
