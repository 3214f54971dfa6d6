/**
 * The rules SNS holds a message's attributes to on Publish (and each PublishBatch entry): names,
 * data types and values (docs/stepfunctions.md#sns). The rules are SNS's own (developer guide
 * "Amazon SNS message attributes", API reference `MessageAttributeValue`), stricter than SQS's on
 * names (ASCII only) and with a fourth type, `String.Array`; SNS takes more than ten attributes.
 * The shared parts (byte lengths, a type's form, a number's form) live in messageAttributes.ts.
 * Gateway choice: AWS's own sentences were not found but for a reserved name's; those used are
 * LocalStack's and moto's (reimplementations of SNS), and the gateway's where neither has one (marked
 * below).
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
import { NOT_UTF8 } from './snsPublishText.js';
import { SNS_RESERVED_NAMES } from './snsReservedNames.js';

/** Why SNS refuses a message's attributes: the error code (SNS's query code) and its message. */
export interface SnsAttributesProblem {
  /** `ParameterValueInvalid` (what `@aws-sdk/client-sns` throws as `InvalidParameterValueException`), or `ValidationError` for a missing type. */
  code: 'ParameterValueInvalid' | 'ValidationError';
  message: string;
}

/** A character SNS refuses in a name: it takes A-Z, a-z, 0-9, underscore, hyphen and period only. */
const REFUSED_NAME_CHARACTER = /[^A-Za-z0-9_.-]/u;

const invalid = (message: string): SnsAttributesProblem => ({ code: 'ParameterValueInvalid', message });

/** Why SNS refuses one attribute's name, or undefined if it takes it. */
function nameProblem(name: string): SnsAttributesProblem | undefined {
  // Gateway choice: the sentence for an empty name.
  if (name === '') return invalid('Message attribute name can not be empty.');
  if (longerThan(name, MAX_NAME_BYTES)) return invalid(`Length of message attribute name must be less than ${MAX_NAME_BYTES} bytes.`);
  if (name.startsWith('.')) return invalid("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith('.')) return invalid("Invalid message attribute name ending with character '.' was found.");
  const refused = REFUSED_NAME_CHARACTER.exec(name)?.[0];
  if (refused !== undefined)
    return invalid(
      `Invalid non-alphanumeric character '${characterCode(refused)}' was found in the message attribute name. ` +
        'Can only include alphanumeric characters, hyphens, underscores, or dots.',
    );
  if (name.includes('..')) return invalid("Message attribute name can not have successive '.' character.");
  // SNS's sentence (aws/aws-sdk-js#3110: a misspelt `AWS.SNS.SMS.SenderId`). Gateway choice: its error
  // code, which the report does not give, is that of the other name rules.
  if (RESERVED_PREFIX.test(name) && !SNS_RESERVED_NAMES.has(name))
    return invalid("Message attribute names starting with 'AWS.' or 'Amazon.' are reserved for use by Amazon.");
  return undefined;
}

/**
 * Whether a `String.Array` value is what SNS documents: a JSON array whose items are strings,
 * numbers, `true`, `false` or `null`.
 */
function isStringArray(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the caller refuses the value, which is this failure's report.
    return false;
  }
  return Array.isArray(parsed) && parsed.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item));
}

/** Why SNS refuses one attribute, or undefined if it takes it; `at` is where a missing type is, as SNS's validation error names it. */
function attributeProblem(name: string, attribute: MessageAttributeValue | undefined, at: string): SnsAttributesProblem | undefined {
  const problem = nameProblem(name);
  if (problem) return problem;
  const type = attribute?.DataType;
  if (typeof type !== 'string')
    return {
      code: 'ValidationError',
      message:
        `1 validation error detected: Value null at '${at}messageAttributes.${name}.member.dataType' ` +
        'failed to satisfy constraint: Member must not be null',
    };
  // Gateway choice: the sentence for a type past 256 bytes.
  if (longerThan(type, MAX_TYPE_BYTES)) return invalid(`Length of message attribute type must be less than ${MAX_TYPE_BYTES} bytes.`);
  const logical = DATA_TYPE.exec(type)?.[1];
  if (logical === undefined)
    return invalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  const { StringValue: text, BinaryValue: binary } = attribute!;
  const empty = invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
  if (text === undefined && binary === undefined) return empty;
  // Gateway choice (SNS's answer not found): a value given both ways is refused rather than one of them dropped.
  if (text !== undefined && binary !== undefined)
    return invalid(`The message attribute '${name}' must contain either a StringValue or a BinaryValue, not both.`);
  const field = logical === 'Binary' ? 'Binary' : 'String';
  const value = logical === 'Binary' ? binary : text;
  if (value === undefined) return invalid(`The message attribute '${name}' with type '${type}' must use field '${field}'.`);
  if (value === '') return empty;
  // SNS: "Strings are Unicode with UTF-8 binary encoding", a String value having "the same restrictions
  // on the content as the message body" (snsPublishText.ts). Its guide's link to the ASCII printable
  // characters is "a list of code values", not the rule: real SNS took a tab in a String value
  // (aws/aws-sdk-java-v2#5828). Gateway choice: the sentence (SNS's not found), naming the code unit
  // as SNS names a name's refused character.
  const unencodable = logical === 'String' ? NOT_UTF8.exec(value)?.[0] : undefined;
  if (unencodable !== undefined)
    return invalid(
      `Invalid character '${characterCode(unencodable)}' was found in the value of message attribute '${name}'. ` +
        'Strings are Unicode with UTF-8 binary encoding.',
    );
  // moto's sentence. Gateway choice: a Number's form is checked (Java's BigDecimal syntax, as for
  // SQS), not its range or precision, which SNS does not document.
  if (logical === 'Number' && !NUMBER.test(value)) return invalid(`Could not cast message attribute '${name}' value to number.`);
  // Gateway choice: the sentence for a String.Array that is not one.
  if (type === 'String.Array' && !isStringArray(value))
    return invalid(`The message attribute '${name}' with type 'String.Array' must be a JSON array of strings, numbers, true, false or null.`);
  return undefined;
}

/**
 * The attributes a raw delivery to an SQS queue carries: the message's, but SNS's own
 * (snsReservedNames.ts: `AWS.SNS.…`, `AWS.MM.SMS.…`). Gateway choice (what SNS does was not found):
 * they are instructions to SNS (an SMS sender id, a push notification's time to live), which its
 * guide says are not delivered to a mobile endpoint, and SQS keeps names beginning with `AWS.` for
 * itself, so handing them on made SQS refuse the whole delivery. They stay in the notification JSON
 * of a delivery that is not raw.
 */
export function queueDeliveryAttributes(attributes: Record<string, MessageAttributeValue>): Record<string, MessageAttributeValue> {
  const names = Object.keys(attributes);
  if (!names.some((name) => SNS_RESERVED_NAMES.has(name))) return attributes;
  return Object.fromEntries(names.filter((name) => !SNS_RESERVED_NAMES.has(name)).map((name) => [name, attributes[name]!]));
}

/**
 * Why SNS refuses a message's attributes, or undefined if it takes them: the first attribute that
 * breaks a rule, in the order given. `batchEntry` is a PublishBatch entry's position (from 1).
 */
export function snsAttributesProblem(attributes: Record<string, MessageAttributeValue | undefined>, batchEntry?: number): SnsAttributesProblem | undefined {
  const at = batchEntry === undefined ? '' : `publishBatchRequestEntries.${batchEntry}.member.`;
  for (const [name, attribute] of Object.entries(attributes)) {
    const problem = attributeProblem(name, attribute, at);
    if (problem) return problem;
  }
  return undefined;
}
