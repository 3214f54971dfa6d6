/** The resources of loaded stacks as the translation walks them, and the problems it collects. */
import { ConfigError, ConfigErrors } from '../../errors.js';
import type { ApiKeyConfig } from '../types.js';
import type { LoadedStack } from './stacks.js';

/** A resource of one of the stacks. */
export interface Located {
  stack: LoadedStack;
  logicalId: string;
  type: string;
  /** The root stack it belongs to (itself, or the stack whose nested stack holds it). */
  root: LoadedStack;
}

/** Every created resource of the stacks and their nested stacks. */
export function allResources(stacks: readonly LoadedStack[]): Located[] {
  const out: Located[] = [];
  const visit = (stack: LoadedStack, root: LoadedStack) => {
    for (const [logicalId, resource] of Object.entries(stack.evaluator.resources)) {
      if (stack.evaluator.isCreated(logicalId)) out.push({ stack, logicalId, type: resource.Type, root });
    }
    for (const child of stack.nested.values()) visit(child, root);
  };
  stacks.forEach((stack) => visit(stack, stack));
  return out;
}

/** Collects errors per resource so one load reports them all. */
export class Problems {
  readonly errors: ConfigError[] = [];
  attempt<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (error) {
      if (error instanceof ConfigErrors) this.errors.push(...error.errors);
      else if (error instanceof ConfigError) this.errors.push(error);
      else throw error;
      return undefined;
    }
  }
}

/** A property the resource cannot do without, as a string. */
export function required(r: Located, name: string): string {
  const value = r.stack.evaluator.property(r.logicalId, name);
  if (typeof value === 'string' && value !== '') return value;
  throw r.stack.evaluator.error(
    `Resources.${r.logicalId}.Properties.${name}`,
    value === undefined ? `${r.type} needs ${name}` : `expected a string, got ${JSON.stringify(value)}`,
  );
}

/** The API keys among `keys` (AWS::AppSync::ApiKey), each named by its logical id; their values are generated at start. */
export function apiKeysOf(keys: readonly Located[], problems: Problems): ApiKeyConfig[] {
  return keys.flatMap(
    (r) =>
      problems.attempt(() => {
        const expires = r.stack.evaluator.property(r.logicalId, 'Expires');
        const description = r.stack.evaluator.property(r.logicalId, 'Description');
        return {
          name: r.logicalId,
          ...(typeof description === 'string' ? { description } : {}),
          ...(expires !== undefined ? { expiresAt: Number(expires) } : {}),
        };
      }) ?? [],
  );
}
