/**
 * The rules SNS holds a publish's text to (docs/stepfunctions.md#sns), API reference `Publish`:
 * a `Message` "must be UTF-8 encoded strings", and a `Subject` "must be UTF-8 text with no line
 * breaks or control characters, and less than 100 characters long". Only a JSON caller (an
 * `sns:publish` task's state) can send text UTF-8 cannot encode: a form post decodes to
 * well-formed text, and the SDKs will not percent-encode a lone surrogate.
 */
import { characterCode } from './messageAttributes.js';

/**
 * A UTF-16 code unit no UTF-8 text holds: a surrogate without its pair (the `u` flag reads a pair
 * as one code point, so only a lone one matches).
 */
export const NOT_UTF8 = /\p{Cs}/u;

/** A line break or another control character (C0, DEL and C1), which a Subject may not hold. */
const CONTROL = /\p{Cc}/u;

/** A Subject must be shorter than this, in characters (code points: Gateway choice, as SNS says "characters"). */
const MAX_SUBJECT_CHARACTERS = 100;

/**
 * Why SNS refuses a message body, or undefined if it takes it. Gateway choice: SNS's answer to a
 * body UTF-8 cannot encode was not found (its guide says only that a message is UTF-8); it is
 * refused as SNS refuses another bad parameter, `Invalid parameter: <name> Reason: <why>`.
 */
export function messageTextProblem(message: string): string | undefined {
  const unencodable = NOT_UTF8.exec(message)?.[0];
  if (unencodable === undefined) return undefined;
  return `Invalid parameter: Message Reason: Invalid character '${characterCode(unencodable)}' was found: a message must be UTF-8 encoded text.`;
}

/**
 * Whether SNS refuses a Subject: empty (as LocalStack, which reimplements SNS, refuses it), 100
 * characters or more, a control character, or text UTF-8 cannot encode. SNS's answer for each is
 * `Invalid parameter: Subject` (what it answered a subject of 100 characters or more).
 */
export function subjectRefused(subject: string): boolean {
  if (subject === '' || CONTROL.test(subject) || NOT_UTF8.test(subject)) return true;
  // A text of fewer UTF-16 units than the limit has fewer characters: counted only when it may be long.
  return subject.length >= MAX_SUBJECT_CHARACTERS && [...subject].length >= MAX_SUBJECT_CHARACTERS;
}
