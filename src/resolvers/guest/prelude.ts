/**
 * The sandbox prelude: runs inside the resolver vm context (see README.md in this folder).
 *
 * It installs `util`, `runtime`, `extensions` and `console` (built in `globals/`), the
 * `@aws-appsync/utils*` module table and the trampoline the host calls. Everything crossing the boundary is a JSON string or a primitive,
 * so user code never holds a host object (whose `constructor.constructor` would be the host's
 * `Function`) and a getter planted in a returned value runs under the handler's time limit.
 */
import type { RunParts } from '../isolation/protocol.js';
import type { SandboxHost } from './host.js';
import { createConsole } from './globals/console.js';
import { createExtensions } from './globals/extensions.js';
import { createRuntime } from './globals/runtime.js';
import { createUtil } from './globals/util.js';
import * as dynamodbModule from './modules/dynamodb.js';
import * as rdsModule from './modules/rds.js';
import { EarlyReturn, deepFreeze, newRun, UtilError, toErrorValue, type Json, type Run, type RunBase, type Step } from './run.js';
import { VtlLimitError, VtlTemplate } from './vtl/engine.js';
import { parseRenderedJson, RenderedJsonError } from './vtl/renderedJson.js';
import { createVtlUtil } from './vtl/util.js';

/** A compiled module's factory: takes every sealed global as a parameter, returns its exports. */
type ModuleFactory = (...globals: unknown[]) => Record<string, unknown>;

