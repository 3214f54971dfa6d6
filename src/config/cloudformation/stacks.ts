/**
 * The stacks of one input: a template file (with its nested stacks), or a CDK cloud assembly
 * (`cdk.out`: `manifest.json`, stack templates, asset folders and files), each stack with an
 * evaluator and a way to find the local file behind an S3 location.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, ConfigErrors } from '../../errors.js';
import { StackEvaluator, type Template } from './evaluate.js';
import { readTemplateFile } from './yaml.js';

/** Finds the local file or folder behind an S3 location (a CDK asset) or a local path. */
export type AssetLocator = (location: string, path: string, stack: StackEvaluator) => string;

/** One stack of the input, evaluated on demand. */
export interface LoadedStack {
  /** The stack's name (`AWS::StackName`). */
  name: string;
  /** The template file. */
  file: string;
  /** Folder local paths in the template resolve from. */
  dir: string;
  evaluator: StackEvaluator;
  /** S3 locations and local paths → local files. */
  locate: (location: string, path: string) => string;
  /** Nested stacks (`AWS::CloudFormation::Stack`), by logical id. */
  nested: Map<string, LoadedStack>;
  /** Every file this stack was read from (watched under `--watch`). */
  files: string[];
}

export interface StackLoadOptions {
  /** `--parameter Key=Value`: values for the root stacks' parameters. */
  parameters?: Record<string, string>;
  region?: string;
  accountId?: string;
  /** A template file's `AWS::StackName`. @default its file name without extension */
  stackName?: string;
  /** Where S3 locations of a template file point locally (an Amplify build folder's, ./amplify.ts). @default paths beside the template only */
  locator?: AssetLocator;
}

/** `s3://bucket/key`, `https://bucket.s3.amazonaws.com/key`, `https://s3.region.amazonaws.com/bucket/key` → the object key. */
function s3Key(location: string): string | undefined {
  const s3 = /^s3:\/\/[^/]+\/(.+)$/.exec(location);
  if (s3) return s3[1];
  const url = /^https:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!url || !/(^|\.)s3[.-]/.test(url[1]!)) return undefined;
  // Path-style URLs carry the bucket as the first segment.
  return /^s3[.-]/.test(url[1]!) ? url[2]!.split('/').slice(1).join('/') : url[2];
}

