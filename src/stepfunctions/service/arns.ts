/**
 * ARNs and names of state machines, executions and activities
 * (`arn:aws:states:<region>:<account>:stateMachine:<name>`, `…:execution:<machine>:<name>`,
 * `…:express:<machine>:<name>`, `…:activity:<name>`).
 */
import { invalidArn, invalidName } from './errors.js';
import { DEFAULT_REGION, DEFAULT_ACCOUNT_ID } from '../../config/awsDefaults.js';

/** Where ARNs say the resources live. Gateway choice: one fixed region and account per gateway. */
export interface ArnScope {
  region: string;
  accountId: string;
}

export const DEFAULT_SCOPE: ArnScope = { region: DEFAULT_REGION, accountId: DEFAULT_ACCOUNT_ID };

export type ArnKind = 'stateMachine' | 'execution' | 'express' | 'activity';

export interface ParsedArn {
  kind: string;
  region: string;
  accountId: string;
  /** Segments after the kind (`[name]` or `[machine, execution]`). */
  parts: string[];
}

const prefix = (scope: ArnScope) => `arn:aws:states:${scope.region}:${scope.accountId}`;

export const stateMachineArn = (scope: ArnScope, name: string) => `${prefix(scope)}:stateMachine:${name}`;
export const executionArn = (scope: ArnScope, machine: string, name: string, express = false) =>
  `${prefix(scope)}:${express ? 'express' : 'execution'}:${machine}:${name}`;
export const activityArn = (scope: ArnScope, name: string) => `${prefix(scope)}:activity:${name}`;
/** Gateway choice: machines declared in the config run with this role ARN unless they name one. */
export const defaultRoleArn = (scope: ArnScope) => `arn:aws:iam::${scope.accountId}:role/appsync-gateway-stepfunctions`;

/** Parses a Step Functions ARN; throws InvalidArn when it is not one. */
export function parseArn(arn: string): ParsedArn {
  const pieces = arn.split(':');
  if (pieces.length < 7 || pieces[0] !== 'arn' || !pieces[1] || pieces[2] !== 'states' || !pieces[3] || !/^\d{12}$/.test(pieces[4]!)) {
    throw invalidArn(`Invalid ARN prefix: ${arn}`);
  }
  return { kind: pieces[5]!, region: pieces[3]!, accountId: pieces[4]!, parts: pieces.slice(6) };
}

/** Parses an ARN that must be of one of `kinds` with `segments` parts after the kind. */
export function expectArn(arn: string, kinds: readonly ArnKind[], segments: number): ParsedArn {
  const parsed = parseArn(arn);
  if (!(kinds as readonly string[]).includes(parsed.kind)) throw invalidArn(`Resource type not valid in this context: ${parsed.kind}`);
  if (parsed.parts.length !== segments || parsed.parts.some((p) => p.length === 0)) throw invalidArn(arn);
  return parsed;
}

// Names: 1-80 characters without whitespace, brackets, wildcards, the listed specials or controls
// (StartExecution `name` documentation).
const BAD_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

/** True when AWS would accept `name` for a state machine, execution or activity. */
export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !BAD_NAME.test(name);
}

/** Throws InvalidName unless `name` is valid. */
export function checkName(name: string): string {
  if (!isValidName(name)) throw invalidName(name);
  return name;
}
