/**
 * Lambda tasks: a function ARN as `Resource` (the result is the function's return value) and the
 * optimized `arn:aws:states:::lambda:invoke` integration (the result wraps it in the Invoke API's
 * response). Functions are the gateway's own: an AWS_LAMBDA data source or a serverless.yml
 * `functions:` entry, run by the Lambda data source's invoker.
 */
import { randomUUID } from 'node:crypto';
import { createLambdaInvoker, LambdaFunctionError, type LambdaInvoker, type LambdaTarget } from '../../datasources/lambda/invoker.js';
import type { NormalizedConfig } from '../../config/types.js';
import type { Logger } from '../../datasources/types.js';
import { StatesError } from '../engine/types.js';
import { lambdaFunctionName } from './resource.js';
import { sdkMetadata, serviceError } from './serviceError.js';
import { DEFAULT_REGION, DEFAULT_ACCOUNT_ID } from '../../config/awsDefaults.js';

/** Where a function name leads in the gateway's config. */
export interface FunctionTarget {
  /** What the invoker runs. */
  target: LambdaTarget;
  /** Config key path, for error messages. */
  path: string;
}

const exportNameOf = (handler: string): string => {
  const hash = handler.lastIndexOf('#');
  if (hash > 0) return handler.slice(hash + 1);
  const dot = handler.lastIndexOf('.');
  return dot > 0 ? handler.slice(dot + 1) : 'handler';
};

/**
 * Finds the function a Task names. Gateway choice: the name is matched, in this order, to an
 * AWS_LAMBDA data source's `functionName`/`functionArn`, to a serverless.yml `functions:` key
 * (also as the deployed name `<service>-<stage>-<key>`), to
 * an AWS_LAMBDA data source's own name, then to the export name of its `handler`.
 */
export function findFunction(config: NormalizedConfig, functionName: string): FunctionTarget | undefined {
  const { name } = lambdaFunctionName(functionName);
  const lambdas = Object.values(config.dataSources).filter((ds) => ds.type === 'AWS_LAMBDA');
  const pathOf = (dsName: string) => `dataSources.${dsName}.config`;
  for (const ds of lambdas) {
    const c = ds.config as LambdaTarget;
    for (const declared of [c.functionName, c.functionArn]) {
      if (typeof declared === 'string' && lambdaFunctionName(declared).name === name) return { target: c, path: pathOf(ds.name) };
    }
  }
  const functions = config.serverlessFunctions ?? {};
  // The Serverless Framework deploys `functions.hello` as `<service>-<stage>-hello`.
  const key = functions[name] ? name : Object.keys(functions).find((k) => name.endsWith(`-${k}`));
  if (key) return { target: { handler: functions[key]!.handler }, path: `functions.${key}` };
  const byName = lambdas.find((ds) => ds.name === name);
  if (byName) return { target: byName.config as LambdaTarget, path: pathOf(byName.name) };
  for (const ds of lambdas) {
    const c = ds.config as LambdaTarget;
    const handler = c.handler ?? c.function?.handler;
    if (typeof handler === 'string' && exportNameOf(handler) === name) return { target: c, path: pathOf(ds.name) };
  }
  return undefined;
}

/**
 * The names a Task can call the config's functions by, one per function, for messages: an
 * `AWS_LAMBDA` data source's `functionName` (else its `functionArn`'s name, else the data source's
 * name) and each serverless.yml `functions:` key.
 */
export function declaredFunctionNames(config: NormalizedConfig): string[] {
  const names = Object.values(config.dataSources)
    .filter((ds) => ds.type === 'AWS_LAMBDA')
    .map((ds) => {
      const c = ds.config as LambdaTarget;
      const declared = c.functionName ?? c.functionArn;
      return typeof declared === 'string' ? lambdaFunctionName(declared).name : ds.name;
    });
  return [...new Set([...names, ...Object.keys(config.serverlessFunctions ?? {})])];
}

const OPTIMIZED_NOT_FOUND = (arn: string) => serviceError('Lambda', 'AWSLambda', 'ResourceNotFoundException', `Function not found: ${arn}`, 404);
/** The AWS SDK integrations summarise errors as the AWS SDK for Java v2 does. */
const SDK_NOT_FOUND = (arn: string) =>
  new StatesError('Lambda.ResourceNotFoundException', `Function not found: ${arn} (Service: Lambda, Status Code: 404, Request ID: ${randomUUID()})`);

/** Invokers for one config generation; replaced (and the old ones closed) when the config changes. */
export class LambdaFunctions {
  private generation: { config: NormalizedConfig; invokers: Map<string, LambdaInvoker> } | undefined;

  constructor(
    private readonly config: () => NormalizedConfig,
    private readonly logger: Logger,
    /** Region and account of the ARNs shown in causes. */
    private readonly scope: { region: string; accountId: string } = { region: DEFAULT_REGION, accountId: DEFAULT_ACCOUNT_ID },
  ) {}

  /** Runs `functionName` with `payload`; rejects with the StatesError a Task state reports. */
  async invoke(functionName: string, payload: unknown): Promise<unknown> {
    const invoker = this.invokerFor(functionName, OPTIMIZED_NOT_FOUND);
    try {
      const result = await invoker.invoke(payload ?? {});
      return result === undefined ? null : result;
    } catch (error) {
      throw toStatesError(error);
    }
  }

