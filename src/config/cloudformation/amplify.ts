/**
 * Amplify Gen 1 build output (`amplify/backend/api/NAME/build`, what `amplify push` uploads):
 * `cloudformation-template.json` (the API's root stack), `stacks/*.json` (a nested stack per
 * `@model` type, `ConnectionStack`, ...), `resolvers/` and `pipelineFunctions/` (the VTL mapping
 * templates), `schema.graphql` and `parameters.json`.
 *
 * Everything the root stack names in S3 sits under `s3://<S3DeploymentBucket>/<S3DeploymentRootKey>/`
 * (mapping templates, the schema) or `https://s3.<region>.<urlSuffix>/<bucket>/<rootKey>/` (the nested
 * stacks' `TemplateURL`), the two parameters the Amplify CLI passes when it deploys the build folder.
 * Locally both name this folder: a location under them is the file at the same relative path here.
 * The rest is the generic template loader's work (./stacks.ts, ./toConfig.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { GatewayConfig } from '../types.js';
import type { Template } from './evaluate.js';
import { loadTemplateStacks, type AssetLocator, type LoadedStack, type StackLoadOptions } from './stacks.js';

/** The root stack's file name in an Amplify Gen 1 build folder. */
export const AMPLIFY_ROOT_TEMPLATE = 'cloudformation-template.json';

/**
 * Values for the deployment parameters when `parameters.json` has none: any value works, since a
 * location under them is read from the build folder (Gateway choice).
 */
const LOCAL_DEPLOYMENT = { S3DeploymentBucket: 'local-deployment-bucket', S3DeploymentRootKey: 'local-deployment-root' };

/**
 * Parameters the CLI takes from other categories' stacks (the auth category's roles), which a build
 * folder alone does not hold. Their value only reaches IAM policies (ignored locally) and the admin-role
 * checks of IAM-authorized resolvers, so a stand-in name is harmless (Gateway choice). The user pool id
 * (`AuthCognitoUserPoolId`) is not here: the gateway verifies tokens against it, so it must be given.
 */
const CROSS_CATEGORY_DEFAULTS: Record<string, string> = { authRoleName: 'amplify-local-authRole', unauthRoleName: 'amplify-local-unauthRole' };

/** Whether `dir` looks like an Amplify Gen 1 API build folder (its root template and a `stacks/` or `resolvers/` folder beside it). */
export function isAmplifyBuild(dir: string): boolean {
  try {
    return (
      statSync(dir).isDirectory() && existsSync(join(dir, AMPLIFY_ROOT_TEMPLATE)) && (existsSync(join(dir, 'stacks')) || existsSync(join(dir, 'resolvers')))
    );
  } catch (error) {
    // A path that cannot be read is not a build folder; the caller reports it as a missing config.
    void error;
    return false;
  }
}

