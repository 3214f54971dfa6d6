/**
 * The rules SQS holds a message's attributes to on SendMessage (and each SendMessageBatch entry):
 * names, data types and values (docs/stepfunctions.md#sqs). Each rule answers the sentence SQS
 * answers where it could be found in captures of real SQS. Gateway choice: where it could not
 * (periods in a sequence, a missing type, a Number's precision and range, a refused character in a
 * String value, a value given both ways, message system attributes), the sentence is the gateway's.
 */
import {
  characterCode,
  DATA_TYPE,
  longerThan,
  MAX_NAME_BYTES,
  MAX_TYPE_BYTES,
  NUMBER,
  RESERVED_PREFIX,
  type MessageAttributeValue,
} from './messageAttributes.js';

/**
 * Why SQS refuses a call whose message attributes (or message system attributes) carry list values
 * (`UnsupportedOperation` with this message), or undefined if none does. `StringListValues` and
 * `BinaryListValues` are in SQS's model but "not implemented"; real SQS answers
 * `AWS.SimpleQueueService.UnsupportedOperation` "Message attribute list values in SendMessage
 * operation are not supported." (and "…in SendMessageBatch operation…" for a batch, which it refuses
 * whole), even for empty lists (Ruby SDK users whose received attributes carried `[]` hit it).
 */
export function listValuesProblem(action: 'SendMessage' | 'SendMessageBatch', ...maps: unknown[]): string | undefined {
  for (const map of maps) {
    if (!map || typeof map !== 'object') continue;
    for (const value of Object.values(map as Record<string, unknown>)) {
      const attribute = value as { StringListValues?: unknown; BinaryListValues?: unknown } | null;
      // Gateway choice: null is taken as absent, as the SDKs do not send null members.
      if (attribute && ((attribute.StringListValues ?? null) !== null || (attribute.BinaryListValues ?? null) !== null))
        return `Message attribute list values in ${action} operation are not supported.`;
    }
  }
  return undefined;
}

/**
 * A character SQS refuses in a message body and in a String value (XML's characters are allowed: tab,
 * newline, carriage return, U+0020 on, no surrogates, U+FFFE or U+FFFF).
 */
export const REFUSED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The characters SQS allows in a message, as its refusal lists them. */
export const ALLOWED_CHARACTERS = '#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';

/** The most message attributes SQS takes on one message. */
const MAX_MESSAGE_ATTRIBUTES = 10;

/**
 * A name's characters: letters (Latin-1 and beyond: real SQS takes `attr.1øßä`, though its guide lists
 * only A-Z), digits, underscore, hyphen and period. Gateway choice: any Unicode letter or digit.
 */
const NAME_CHARACTERS = /^[\p{L}\p{Nd}_.-]+$/u;
/** The common case of {@link NAME_CHARACTERS}, tested first: matching ASCII is several times cheaper than Unicode properties. */
const ASCII_NAME_CHARACTERS = /^[A-Za-z0-9_.-]+$/;
/** A Number's most significant digits ("up to 38 digits of precision"), leading and trailing zeros trimmed. */
const MAX_NUMBER_DIGITS = 38;
/** The powers of ten a Number's magnitude lies between ("between 10^-128 and 10^+126"). */
const MIN_NUMBER_POWER = -128;
const MAX_NUMBER_POWER = 126;

/** Why SQS refuses a Number attribute's value (not a number, or outside its range or precision), or undefined if it takes it. */
function numberProblem(name: string, value: string): string | undefined {
  const parts = NUMBER.exec(value);
  if (!parts) return `Can't cast the value of message (user) attribute '${name}' to a number.`;
  const [, whole = '', fraction = '', exponent = '0'] = parts;
  // Significant digits: leading and trailing zeros trimmed (by index: this runs on every Number sent).
  const all = whole + fraction;
  let first = 0;
  while (first < all.length && all.charCodeAt(first) === 48) first++;
  if (first === all.length) return undefined; // zero
  let end = all.length;
  while (all.charCodeAt(end - 1) === 48) end--;
  const significant = end - first;
  // The highest digit's power of ten: the value is d.ddd × 10^top.
  const top = Number(exponent) + whole.length - first - 1;
  if (significant > MAX_NUMBER_DIGITS) return `Value ${value} of message (user) attribute '${name}' has more than ${MAX_NUMBER_DIGITS} digits of precision.`;
  if (top < MIN_NUMBER_POWER || top > MAX_NUMBER_POWER || (top === MAX_NUMBER_POWER && significant > 1))
    return `Value ${value} of message (user) attribute '${name}' is outside the range of a Number (10^-128 to 10^+126).`;
  return undefined;
}

