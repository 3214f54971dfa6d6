/**
 * Reading request members as AppSync checks them (a member of the wrong type or out of its range is
 * a BadRequestException naming it), and paging list answers with `nextToken` / `maxResults`.
 */
import { ManagementApiError } from './restJson.js';

/** A request body: a JSON object (anything else is a BadRequestException). */
export type Body = Record<string, unknown>;

export function parseJsonBody(body: Buffer): Body {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw ManagementApiError.badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw ManagementApiError.badRequest('The request body must be a JSON object.');
  return parsed as Body;
}

/** AppSync's name pattern for types, fields, data sources and functions. */
export const NAME_PATTERN = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function optionalString(body: Body, member: string, pattern?: RegExp, max = 65536): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw ManagementApiError.badRequest(`${member} must be a string.`);
  if (value.length < 1 || value.length > max) throw ManagementApiError.badRequest(`${member} must be 1 to ${max} characters long.`);
  if (pattern && !pattern.test(value)) throw ManagementApiError.badRequest(`${member} ${JSON.stringify(value)} does not match the pattern ${pattern.source}.`);
  return value;
}

export function requiredString(body: Body, member: string, pattern?: RegExp, max?: number): string {
  const value = optionalString(body, member, pattern, max);
  if (value === undefined) throw ManagementApiError.badRequest(`${member} is required.`);
  return value;
}

export function optionalInteger(body: Body, member: string, min: number, max: number): number | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw ManagementApiError.badRequest(`${member} must be an integer.`);
  if (value < min || value > max) throw ManagementApiError.badRequest(`${member} must be between ${min} and ${max}, got ${value}.`);
  return value;
}

export function optionalBoolean(body: Body, member: string): boolean | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw ManagementApiError.badRequest(`${member} must be true or false.`);
  return value;
}

export function optionalObject<T = Record<string, unknown>>(body: Body, member: string): T | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw ManagementApiError.badRequest(`${member} must be an object.`);
  return value as T;
}

export function optionalEnum<T extends string>(body: Body, member: string, values: readonly T[]): T | undefined {
  const value = optionalString(body, member);
  if (value === undefined) return undefined;
  if (!values.includes(value as T)) throw ManagementApiError.badRequest(`${member} must be one of ${values.join(', ')}, got ${JSON.stringify(value)}.`);
  return value as T;
}

/** A string → string map (tags, environment variables). */
export function stringMap(value: unknown, member: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw ManagementApiError.badRequest(`${member} must be an object of strings.`);
  for (const [key, v] of Object.entries(value)) if (typeof v !== 'string') throw ManagementApiError.badRequest(`${member}.${key} must be a string.`);
  return value as Record<string, string>;
}

/** AppSync's list calls: at most 25 per page. */
export const MAX_PAGE = 25;

/**
 * One page of `items` after `nextToken`: the token is opaque to callers (the offset, encoded);
 * one the gateway did not give is a BadRequestException.
 */
export function page<T>(items: readonly T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const maxText = query.get('maxResults');
  let max = MAX_PAGE;
  if (maxText !== null && maxText !== '') {
    const n = Number(maxText);
    if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE)
      throw ManagementApiError.badRequest(`maxResults must be an integer from 0 to ${MAX_PAGE}, got ${maxText}.`);
    if (n > 0) max = n;
  }
  const token = query.get('nextToken');
  let start = 0;
  if (token) {
    const match = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!match) throw ManagementApiError.badRequest('Invalid pagination token.');
    start = Number(match[1]);
  }
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(`o${start + max}`).toString('base64url') : undefined;
  return next ? { items: slice, nextToken: next } : { items: slice };
}
