/**
 * The `ctx` a handler evaluated in the gateway sees: the same shape and values as the sandbox's
 * (guest/prelude.ts `buildCtx`, from the JSON pieces of runParts.ts), made only for the members a
 * handler reads. Inputs go through `jsonCopy`, so they are what JSON gives the sandbox; the ones a
 * whole request or API shares (identity, headers, variables, env, a field's selection list) are
 * copied once and frozen.
 */
import type { BaseContext } from '../runParts.js';
import { deepFreeze, jsonCopy, type CtxSource } from './evaluate.js';

/** Frozen copies of values that recur from run to run, by the gateway object they copy. */
const shared = new WeakMap<object, unknown>();
function sharedCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return jsonCopy(value);
  let copy = shared.get(value);
  if (copy === undefined) {
    copy = deepFreeze(jsonCopy(value));
    shared.set(value, copy);
  }
  return copy;
}

const UNSET: unique symbol = Symbol('unset');

/** What the data source gave the response handler (`ctx.result`, `ctx.error`), already as JSON makes them. */
export interface StepResult {
  result: unknown;
  error?: { message: unknown; type: unknown };
}

/** One resolver run's inputs, each made on first read and shared by its request and response handlers. */
export class RunInputs {
  #args: unknown = UNSET;
  #source: unknown = UNSET;
  #request: unknown = UNSET;
  #info: unknown = UNSET;
  #stash: unknown = UNSET;
  #writable: WeakSet<object> | undefined;

  constructor(readonly base: BaseContext) {}

  get(name: string): unknown {
    const { base } = this;
    switch (name) {
      case 'arguments':
      case 'args':
        return this.#args === UNSET ? (this.#args = jsonCopy(base.arguments)) : this.#args;
      case 'identity':
        return sharedCopy(base.identity);
      case 'source':
        return this.#source === UNSET ? (this.#source = jsonCopy(base.source)) : this.#source;
      case 'request':
        return this.#request === UNSET ? (this.#request = { headers: sharedCopy(base.request.headers), domainName: null }) : this.#request;
      case 'info':
        return this.#info === UNSET ? (this.#info = this.#makeInfo()) : this.#info;
      case 'env':
        return sharedCopy(base.env);
      case 'stash':
        // One per run, shared by its handlers (a pipeline's too); a hand-over after a data source call carries it (stashText.ts).
        if (this.#stash === UNSET) {
          this.#stash = {};
          this.#writable?.add(this.#stash as object);
        }
        return this.#stash;
      default:
        return undefined;
    }
  }

  /** CtxSource.writable: what this run made (and a VTL template may change); made on first use, as most runs change nothing. */
  get writable(): WeakSet<object> {
    if (this.#writable === undefined) {
      this.#writable = new WeakSet();
      if (this.#stash !== UNSET) this.#writable.add(this.#stash as object);
    }
    return this.#writable;
  }

  #makeInfo(): Record<string, unknown> {
    const { info } = this.base;
    const out: Record<string, unknown> = {
      fieldName: info.fieldName,
      parentTypeName: info.parentTypeName,
      variables: sharedCopy(info.variables),
    };
    // Not enumerable, as in the sandbox: JSON and spread leave them out.
    Object.defineProperty(out, 'selectionSetList', { value: sharedCopy(info.selectionSetList), writable: false, enumerable: false, configurable: false });
    Object.defineProperty(out, 'selectionSetGraphQL', { value: info.selectionSetGraphQL, writable: false, enumerable: false, configurable: false });
    return out;
  }

  /**
   * A request handler's ctx; `prev` is `ctx.prev.result` (a pipeline's value so far, already as
   * JSON makes it; null for a unit resolver and a pipeline's before handler).
   */
  requestCtx(prev: unknown = null): CtxSource {
    return new HandlerCtx(this, undefined, prev);
  }

  /** A response handler's ctx, with the data source's result (and error); `prev` as for `requestCtx`. */
  responseCtx(step: StepResult, prev: unknown = null): CtxSource {
    return new HandlerCtx(this, step, prev);
  }
}

class HandlerCtx implements CtxSource {
  #whole: Record<string, unknown> | undefined;
  #prev: { result: unknown } | undefined;
  readonly authMode: string;
  #writable: WeakSet<object> | undefined;

  constructor(
    readonly inputs: RunInputs,
    readonly step: StepResult | undefined,
    readonly prevResult: unknown,
  ) {
    this.authMode = inputs.base.authMode;
  }

  get writable(): WeakSet<object> {
    if (this.#writable === undefined) {
      this.#writable = this.inputs.writable;
      // Each response handler's ctx.result is its own copy, as the sandbox parses one per call (execute.ts makes it afresh).
      const { step } = this;
      if (step !== undefined && typeof step.result === 'object' && step.result !== null) this.#writable.add(step.result);
    }
    return this.#writable;
  }

  root(name: string): unknown {
    if (name === 'result') return this.step?.result;
    if (name === 'error') return this.step?.error;
    // Each handler its own `{ result }`, as the sandbox builds one per call (guest/prelude.ts buildCtx).
    if (name === 'prev') return (this.#prev ??= { result: this.prevResult ?? null });
    return this.inputs.get(name);
  }

  /** The whole ctx, its keys in the sandbox's order; `stash` cannot be replaced there, so it is read-only here too. */
  whole(): Record<string, unknown> {
    if (this.#whole) return this.#whole;
    const { inputs, step } = this;
    const args = inputs.get('args');
    const ctx: Record<string, unknown> = {
      arguments: args,
      args,
      identity: inputs.get('identity'),
      source: inputs.get('source'),
      request: inputs.get('request'),
      info: inputs.get('info'),
      env: inputs.get('env'),
      prev: this.root('prev'),
    };
    Object.defineProperty(ctx, 'stash', { value: inputs.get('stash'), writable: false, enumerable: true, configurable: false });
    if (step) {
      ctx.result = step.result;
      if (step.error) ctx.error = step.error;
    }
    return (this.#whole = ctx);
  }
}
