/**
 * The pure members of AppSync's `util` (docs/resolvers.md#util-in-detail), composed for the sandbox
 * prelude. `error`, `appendError`, `unauthorized`, `authType` and `http.addResponseHeader(s)` need
 * the resolver run's state and live in prelude.ts.
 */
import type { SandboxHost } from '../host.js';
import { createDynamoDBUtils } from './dynamodb.js';
import { base64Decode, base64Encode, escapeJavaScript, urlDecode, urlEncode } from './encoding.js';
import { copyHeaders } from './http.js';
import { createIdUtils } from './ids.js';
import { javaMatches } from './javaRegex.js';
import { createTimeUtils } from './time.js';
import { createTransformUtils } from './transform.js';
import { createXmlUtils } from './xml.js';

export { isRestrictedResponseHeader } from './http.js';

export function createUtilHelpers(host: SandboxHost) {
  return {
    base64Encode,
    base64Decode,
    urlEncode,
    urlDecode,
    escapeJavaScript,
    ...createIdUtils((n) => host.randomHex(n)),
    matches: (pattern: string, value: string) => javaMatches(pattern, value),
    time: createTimeUtils(),
    str: {
      toUpper: (value: string) => String(value).toUpperCase(),
      toLower: (value: string) => String(value).toLowerCase(),
      /** Every occurrence, as Java's String.replace does. */
      toReplace: (value: string, target: string, replacement: string) => String(value).split(String(target)).join(String(replacement)),
      normalize: (value: string, form: string) => String(value).normalize(String(form).toUpperCase() as 'NFC'),
    },
    math: {
      roundNum: (x: number) => Math.round(x),
      minVal: (a: number, b: number) => Math.min(a, b),
      maxVal: (a: number, b: number) => Math.max(a, b),
      randomDouble: () => Math.random(),
      /** Gateway choice: both ends inclusive. */
      randomWithinRange: (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1)),
    },
    http: { copyHeaders },
    xml: createXmlUtils(),
    dynamodb: createDynamoDBUtils(),
    transform: createTransformUtils(),
  };
}
