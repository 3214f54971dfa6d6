/**
 * AppSync's predefined scalars (docs/scalars.md): what each accepts on input (literal and
 * variable) and what it sends out. Errors carry the spec's messages (§5) through `ScalarError`.
 */
import { createRequire } from 'node:module';
import { GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import type { AwsScalarName } from './preamble.js';

/**
 * Thrown by parse/serialize; `noun` completes "Unable to … as a valid <noun>." A plain Error on
 * purpose: graphql-js then adds the literal's location and we word the message (docs/errors.md#validation-and-variable-errors).
 */
export class ScalarError extends Error {
  readonly scalar: string;
  readonly rawValue: unknown;
  constructor(scalar: string, noun: string, value: unknown, direction: 'parse' | 'serialize') {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    super(`Unable to ${direction} \`${shown}\` as a valid ${noun}.`);
    this.scalar = scalar;
    this.rawValue = value;
  }
}

const DATE = String.raw`-?\d{4,}-(\d{2})-(\d{2})`;
const TIME = String.raw`(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{0,9})?)?`;
const OFFSET = String.raw`(?:Z|[+-]\d{2}:\d{2}(?::\d{2})?)`;
const DATE_RE = new RegExp(`^${DATE}${OFFSET}?$`);
const TIME_RE = new RegExp(`^${TIME}${OFFSET}?$`);
const DATETIME_RE = new RegExp(`^${DATE}T${TIME}${OFFSET}$`);
const EMAIL_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= days[month - 1]!;
}

function validClock(h: string, m: string, s: string | undefined): boolean {
  return Number(h) <= 23 && Number(m) <= 59 && (s === undefined || Number(s) <= 59);
}

function isDate(v: string): boolean {
  const m = DATE_RE.exec(v);
  if (!m) return false;
  const year = Number(v.slice(0, v.indexOf('-', 1)));
  return validDay(Math.abs(year), Number(m[1]), Number(m[2]));
}
function isTime(v: string): boolean {
  const m = TIME_RE.exec(v);
  return !!m && validClock(m[1]!, m[2]!, m[3]);
}
function isDateTime(v: string): boolean {
  const m = DATETIME_RE.exec(v);
  if (!m) return false;
  const year = Number(v.slice(0, v.indexOf('-', 1)));
  return validDay(Math.abs(year), Number(m[1]), Number(m[2])) && validClock(m[3]!, m[4]!, m[5]);
}
function isUrl(v: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):(.+)$/.exec(v);
  if (!scheme) return false;
  try {
    const url = new URL(v);
    // docs/scalars.md#examples: `//` inside the path is rejected.
    if (url.host && /\/\//.test(url.pathname)) return false;
    return true;
  } catch {
    return false;
  }
}
function isIpAddress(v: string): boolean {
  const [address, prefix, ...rest] = v.split('/');
  if (rest.length || address === undefined) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  let max: number;
  if (v4) {
    if (v4.slice(1).some((o) => Number(o) > 255)) return false;
    max = 32;
  } else {
    if (!/^[0-9A-Fa-f:.]+$/.test(address) || !address.includes(':')) return false;
    try {
      new URL(`http://[${address}]/`);
    } catch {
      return false;
    }
    max = 128;
  }
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
}
let phoneParser: typeof import('libphonenumber-js').parsePhoneNumberFromString | undefined;

/**
 * libphonenumber-js is loaded on the first AWSPhone value, not at start-up (~130 ms): most APIs
 * never see one. Synchronously, because scalar parsing is synchronous.
 */
function parsePhone(v: string) {
  phoneParser ??= (createRequire(import.meta.url)('libphonenumber-js') as typeof import('libphonenumber-js')).parsePhoneNumberFromString;
  return phoneParser(v, 'US');
}

function isPhone(v: string): boolean {
  try {
    const phone = parsePhone(v);
    if (!phone?.isPossible()) return false;
    // North American numbers: area code and exchange start with 2-9 (rejects `1110004444`).
    return phone.countryCallingCode !== '1' || /^[2-9]\d{2}[2-9]\d{6}$/.test(phone.nationalNumber);
  } catch {
    return false;
  }
}

