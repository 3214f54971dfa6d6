/**
 * The Task states of a state machine definition as the config holds it (parsed JSON, not yet
 * validated), Parallel branches and Map processors (`ItemProcessor`, or the older `Iterator`)
 * included. The template translation (cloudformation/dataSources.ts), the gateway's load
 * (stepfunctions/service/unresolvedReferences.ts) and `validate` (stepfunctions/tasks/checkLambdaTasks.ts)
 * all look at what a Task calls; this is their one walk.
 */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Calls `visit` with each Task state and its key under the definition (`.States.Par.Branches.0.States.Charge`). */
export function forEachTaskState(definition: unknown, visit: (state: Json, key: string) => void): void {
  const walk = (machine: unknown, base: string) => {
    if (!isObject(machine) || !isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      const key = `${base}.States.${name}`;
      if (state.Type === 'Task') visit(state, key);
      if (Array.isArray(state.Branches)) state.Branches.forEach((branch, i) => walk(branch, `${key}.Branches.${i}`));
      for (const field of ['ItemProcessor', 'Iterator']) walk(state[field], `${key}.${field}`);
    }
  };
  walk(definition, '');
}

/** The fields a Task names what it calls in: `Resource`, and a Lambda invoke's `FunctionName` (JSONPath `Parameters`, JSONata `Arguments`). */
const CALLED_FIELDS = [
  [undefined, 'Resource'],
  ['Parameters', 'FunctionName'],
  ['Arguments', 'FunctionName'],
] as const;

/**
 * Calls `visit` with each value a Task state names what it calls by (see CALLED_FIELDS), its key
 * under the definition (`.States.Charge.Parameters.FunctionName`), and `put` to replace it.
 */
export function forEachCalledField(definition: unknown, visit: (value: unknown, key: string, put: (value: unknown) => void) => void): void {
  forEachTaskState(definition, (state, key) => {
    for (const [holderName, field] of CALLED_FIELDS) {
      const holder = holderName === undefined ? state : state[holderName];
      if (isObject(holder) && holder[field] !== undefined) {
        visit(holder[field], `${key}${holderName === undefined ? '' : `.${holderName}`}.${field}`, (value) => (holder[field] = value));
      }
    }
  });
}
