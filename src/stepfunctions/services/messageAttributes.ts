/**
 * Message attributes as the in-process SQS (services/sqs.ts) and SNS (services/sns.ts) take them,
 * the size both services count against their message limits, and the parts of their attribute
 * rules that are the same (each service's rules: sqsMessageAttributes.ts, snsMessageAttributes.ts).
 */

/** A message attribute as SQS's JSON protocol and SNS's query protocol carry it (a binary value in base64). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/**
 * A message's size as SQS (against a queue's `MaximumMessageSize`) and SNS (against a topic's)
 * measure it: the UTF-8 bytes of the body and of each attribute's name, type and value, a binary
 * value by its decoded bytes, not its base64 text.
 * Gateway choice: both services document that name, type and value count, not how a binary value
 * is measured; AWS's own SQS and SNS extended clients, which predict the limit to decide when to
 * move a payload to S3, count its bytes, and so does this.
 */
export function messageBytes(body: string, attributes: Record<string, MessageAttributeValue> | undefined): number {
  let bytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value?.DataType ?? '');
    if (value?.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue);
    if (value?.BinaryValue !== undefined) bytes += Buffer.byteLength(value.BinaryValue, 'base64');
  }
  return bytes;
}

/** How SQS and SNS name a refused character: `#x` and its code point in hex (a lone surrogate: its code unit). */
export const characterCode = (character: string) => `#x${character.codePointAt(0)!.toString(16).toUpperCase()}`;

/**
 * The longest attribute name and data type both services take, in UTF-8 bytes. SQS: "must be shorter
 * than 256 bytes", meaning at most 256 as in its message limit's wording; SNS: names "up to 256
 * characters", types "up to 256 bytes". Gateway choice: names counted in UTF-8 bytes too, as SQS's
 * errors say; the guides say characters.
 */
export const MAX_NAME_BYTES = 256;
export const MAX_TYPE_BYTES = 256;

/** Name prefixes both services keep for AWS, in any casing. */
export const RESERVED_PREFIX = /^(aws|amazon)\./i;

/** Whether `text` is longer than `max` UTF-8 bytes; a text of at most max / 3 UTF-16 units cannot be, and is not encoded to count. */
export const longerThan = (text: string, max: number) => text.length * 3 > max && Buffer.byteLength(text) > max;

/**
 * A data type's logical type and an optional custom label after a period (`Number.float`,
 * `Binary.gif`). Gateway choice: an empty label (`String.`) is refused.
 */
export const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/s;

/**
 * A number as SQS and SNS read one: its whole digits, fraction digits and exponent. Gateway choice:
 * Java's BigDecimal syntax (sign, digits with a point, exponent), as AWS does not document the form.
 */
export const NUMBER = /^[+-]?(?=\.?\d)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
