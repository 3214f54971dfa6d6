/**
 * A raw WebSocket client for protocol tests: sends frames as given and reads frames in order.
 */
import WebSocket from 'ws';

export interface RawClient {
  ws: WebSocket;
  /** The subprotocol the server selected. */
  protocol: string;
  /** Next unread frame (parsed); `ka` frames are skipped unless `keepAlives` is true. */
  next(options?: { keepAlives?: boolean; timeoutMs?: number }): Promise<any>;
  /** Resolves when nothing arrives within `ms` (no timing claims: only absence of frames). */
  nothing(ms?: number): Promise<void>;
  send(frame: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export const encodeHeader = (object: Record<string, string>, url = false) => Buffer.from(JSON.stringify(object)).toString(url ? 'base64url' : 'base64');

export async function connectRaw(url: string, protocols: string[] = ['graphql-ws'], headers?: Record<string, string>): Promise<RawClient> {
  const ws = new WebSocket(url, protocols, { headers });
  const inbox: any[] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (data) => {
    const text = data.toString();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep raw
    }
    inbox.push(parsed);
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      wake?.();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  let read = 0;
  const client: RawClient = {
    ws,
    protocol: ws.protocol,
    async next({ keepAlives = false, timeoutMs = 5000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (read < inbox.length) {
          const frame = inbox[read++];
          if (!keepAlives && frame && frame.type === 'ka') continue;
          return frame;
        }
        if (ws.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting for a frame');
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error('timed out waiting for a frame');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    },
    async nothing(ms = 150) {
      await new Promise((r) => setTimeout(r, ms));
      const unread = inbox.slice(read).filter((f) => !(f && f.type === 'ka'));
      if (unread.length > 0) throw new Error(`unexpected frames: ${JSON.stringify(unread)}`);
    },
    send(frame) {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    closed,
    close() {
      ws.close();
    },
  };
  return client;
}

/** A `start` frame for `query` authorised with `authorization`. */
export function start(id: string, query: string, authorization: Record<string, string>, variables?: Record<string, unknown>) {
  return { id, type: 'start', payload: { data: JSON.stringify({ query, variables }), extensions: { authorization } } };
}
