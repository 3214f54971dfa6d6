/**
 * Loading: compiles, lints and registers every resolver and pipeline function file once, and
 * checks the config's resolvers against the schema and the data sources. Every problem is
 * collected, so one start reports them all.
 */
import { isObjectType, type GraphQLSchema } from 'graphql';
import type { MappingTemplates, NormalizedConfig } from '../config/types.js';
import type { DataSource, Logger } from '../datasources/types.js';
import { CodeLoadError, ConfigError, ConfigErrors } from '../errors.js';
import {
  compiledCode,
  compileResolverCode,
  MAX_CODE_LENGTH,
  MODULE_URL as COMPILE_URL,
  readResolverSource,
  sandboxModuleExports,
  type CompiledCode,
} from './appsync-js/compile.js';
import { checkedCompileOf } from './appsync-js/checkedCompiles.js';
import { CompileCache } from './appsync-js/compileCache.js';
import { formatLintFinding, lintAppSyncJs, MODULE_URL as LINT_URL, type LintFinding } from './appsync-js/lint.js';
import { isTypeScript, stripTypes, MODULE_URL as STRIP_URL } from './appsync-js/stripTypes.js';
import type { BoundResolver, GatewayPipeline, LoadedModule, Step } from './bound.js';
import { analyseFile, type Analysis, type GatewayModule } from './expressions/subset.js';
import { analyseTemplates } from './expressions/vtlSubset.js';
import type { Sandbox } from './isolation/sandbox.js';
import { loadVtlTemplates } from './vtl/loadTemplates.js';
import { TemplateCache } from './vtl/templateCache.js';

export interface LoadInput {
  config: NormalizedConfig;
  schema: GraphQLSchema;
  dataSources: ReadonlyMap<string, DataSource>;
  /** Unsupported APPSYNC_JS features are load errors instead of warnings. */
  strict?: boolean;
  /** Hears once when the VTL template cache cannot be written. */
  logger?: Logger;
}

