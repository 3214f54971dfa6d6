/** What every bench server serves: the same schema, the same query, the same answer. */
import { readFileSync } from 'node:fs';

export const SDL = readFileSync(new URL('./fixtures/schema.graphql', import.meta.url), 'utf8');
export const QUERY = '{ getPost(id: "1") { id title views } }';
export const BODY = JSON.stringify({ query: QUERY });
export const ANSWER = { data: { getPost: { id: '1', title: 'Hello', views: 42 } } };
/** The smallest query: one scalar field (on the gateway, a UNIT resolver on a NONE data source). */
export const ECHO_QUERY = '{ echo(msg: "hi") }';
export const ECHO_BODY = JSON.stringify({ query: ECHO_QUERY });
export const ECHO_ANSWER = { data: { echo: 'hi' } };
export const API_KEY = 'da2-benchbenchbenchbenchbench';

/** The plain-JS resolver the lean and yoga servers use. */
export const getPost = (_: unknown, args: { id: string }) => ({ id: args.id, title: 'Hello', views: 42 });
export const echo = (_: unknown, args: { msg: string }) => args.msg;

/**
 * Child servers print this line once listening. A signal ends them through `process.exit`, so
 * `node --cpu-prof` writes its profile (test/bench/profile.ts).
 */
export function announce(port: number): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
  process.stdout.write(`LISTENING ${port}\n`);
}
