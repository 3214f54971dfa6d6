/**
 * The `AWS_STEP_FUNCTIONS` data source: the one-line way for a resolver to start a state machine
 * of this gateway. On AppSync the same thing takes an HTTP data source pointed at the Step
 * Functions endpoint with SigV4 for `states` and resolver code writing the JSON 1.0 request (that
 * way works here too, against the gateway's own port).
 *
 * ```yaml
 * dataSources:
 *   checkout:
 *     type: AWS_STEP_FUNCTIONS
 *     config: { stateMachine: Checkout, mode: sync }
 * resolvers:
 *   Mutation.checkout: { dataSource: checkout }   # no code: input = ctx.arguments
 * ```
 *
 * Without code the input is `ctx.arguments` and the field's value is the execution's output
 * (`sync`) or `{ executionArn, startDate }` (`async`). With code, `request(ctx)` returns
 * `{ operation: 'StartExecution' | 'StartSyncExecution', input, name?, stateMachine? }` and
 * `ctx.result` is the same value.
 */
import { ConfigError } from '../errors.js';
import { unknownKeyErrors } from '../config/index.js';
import type { NormalizedConfig } from '../config/types.js';
import type { DataSource, DataSourceKind, DataSourceResult } from '../datasources/types.js';
import { DEFAULT_SCOPE, type ArnScope } from './service/arns.js';

export interface StepFunctionsDataSourceConfig {
  /** A state machine's name (or its key under `stepFunctions.stateMachines`) or ARN. */
  stateMachine: string;
  /**
   * `sync` waits for the execution and returns its output; `async` returns at once.
   * @default `sync` for EXPRESS machines, `async` for STANDARD ones
   */
  mode?: 'sync' | 'async';
}

/** What the data source needs of the Step Functions service (`createStepFunctionsService`'s handle). */
export interface StepFunctionsStarter {
  startExecution(stateMachineArn: string, input: unknown, name?: string, waitForCompletion?: boolean): Promise<unknown>;
  readonly service?: { readonly scope?: ArnScope; machine?(arn: string): { type?: string } };
}

type StarterSource = StepFunctionsStarter | (() => StepFunctionsStarter | undefined);

const OPERATIONS = new Set(['StartExecution', 'StartSyncExecution']);

function validate(config: unknown, path: string): ConfigError[] {
  const c = (config ?? {}) as Record<string, unknown>;
  const problems: ConfigError[] = [];
  if (typeof c.stateMachine !== 'string' || !c.stateMachine)
    problems.push(new ConfigError(`${path}.stateMachine`, `expected a state machine name or ARN, got ${JSON.stringify(c.stateMachine)}`));
  if (c.mode !== undefined && c.mode !== 'sync' && c.mode !== 'async')
    problems.push(new ConfigError(`${path}.mode`, `expected sync or async, got ${JSON.stringify(c.mode)}`));
  problems.push(...unknownKeyErrors(c, path, ['stateMachine', 'mode']).errors);
  return problems;
}

/** The ARN of `reference`: an ARN as is; a config key or a machine name in the service's scope. */
export function stateMachineArnOf(reference: string, config: NormalizedConfig, scope: ArnScope = DEFAULT_SCOPE): string {
  if (reference.startsWith('arn:')) return reference;
  const machines = config.stepFunctions?.stateMachines ?? {};
  const declared = machines[reference];
  const name = (declared?.name as string | undefined) ?? reference;
  return `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

/** Reads a JSON text output; anything else as it is. */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const isoDate = (value: unknown): string | undefined => {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value < 1e11 ? value * 1000 : value).toISOString();
  return typeof value === 'string' ? value : undefined;
};

/**
 * Creates the `AWS_STEP_FUNCTIONS` kind bound to a Step Functions service. `starter` may be a
 * function, for gateways that create the service after the data sources.
 */
export function createStepFunctionsDataSourceKind(starter: StarterSource): DataSourceKind<StepFunctionsDataSourceConfig> {
  const current = (): StepFunctionsStarter => {
    const found = typeof starter === 'function' ? starter() : starter;
    if (!found) throw new Error('The Step Functions service is not running');
    return found;
  };
  return {
    validate,
    create({ name, config, gatewayConfig }): DataSource {
      /** Starts one execution and turns its end into the field's value or error. */
      const start = async (operation: string, input: unknown, executionName: string | undefined, machine: string | undefined): Promise<DataSourceResult> => {
        const sfn = current();
        const arn = stateMachineArnOf(machine ?? config.stateMachine, gatewayConfig, sfn.service?.scope);
        let wait: boolean | undefined = operation === 'StartSyncExecution' ? true : operation === 'StartExecution' ? false : undefined;
        const value = typeof input === 'string' ? parsed(input) : (input ?? {});
        let answer: Record<string, unknown>;
        try {
          // Gateway choice: without an explicit mode, Express machines answer with their output and
          // Standard machines with the started execution, as each is usually called on AWS.
          if (wait === undefined) wait = config.mode ? config.mode === 'sync' : sfn.service?.machine?.(arn).type === 'EXPRESS';
          answer = ((await sfn.startExecution(arn, value, executionName, wait)) ?? {}) as Record<string, unknown>;
        } catch (error) {
          const e = error as { name?: string; sfnName?: string; message?: string };
          return { error: { type: `StepFunctions:${e.sfnName ?? e.name ?? 'ServiceException'}`, message: e.message ?? String(error) } };
        }
        if (!wait) return { result: { executionArn: answer.executionArn, startDate: isoDate(answer.startDate) } };
        if (answer.status === 'SUCCEEDED') return { result: parsed(answer.output) };
        // A failed, timed-out or aborted execution: its error name and cause, as StartSyncExecution reports them.
        const status = String(answer.status ?? 'FAILED');
        const errorName = status === 'ABORTED' ? 'ExecutionAborted' : String(answer.error ?? (status === 'TIMED_OUT' ? 'States.Timeout' : 'ExecutionFailed'));
        return {
          error: {
            type: `StepFunctions:${errorName}`,
            message: String(answer.cause ?? answer.error ?? `The execution ended with status ${status}`),
            data: { executionArn: answer.executionArn, status, error: answer.error ?? null, cause: answer.cause ?? null },
          },
        };
      };

      return {
        name,
        type: 'AWS_STEP_FUNCTIONS',
        async invoke(request) {
          if (!request || typeof request !== 'object' || Array.isArray(request)) {
            return {
              error: {
                type: 'StepFunctions:InvalidRequestException',
                message: 'The request must be { operation: StartExecution | StartSyncExecution, input, name? }.',
              },
            };
          }
          const r = request as { operation?: unknown; input?: unknown; name?: unknown; stateMachine?: unknown };
          if (typeof r.operation !== 'string' || !OPERATIONS.has(r.operation)) {
            return {
              error: {
                type: 'StepFunctions:InvalidRequestException',
                message: `operation: expected StartExecution or StartSyncExecution, got ${JSON.stringify(r.operation)}`,
              },
            };
          }
          if (r.name !== undefined && typeof r.name !== 'string')
            return { error: { type: 'StepFunctions:InvalidRequestException', message: 'name: expected a string' } };
          if (r.stateMachine !== undefined && typeof r.stateMachine !== 'string')
            return { error: { type: 'StepFunctions:InvalidRequestException', message: 'stateMachine: expected a name or ARN' } };
          return start(r.operation, r.input, r.name as string | undefined, r.stateMachine as string | undefined);
        },
        async invokeDirect(context) {
          return start('default', context.resolverContext.arguments ?? {}, undefined, undefined);
        },
      };
    },
  };
}