  /**
   * `arn:aws:states:::aws-sdk:lambda:invoke`: the Invoke API's response as it is (`Payload` as
   * JSON text). A function error does not fail the task: it comes back as `FunctionError:
   * Unhandled` with the error JSON as payload, as the API answers.
   */
  async invokeSdk(functionName: string, payload: unknown, version = '$LATEST'): Promise<Record<string, unknown>> {
    const invoker = this.invokerFor(functionName, SDK_NOT_FOUND);
    try {
      const result = await invoker.invoke(payload ?? {});
      return { ExecutedVersion: version, Payload: JSON.stringify(result === undefined ? null : result), StatusCode: 200 };
    } catch (error) {
      const failure = toStatesError(error);
      if (error instanceof LambdaFunctionError) return { ExecutedVersion: version, FunctionError: 'Unhandled', Payload: failure.cause, StatusCode: 200 };
      throw new StatesError(
        failure.error,
        failure.cause.replace(
          / \(Service: AWSLambda; Status Code: (\d+); Error Code: \w+; Request ID: ([^;]+); Proxy: null\)$/,
          ' (Service: Lambda, Status Code: $1, Request ID: $2)',
        ),
      );
    }
  }

  private invokerFor(functionName: string, notFound: (arn: string) => StatesError): LambdaInvoker {
    const config = this.config();
    if (this.generation?.config !== config) {
      const old = this.generation;
      this.generation = { config, invokers: new Map() };
      if (old) for (const invoker of old.invokers.values()) invoker.close().catch(() => {});
    }
    const { name } = lambdaFunctionName(functionName);
    let invoker = this.generation.invokers.get(name);
    if (!invoker) {
      const found = findFunction(config, functionName);
      if (!found) throw notFound(this.functionArn(name));
      try {
        invoker = createLambdaInvoker(found.target, { configDir: config.configDir, gatewayConfig: config, path: found.path, logger: this.logger });
      } catch (error) {
        throw serviceError('Lambda', 'AWSLambda', 'ServiceException', (error as Error).message, 500);
      }
      this.generation.invokers.set(name, invoker);
      this.logger.debug(`step functions: Lambda ${name} runs ${invoker.description}`);
    }
    return invoker;
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.scope.region}:${this.scope.accountId}:function:${name}`;
  }

  close(): void {
    if (this.generation) for (const invoker of this.generation.invokers.values()) invoker.close().catch(() => {});
    this.generation = undefined;
  }
}

/** The stack lines of what the function threw, when the invoker kept it. */
function traceOf(error: LambdaFunctionError): string[] {
  const original = (error as { cause?: unknown }).cause as { stack?: unknown } | undefined;
  if (typeof original?.stack === 'string') return original.stack.split('\n');
  return [`${error.functionErrorName}: ${error.message}`];
}

/**
 * A Lambda failure as Step Functions reports it: a function error is named after the thrown
 * error's type, its cause is the Node.js runtime's error JSON; a timeout is `Sandbox.Timedout`;
 * an Invoke API failure is `Lambda.<ErrorCode>`.
 */
export function toStatesError(error: unknown): StatesError {
  if (error instanceof StatesError) return error;
  if (error instanceof LambdaFunctionError) {
    if (error.errorType === 'Lambda:ExecutionTimeoutException') {
      return new StatesError(
        'Sandbox.Timedout',
        JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${randomUUID()} Error: ${error.message}` }),
      );
    }
    const errorType = error.functionErrorName;
    return new StatesError(errorType, JSON.stringify({ errorType, errorMessage: error.message, trace: traceOf(error) }));
  }
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  if (e?.$metadata) {
    // The Invoke API of a remote Lambda service answered with an error.
    return serviceError(
      'Lambda',
      'AWSLambda',
      e.name ?? 'AWSLambdaException',
      e.message ?? 'Lambda failed',
      e.$metadata.httpStatusCode ?? 500,
      e.$metadata.requestId,
    );
  }
  return serviceError('Lambda', 'AWSLambda', 'ServiceException', e?.message ?? String(error), 500);
}

/** The `lambda:invoke` result: the Invoke API's response with the payload parsed. */
export function invokeResult(payload: unknown, options: { statusCode?: number; version?: string } = {}): Record<string, unknown> {
  const requestId = randomUUID();
  const statusCode = options.statusCode ?? 200;
  const version = options.version ?? '$LATEST';
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': String(Buffer.byteLength(body)),
    'Content-Type': 'application/json',
    Date: new Date().toUTCString(),
    'X-Amz-Executed-Version': version,
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
    'X-Amzn-Trace-Id': `root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};sampled=0`,
  };
  const { SdkHttpMetadata, SdkResponseMetadata } = sdkMetadata(requestId, headers, statusCode) as { SdkHttpMetadata: unknown; SdkResponseMetadata: unknown };
  // Key order as Step Functions serialises it (alphabetical).
  return { ExecutedVersion: version, Payload: payload === undefined ? '' : payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode: statusCode };
}
