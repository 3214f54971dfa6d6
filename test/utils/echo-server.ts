/**
 * A real HTTP service for data-source tests, on loopback: `/echo/*` answers with what it received,
 * `/slow` never answers in time, `/status/<n>` answers that status, `/signed` checks SigV4 with the
 * AWS SDK's signer, and `/2015-03-31/functions/<name>/invocations` is a Lambda Invoke API.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface EchoServer {
  url: string;
  /** Invocations received per function name. */
  invocations: Map<string, unknown[]>;
  close(): Promise<void>;
}

export const SIGNING = { accessKeyId: 'AKIDECHOSERVER', secretAccessKey: 'echo-secret', region: 'us-east-1', service: 'states' };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function signatureMatches(req: IncomingMessage, body: string): Promise<boolean> {
  const auth = req.headers.authorization ?? '';
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const url = new URL(req.url!, 'http://x');
  const headers: Record<string, string> = {};
  for (const h of signedHeaders) headers[h] = String(req.headers[h] ?? '');
  const date = req.headers['x-amz-date'] as string;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date ?? '');
  if (!m) return false;
  const signer = new SignatureV4({ service: SIGNING.service, region: SIGNING.region, sha256: Sha256, credentials: SIGNING });
  const signed = await signer.sign(
    new HttpRequest({ method: req.method, protocol: 'http:', hostname: 'x', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body }),
    {
      signingDate: new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)),
    },
  );
  return String(signed.headers.authorization) === auth;
}

export async function startEchoServer(functions: Record<string, (event: any) => unknown> = {}): Promise<EchoServer> {
  const invocations = new Map<string, unknown[]>();
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url!, 'http://x');
    const send = (status: number, value: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    if (url.pathname.startsWith('/echo')) {
      return send(
        200,
        { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body },
        { 'x-echo': 'yes' },
      );
    }
    if (url.pathname === '/slow') return void setTimeout(() => send(200, { late: true }), 5_000);
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status) return send(Number(status[1]), { status: Number(status[1]) });
    if (url.pathname === '/signed') {
      return (await signatureMatches(req, body))
        ? send(200, { signed: true })
        : send(403, { message: 'The request signature we calculated does not match the signature you provided.' });
    }
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (invoke) {
      const name = decodeURIComponent(invoke[1]!);
      const event = body ? JSON.parse(body) : null;
      invocations.set(name, [...(invocations.get(name) ?? []), event]);
      const fn = functions[name];
      if (!fn) return send(404, { Type: 'User', message: `Function not found: ${name}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      try {
        return send(200, await fn(event));
      } catch (error) {
        return send(200, { errorType: (error as Error).name, errorMessage: (error as Error).message }, { 'x-amz-function-error': 'Unhandled' });
      }
    }
    send(404, { message: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
