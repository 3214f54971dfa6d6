/**
 * The gateway's own SDK clients reach the embedded store without a socket: each request is handed
 * to the store's HTTP handler as an in-memory request/response pair. Over loopback TCP, a GetItem
 * cost a connection write and an HTTP parse on each side, twice per call; the store answers the
 * same bytes either way (other clients still reach it over HTTP at its endpoint).
 *
 * Written by hand: the AWS SDK takes any `requestHandler` with `handle(request)`, and no library
 * bridges an SDK request to a `node:http` request listener in memory.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** The subset of an SDK HttpRequest this handler reads. */
interface SdkHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** What `DynamoDBClient({ requestHandler })` accepts (the SDK's HttpHandler shape). */
export interface InProcessRequestHandler {
  handle(
    request: SdkHttpRequest,
    options?: { abortSignal?: unknown },
  ): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Uint8Array } }>;
  updateHttpClientConfig(): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error('the embedded DynamoDB store takes string or byte request bodies only');
}

/** A request handler that answers through `listener` (the embedded store's `request` listener). */
export function inProcessRequestHandler(listener: RequestListener): InProcessRequestHandler {
  return {
    handle(request, options) {
      return new Promise((resolve, reject) => {
        if ((options?.abortSignal as { aborted?: boolean } | undefined)?.aborted) {
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
          return;
        }
        const headers: Record<string, string> = {};
        for (const name in request.headers) headers[name.toLowerCase()] = request.headers[name]!;
        const body = bodyBytes(request.body);
        headers['content-length'] ??= String(body.length);
        const req = Object.assign(new EventEmitter(), { method: request.method, url: request.path || '/', headers });
        const responseHeaders: Record<string, string> = {};
        let settled = false;
        const res = {
          statusCode: 200,
          setHeader(name: string, value: number | string | readonly string[]) {
            responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
            return res;
          },
          getHeader(name: string) {
            return responseHeaders[name.toLowerCase()];
          },
          end(chunk?: string | Uint8Array) {
            if (settled) return res;
            settled = true;
            const bytes = chunk === undefined ? new Uint8Array(0) : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            resolve({ response: { statusCode: res.statusCode, headers: responseHeaders, body: bytes } });
            return res;
          },
        };
        try {
          listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        } catch (error) {
          reject(error);
          return;
        }
        // The listener subscribes synchronously; the body arrives on the next turn, as from a socket.
        queueMicrotask(() => {
          if (body.length > 0) req.emit('data', body);
          req.emit('end');
        });
      });
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
}