/** Local paths beside the template (what `aws cloudformation package` and `sam` accept). */
function localLocator(dir: string): AssetLocator {
  return (location, path, stack) => {
    if (/^(s3|https?):\/\//.test(location))
      throw stack.error(path, `${location} is in S3: the gateway reads only local files (give a path relative to the template, or serve the CDK assembly)`);
    const file = resolve(dir, location);
    if (!existsSync(file)) throw stack.error(path, `file not found: ${file}`);
    return file;
  };
}

/** CDK assets (`*.assets.json`): object key → the file or folder in the assembly. */
function assetLocator(assemblyDir: string, assets: Map<string, string>): AssetLocator {
  const local = localLocator(assemblyDir);
  return (location, path, stack) => {
    const key = s3Key(location) ?? (assets.has(location) ? location : undefined);
    if (key === undefined) return local(location, path, stack);
    const source = assets.get(key) ?? assets.get(basename(key));
    if (!source) throw stack.error(path, `${location}: no asset of the assembly has the object key ${key}`);
    if (!existsSync(source)) throw stack.error(path, `${location}: the asset ${source} is missing (run cdk synth again)`);
    return source;
  };
}

async function readJson(file: string): Promise<any> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Transforms the gateway applies itself: SAM's (./sam.ts) and the language extensions (evaluate.ts). */
const KNOWN_TRANSFORMS = ['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions'];

function asTemplate(document: unknown, file: string): Template {
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new ConfigError(file, 'expected a CloudFormation template (a mapping)');
  const template = document as Template;
  if (!template.Resources || typeof template.Resources !== 'object') throw new ConfigError(file, 'a template needs Resources');
  // A macro rewrites the template in AWS before CloudFormation reads it: locally there is nothing to run it.
  const transforms = (Array.isArray(template.Transform) ? template.Transform : template.Transform === undefined ? [] : [template.Transform]).map((t) =>
    t && typeof t === 'object' ? String((t as { Name?: unknown }).Name) : String(t),
  );
  const unknown = transforms.filter((t) => !KNOWN_TRANSFORMS.includes(t));
  if (unknown.length > 0)
    throw new ConfigError(
      `${file}: Transform`,
      `${unknown.join(', ')}: the gateway cannot run CloudFormation macros or transforms other than ${KNOWN_TRANSFORMS.join(' and ')} ` +
        '(deploy the template, or serve the processed template: `aws cloudformation get-template --template-stage Processed`)',
    );
  return template;
}

interface StackSource {
  name: string;
  file: string;
  template: Template;
  locator: AssetLocator;
  parameters?: Record<string, unknown>;
  importValue?: (name: string) => unknown;
  region?: string;
  accountId?: string;
  /** Stack names from the root down, to refuse a stack that nests itself. */
  chain: string[];
}

/** Builds a stack and, recursively, its nested stacks (read now; evaluated on demand). */
async function buildStack(source: StackSource, problems: ConfigError[]): Promise<LoadedStack> {
  const nested = new Map<string, LoadedStack>();
  const dir = dirname(source.file);
  const files = [source.file];
  const evaluator = new StackEvaluator(source.template, {
    file: source.file,
    stackName: source.name,
    region: source.region,
    accountId: source.accountId,
    parameters: source.parameters,
    importValue: source.importValue,
    nestedOutput: (logicalId, output, path) => {
      const child = nested.get(logicalId);
      if (!child) throw evaluator.error(path, `Fn::GetAtt ${logicalId}.Outputs.${output}: the nested stack was not loaded`);
      return child.evaluator.outputs().values[output];
    },
  });
  const stack: LoadedStack = { name: source.name, file: source.file, dir, evaluator, locate: (l, p) => source.locator(l, p, evaluator), nested, files };
  for (const logicalId of nestedStackOrder(evaluator.resources)) {
    const path = `Resources.${logicalId}.Properties`;
    try {
      if (!evaluator.isCreated(logicalId)) continue;
      const url = evaluator.property(logicalId, 'TemplateURL');
      if (typeof url !== 'string') throw evaluator.error(`${path}.TemplateURL`, 'expected the nested template’s location');
      const file = source.locator(url, `${path}.TemplateURL`, evaluator);
      if (source.chain.includes(file)) throw evaluator.error(`${path}.TemplateURL`, `the nested stack includes ${file} again (a cycle)`);
      const parameters = (evaluator.property(logicalId, 'Parameters') ?? {}) as Record<string, unknown>;
      const template = asTemplate(await readTemplateFile(file), file);
      const child = await buildStack(
        {
          name: `${source.name}-${logicalId}`,
          file,
          template,
          locator: source.locator,
          parameters,
          importValue: source.importValue,
          region: source.region,
          accountId: source.accountId,
          chain: [...source.chain, file],
        },
        problems,
      );
      nested.set(logicalId, child);
      files.push(...child.files);
    } catch (error) {
      if (error instanceof ConfigErrors) problems.push(...error.errors);
      else if (error instanceof ConfigError) problems.push(error);
      else throw error;
    }
  }
  return stack;
}

/**
 * The nested stacks of a template, each after the nested stacks whose outputs its `Parameters` read
 * (`Fn::GetAtt [Other, Outputs.Name]`, as Amplify's stacks pass one another's data-source names):
 * a child's parameters are evaluated when it is built. In a cycle, the stack reached first waits for
 * none (its GetAtt then fails naming the stack that was not loaded).
 */
function nestedStackOrder(resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }>): string[] {
  const ids = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::CloudFormation::Stack');
  const reads = (value: unknown, out: Set<string>): Set<string> => {
    if (Array.isArray(value)) value.forEach((v) => reads(v, out));
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Fn::GetAtt') {
          const target = Array.isArray(inner) ? inner[0] : typeof inner === 'string' ? inner.split('.')[0] : undefined;
          if (typeof target === 'string' && ids.includes(target)) out.add(target);
        }
        reads(inner, out);
      }
    }
    return out;
  };
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dependency of reads(resources[id]?.Properties?.Parameters, new Set())) visit(dependency);
    order.push(id);
  };
  ids.forEach(visit);
  return order;
}

/** The stack name a template file gets: its file name without extension (Gateway choice). */
function stackNameOf(file: string): string {
  return (
    basename(file)
      .replace(/\.(template\.)?(json|ya?ml|template)$/i, '')
      .replace(/[^A-Za-z0-9-]/g, '-') || 'stack'
  );
}

/** Reads a template file and its nested stacks. */
export async function loadTemplateStacks(file: string, options: StackLoadOptions = {}): Promise<LoadedStack[]> {
  const template = asTemplate(await readTemplateFile(file), file);
  const problems: ConfigError[] = [];
  const stack = await buildStack(
    {
      name: options.stackName ?? stackNameOf(file),
      file,
      template,
      locator: options.locator ?? localLocator(dirname(file)),
      parameters: options.parameters,
      region: options.region,
      accountId: options.accountId,
      chain: [file],
    },
    problems,
  );
  if (problems.length > 0) throw new ConfigErrors(problems);
  return [stack];
}