/** Every bound field by `Type.field`; throws ConfigErrors naming each problem. */
export async function loadBoundResolvers(input: LoadInput, sandbox: Sandbox): Promise<{ bound: Map<string, BoundResolver>; warnings: string[] }> {
  const { config, schema, dataSources } = input;
  const bound = new Map<string, BoundResolver>();
  const warnings: string[] = [];
  const problems: ConfigError[] = [];
  const modules = new Map<string, Promise<LoadedModule>>();
  // Compiled and linted code of unchanged files comes from disk (appsync-js/compileCache.ts).
  const cache = CompileCache.open(config.configDir, [COMPILE_URL, LINT_URL, STRIP_URL], process.env, await sandboxModuleExports());
  // Parsed VTL templates of unchanged text come from disk (vtl/templateCache.ts).
  const templateCache = TemplateCache.open(config.configDir, process.env, input.logger);

  const loadOnce = async (file: string): Promise<LoadedModule> => {
    const source = await readResolverSource(file);
    const cached = await cache?.get(file, source);
    let compiled: CompiledCode;
    let findings: LintFinding[];
    if (cached) {
      compiled = compiledCode(file, cached.code, cached.mapText, source, [], cached.stripped);
      findings = cached.findings;
    } else {
      // Code the management API checked at CreateResolver/CreateFunction is compiled and linted already.
      const checked = checkedCompileOf(file, source);
      compiled = checked ?? (await compileResolverCode(file, source));
      // A TypeScript file's types are stripped once, for the linter and the evaluator's analysis, and kept in the cache.
      const stripped = isTypeScript(file) ? await stripTypes(file, source) : undefined;
      compiled.stripped = stripped?.code;
      findings = checked ? [] : await lintAppSyncJs(file, compiled.source, stripped);
      void cache?.set(file, source, compiled.inputs, { code: compiled.code, mapText: compiled.mapText, findings, stripped: stripped?.code });
    }
    if (compiled.source.length > MAX_CODE_LENGTH) {
      warnings.push(`${file}: code is ${compiled.source.length} characters; AppSync accepts at most ${MAX_CODE_LENGTH}`);
    }
    // Dynamic import() can never work in the sandbox and leaves a rejected promise behind,
    // so it is refused even without --strict.
    const dynamicImport = findings.find((f) => f.feature === 'dynamic import()');
    if (dynamicImport) throw new CodeLoadError(file, formatLintFinding(dynamicImport), dynamicImport.line);
    if (findings.length > 0) {
      if (input.strict) throw new CodeLoadError(file, findings.map(formatLintFinding).join('\n'), findings[0]!.line);
      warnings.push(...findings.map(formatLintFinding));
    }
    let id: number;
    let exported: string[];
    try {
      ({ id, exports: exported } = await sandbox.register(compiled.code, file));
    } catch (error) {
      throw new CodeLoadError(file, `the module failed to evaluate: ${error instanceof Error ? error.message : String(error)}`);
    }
    const missing = ['request', 'response'].filter((name) => !exported.includes(name));
    if (missing.length > 0) {
      throw new CodeLoadError(file, `the code must export ${missing.map((m) => `${m}(ctx)`).join(' and ')}`);
    }
    return { id, file, compiled };
  };

  /** One load per file, however many resolvers and functions share it; errors name `keyPath`. */
  const loadModule = (file: string, keyPath: string): Promise<LoadedModule> => {
    let loaded = modules.get(file);
    if (!loaded) {
      loaded = loadOnce(file);
      modules.set(file, loaded);
    }
    return loaded.catch((error) => {
      throw error instanceof CodeLoadError ? new ConfigError(keyPath, error.message) : error;
    });
  };

  /**
   * A VTL resolver or function: its templates checked and registered once (vtl/loadTemplates.ts);
   * resolves to undefined after adding its problems.
   */
  const vtlModules = new Map<string, Promise<LoadedModule | undefined>>();
  const loadTemplates = (templates: MappingTemplates, keyPath: string): Promise<LoadedModule | undefined> => {
    let loaded = vtlModules.get(keyPath);
    if (!loaded) {
      loaded = loadVtlTemplates(templates, keyPath, sandbox, templateCache).then((result) => {
        if (result.problems) problems.push(...result.problems);
        return result.problems ? undefined : result.module;
      });
      vtlModules.set(keyPath, loaded);
    }
    return loaded;
  };

  const tasks: Array<Promise<void>> = [];
  for (const resolver of config.resolvers) {
    const keyPath = `resolvers.${resolver.typeName}.${resolver.fieldName}`;
    const type = schema.getType(resolver.typeName);
    if (!type || !isObjectType(type) || !type.getFields()[resolver.fieldName]) {
      problems.push(new ConfigError(keyPath, `the schema has no field ${resolver.fieldName} on type ${resolver.typeName}`));
      continue;
    }
    const entry: BoundResolver = { resolver, label: `${resolver.typeName}.${resolver.fieldName}`, functions: [] };
    bound.set(entry.label, entry);
    if (resolver.kind === 'UNIT') {
      entry.dataSource = resolver.dataSource ? dataSources.get(resolver.dataSource) : undefined;
      if (resolver.code) tasks.push(loadModule(resolver.code, `${keyPath}.code`).then((m) => void (entry.module = m)));
      else if (resolver.templates) tasks.push(loadTemplates(resolver.templates, keyPath).then((m) => void (entry.module = m)));
      else if (!entry.dataSource?.invokeDirect) {
        problems.push(new ConfigError(`${keyPath}.code`, `a UNIT resolver needs code unless its data source is AWS_LAMBDA (direct Lambda resolver)`));
      }
      continue;
    }
    if (resolver.code) tasks.push(loadModule(resolver.code, `${keyPath}.code`).then((m) => void (entry.module = m)));
    else if (resolver.templates) tasks.push(loadTemplates(resolver.templates, keyPath).then((m) => void (entry.module = m)));
    if (resolver.functions.length > 10) {
      problems.push(new ConfigError(`${keyPath}.functions`, `a pipeline holds at most 10 functions, got ${resolver.functions.length}`));
    }
    resolver.functions.forEach((name, index) => {
      const fn = config.pipelineFunctions[name];
      const step: Step = { label: name, maxBatchSize: fn?.maxBatchSize };
      entry.functions.push(step);
      if (!fn) {
        problems.push(new ConfigError(`${keyPath}.functions.${index}`, `no pipeline function named "${name}"`));
        return;
      }
      step.dataSource = dataSources.get(fn.dataSource);
      if (fn.code) tasks.push(loadModule(fn.code, `pipelineFunctions.${name}.code`).then((m) => void (step.module = m)));
      else if (fn.templates) tasks.push(loadTemplates(fn.templates, `pipelineFunctions.${name}`).then((m) => void (step.module = m)));
      else if (!step.dataSource?.invokeDirect) {
        problems.push(new ConfigError(`pipelineFunctions.${name}.code`, 'a function needs code unless its data source is AWS_LAMBDA'));
      }
    });
  }
  for (const result of await Promise.allSettled(tasks)) {
    if (result.status === 'rejected') {
      if (result.reason instanceof ConfigError) problems.push(result.reason);
      else throw result.reason;
    }
  }
  if (problems.length > 0) throw new ConfigErrors(problems);
  return { bound, warnings };
}

/**
 * Analyses the files of unit and pipeline resolvers for the subset the gateway evaluates itself
 * and marks the unit resolvers whose handlers are both in it, and the pipelines whose every
 * handler is (its own and each function's): execute.ts runs them without the sandbox. Run after
 * the load, one file per turn of the event loop, so it delays neither listening nor a first
 * request: until a resolver is marked, the sandbox runs it, with the same answers. A pipeline's
 * files are analysed in order up to the first one outside the subset.
 */