interface StringScalarSpec {
  name: AwsScalarName;
  noun: string;
  test: (v: string) => boolean;
  description: string;
}

function stringScalar(spec: StringScalarSpec): GraphQLScalarType {
  const check = (value: unknown, direction: 'parse' | 'serialize'): string => {
    if (typeof value !== 'string' || !spec.test(value)) throw new ScalarError(spec.name, spec.noun, value, direction);
    return value;
  };
  return new GraphQLScalarType({
    name: spec.name,
    description: spec.description,
    serialize: (value) => check(value, 'serialize'),
    parseValue: (value) => check(value, 'parse'),
    parseLiteral: (node) => {
      if (node.kind !== Kind.STRING) throw new ScalarError(spec.name, spec.noun, print(node), 'parse');
      return check(node.value, 'parse');
    },
  });
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
function toTimestamp(value: unknown, direction: 'parse' | 'serialize'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > MAX_SAFE) {
    throw new ScalarError('AWSTimestamp', 'timestamp', value, direction);
  }
  return value;
}

function literalToJs(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
      return node.value;
    default:
      return undefined;
  }
}

/** The nine AWS scalars, by name. */
export function createAwsScalars(): Record<AwsScalarName, GraphQLScalarType> {
  return {
    AWSDate: stringScalar({
      name: 'AWSDate',
      noun: 'Date Object',
      test: isDate,
      description: 'An extended ISO 8601 date string: YYYY-MM-DD, with an optional offset.',
    }),
    AWSTime: stringScalar({
      name: 'AWSTime',
      noun: 'Time Object',
      test: isTime,
      description: 'An extended ISO 8601 time string: hh:mm:ss.sss, with an optional offset.',
    }),
    AWSDateTime: stringScalar({
      name: 'AWSDateTime',
      noun: 'DateTime Object',
      test: isDateTime,
      description: 'An extended ISO 8601 date and time string with a required offset.',
    }),
    AWSEmail: stringScalar({ name: 'AWSEmail', noun: 'email address', test: (v) => EMAIL_RE.test(v), description: 'An email address (RFC 822).' }),
    AWSPhone: stringScalar({
      name: 'AWSPhone',
      noun: 'phone number',
      test: isPhone,
      description: 'A phone number; numbers without a country code are read as North American.',
    }),
    AWSURL: stringScalar({ name: 'AWSURL', noun: 'URL', test: isUrl, description: 'A URL (RFC 1738) with a scheme.' }),
    AWSIPAddress: stringScalar({
      name: 'AWSIPAddress',
      noun: 'IP address',
      test: isIpAddress,
      description: 'An IPv4 or IPv6 address, optionally with a CIDR prefix.',
    }),
    AWSTimestamp: new GraphQLScalarType({
      name: 'AWSTimestamp',
      description: 'Seconds since 1970-01-01T00:00Z.',
      serialize: (v) => toTimestamp(v, 'serialize'),
      parseValue: (v) => toTimestamp(v, 'parse'),
      parseLiteral: (node) => {
        if (node.kind !== Kind.INT) throw new ScalarError('AWSTimestamp', 'timestamp', print(node), 'parse');
        return toTimestamp(Number(node.value), 'parse');
      },
    }),
    AWSJSON: new GraphQLScalarType({
      name: 'AWSJSON',
      description: 'A JSON string; resolvers receive it parsed and objects returned are sent as JSON text.',
      // docs/scalars.md#input-and-output: non-string results are JSON.stringify-ed; a string result is sent as is.
      serialize: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
      parseValue: (v) => {
        if (typeof v !== 'string') throw new ScalarError('AWSJSON', 'JSON', v, 'parse');
        try {
          return JSON.parse(v);
        } catch {
          throw new ScalarError('AWSJSON', 'JSON', v, 'parse');
        }
      },
      parseLiteral: (node) => {
        const text = literalToJs(node);
        if (typeof text !== 'string') throw new ScalarError('AWSJSON', 'JSON', print(node), 'parse');
        try {
          return JSON.parse(text);
        } catch {
          throw new ScalarError('AWSJSON', 'JSON', text, 'parse');
        }
      },
    }),
  };
}
