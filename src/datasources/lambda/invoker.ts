/**
 * Runs a Lambda function for the Lambda data source, the Lambda authorizer and Step Functions:
 * in-process (`handler: 'path/file.ts#export'`, or the Serverless form `lambda/index.handler`), or
 * through the Lambda Invoke API of AWS or any compatible service (`functionName` + `endpoint`).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { ConfigError, DataSourceError, type ErrorType } from '../../errors.js';
import type { NormalizedConfig } from '../../config/types.js';
import { DEFAULT_REGION } from '../../config/awsDefaults.js';
import type { Logger } from '../types.js';

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
  /**
   * Imports an in-process function's file now, not at its first call, and throws a `ConfigError`
   * when it has no function of the configured name. Importing runs the file's top level, never the
   * function. `appsync-gateway validate` runs it; serving leaves the import to the first call
   * (docs/startup.md). Absent: nothing to check before a call (the Invoke API).
   */
  check?(): Promise<void>;
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

/**
 * Lambda's own answer when the configured export is missing: the Node.js runtime's
 * `Runtime.HandlerNotFound` (docs/http-lambda.md#lambda-data-source). The operator is told more,
 * once, in the log.
 */
class HandlerNotFoundError extends LambdaFunctionError {
  constructor(spec: string) {
    super(`${spec} is undefined or not exported`, 'Lambda:Unhandled', 'Runtime.HandlerNotFound');
  }
}

/** At most this many export names are listed in the error; more are counted. */
const LISTED_EXPORTS = 8;

/** What the module exports, for the error: named exports and, for a CommonJS module, `module.exports`' keys. */
function exportNames(mod: Record<string, unknown>): string[] {
  const names = new Set(Object.keys(mod).filter((name) => name !== 'default'));
  const fallback = mod.default;
  if (fallback && typeof fallback === 'object') for (const name of Object.keys(fallback)) names.add(name);
  if (typeof fallback === 'function') names.add('default');
  return [...names];
}

function missingExport(path: string, file: string, exportName: string, mod: Record<string, unknown>, found: unknown): ConfigError {
  if (found !== undefined) return new ConfigError(path, `${file} exports ${exportName} as ${typeof found}, not as a function`);
  const names = exportNames(mod);
  const listed =
    names.length === 0
      ? 'it exports nothing'
      : names.length <= LISTED_EXPORTS
        ? `its exports: ${names.join(', ')}`
        : `it has ${names.length} exports, such as ${names.slice(0, LISTED_EXPORTS).join(', ')}`;
  return new ConfigError(path, `${file} has no export named ${exportName} (${listed})`);
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

function inProcessInvoker(spec: string, configDir: string, timeoutSeconds: number, path: string, logger?: Logger): LambdaInvoker {
  const { file, exportName } = splitHandler(spec);
  const modulePath = findModule(resolve(configDir, file));
  if (!modulePath) throw new ConfigError(path, `handler file not found: ${resolve(configDir, file)}`);
  const inConfigDir = relative(configDir, modulePath);
  const shownFile = inConfigDir.startsWith('..') || isAbsolute(inConfigDir) ? modulePath : inConfigDir;
  let loaded: Promise<Handler> | undefined;
  const load = () =>
    (loaded ??= (async () => {
      // Fresh module per gateway load (--watch), so edits to the handler take effect.
      const mod = (await import(`${pathToFileURL(modulePath).href}?gateway=${Date.now()}`)) as Record<string, unknown>;
      const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
      if (typeof fn !== 'function') throw missingExport(path, shownFile, exportName, mod, fn);
      return fn as Handler;
    })());
  let reported = false;
  /** The first call finds the export missing: said once to the operator, and answered as Lambda answers. */
  const handler = () =>
    load().catch((error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
      if (!reported) {
        reported = true;
        logger?.error(`${error.message}; every call fails with Runtime.HandlerNotFound (appsync-gateway validate finds this before serving)`);
      }
      throw new HandlerNotFoundError(spec);
    });
  return {
    description: `${modulePath}#${exportName} (in-process)`,
    async check() {
      try {
        await load();
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        throw new ConfigError(path, `${shownFile} cannot be imported: ${(error as Error)?.message ?? String(error)}`, { cause: error });
      }
    },
    async invoke(payload) {
      const fn = await handler();
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
          const returned = fn(structuredClone(payload), context, callback);
          if (returned !== undefined || fn.length < 3) Promise.resolve(returned).then(resolvePromise, reject);
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
export function createLambdaInvoker(
  target: LambdaTarget,
  options: { configDir: string; gatewayConfig?: NormalizedConfig; path: string; logger?: Logger },
): LambdaInvoker {
  const timeout = typeof target.timeout === 'number' && target.timeout > 0 ? target.timeout : 30;
  if (target.handler) return inProcessInvoker(target.handler, options.configDir, timeout, `${options.path}.handler`, options.logger);
  if (target.function?.handler)
    return inProcessInvoker(target.function.handler, options.configDir, timeout, `${options.path}.function.handler`, options.logger);
  const name = target.functionName ?? target.functionArn;
  if (!name) throw new ConfigError(options.path, 'expected handler, function.handler, functionName or functionArn');
  const serverless = options.gatewayConfig?.serverlessFunctions?.[name];
  if (serverless && !target.endpoint)
    return inProcessInvoker(
      serverless.handler,
      options.configDir,
      timeout,
      `${options.path}.${target.functionName ? 'functionName' : 'functionArn'}`,
      options.logger,
    );
  return remoteInvoker(name, target);
}
