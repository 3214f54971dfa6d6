/**
 * AppSync's Automerge conflict rules (conflict-detection-and-resolution, "Automerge"), on DynamoDB
 * values so lists and sets can be told apart:
 * - a field the server lacks, or holds as null, takes the incoming value;
 * - lists: the incoming list is appended to the server's (duplicates kept);
 * - sets: union;
 * - maps: these rules per entry;
 * - any other (scalar) conflict: the server's value stays.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

function union(server: string[], incoming: string[]): string[] {
  return [...new Set([...server, ...incoming])];
}

/** One attribute: the server's value merged with the incoming one. */
export function mergeValue(server: AttributeValue | undefined, incoming: AttributeValue | undefined): AttributeValue | undefined {
  if (incoming === undefined) return server;
  if (server === undefined || server.NULL !== undefined) return incoming;
  if (server.L && incoming.L) return { L: [...server.L, ...incoming.L] };
  if (server.SS && incoming.SS) return { SS: union(server.SS, incoming.SS) };
  if (server.NS && incoming.NS) {
    // Numbers compare by value, not spelling ("1" and "1.0").
    const seen = new Set(server.NS.map(Number));
    return { NS: [...server.NS, ...incoming.NS.filter((n) => !seen.has(Number(n)) && seen.add(Number(n)))] };
  }
  if (server.M && incoming.M) return { M: mergeItems(server.M, incoming.M) };
  return server;
}

/** Every attribute of both items, merged; attributes only the server has are kept. */
export function mergeItems(server: Record<string, AttributeValue>, incoming: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = { ...server };
  for (const [name, value] of Object.entries(incoming)) out[name] = mergeValue(server[name], value)!;
  return out;
}
