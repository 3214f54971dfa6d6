/**
 * CloudFormation references a config state machine's Task states still hold after loading: what
 * the config's loader could not turn into a value (docs/stepfunctions.md#references-the-gateway-cannot-resolve).
 * A serverless.yml resolves `Fn::GetAtt <function>.Arn` of its `functions:` and `Ref` of its
 * tables and leaves any other intrinsic as it is written; a CloudFormation template's loader puts
 * back `Ref <LogicalId>` where the resource has no local ARN (cloudformation/toConfig.ts). On AWS
 * these are values; here they are the gateway's limit, not a fault of the definition.
 */

import { forEachCalledField } from '../../config/stateMachineTasks.js';

/** One reference the gateway cannot resolve, at its config key, with what it is and why. */
export interface UnresolvedReference {
  /** The config key (`stepFunctions.stateMachines.checkout.definition.States.Charge.Resource`). */
  key: string;
  /** `Fn::GetAtt ChargeFn.Arn cannot be resolved: ChargeFn is not a function the gateway serves`. */
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `{ "Ref": X }` or `{ "Fn::Name": … }`: a CloudFormation intrinsic, as a template or serverless.yml writes it. */
function intrinsicOf(value: unknown): { name: string; argument: unknown } | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const name = keys[0]!;
  return name === 'Ref' || name.startsWith('Fn::') ? { name, argument: value[name] } : undefined;
}

/** What the intrinsic is and why the gateway has no value for it. */
function describe({ name, argument }: { name: string; argument: unknown }): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  switch (name) {
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(argument) ? argument.map(text) : text(argument).split(/\.(.*)/);
      const why = attribute === 'Arn' ? `${id} is not a function the gateway serves` : `the gateway has no value for ${id}'s ${attribute}`;
      return `Fn::GetAtt ${id}.${attribute} cannot be resolved: ${why}`;
    }
    case 'Ref':
      return `Ref ${text(argument)} cannot be resolved: ${text(argument)} is not a resource the gateway serves, so it has no ARN here`;
    case 'Fn::ImportValue':
      return `Fn::ImportValue ${text(argument)} cannot be resolved: no stack the gateway reads exports it`;
    default:
      return `${name} cannot be resolved: the gateway does not evaluate it in a state machine of a serverless.yml or config file`;
  }
}

/**
 * The unresolved references in the Task states of a parsed definition (Parallel branches and Map
 * processors included), each at its key under `at` (`stepFunctions.stateMachines.NAME.definition`).
 */
export function unresolvedReferences(definition: unknown, at: string): UnresolvedReference[] {
  const found: UnresolvedReference[] = [];
  forEachCalledField(definition, (value, key) => {
    const intrinsic = intrinsicOf(value);
    if (intrinsic) found.push({ key: `${at}${key}`, message: describe(intrinsic) });
  });
  return found;
}
