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