export async function analyseResolvers(bound: ReadonlyMap<string, BoundResolver>, logger: Logger | undefined): Promise<void> {
  const analyses = new Map<LoadedModule, Analysis>();
  /**
   * A module's analysis, made once (after a turn of the event loop, so an API's analyses do not hold
   * up requests): VTL templates by vtlSubset.ts, an APPSYNC_JS file (shared by the resolvers and
   * functions that use it) by subset.ts.
   */
  const analysisOf = async (module: LoadedModule): Promise<Analysis> => {
    if (module.templates) {
      if (!module.analysis) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        module.analysis = analyseVtl(module, logger);
      }
      return module.analysis;
    }
    let analysis = analyses.get(module);
    if (!analysis) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      analysis = await analyse(module.file, module.compiled!, logger);
      analyses.set(module, analysis);
    }
    module.analysis = analysis;
    return analysis;
  };
  /** Whether the gateway can analyse a module at all: VTL templates, or an APPSYNC_JS file compiled. */
  const analysable = (module: LoadedModule | undefined): module is LoadedModule =>
    module !== undefined && (module.templates !== undefined || (module.compiled !== undefined && !module.vtl));
  for (const entry of bound.values()) {
    if (entry.resolver.kind === 'UNIT') {
      if (!entry.dataSource || !analysable(entry.module)) continue;
      await analysisOf(entry.module);
      const unit = unitInSubset(entry);
      if (unit.module) entry.gateway = unit.module;
      continue;
    }
    // A pipeline without code of its own has no before and after handlers: only its functions' files.
    const files = entry.module ? [entry.module, ...entry.functions.map((f) => f.module)] : entry.functions.map((f) => f.module);
    for (const module of files) {
      if (!analysable(module) || (await analysisOf(module)).reason !== undefined) break;
    }
    const pipeline = pipelineInSubset(entry);
    if (pipeline.pipeline) entry.gatewayPipeline = pipeline.pipeline;
  }
}

/** A unit resolver's handlers when its file is in the subset (read from its analysis); else why not. */
export function unitInSubset(entry: BoundResolver): { module: GatewayModule; reason?: undefined } | { module?: undefined; reason: string } {
  const analysis = entry.module?.analysis;
  if (!analysis) return { reason: 'not a unit resolver with a data source' };
  if (!analysis.module) return { reason: analysis.reason };
  return { module: analysis.module };
}

/**
 * A pipeline resolver's handlers when its own code (if any) and every function's are in the
 * subset (read from their files' analyses), else why not: the first file, in run order, that is not.
 * One that writes the stash may call any data source: a hand-over after a call carries the stash
 * (execute.ts, expressions/stashText.ts).
 */
export function pipelineInSubset(entry: BoundResolver): { pipeline: GatewayPipeline; reason?: undefined } | { pipeline?: undefined; reason: string } {
  const whyNot = (module: LoadedModule | undefined, what: string): string | undefined => {
    if (!module) return `${what} has no code (a direct Lambda function)`;
    if (!module.analysis) return `${what} was not analysed`;
    return module.analysis.reason === undefined ? undefined : `${what} (${module.file}): ${module.analysis.reason}`;
  };
  let resolver: GatewayModule | undefined;
  if (entry.module) {
    const reason = whyNot(entry.module, 'its own code');
    if (reason !== undefined) return { reason };
    resolver = entry.module!.analysis!.module;
  }
  const functions: GatewayModule[] = [];
  for (const step of entry.functions) {
    const reason = whyNot(step.module, `the function ${step.label}`) ?? (step.dataSource ? undefined : `the function ${step.label} has no data source`);
    if (reason !== undefined) return { reason };
    functions.push(step.module!.analysis!.module!);
  }
  return { pipeline: { resolver, functions } };
}

/** A VTL resolver's analysis; a failure of the analysis itself (not a reason) is warned about and leaves it to the sandbox. */
function analyseVtl(module: LoadedModule, logger?: Logger): Analysis {
  try {
    return analyseTemplates(module.templates!.request, module.templates!.response);
  } catch (error) {
    const reason = `the analysis failed: ${error instanceof Error ? error.message : String(error)}`;
    logger?.warn(`${module.file}: ${reason}; its templates run in the sandbox`);
    return { reason };
  }
}

/** The file's analysis; a failure of the analysis itself (not a reason) is warned about and leaves the file to the sandbox. */
async function analyse(file: string, compiled: CompiledCode, logger: Logger | undefined): Promise<Analysis> {
  try {
    return await analyseFile(file, compiled.source, compiled.stripped);
  } catch (error) {
    const reason = `the analysis failed: ${error instanceof Error ? error.message : String(error)}`;
    logger?.warn(`${file}: ${reason}; its handlers run in the sandbox`);
    return { reason };
  }
}