function bootstrap(unsafeHost: SandboxHost): void {
  const g = globalThis as Record<string, unknown>;
  // A global name read in this context goes through node:vm's interceptors on the contextified
  // global (~0.1 µs each, measured), so code run per handler uses these locals instead.
  const defineProperty = Object.defineProperty;
  const objectKeys = Object.keys;
  const INFINITY = Infinity;
  // Host functions are called only through these wrappers: their results become sandbox
  // primitives and a host exception never reaches user code as a host object.
  const host: SandboxHost = {
    randomHex(n) {
      try {
        return String(unsafeHost.randomHex(n));
      } catch {
        throw new Error('randomness unavailable');
      }
    },
    log(level, message) {
      try {
        unsafeHost.log(level, String(message));
      } catch {
        // logging never fails a resolver
      }
    },
  };
  // A prototype-less object, not a Map: resolver code runs in this realm and could replace
  // Map.prototype.get to reach other requests' runs.
  const runs: Record<number, Run | undefined> = Object.create(null) as Record<number, Run | undefined>;
  let current: Run | undefined;
  const currentRun = (): Run => {
    if (!current) throw new Error('util called outside a resolver handler');
    return current;
  };

  // Taken before resolver code (same realm) can replace them, and before JSON.parse is swapped below.
  const parseJson = JSON.parse;
  const stringifyJson = JSON.stringify;

  const util = createUtil(host, currentRun, stringifyJson);
  const runtime = createRuntime();
  const extensions = createExtensions(currentRun, stringifyJson);
  const console = createConsole((level, message) => host.log(level, message), stringifyJson);

  const dynamodbExports: Record<string, unknown> = { ...dynamodbModule };
  const rdsExports: Record<string, unknown> = { ...rdsModule };
  delete rdsExports.rdsUtil;
  const utilsModule = { util, runtime, extensions, default: { util, runtime, extensions } };
  const modules = deepFreeze({
    '@aws-appsync/utils': utilsModule,
    '@aws-appsync/utils/dynamodb': dynamodbExports,
    '@aws-appsync/utils/rds': rdsExports,
    '@aws-appsync/utils/ai': {},
  });

  // docs/resolvers.md#the-language-subset: JSON.parse returns "" on invalid JSON instead of throwing.
  Object.defineProperty(JSON, 'parse', {
    value: function parse(text: string, reviver?: (key: string, value: unknown) => unknown) {
      try {
        return parseJson(text, reviver);
      } catch {
        return '';
      }
    },
  });

  const handlerModules: ModuleFactory[] = [];
  /** The factories of VTL resolvers and functions (registerVtl). */
  const vtlModules = new Set<ModuleFactory>();

  // VTL mapping templates (docs/resolvers.md#vtl-mapping-templates): `$util` is the JS util plus
  // the VTL-only members; a VTL resolver is a module whose request/response handlers render a
  // template and read the text as JSON, so runs, limits and outcomes are the JS ones.
  const vtlUtil = deepFreeze(createVtlUtil(util, stringifyJson, parseJson, (level, message) => host.log(level, message)));
  const DEFAULT_RESPONSE_TEMPLATE = '$util.toJson($ctx.result)';
  const renderVtl = (template: VtlTemplate, ctx: Record<string, unknown>) => {
    const variables: Record<string, unknown> = { ctx, context: ctx, util: vtlUtil, utils: vtlUtil, extensions };
    try {
      return template.render(variables);
    } catch (thrown) {
      if (thrown instanceof VtlLimitError) throw new UtilError(toErrorValue(thrown.message, 'MappingTemplate', null, null));
      throw thrown;
    }
  };
  /**
   * The raw rendering EvaluateMappingTemplate answers (docs/management-api.md): `{ text }`, the
   * evaluated template as AppSync hands it to the data source before reading it as JSON, or
   * `{ returned }`, the value of `#return`.
   */
  const vtlRawHandler =
    (template: VtlTemplate) =>
    (ctx: Record<string, unknown>): unknown => {
      const rendered = renderVtl(template, ctx);
      return rendered.returned ? { returned: rendered.value } : { text: rendered.text };
    };
  const vtlHandler =
    (template: VtlTemplate, isRequest: boolean) =>
    (ctx: Record<string, unknown>): unknown => {
      if (template.passesResult && !isRequest) return ctx.result ?? null;
      const rendered = renderVtl(template, ctx);
      if (rendered.returned) {
        // `#return` in a request template skips the data source and the response template (as earlyReturn).
        if (isRequest) throw new EarlyReturn(rendered.value, undefined);
        return rendered.value;
      }
      try {
        return parseRenderedJson(rendered.text, parseJson);
      } catch (thrown) {
        if (thrown instanceof RenderedJsonError) throw new UtilError(toErrorValue(thrown.message, 'MappingTemplate', null, null));
        throw thrown;
      }
    };

  // Values that recur from run to run (the API's env, a field's selectionSetList, one request's
  // headers, identity and variables) are parsed once and kept as templates, and each run gets a
  // copy: parsing was the largest cost of opening a run. A copy is what a fresh JSON.parse of the
  // same text gives: plain objects and arrays made with define semantics (no setter a resolver
  // planted on a prototype runs, an own `__proto__` key stays one), the same keys in the same
  // order, nothing shared but primitives.
  const isArray = Array.isArray;
  const apply = Reflect.apply;
  const arrayOf = Array.of;
  const copyJson = (value: Json): Json => {
    if (typeof value !== 'object' || value === null) return value;
    if (isArray(value)) {
      // Array.of called without a receiver makes a plain Array; the template's indexes are read
      // as own properties. Array spread and slice would consult patchable prototype members.
      const out = apply(arrayOf, undefined, value) as Json[];
      for (let i = 0; i < out.length; i++) {
        const item = out[i];
        if (typeof item === 'object' && item !== null) out[i] = copyJson(item);
      }
      return out;
    }
    const out: Record<string, Json> = { ...(value as Record<string, Json>) };
    const names = objectKeys(out);
    for (let i = 0; i < names.length; i++) {
      const item = out[names[i]!];
      if (typeof item === 'object' && item !== null) out[names[i]!] = copyJson(item);
    }
    return out;
  };

  /** `run` with `stash` as its first stash when that is an object (a hand-over's, EvaluateCode's); else its empty one. */
  const withStash = (run: Run, stash: unknown): Run => {
    if (typeof stash === 'object' && stash !== null && !isArray(stash)) run.stash = stash as Record<string, unknown>;
    return run;
  };

  /** The last text seen in one position of openRunParts; its template is made on its second use. */
  interface JsonSlot {
    text: string | undefined;
    template: Json;
    kept: boolean;
  }
  const newSlot = (): JsonSlot => ({ text: undefined, template: undefined, kept: false });
  const headersSlot = newSlot();
  const identitySlot = newSlot();
  const variablesSlot = newSlot();
  const envSlot = newSlot();
  // The first use of a text is parsed and handed out as is: a request with one resolver pays no copy.
  const fromSlot = (slot: JsonSlot, text: string | undefined): Json => {
    if (text === undefined) return undefined;
    if (text !== slot.text) {
      slot.text = text;
      slot.template = undefined;
      slot.kept = false;
      return parseJson(text);
    }
    if (!slot.kept) {
      slot.template = parseJson(text);
      slot.kept = true;
    }
    return copyJson(slot.template);
  };
  // Per field node of a cached document: bounded, since documents come and go. A prototype-less
  // object, not a Map: Map.prototype.get can be replaced by resolver code, which would then be
  // handed the templates every run copies.
  const MAX_SELECTION_TEMPLATES = 1000;
  let selectionTemplates: Record<string, Json> = Object.create(null) as Record<string, Json>;
  let selectionTemplateCount = 0;
  const selectionListOf = (text: string): Json => {
    let template = selectionTemplates[text];
    if (template === undefined) {
      template = parseJson(text) as Json;
      if (selectionTemplateCount >= MAX_SELECTION_TEMPLATES) {
        selectionTemplates = Object.create(null) as Record<string, Json>;
        selectionTemplateCount = 0;
      }
      selectionTemplates[text] = template;
      selectionTemplateCount += 1;
    }
    return copyJson(template);
  };

  // Every handler call evaluates its module afresh (docs/resolvers.md#limits Gateway choice: AppSync runs
  // each evaluation in a fresh runtime), with every global name its code names bound as a parameter
  // of the module's function, and `globalThis` a fresh object whose prototype holds every global:
  // `Array = null`, `globalThis.x = 1` or module-level state are gone at the next call, and user
  // code never reads the shared global object (whose bindings node:vm's interceptors cannot make
  // read-only). The intrinsics themselves are frozen (ses lockdown in
  // src/resolvers/isolation/child.ts) before `sealGlobals` runs.
  let globalNames: string[] = [];
  let globalTemplate = Object.create(null) as Record<string, unknown>;
  const objectCreate = Object.create;
  /** A module's exports from a fresh evaluation (a registered module is a function of no arguments). */
  const evaluate = (module: ModuleFactory): Record<string, unknown> => module();

  // Property descriptors reused by every buildCtx (filled, used, emptied): allocating three per
  // handler call showed in profiles. Every key is spelled out and they have no prototype: with
  // Object.prototype frozen, V8 reads a descriptor key by key (its fast path wants the original
  // prototype), and an absent key would be looked up along the prototype chain.
  const hiddenList: PropertyDescriptor = { __proto__: null, value: undefined, writable: false, enumerable: false, configurable: false } as PropertyDescriptor;
  const hiddenGraphQL: PropertyDescriptor = {
    __proto__: null,
    value: undefined,
    writable: false,
    enumerable: false,
    configurable: false,
  } as PropertyDescriptor;
  const stashDescriptor: PropertyDescriptor = {
    __proto__: null,
    value: undefined,
    writable: false,
    enumerable: true,
    configurable: false,
  } as PropertyDescriptor;

  const buildCtx = (run: Run, step: Step) => {
    const { base } = run;
    const info = {
      fieldName: base.info.fieldName,
      parentTypeName: base.info.parentTypeName,
      variables: base.info.variables,
    };
    // docs/resolvers.md#resolver-runtime-appsync_js: selectionSetList / selectionSetGraphQL are not serialised by JSON.stringify.
    hiddenList.value = base.info.selectionSetList;
    hiddenGraphQL.value = base.info.selectionSetGraphQL;
    defineProperty(info, 'selectionSetList', hiddenList);
    defineProperty(info, 'selectionSetGraphQL', hiddenGraphQL);
    hiddenList.value = hiddenGraphQL.value = undefined;
    const ctx: Record<string, unknown> = {
      arguments: base.arguments,
      args: base.arguments,
      identity: base.identity,
      source: base.source,
      request: base.request,
      info,
      env: base.env,
      prev: { result: step.prev === undefined ? null : step.prev },
    };
    // The stash can be mutated but not replaced (docs/resolvers.md#resolver-runtime-appsync_js).
    stashDescriptor.value = run.stash;
    defineProperty(ctx, 'stash', stashDescriptor);
    stashDescriptor.value = undefined;
    if (step.hasResult) ctx.result = step.result === undefined ? null : step.result;
    if (step.error) ctx.error = step.error;
    return ctx;
  };

  const trampoline = {
    /**
     * Binds every global name (but `eval`, which strict code cannot rebind, and the trampoline)
     * to the values it has now; returns the names, in the order module factories take them.
     */
    sealGlobals(): string {
      const g = globalThis as Record<string, unknown>;
      const names = Object.getOwnPropertyNames(g).filter(
        (name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'eval' && name !== 'globalThis' && name !== '__appsyncTrampoline',
      );
      const template = Object.create(null) as Record<string, unknown>;
      for (const name of names) template[name] = g[name];
      globalTemplate = Object.freeze(template);
      globalNames = names;
      return stringifyJson(names);
    },
    /** Caps the JSON of a pass-through request value (the sandbox process caps every other answer). */
    setResultLimit(chars: number): void {
      maxResultChars = chars;
    },
    /**
     * Registers one compiled resolver module under the gateway's id. Its factory takes the sealed
     * globals named in `namesJson` (all of them when absent), in that order, then `globalThis`.
     * The id comes from the gateway, not a counter here: a replacement process replays only the
     * modules that registered, so a counter would drift after a failed load.
     */
    register(factory: ModuleFactory, id: number, namesJson?: string): number {
      const names = typeof namesJson === 'string' ? (parseJson(namesJson) as string[]) : globalNames;
      const values: unknown[] = [];
      for (let i = 0; i < names.length; i++) values[i] = globalTemplate[names[i]!];
      const last = values.length;
      values[last] = undefined;
      handlerModules[id] = () => {
        const args = values.slice();
        args[last] = objectCreate(globalTemplate);
        return apply(factory, undefined, args) as Record<string, unknown>;
      };
      return id;
    },
    /**
     * Registers a VTL resolver or function (its templates' text; null: the default response
     * template; the JSON of their syntax trees when the gateway parsed them) under the gateway's id.
     */
    registerVtl(requestText: string, responseText: string | null, id: number, requestAst?: string, responseAst?: string): number {
      let handlers: Record<string, unknown> = {};
      try {
        const request = new VtlTemplate(String(requestText), typeof requestAst === 'string' ? requestAst : undefined);
        const response =
          responseText === null
            ? new VtlTemplate(DEFAULT_RESPONSE_TEMPLATE)
            : new VtlTemplate(String(responseText), typeof responseAst === 'string' ? responseAst : undefined);
        handlers = Object.freeze({
          request: vtlHandler(request, true),
          response: vtlHandler(response, false),
          render: vtlRawHandler(request),
        });
      } finally {
        // A template that fails to parse still takes its id (an empty module).
        const factory = () => handlers;
        vtlModules.add(factory);
        handlerModules[id] = factory;
      }
      return id;
    },
    /** Lists a module's exported handler names (checked at load time). */
    exportsOf(id: number): string {
      const factory = handlerModules[id];
      const mod = factory ? evaluate(factory) : {};
      return stringifyJson(Object.keys(mod).filter((k) => typeof mod[k] === 'function'));
    },
    /** Opens a run from the whole base context; a `stash` object in it is the run's first stash (EvaluateCode's context). */
    openRun(id: number, baseJson: string): void {
      const base = parseJson(baseJson) as RunBase & { stash?: unknown };
      runs[id] = withStash(newRun(base), base.stash);
    },
    /**
     * openRun with the base context in pieces: what `JSON.parse(baseJson)` would give, built
     * from the recurring pieces' templates (see copyJson). A `*Json` argument that is undefined
     * stands for a key JSON.stringify left out.
     */
    openRunParts(id: number, parts: RunParts): void {
      const {
        argumentsJson,
        identityJson,
        sourceJson,
        headersJson,
        fieldName,
        parentTypeName,
        variablesJson,
        selectionSetListJson,
        selectionSetGraphQL,
        envJson,
        authMode,
        operation,
      } = parts;
      const headers = fromSlot(headersSlot, headersJson);
      const base = {
        arguments: argumentsJson === undefined ? undefined : parseJson(argumentsJson),
        identity: fromSlot(identitySlot, identityJson),
        source: sourceJson === 'null' ? null : sourceJson === undefined ? undefined : parseJson(sourceJson),
        request: headersJson === undefined ? { domainName: null } : { headers, domainName: null },
        info: {
          fieldName,
          parentTypeName,
          variables: fromSlot(variablesSlot, variablesJson),
          selectionSetList: selectionListOf(selectionSetListJson),
          selectionSetGraphQL,
        },
        env: fromSlot(envSlot, envJson),
        authMode,
        operation,
      } as RunBase;
      runs[id] = parts.stashJson === undefined ? newRun(base) : withStash(newRun(base), parseJson(parts.stashJson));
    },
    /** The run's stash as JSON (direct Lambda functions send it in their event). */
    stashOf(id: number): string {
      return stringifyJson(runs[id]?.stash ?? {});
    },
    /** The run's summary as JSON; '' when there is nothing to report (the common case). */
    closeRun(id: number): string {
      const run = runs[id];
      delete runs[id];
      if (!run) return 'null';
      if (
        run.errors.length === 0 &&
        run.invalidations.length === 0 &&
        run.evictions.length === 0 &&
        run.subscriptionFilter === undefined &&
        run.invalidationFilter === undefined &&
        objectKeys(run.headers).length === 0 &&
        objectKeys(run.stash).length === 0
      ) {
        return '';
      }
      return stringifyJson({
        errors: run.errors,
        headers: run.headers,
        subscriptionFilter: run.subscriptionFilter,
        invalidationFilter: run.invalidationFilter,
        invalidations: run.invalidations,
        ...(run.evictions.length > 0 ? { evictions: run.evictions } : {}),
        stash: run.stash,
      });
    },
    /**
     * Calls `handler` of module `moduleId` for run `runId`. Returns a JSON outcome:
     * `{ k: 'ok', v }`, `{ k: 'early', v, skipTo }`, `{ k: 'error', e }` or `{ k: 'fault', name, message, stack }`.
     */
    invoke(runId: number, moduleId: number, handler: string, phase: string, stepJson: string): string {
      const run = runs[runId];
      const mod = handlerModules[moduleId];
      if (!run || !mod) return stringifyJson({ k: 'fault', name: 'Error', message: 'unknown resolver run', stack: '' });
      return runHandler(run, mod, handler, phase, parseJson(stepJson) as Step, false) ?? '{"k":"ok","v":null}';
    },
    /**
     * A unit resolver on a NONE data source in one call, doing what the host does between two
     * `invoke` calls (datasources.md, NONE): the request handler's value goes through JSON, its
     * `payload` (or null) becomes `ctx.result`, then the response handler runs. Saves the value's
     * JSON round trip through the host. Returns `Q` + the request handler's outcome when it did not
     * end with a value (early return, error, timeout, fault), else `S` + the response handler's.
     */
    invokeUnitPassThrough(runId: number, moduleId: number, requestPhase: string, responsePhase: string): string {
      const run = runs[runId];
      const mod = handlerModules[moduleId];
      if (!run || !mod) return `Q${stringifyJson({ k: 'fault', name: 'Error', message: 'unknown resolver run', stack: '' })}`;
      const requestOutcome = runHandler(run, mod, 'request', requestPhase, { prev: null }, true);
      if (requestOutcome !== null) return `Q${requestOutcome}`;
      const result = passedResult;
      passedResult = undefined;
      // docs/resolvers.md#vtl-mapping-templates: a 2017-02-28 null result skips the response template.
      if (result === null && passedVersion === '2017-02-28' && vtlModules.has(mod)) return 'S{"k":"ok","v":null}';
      return `S${runHandler(run, mod, 'response', responsePhase, { prev: null, hasResult: true, result }, false) ?? '{"k":"ok","v":null}'}`;
    },
    /**
     * A pipeline resolver whose functions all use the built-in NONE data source, in one call: what
     * the host does between its calls (execute.ts, PIPELINE), with every value that would cross
     * the boundary taken through JSON here as it would be there. `beforeId` is the resolver's own
     * code (-1: none), `functionIds` its functions in order. Returns `Q` or `S` (request or
     * response handler), the position of the code that answered (-1: the resolver's own, else the
     * function's index), a space and that handler's outcome: the after handler's (or `ok` with
     * the last function's value when the resolver has no code), or the first that ended the run
     * otherwise (an error, a fault, an early return from a response handler).
     */
    invokePipelinePassThrough(runId: number, beforeId: number, functionIds: number[], operation: string): string {
      const run = runs[runId];
      const before = beforeId < 0 ? undefined : handlerModules[beforeId];
      if (!run || (beforeId >= 0 && !before)) return `Q-1 ${stringifyJson({ k: 'fault', name: 'Error', message: 'unknown resolver run', stack: '' })}`;
      const requestPhase = `${operation}:request`;
      const responsePhase = `${operation}:response`;
      // The value handed on, as JSON text: each handler gets its own copy, as from the host.
      let prevText = '{}';
      let skipFunctions = false;
      if (before) {
        const text = cappedOutcome(runHandler(run, before, 'request', requestPhase, { prev: null }, false) ?? OK_NULL, 'request');
        const outcome = parseJson(text) as { k: string; v?: Json };
        if (outcome.k !== 'ok' && outcome.k !== 'early') return `Q-1 ${text}`;
        // An early return from the before handler goes straight to the after handler.
        skipFunctions = outcome.k === 'early';
        prevText = stringifyJson(outcome.v) as string;
      }
      for (let i = 0; !skipFunctions && i < functionIds.length; i += 1) {
        const mod = handlerModules[functionIds[i]!];
        if (!mod) return `Q${i} ${stringifyJson({ k: 'fault', name: 'Error', message: 'unknown resolver run', stack: '' })}`;
        const requestText = runHandler(run, mod, 'request', requestPhase, { prev: parseJson(prevText) as Json }, true);
        if (requestText !== null) {
          const text = cappedOutcome(requestText, 'request');
          const outcome = parseJson(text) as { k: string; v?: Json; skipTo?: unknown };
          if (outcome.k !== 'early') return `Q${i} ${text}`;
          // The function's data source and response are skipped; `END` skips the rest too.
          prevText = stringifyJson(outcome.v) as string;
          skipFunctions = outcome.skipTo === 'END';
          continue;
        }
        const result = passedResult;
        passedResult = undefined;
        const step = { prev: parseJson(prevText) as Json, hasResult: true, result };
        const text = cappedOutcome(runHandler(run, mod, 'response', responsePhase, step, false) ?? OK_NULL, 'response');
        const outcome = parseJson(text) as { k: string; v?: Json };
        if (outcome.k !== 'ok') return `S${i} ${text}`;
        prevText = stringifyJson(outcome.v) as string;
      }
      if (!before) return `S-1 {"k":"ok","v":${prevText}}`;
      const step = { prev: parseJson(prevText) as Json, result: parseJson(prevText) as Json, hasResult: true };
      return `S-1 ${runHandler(run, before, 'response', responsePhase, step, false) ?? OK_NULL}`;
    },
  };

  /** Longest handler result in JSON characters (set by the sandbox process, see setResultLimit). */
  let maxResultChars = INFINITY;

  const OK_NULL = '{"k":"ok","v":null}';
  const OK_PREFIX = '{"k":"ok","v":';

  /**
   * A handler outcome longer than the result limit becomes a fault that says so: what the sandbox
   * process does to every outcome it sends (child.ts), for the ones a pipeline call keeps inside.
   */
  function cappedOutcome(text: string, handler: string): string {
    if (text.length <= maxResultChars) return text;
    const length = text.startsWith(OK_PREFIX) ? text.length - OK_PREFIX.length - 1 : text.length;
    return stringifyJson({
      k: 'fault',
      name: 'ResultTooLarge',
      message: `the ${handler} handler's result is ${length} characters of JSON; at most ${maxResultChars} are allowed`,
      stack: '',
    }) as string;
  }

  /** What the NONE data source made of the last pass-through request value (see invokeUnitPassThrough). */
  let passedResult: Json;
  /** The `version` of that request value (a VTL template's). */
  let passedVersion: unknown;
  const hasOwn = Object.prototype.hasOwnProperty;

  /**
   * Runs one handler under the time limit and returns its JSON outcome. With `passThrough`, an
   * `ok` value is not returned but turned into the NONE data source's result in `passedResult`
   * (and null is returned), exactly as the host would see it after JSON: `payload` of the value.
   */
  function runHandler(run: Run, factory: ModuleFactory, handler: string, phase: string, step: Step, passThrough: boolean): string | null {
    current = run;
    run.phase = phase;
    try {
      const fn = evaluate(factory)[handler];
      if (typeof fn !== 'function') {
        return stringifyJson({ k: 'fault', name: 'TypeError', message: `the code does not export a ${handler} function`, stack: '' });
      }
      const ctx = buildCtx(run, step);
      const value = (fn as (ctx: unknown) => unknown)(ctx);
      if (value && typeof (value as { then?: unknown }).then === 'function') {
        // Mark it handled: a rejected promise left alone would be an unhandled rejection in the host.
        try {
          (value as Promise<unknown>).then(undefined, () => undefined);
        } catch {
          // a hostile thenable: ignore
        }
        return stringifyJson({ k: 'fault', name: 'TypeError', message: `${handler} returned a Promise: APPSYNC_JS handlers are synchronous`, stack: '' });
      }
      if (passThrough) {
        const text = stringifyJson(value === undefined ? null : value) as string | undefined;
        if (text !== undefined && text.length > maxResultChars) {
          return stringifyJson({
            k: 'fault',
            name: 'ResultTooLarge',
            message: `the ${handler} handler's result is ${text.length} characters of JSON; at most ${maxResultChars} are allowed`,
            stack: '',
          });
        }
        const sent = text === undefined ? undefined : (parseJson(text) as Json);
        const payload = sent !== null && typeof sent === 'object' && hasOwn.call(sent, 'payload') ? (sent as { payload: Json }).payload : undefined;
        passedResult = payload ?? null;
        passedVersion = sent !== null && typeof sent === 'object' ? (sent as { version?: unknown }).version : undefined;
        return null;
      }
      return stringifyJson({ k: 'ok', v: value === undefined ? null : value }) ?? null;
    } catch (thrown) {
      if (thrown instanceof UtilError) return stringifyJson({ k: 'error', e: thrown.value });
      if (thrown instanceof EarlyReturn) return stringifyJson({ k: 'early', v: thrown.value, skipTo: thrown.skipTo ?? null });
      const err = thrown as { name?: unknown; message?: unknown; stack?: unknown } | null;
      return stringifyJson({
        k: 'fault',
        name: err && typeof err === 'object' ? String(err.name ?? 'Error') : 'Error',
        message: err && typeof err === 'object' ? String(err.message ?? '') : String(thrown),
        stack: err && typeof err === 'object' ? String(err.stack ?? '') : '',
      });
    } finally {
      current = undefined;
    }
  }

  // Writable: ses lockdown assigns `console` again (the same object, with consoleTaming 'unsafe').
  // Resolver code never sees these bindings change: sealGlobals binds names to values.
  for (const [name, value] of Object.entries({ util: deepFreeze(util), runtime: deepFreeze(runtime), extensions: deepFreeze(extensions), console })) {
    Object.defineProperty(g, name, { value, enumerable: false, writable: true, configurable: false });
  }
  Object.defineProperty(g, '__appsyncModules', { value: modules, enumerable: false, writable: false, configurable: false });
  // Configurable: the child host takes it and deletes the global before any resolver code runs.
  Object.defineProperty(g, '__appsyncTrampoline', { value: Object.freeze(trampoline), enumerable: false, writable: false, configurable: true });
}

(globalThis as Record<string, unknown>).__appsyncBootstrap = bootstrap;
