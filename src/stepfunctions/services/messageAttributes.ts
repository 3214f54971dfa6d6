/**
 * Message attributes as the in-process SQS (services/sqs.ts) and SNS (services/sns.ts) take them,
 * and the size both services count against their message limits.
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
