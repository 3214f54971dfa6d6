/**
 * Administrative endpoints (the Step Functions API and its page under `/stepfunctions`; AppSync's
 * management API under `/v1/` and `/v2/`) start executions that reach the configured Lambda functions, HTTP
 * endpoints and tables, so they are not for anyone who can reach the port.
 *
 * Gateway choice: on a loopback address only this machine can call them, and they stay open as
 * before. On any other address they are refused unless the config declares AWS_IAM credentials
 * (the Step Functions API then verifies every call's SigV4 signature against them, as AWS does) or
 * the operator opts out with `allowUnsignedAdmin` / `--allow-unsigned-admin`, logged as a warning.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { NormalizedConfig } from '../config/types.js';

/** True for addresses only this machine reaches: 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * The Step Functions or in-process SQS / SNS / EventBridge API (`X-Amz-Target: AWSStepFunctions.*` / `AmazonSQS.*` / `AWSEvents.*`,
 * form posts to `/`) or the page and assets, or the AppSync management API (`/v1/…`, `/v2/…`).
 */
export function isAdminRequest(req: IncomingMessage, path: string): boolean {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && (target.startsWith('AWSStepFunctions.') || target.startsWith('AmazonSQS.') || target.startsWith('AWSEvents.'))) return true;
  // The in-process SNS API: query-protocol form posts to the root.
  if (req.method === 'POST' && path === '/' && String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return true;
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) return true;
  return path === '/stepfunctions' || path.startsWith('/stepfunctions/');
}

/** The config declares AWS_IAM credentials, against which the Step Functions API verifies signatures. */
export function verifiesSignatures(config: NormalizedConfig): boolean {
  return [config.authentication, ...config.additionalAuthentications].some((a) => a.type === 'AWS_IAM');
}

/** The refusal's message: what to do about it. */
export function adminRefusalMessage(host: string, what = 'Step Functions calls'): string {
  return (
    `Missing Authentication Token: this gateway listens on ${host}, so ${what} must be SigV4-signed with credentials ` +
    'of an AWS_IAM auth mode in the config (or the gateway started with --allow-unsigned-admin).'
  );
}
