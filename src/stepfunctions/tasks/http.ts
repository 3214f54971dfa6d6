/**
 * `arn:aws:states:::http:invoke` (Step Functions developer guide, "Call third-party APIs"):
 * `ApiEndpoint`, `Method`, `Headers`, `QueryParameters`, `RequestBody` and `Transform`
 * (`RequestBodyEncoding: URL_ENCODED` with `RequestEncodingOptions.ArrayFormat`). The result is
 * `{ Headers, ResponseBody, StatusCode, StatusText }`; a non-2xx answer fails the task with
 * `States.Http.StatusCode.<code>` and the status text as cause; no answer (connection refused,
 * 60 seconds gone) with `States.Http.Socket`.
 */
import { StatesError } from '../engine/types.js';

/** The HTTP Task's own time limit. */
const HTTP_TASK_LIMIT_MS = 60_000;
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
/** Headers the HTTP Task refuses to send (set by the connection or the transport). */
const FORBIDDEN = /^(?:host|content-length|connection|transfer-encoding|upgrade|expect|proxy-.*|x-amz-.*|x-amzn-.*)$/i;

export type ArrayFormat = 'BRACKETS' | 'COMMAS' | 'INDICES' | 'REPEAT';

const runtime = (cause: string) => new StatesError('States.Runtime', cause);

/** Encodes a JSON object as `application/x-www-form-urlencoded` the way the Transform field describes. */
export function urlEncode(value: unknown, arrayFormat: ArrayFormat = 'REPEAT'): string {
  const pairs: Array<[string, string]> = [];
  const scalar = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const walk = (key: string, v: unknown) => {
    if (Array.isArray(v)) {
      if (arrayFormat === 'COMMAS') pairs.push([key, v.map(scalar).join(',')]);
      else v.forEach((item, i) => walk(arrayFormat === 'BRACKETS' ? `${key}[]` : arrayFormat === 'INDICES' ? `${key}[${i}]` : key, item));
    } else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) walk(`${key}[${k}]`, inner);
    } else {
      pairs.push([key, scalar(v)]);
    }
  };
  if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) walk(k, v);
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** The request an `http:invoke` Task sends, from its Parameters. */
export function buildHttpRequest(parameters: unknown): { url: URL; method: string; headers: Record<string, string>; body?: string } {
  const p = (parameters ?? {}) as Record<string, unknown>;
  if (typeof p.ApiEndpoint !== 'string') throw runtime("The field 'ApiEndpoint' is required and must be a string");
  if (typeof p.Method !== 'string' || !METHODS.has(p.Method.toUpperCase())) throw runtime(`The field 'Method' must be one of ${[...METHODS].join(', ')}`);
  let url: URL;
  try {
    url = new URL(p.ApiEndpoint);
  } catch {
    throw runtime(`The ApiEndpoint '${p.ApiEndpoint}' is not a valid URL`);
  }
  const transform = (p.Transform ?? {}) as { RequestBodyEncoding?: string; RequestEncodingOptions?: { ArrayFormat?: ArrayFormat } };
  const arrayFormat = transform.RequestEncodingOptions?.ArrayFormat ?? 'REPEAT';
  if (p.QueryParameters && typeof p.QueryParameters === 'object') {
    const query = urlEncode(p.QueryParameters, arrayFormat);
    if (query) url.search = url.search ? `${url.search}&${query}` : query;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((p.Headers ?? {}) as Record<string, unknown>)) {
    if (FORBIDDEN.test(k)) throw runtime(`The header '${k}' is not allowed in an HTTP Task`);
    if (v !== undefined && v !== null) headers[k] = String(v);
  }
  const method = p.Method.toUpperCase();
  let body: string | undefined;
  if (p.RequestBody !== undefined && method !== 'GET' && method !== 'HEAD') {
    if (transform.RequestBodyEncoding === 'URL_ENCODED') {
      body = urlEncode(p.RequestBody, arrayFormat);
      headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    } else {
      body = typeof p.RequestBody === 'string' ? p.RequestBody : JSON.stringify(p.RequestBody);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
  }
  return { url, method, headers, body };
}

/** Runs an `http:invoke` Task. */
export async function invokeHttp(parameters: unknown, signal: AbortSignal): Promise<unknown> {
  const request = buildHttpRequest(parameters);
  let response: Response;
  // Step Functions gives an HTTP Task 60 seconds whatever the state's TimeoutSeconds.
  const deadline = AbortSignal.timeout(HTTP_TASK_LIMIT_MS);
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.any([signal, deadline]),
      redirect: 'manual',
    });
  } catch (error) {
    if (deadline.aborted && !signal.aborted)
      throw new StatesError('States.Http.Socket', `The HTTP request to ${request.url.origin} did not answer within 60 seconds`);
    if (signal.aborted) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new StatesError('States.Http.Socket', `Could not connect to ${request.url.origin}${cause?.code ? ` (${cause.code})` : ''}`);
  }
  const headers: Record<string, string[]> = {};
  response.headers.forEach((value, key) => {
    (headers[key] ??= []).push(value);
  });
  const text = await response.text();
  let responseBody: unknown = text;
  if (/json/i.test(response.headers.get('content-type') ?? '') && text) {
    try {
      responseBody = JSON.parse(text);
    } catch {
      responseBody = text;
    }
  }
  const statusText = response.statusText || String(response.status);
  if (response.status < 200 || response.status > 299) throw new StatesError(`States.Http.StatusCode.${response.status}`, statusText);
  return { Headers: headers, ResponseBody: responseBody, StatusCode: response.status, StatusText: statusText };
}
