/**
 * Runs a Lambda function for the Lambda data source, the Lambda authorizer and Step Functions:
 * in-process (`handler: 'path/file.ts#export'`, or the Serverless form `lambda/index.handler`), or
 * through the Lambda Invoke API of AWS or any compatible service (`functionName` + `endpoint`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { ConfigError, DataSourceError, type ErrorType } from '../../errors.js';
import type { NormalizedConfig } from '../../config/types.js';
import { DEFAULT_REGION } from '../../config/awsDefaults.js';

export interface LambdaTarget {
  /** `path/file.ts#exportName` (relative to the config folder) run in-process. */
  handler?: string;
  /** Serverless plugin inline form: `{ handler: 'lambda/index.handler' }`. */
  function?: { handler?: string };
  /** A function name or ARN: matched to serverless.yml `functions:` first, else invoked remotely. */
  functionName?: string;
  functionArn?: string;
  /** Lambda Invoke API endpoint (e.g. a local emulator); default: AWS in `region`. */
  endpoint?: string;
  region?: string;
  /** Seconds before an in-process handler is abandoned. @default 30 */
  timeout?: number;
}

export interface LambdaInvoker {
  invoke(payload: unknown): Promise<unknown>;
  /** Where the function runs, for log lines. */
  readonly description: string;
  close(): Promise<void>;
}

/** Thrown by the function (errorType/errorMessage as Lambda reports them). */
export class LambdaFunctionError extends DataSourceError {
  /** The thrown error's name (`Error`, `NotFound`, …): direct Lambda resolvers report it as errorType. */
  readonly functionErrorName: string;
  constructor(message: string, errorType: ErrorType = 'Lambda:Unhandled', functionErrorName = 'Error') {
    super(message, errorType);
    this.functionErrorName = functionErrorName;
  }
}

type Handler = (event: unknown, context: Record<string, unknown>, callback?: (error: unknown, result?: unknown) => void) => unknown;

/** `file.ts#name` or the Serverless form `dir/file.name` (the last dot separates the export). */
function splitHandler(spec: string): { file: string; exportName: string } {
  const hash = spec.lastIndexOf('#');
  if (hash > 0) return { file: spec.slice(0, hash), exportName: spec.slice(hash + 1) };
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) return { file: spec, exportName: 'handler' };
  return { file: spec.slice(0, dot), exportName: spec.slice(dot + 1) };
}

function findModule(base: string): string | undefined {
  if (existsSync(base) && /\.[cm]?[jt]s$/.test(base)) return base;
  for (const ext of ['.ts', '.mts', '.js', '.mjs', '.cjs']) if (existsSync(base + ext)) return base + ext;
  return undefined;
}

function inProcessInvoker(spec: string, configDir: string, timeoutSeconds: number, path: string): LambdaInvoker {
  const { file, exportName } = splitHandler(spec);
  const modulePath = findModule(resolve(configDir, file));
  if (!modulePath) throw new ConfigError(path, `handler file not found: ${resolve(configDir, file)}`);
  let loaded: Promise<Handler> | undefined;
  const load = () =>
    (loaded ??= (async () => {
      // Fresh module per gateway load (--watch), so edits to the handler take effect.
      const mod = (await import(`${pathToFileURL(modulePath).href}?gateway=${Date.now()}`)) as Record<string, unknown>;
      const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
      if (typeof fn !== 'function') throw new ConfigError(path, `${modulePath} does not export a function named ${exportName}`);
      return fn as Handler;
    })());
  return {
    description: `${modulePath}#${exportName} (in-process)`,
    async invoke(payload) {
      const handler = await load();
      const started = Date.now();
      const deadline = started + timeoutSeconds * 1000;
      const context = {
        functionName: exportName,
        awsRequestId: crypto.randomUUID(),
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        callbackWaitsForEmptyEventLoop: true,
      };
      let timer: NodeJS.Timeout | undefined;
      const result = new Promise<unknown>((resolvePromise, reject) => {
        const callback = (error: unknown, value?: unknown) => (error ? reject(error) : resolvePromise(value));
        try {
          const returned = handler(structuredClone(payload), context, callback);
          if (returned !== undefined || handler.length < 3) Promise.resolve(returned).then(resolvePromise, reject);
        } catch (error) {
          reject(error);
        }
      });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LambdaFunctionError(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`, 'Lambda:ExecutionTimeoutException')),
          timeoutSeconds * 1000,
        );
      });
      try {
        return await Promise.race([result, timeout]);
      } catch (error) {
        if (error instanceof LambdaFunctionError) throw error;
        const e = error as { name?: string; message?: string };
        const failure = new LambdaFunctionError(e?.message ?? String(error), 'Lambda:Unhandled', typeof e?.name === 'string' ? e.name : 'Error');
        // Kept (not enumerable, never serialised) so Step Functions can report the stack as Lambda's `trace`.
        Object.defineProperty(failure, 'cause', { value: error, enumerable: false });
        throw failure;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {},
  };
}

function remoteInvoker(functionName: string, target: LambdaTarget): LambdaInvoker {
  // The AWS SDK's Lambda client (~150-200 ms to load) is loaded by the first invocation, not at
  // start-up: an API whose functions all run in-process never loads it.
  let client: Promise<{ client: LambdaClient; InvokeCommand: typeof import('@aws-sdk/client-lambda').InvokeCommand }> | undefined;
  const connect = () =>
    (client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => ({
      client: new LambdaClient({
        region: target.region ?? process.env.AWS_REGION ?? DEFAULT_REGION,
        endpoint: target.endpoint,
        // A local Invoke API needs some credentials; real AWS uses the SDK's default chain.
        ...(target.endpoint && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      }),
      InvokeCommand,
    })));
  return {
    description: `${functionName}${target.endpoint ? ` at ${target.endpoint}` : ''} (Invoke API)`,
    async invoke(payload) {
      const { client: lambda, InvokeCommand } = await connect();
      const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(payload ?? null)) }));
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      const value = text ? JSON.parse(text) : null;
      if (out.FunctionError) {
        throw new LambdaFunctionError(value?.errorMessage ?? 'Lambda function failed', 'Lambda:Unhandled', value?.errorType ?? 'Error');
      }
      return value;
    },
    async close() {
      if (client) (await client.catch(() => undefined))?.client.destroy();
    },
  };
}

/** Builds the invoker for a data source / authorizer config block at `path`. */
export function createLambdaInvoker(target: LambdaTarget, options: { configDir: string; gatewayConfig?: NormalizedConfig; path: string }): LambdaInvoker {
  const timeout = typeof target.timeout === 'number' && target.timeout > 0 ? target.timeout : 30;
  const handler = target.handler ?? target.function?.handler;
  if (handler) return inProcessInvoker(handler, options.configDir, timeout, options.path);
  const name = target.functionName ?? target.functionArn;
  if (!name) throw new ConfigError(options.path, 'expected handler, function.handler, functionName or functionArn');
  const serverless = options.gatewayConfig?.serverlessFunctions?.[name];
  if (serverless && !target.endpoint) return inProcessInvoker(serverless.handler, options.configDir, timeout, options.path);
  return remoteInvoker(name, target);
}