/** Why SQS refuses one attribute, or undefined if it takes it. */
function attributeProblem(name: string, attribute: MessageAttributeValue | undefined): string | undefined {
  if (name === '') return 'The request must contain non-empty message (user) attribute names.';
  if (longerThan(name, MAX_NAME_BYTES)) return `Message (user) attribute name must be shorter than ${MAX_NAME_BYTES} bytes.`;
  if (!ASCII_NAME_CHARACTERS.test(name) && !NAME_CHARACTERS.test(name))
    return 'Message (user) attributes name can only contain upper and lower score characters, digits, periods, hyphens and underscores.';
  if (RESERVED_PREFIX.test(name) || name.startsWith('.') || name.endsWith('.'))
    return (
      "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use. " +
      "Additionally, they cannot start or end with '.'."
    );
  if (name.includes('..')) return `Message (user) attribute name '${name}' must not have periods in a sequence.`;
  const type = attribute?.DataType;
  if (typeof type !== 'string' || type === '') return `The message (user) attribute '${name}' must contain a non-empty message attribute type.`;
  if (longerThan(type, MAX_TYPE_BYTES)) return `Message (user) attribute type must be shorter than ${MAX_TYPE_BYTES} bytes.`;
  const logical = DATA_TYPE.exec(type)?.[1];
  if (logical === undefined || (type.length > logical.length && REFUSED_CHARACTER.test(type)))
    return `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`;
  // Gateway choice (SQS's answer not found): a value given both ways is refused rather than one of them dropped.
  if (attribute!.StringValue !== undefined && attribute!.BinaryValue !== undefined)
    return `Message (user) attribute '${name}' must contain either a StringValue or a BinaryValue, not both.`;
  const empty = `Message (user) attribute '${name}' must contain a non-empty value of type '${logical}'.`;
  if (logical === 'Binary') return typeof attribute!.BinaryValue === 'string' && attribute!.BinaryValue !== '' ? undefined : empty;
  const value = attribute!.StringValue;
  if (typeof value !== 'string' || value === '') return empty;
  if (logical === 'Number') return numberProblem(name, value);
  const refused = REFUSED_CHARACTER.exec(value)?.[0];
  if (refused !== undefined)
    return (
      `Invalid binary character '${characterCode(refused)}' was found in the value of message (user) attribute '${name}', ` +
      `the set of allowed characters is ${ALLOWED_CHARACTERS}`
    );
  return undefined;
}

/**
 * Why SQS refuses a message's attributes (`InvalidParameterValue` with this message), or undefined
 * if it takes them: more than ten, else the first attribute that breaks a rule, in the order given.
 */
export function messageAttributesProblem(attributes: Record<string, MessageAttributeValue | undefined>): string | undefined {
  const entries = Object.entries(attributes);
  const count = entries.length;
  if (count > MAX_MESSAGE_ATTRIBUTES) return `Number of message attributes [${count}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`;
  for (const [name, attribute] of entries) {
    const problem = attributeProblem(name, attribute);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** The one message system attribute SQS takes on a send ("Currently, the only supported message system attribute is AWSTraceHeader"). */
export const TRACE_HEADER = 'AWSTraceHeader';

/**
 * An X-Ray trace header as the gateway takes one: `;`-separated `key=value` fields, one of them
 * `Root`. Gateway choice: SQS wants "a correctly formatted X-Ray trace header string" but does not
 * say how it checks it, and real SQS took `Root=1-abc-def` (a test run against it), so the ids'
 * form (`1-<8 hex>-<24 hex>`) is not checked.
 */
const TRACE_HEADER_FORM = /^(?:[^;=\s]+=[^;]*;)*?Root=[^;]+(?:;[^;=\s]+=[^;]*)*;?$/;

/**
 * Why SQS refuses a message's system attributes (`InvalidParameterValue` with this message), or
 * undefined if it takes them: only `AWSTraceHeader`, of type `String`, with a non-empty trace header
 * in the body's characters. Gateway choice: the sentences are the gateway's (AWS's not found; real
 * SQS answers HTTP 400 to another name).
 */
export function systemAttributesProblem(attributes: Record<string, MessageAttributeValue | undefined>): string | undefined {
  for (const [name, attribute] of Object.entries(attributes)) {
    if (name !== TRACE_HEADER) return `Message system attribute name '${name}' is invalid. The only supported message system attribute is ${TRACE_HEADER}.`;
    if (attribute?.DataType !== 'String' || attribute.BinaryValue !== undefined)
      return `The message system attribute '${name}' must be of type 'String' with a StringValue.`;
    const value = attribute.StringValue;
    if (typeof value !== 'string' || value === '') return `Message system attribute '${name}' must contain a non-empty value of type 'String'.`;
    const refused = REFUSED_CHARACTER.exec(value)?.[0];
    if (refused !== undefined)
      return (
        `Invalid binary character '${characterCode(refused)}' was found in the value of message system attribute '${name}', ` +
        `the set of allowed characters is ${ALLOWED_CHARACTERS}`
      );
    if (!TRACE_HEADER_FORM.test(value)) return `Value ${value} of message system attribute '${name}' is not an X-Ray trace header (Root=…;Parent=…;Sampled=…).`;
  }
  return undefined;
}
