/**
 * What loading makes of the config's resolvers and functions (load.ts), and what field wiring
 * (fields.ts) and execution (execute.ts) work from.
 */
import type { ResolverCachePolicy } from '../cache/index.js';
import type { NormalizedResolver } from '../config/types.js';
import type { DataSource } from '../datasources/types.js';
import type { CompiledCode } from './appsync-js/compile.js';
import type { Analysis, GatewayModule } from './expressions/subset.js';
import type { TemplateSource } from './expressions/vtlSubset.js';

/**
 * A code file (APPSYNC_JS) or a pair of mapping templates (VTL) registered in the sandbox: its id
 * there, the file that names it in messages, and for code its compiled form (for fault locations).
 */
export interface LoadedModule {
  id: number;
  file: string;
  compiled?: CompiledCode;
  /** Set for VTL mapping templates. */
  vtl?: true;
  /** VTL: the templates' text (and trees), for the gateway's evaluator (the response null: the default one). */
  templates?: { request: TemplateSource; response: TemplateSource | null };
  /** Whether its handlers are in the subset the gateway evaluates (absent when that is switched off). */
  analysis?: Analysis;
}

/** A unit resolver's one step, or one pipeline function. */
export interface Step {
  /** `Type.field` or the pipeline function's name, for messages and logs. */
  label: string;
  module?: LoadedModule;
  dataSource?: DataSource;
  maxBatchSize?: number;
}

/** A schema field with a resolver. */
export interface BoundResolver {
  resolver: NormalizedResolver;
  label: string;
  /** UNIT: the resolver itself; PIPELINE: before/after code (may be absent). */
  module?: LoadedModule;
  dataSource?: DataSource;
  functions: Step[];
  /** How its results are cached (docs/caching.md); absent when they are not. */
  cache?: ResolverCachePolicy;
  /** A unit resolver whose handlers the gateway evaluates itself (docs/resolvers.md#handlers-the-gateway-evaluates). */
  gateway?: GatewayModule;
  /** A pipeline resolver whose every handler the gateway evaluates itself (the same section). */
  gatewayPipeline?: GatewayPipeline;
}

/** A pipeline's handlers, all in the subset: its own (absent when it has no code) and each function's, in order. */
export interface GatewayPipeline {
  resolver?: GatewayModule;
  functions: GatewayModule[];
}
