/**
 * CloudFormation input (docs/cloudformation.md): a CloudFormation or SAM template (YAML or JSON,
 * nested stacks included) or a CDK cloud assembly (`cdk.out`), evaluated locally and translated
 * into the gateway's own config, so it is served like `appsync.config.yml`.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { LoadedConfig } from '../load.js';
import { isAmplifyBuild, loadAmplifyStacks, runAmplifyFunctionsLocally } from './amplify.js';
import { expandServerless } from './sam.js';
import { isCloudAssembly, loadAssemblyStacks, loadTemplateStacks, type LoadedStack, type StackLoadOptions } from './stacks.js';
import { stacksToConfig } from './toConfig.js';
import { parseTemplateText } from './yaml.js';

export { NO_VALUE, StackEvaluator, type StackEnvironment, type Template, type Resource } from './evaluate.js';
export { AMPLIFY_ROOT_TEMPLATE, amplifyLocator, isAmplifyBuild, loadAmplifyStacks, runAmplifyFunctionsLocally } from './amplify.js';
export { isCloudAssembly, loadAssemblyStacks, loadTemplateStacks, type AssetLocator, type LoadedStack, type StackLoadOptions } from './stacks.js';
export { scratchFile, stacksToConfig, type TranslateOptions, type TranslatedConfig } from './toConfig.js';
export { cloudFormationYamlTags, parseTemplateText, readTemplateFile } from './yaml.js';

/** Options of `loadCloudFormation` (the CLI's `--parameter` and `--stack`). */
export interface CloudFormationOptions {
  /** `--parameter Key=Value`: template parameter values, over their `Default`s. */
  parameters?: Record<string, string>;
  /**
   * `--stack NAME`: in a CDK assembly, the stack (by stack name or artifact id) whose API is
   * served, with the other stacks still read for `Fn::ImportValue`; for a template file, its
   * `AWS::StackName` (default: the file name without extension).
   */
  stack?: string;
  /** `--api NAME`: where the input holds several GraphQL APIs, the one served (its `Name` or logical id). */
  api?: string;
  /** `AWS::Region`. @default us-east-1 (or the assembly stack's own environment) */
  region?: string;
  /** `AWS::AccountId`. @default 123456789012 (or the assembly stack's own environment) */
  accountId?: string;
  /** Where inline code and mapping templates are written as files. @default the OS temp folder */
  scratchDir?: string;
}

/** What `loadCloudFormation` returns: a config file's `LoadedConfig`, plus what it left out and read. */
export interface LoadedCloudFormation extends LoadedConfig {
  /** Ignored resources and properties, to log once at `warn`. */
  warnings: string[];
  /** Every template file read (root and nested stacks). */
  files: string[];
}

/**
 * Loads a CloudFormation/SAM template file or a CDK cloud assembly folder and translates its
 * AppSync API into a `GatewayConfig` (still to be normalised, like any loaded config).
 *
 * Throws `ConfigErrors` listing every problem at once, each naming the template file, the
 * logical id and the property path (`template.yaml: Resources.Api.Properties.AuthenticationType: …`).
 *
 * @param path a `.yaml`/`.yml`/`.json`/`.template` file, or a folder holding `manifest.json`
 */
export async function loadCloudFormation(path: string, options: CloudFormationOptions = {}): Promise<LoadedCloudFormation> {
  const target = resolve(path);
  if (!existsSync(target)) throw new ConfigError(target, 'no such file or folder');
  const stackOptions: StackLoadOptions = { parameters: options.parameters, region: options.region, accountId: options.accountId };
  let stacks: LoadedStack[];
  let apiStacks: LoadedStack[];
  let configDir: string;
  const amplify = statSync(target).isDirectory() && isAmplifyBuild(target);
  if (amplify) {
    // Amplify Gen 1 build output (./amplify.ts); its data folder goes beside build/, which `amplify` rewrites.
    stacks = await loadAmplifyStacks(target, stackOptions);
    apiStacks = stacks;
    configDir = dirname(target);
  } else if (statSync(target).isDirectory()) {
    if (!isCloudAssembly(target)) throw new ConfigError(target, 'a folder given as config must be a CDK cloud assembly (holding manifest.json)');
    stacks = await loadAssemblyStacks(target, stackOptions);
    apiStacks = stacks;
    if (options.stack !== undefined) {
      apiStacks = stacks.filter((s) => s.name === options.stack || s.file.endsWith(`/${options.stack}.template.json`));
      if (apiStacks.length === 0) throw new ConfigError(target, `--stack ${options.stack}: the assembly holds ${stacks.map((s) => s.name).join(', ')}`);
    }
    // Beside cdk.out, not in it: `cdk synth` owns the assembly folder.
    configDir = dirname(target);
  } else {
    stacks = await loadTemplateStacks(target, { ...stackOptions, stackName: options.stack });
    apiStacks = stacks;
    configDir = dirname(target);
  }
  for (const stack of stacks) expandServerless(stack);
  const { config, warnings, functionEnvironment } = stacksToConfig(apiStacks, { scratchDir: options.scratchDir, apiName: options.api });
  if (amplify) warnings.push(...runAmplifyFunctionsLocally(config, target, stacks[0]!.evaluator.parameters.env));
  for (const [key, value] of Object.entries(functionEnvironment)) {
    if (process.env[key] === undefined) process.env[key] = value;
    else if (process.env[key] !== value)
      warnings.push(`Lambda environment variable ${key} is already set in the gateway's environment; the function sees that value`);
  }
  return { config, configDir, configFile: target, warnings, files: stacks.flatMap((s) => s.files) };
}

/**
 * Whether a parsed document is a CloudFormation or SAM template the gateway serves: it has
 * `AWSTemplateFormatVersion`, SAM's `Transform`, or an `AWS::AppSync::*` resource.
 */
export function isCloudFormationTemplate(document: unknown): boolean {
  if (!document || typeof document !== 'object' || Array.isArray(document)) return false;
  const d = document as Record<string, unknown>;
  if (typeof d.AWSTemplateFormatVersion === 'string') return true;
  const transforms = Array.isArray(d.Transform) ? d.Transform : [d.Transform];
  if (transforms.includes('AWS::Serverless-2016-10-31')) return true;
  const resources = d.Resources;
  if (!resources || typeof resources !== 'object') return false;
  return Object.values(resources as Record<string, { Type?: unknown }>).some((r) => typeof r?.Type === 'string' && /^AWS::(AppSync|Serverless)::/.test(r.Type));
}

/** Text one of which every template holds (the tests of isCloudFormationTemplate). */
const TEMPLATE_MARKERS = ['AWSTemplateFormatVersion', 'AWS::Serverless-2016-10-31', 'AWS::AppSync::', 'AWS::Serverless::'];

/** Whether `path` is input for `loadCloudFormation`: a CDK assembly folder or a template file. */
export async function isCloudFormationInput(path: string): Promise<boolean> {
  if (isCloudAssembly(path) || isAmplifyBuild(path)) return true;
  if (!/\.(ya?ml|json|template)$/i.test(path) || !existsSync(path)) return false;
  try {
    // A template names one of these (isCloudFormationTemplate); a file without any is not parsed
    // here only to be parsed again as the gateway's own config (the example's YAML: ~0.1 s of start-up).
    const text = await readFile(path, 'utf8');
    if (!TEMPLATE_MARKERS.some((marker) => text.includes(marker))) return false;
    return isCloudFormationTemplate(parseTemplateText(text, path));
  } catch (error) {
    // Not parseable as a template: the caller reads it as its own config and reports the parse error there.
    void error;
    return false;
  }
}
