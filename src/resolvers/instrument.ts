/**
 * Inserts a time-limit check (`__appsyncTick()`) at the top of every loop body and function body
 * of compiled resolver code, so a runaway handler is stopped without `vm`'s per-call watchdog
 * thread (which costs ~90 µs a call; the check costs nanoseconds).
 *
 * Hand-written: no maintained library injects loop guards into arbitrary JS; the edits are plain
 * text insertions at acorn's node offsets, so the rest of the code (and its source map lines) is
 * untouched.
 */
import { createRequire } from 'node:module';
import type { Node } from 'acorn';

/**
 * acorn and acorn-walk, loaded on first use: code found in the compile cache is never parsed, so
 * a start with unchanged resolvers does not load them. Synchronously, as instrumenting is.
 */
export function acornModules(): { acorn: typeof import('acorn'); walk: typeof import('acorn-walk') } {
  const load = createRequire(import.meta.url);
  return (loaded ??= { acorn: load('acorn') as typeof import('acorn'), walk: load('acorn-walk') as typeof import('acorn-walk') });
}
let loaded: ReturnType<typeof acornModules> | undefined;

export const TICK = '__appsyncTick()';

/** This module's file: compileCache.ts fingerprints the code that produced cached output. */
export const MODULE_URL = import.meta.url;

type AnyNode = Node & Record<string, any>;

interface Insertion {
  at: number;
  text: string;
}

/** `catches`: the code has try statements, which could swallow the tick's timeout. */
export function instrumentLoops(code: string): { code: string; catches: boolean } {
  const { acorn, walk } = acornModules();
  const ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script' }) as AnyNode;
  const insertions: Insertion[] = [];
  let catches = false;
  const guardStatement = (body: AnyNode) => {
    if (body.type === 'BlockStatement') {
      insertions.push({ at: body.start + 1, text: `${TICK};` });
    } else {
      insertions.push({ at: body.start, text: `{${TICK};` }, { at: body.end, text: '}' });
    }
  };
  const guardFunction = (fn: AnyNode) => {
    if (fn.body.type === 'BlockStatement') insertions.push({ at: fn.body.start + 1, text: `${TICK};` });
    else insertions.push({ at: fn.body.start, text: `(${TICK}, ` }, { at: fn.body.end, text: ')' });
  };
  walk.simple(ast as Node, {
    WhileStatement: (n) => guardStatement((n as AnyNode).body),
    DoWhileStatement: (n) => guardStatement((n as AnyNode).body),
    ForStatement: (n) => guardStatement((n as AnyNode).body),
    ForInStatement: (n) => guardStatement((n as AnyNode).body),
    ForOfStatement: (n) => guardStatement((n as AnyNode).body),
    Function: (n) => guardFunction(n as AnyNode),
    TryStatement: () => {
      catches = true;
    },
  });
  // Apply from the end so earlier offsets stay valid; at equal offsets keep discovery order.
  insertions.sort((a, b) => b.at - a.at);
  let out = code;
  for (const { at, text } of insertions) out = out.slice(0, at) + text + out.slice(at);
  return { code: out, catches };
}
