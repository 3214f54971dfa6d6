/**
 * Finds the Lambda function behind an ARN or name that DynamoDB resolver features name
 * (`conditionalCheckFailedHandler.lambdaArn`, a resolver's `sync` LAMBDA conflict handler), among
 * the functions the gateway already knows, and runs it with the shared Lambda invoker.
 */
import type { NormalizedConfig } from '../../config/types.js';
import { createLambdaInvoker, type LambdaInvoker, type LambdaTarget } from '../lambda/invoker.js';

/** `arn:aws:lambda:region:account:function:name[:alias]` → `name`; anything else as it is. */
export function functionNameOf(arnOrName: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(arnOrName);
  return match ? match[1]! : arnOrName;
}

const regionOf = (arn: string) => /^arn:[^:]+:lambda:([^:]+):/.exec(arn)?.[1];

/**
 * The config block to run for `reference`:
 * 1. an AWS_LAMBDA data source whose `functionArn`, `functionName` or `handler` is it (or whose
 *    function name equals the ARN's);
 * 2. a serverless.yml function of that name (Serverless deploys `service-stage-name`, so the
 *    deployed name's suffix counts too);
 * 3. otherwise the Lambda Invoke API of AWS in the ARN's region (SDK credential chain).
 */
export function lambdaTargetFor(reference: string, gatewayConfig: NormalizedConfig): { target: LambdaTarget; source: string } {
  const name = functionNameOf(reference);
  for (const ds of Object.values(gatewayConfig.dataSources ?? {})) {
    if (ds.type !== 'AWS_LAMBDA') continue;
    const c = ds.config as LambdaTarget;
    const candidates = [c.functionArn, c.functionName, c.handler, c.function?.handler].filter((v): v is string => typeof v === 'string');
    if (candidates.some((v) => v === reference || functionNameOf(v) === name)) return { target: c, source: `data source ${ds.name}` };
  }
  const functions = gatewayConfig.serverlessFunctions ?? {};
  const key = name in functions ? name : Object.keys(functions).find((k) => name.endsWith(`-${k}`));
  if (key) return { target: { functionName: key }, source: `serverless.yml function ${key}` };
  return { target: { functionArn: reference, region: regionOf(reference) }, source: 'the Lambda Invoke API' };
}

/** Invokers by reference, created on first use and closed with the data source. */
export class LambdaTargets {
  readonly #invokers = new Map<string, LambdaInvoker>();
  constructor(
    private readonly gatewayConfig: NormalizedConfig,
    private readonly path: string,
  ) {}

  get(reference: string): LambdaInvoker {
    let invoker = this.#invokers.get(reference);
    if (!invoker) {
      const { target } = lambdaTargetFor(reference, this.gatewayConfig);
      invoker = createLambdaInvoker(target, { configDir: this.gatewayConfig.configDir, gatewayConfig: this.gatewayConfig, path: this.path });
      this.#invokers.set(reference, invoker);
    }
    return invoker;
  }

  /** An inline function definition (a resolver's `sync.function`), cached under `key`. */
  forTarget(key: string, target: LambdaTarget): LambdaInvoker {
    let invoker = this.#invokers.get(key);
    if (!invoker) {
      invoker = createLambdaInvoker(target, { configDir: this.gatewayConfig.configDir, gatewayConfig: this.gatewayConfig, path: this.path });
      this.#invokers.set(key, invoker);
    }
    return invoker;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#invokers.values()].map((i) => i.close()));
    this.#invokers.clear();
  }
}