interface ManifestArtifact {
  type?: string;
  environment?: string;
  properties?: { templateFile?: string; file?: string; stackName?: string; parameters?: Record<string, string> };
  displayName?: string;
  dependencies?: string[];
}

/** Whether `dir` is a CDK cloud assembly (holds a `manifest.json` with artifacts). */
export function isCloudAssembly(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, 'manifest.json'));
  } catch {
    // A path that cannot be read is not an assembly; the caller reports it as a missing config file.
    return false;
  }
}

/**
 * Reads a CDK cloud assembly: each `aws:cloudformation:stack` artifact (nested assemblies of
 * CDK Stages included), its asset manifest, and exports shared by `Fn::ImportValue`.
 */
export async function loadAssemblyStacks(dir: string, options: StackLoadOptions = {}): Promise<LoadedStack[]> {
  const problems: ConfigError[] = [];
  const stacks: LoadedStack[] = [];
  const exporters: LoadedStack[] = [];
  let exportsCache: Record<string, unknown> | undefined;
  const importValue = (name: string): unknown => {
    exportsCache ??= Object.assign({}, ...exporters.map((s) => s.evaluator.outputs().exports));
    return exportsCache![name];
  };
  const visit = async (assemblyDir: string, seen: Set<string>) => {
    const manifestFile = join(assemblyDir, 'manifest.json');
    if (seen.has(manifestFile)) return;
    seen.add(manifestFile);
    const manifest = (await readJson(manifestFile)) as { artifacts?: Record<string, ManifestArtifact> };
    const artifacts = Object.entries(manifest.artifacts ?? {});
    const assets = new Map<string, string>();
    for (const [, artifact] of artifacts) {
      if (artifact.type !== 'cdk:asset-manifest' || !artifact.properties?.file) continue;
      const assetManifest = (await readJson(join(assemblyDir, artifact.properties.file))) as {
        files?: Record<string, { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }>;
      };
      for (const [hash, entry] of Object.entries(assetManifest.files ?? {})) {
        if (!entry.source?.path) continue;
        const source = resolve(assemblyDir, entry.source.path);
        assets.set(hash, source);
        for (const destination of Object.values(entry.destinations ?? {})) if (destination.objectKey) assets.set(destination.objectKey, source);
      }
    }
    const locator = assetLocator(assemblyDir, assets);
    for (const [id, artifact] of artifacts) {
      if (artifact.type === 'cdk:cloud-assembly' && artifact.properties && 'directoryName' in artifact.properties) {
        await visit(join(assemblyDir, String((artifact.properties as { directoryName: string }).directoryName)), seen);
        continue;
      }
      if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
      const file = join(assemblyDir, artifact.properties.templateFile);
      // `aws://unknown-account/unknown-region` is environment-agnostic: the defaults apply.
      const env = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(artifact.environment ?? '');
      try {
        const template = asTemplate(await readTemplateFile(file), file);
        const stack = await buildStack(
          {
            name: artifact.properties.stackName ?? artifact.displayName ?? id,
            file,
            template,
            locator,
            // The assembly's own parameter values, then the user's (which apply to the stacks declaring them).
            parameters: pick({ ...artifact.properties.parameters, ...options.parameters }, template),
            importValue,
            region: options.region ?? env?.[2],
            accountId: options.accountId ?? env?.[1],
            chain: [file],
          },
          problems,
        );
        stacks.push(stack);
        exporters.push(stack, ...stack.nested.values());
      } catch (error) {
        if (error instanceof ConfigErrors) problems.push(...error.errors);
        else if (error instanceof ConfigError) problems.push(error);
        else throw error;
      }
    }
  };
  await visit(resolve(dir), new Set());
  if (problems.length > 0) throw new ConfigErrors(problems);
  const declared = new Set(stacks.flatMap((s) => Object.keys(s.evaluator.template.Parameters ?? {})));
  const unknown = Object.keys(options.parameters ?? {}).filter((name) => !declared.has(name));
  if (unknown.length > 0)
    throw new ConfigErrors(unknown.map((name) => new ConfigError(join(dir, 'manifest.json'), `--parameter ${name}: no stack declares it`)));
  if (stacks.length === 0) throw new ConfigError(join(dir, 'manifest.json'), 'the assembly holds no CloudFormation stack');
  return stacks;
}

/** The values among `given` that `template` declares as parameters. */
function pick(given: Record<string, string>, template: Template): Record<string, string> {
  return Object.fromEntries(Object.entries(given).filter(([name]) => name in (template.Parameters ?? {})));
}