/** `parameters.json` beside the root template: the values the CLI deploys the root stack with. */
function readBuildParameters(dir: string): Record<string, unknown> {
  const file = join(dir, 'parameters.json');
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, `not JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(file, 'expected an object of parameter values');
  return parsed as Record<string, unknown>;
}

/**
 * A location under `<bucket>/<rootKey>/` (as `s3://` or a path-style `https://s3…` URL) → the file at the
 * same path in the build folder; any other location is a load error naming the property.
 */
export function amplifyLocator(dir: string, bucket: string, rootKey: string): AssetLocator {
  const root = resolve(dir);
  const prefix = `${bucket}/${rootKey}/`;
  return (location, path, stack) => {
    const s3 = /^s3:\/\/(.+)$/.exec(location);
    const https = /^https:\/\/[^/]+\/(.+)$/.exec(location);
    const rest = s3?.[1] ?? https?.[1];
    if (rest === undefined || !rest.startsWith(prefix))
      throw stack.error(path, `${location} is not under the deployment location ${bucket}/${rootKey} of the Amplify build folder ${root}`);
    const file = resolve(root, rest.slice(prefix.length));
    const inside = relative(root, file);
    if (inside.startsWith('..') || inside.startsWith(sep)) throw stack.error(path, `${location} points outside the build folder ${root}`);
    if (!existsSync(file)) throw stack.error(path, `${location}: ${file} is missing from the build folder (run amplify api gql-compile again)`);
    return file;
  };
}

/**
 * Reads an Amplify Gen 1 build folder into evaluated stacks: the root stack with its nested stacks,
 * parameters from `parameters.json`, then the stand-ins above, then `--parameter` values.
 */
export async function loadAmplifyStacks(dir: string, options: StackLoadOptions = {}): Promise<LoadedStack[]> {
  const file = join(dir, AMPLIFY_ROOT_TEMPLATE);
  let declared: Template['Parameters'];
  try {
    declared = (JSON.parse(readFileSync(file, 'utf8')) as Template).Parameters ?? {};
  } catch (error) {
    throw new ConfigError(file, `cannot read the root stack (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const fromBuild = readBuildParameters(dir);
  const parameters: Record<string, string> = {};
  // parameters.json may hold values for parameters an older build declared; only declared ones apply.
  for (const [name, value] of Object.entries({ ...LOCAL_DEPLOYMENT, ...CROSS_CATEGORY_DEFAULTS, ...fromBuild })) {
    if (name in declared && value !== undefined && value !== null) parameters[name] = String(value);
  }
  Object.assign(parameters, options.parameters);
  const bucket = parameters.S3DeploymentBucket ?? LOCAL_DEPLOYMENT.S3DeploymentBucket;
  const rootKey = parameters.S3DeploymentRootKey ?? LOCAL_DEPLOYMENT.S3DeploymentRootKey;
  return loadTemplateStacks(file, { ...options, parameters, locator: amplifyLocator(dir, bucket, rootKey) });
}

/**
 * `@function` resolvers call Lambda functions the Amplify project deploys from
 * `amplify/backend/function/<name>/` (as `<name>-<env>`), which the build folder does not hold. Where
 * that folder sits beside the API (`build/../../../function/<name>/src`) and runs on Node.js, the
 * function runs in-process from it, as the gateway runs any local function; otherwise the data
 * source keeps its ARN (the Lambda Invoke API of the configured endpoint) and a warning says so.
 * @returns the warnings, one per function left to the Invoke API.
 */
export function runAmplifyFunctionsLocally(config: GatewayConfig, buildDir: string, env: unknown): string[] {
  const backend = resolve(buildDir, '..', '..', '..');
  const warnings: string[] = [];
  for (const [dataSourceName, dataSource] of Object.entries(config.dataSources ?? {})) {
    const settings = dataSource.config as { functionArn?: unknown; functionName?: unknown } | undefined;
    if (dataSource.type !== 'AWS_LAMBDA' || typeof settings?.functionArn !== 'string') continue;
    const deployed = /:function:([^:]+)/.exec(settings.functionArn)?.[1];
    if (!deployed) continue;
    const names = typeof env === 'string' && deployed.endsWith(`-${env}`) ? [deployed.slice(0, -env.length - 1), deployed] : [deployed];
    const name = names.find((n) => existsSync(join(backend, 'function', n, 'src')));
    if (!name) {
      warnings.push(
        `dataSources.${dataSourceName}: function ${deployed} is not in ${join(backend, 'function')}; ` +
          'its calls go to the Lambda Invoke API (docs/amplify.md#not-supported)',
      );
      continue;
    }
    const folder = join(backend, 'function', name);
    const { handler, runtime } = amplifyFunctionSettings(folder, name);
    if (!/^nodejs\d+\.x$/.test(runtime)) {
      warnings.push(
        `dataSources.${dataSourceName}: function ${name} uses runtime ${runtime}; ` +
          'the gateway runs Node.js functions only, its calls go to the Lambda Invoke API',
      );
      continue;
    }
    config.serverlessFunctions = { ...config.serverlessFunctions, [deployed]: { handler: join(folder, 'src', handler) } };
    dataSource.config = { functionName: deployed };
  }
  return warnings;
}

/** The function's `Handler` and `Runtime` from its `<name>-cloudformation-template.json`; Amplify's Node.js defaults without it. */
function amplifyFunctionSettings(folder: string, name: string): { handler: string; runtime: string } {
  const file = join(folder, `${name}-cloudformation-template.json`);
  const defaults = { handler: 'index.handler', runtime: 'nodejs20.x' };
  if (!existsSync(file)) return defaults;
  let template: Template;
  try {
    template = JSON.parse(readFileSync(file, 'utf8')) as Template;
  } catch (error) {
    throw new ConfigError(file, `not JSON: ${(error as Error).message}`);
  }
  const fn = Object.values(template.Resources ?? {}).find((r) => r.Type === 'AWS::Lambda::Function');
  const handler = fn?.Properties?.Handler;
  const runtime = fn?.Properties?.Runtime;
  return { handler: typeof handler === 'string' ? handler : defaults.handler, runtime: typeof runtime === 'string' ? runtime : defaults.runtime };
}
