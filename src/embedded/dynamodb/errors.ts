/** Errors of the embedded DynamoDB store, as DynamoDB answers them. */
import type { DynaliteError } from './dynalite.js';

/** A DynamoDB error answer: HTTP status and the JSON body (`__type`, `message`/`Message`, extras). */
export class StoreError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: { __type: string; message?: string; Message?: string; [field: string]: unknown },
  ) {
    super(body.message ?? body.Message ?? body.__type);
  }

  /** `error` as a StoreError when it is one or dynalite made it (it carries `statusCode` and `body`); any other error as it is. */
  static from(this: void, error: unknown): unknown {
    if (error instanceof StoreError) return error;
    const e = error as DynaliteError;
    if (e?.statusCode && e.body) return new StoreError(e.statusCode, e.body);
    return error;
  }
}

/** DynamoDB's ValidationException with `message`. */
export const validationError = (message: string) => new StoreError(400, { __type: 'com.amazon.coral.validate#ValidationException', message });
/** DynamoDB Local's answer for a table a transaction or TTL call names that does not exist. */
export const noSuchTable = () =>
  new StoreError(400, { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Cannot do operations on a non-existent table' });
