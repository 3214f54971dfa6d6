/**
 * Starts a throw-away PgBouncer (Debian's `pgbouncer` package) in front of a PostgreSQL server: its
 * own ini and userlist in a temp folder, a random port on 127.0.0.1, no unix socket, trust auth, every
 * database name passed through to the server (`* =`). `pool_mode` and the server connections per
 * database are the caller's, so a test can make several clients share one or two server connections.
 * With CI=true a missing binary is a failing test, else a skip with its reason ({@link pgBouncerSkipReason}).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { freePort } from '../../utils/freePort.js';
import { runAsUser } from './pgServer.js';

export interface PgBouncer {
  /** The server URL `serverUrl` with PgBouncer's host and port (same user and database). */
  url(serverUrl: string): string;
  port: number;
  /** PgBouncer's own log (what it said about the clients and server connections). */
  log(): Promise<string>;
  /** Stops PgBouncer and removes its folder. */
  destroy(): Promise<void>;
}

export interface PgBouncerOptions {
  /** The PostgreSQL server behind it (`postgres://user@host:port/db`). */
  serverUrl: string;
  poolMode: 'session' | 'transaction';
  /** Server connections per database and user (`default_pool_size`). @default 2 */
  poolSize?: number;
}

/** `pgbouncer` on the PATH, else Debian's /usr/sbin/pgbouncer (sbin is not on every user's PATH). */
export function findPgBouncer(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (dir && existsSync(join(dir, 'pgbouncer'))) return join(dir, 'pgbouncer');
  }
  return undefined;
}

/**
 * Empty when PgBouncer can run here; else why not. With CI=true and no binary, a failing test says
 * how to install it (call at the top of a test file).
 */
export function pgBouncerSkipReason(): string {
  if (findPgBouncer()) return '';
  if (process.env.CI === 'true') {
    describe('PgBouncer', () => {
      it('needs `pgbouncer` installed', () => {
        throw new Error('pgbouncer is missing: install Debian’s pgbouncer package (apt-get install -y pgbouncer); .ci/run does');
      });
    });
  }
  return 'pgbouncer not found on the PATH or in /usr/sbin (apt-get install -y pgbouncer)';
}

/** Resolves once something accepts connections on 127.0.0.1:`port`; rejects when `child` exits first or after 20 s. */
async function waitForPort(port: number, child: ChildProcess, log: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`pgbouncer exited (${child.exitCode ?? child.signalCode}): ${(await log()).slice(-2000)}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on port ${port} within 20 s: ${(await log()).slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = findPgBouncer();
  if (!binary) throw new Error('pgbouncer not found');
  const server = new URL(options.serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  // PgBouncer refuses to run as root.
  const as = await runAsUser();
  const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-pgbouncer-'));
  const port = await freePort();
  const logFile = join(dir, 'pgbouncer.log');
  const ini = [
    '[databases]',
    `* = host=${server.hostname} port=${server.port || 5432}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    // The server behind it trusts loopback; PgBouncer still wants the user in its auth_file.
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    `pool_mode = ${options.poolMode}`,
    `default_pool_size = ${options.poolSize ?? 2}`,
    'max_client_conn = 200',
    `logfile = ${logFile}`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'pgbouncer.ini'), ini);
  await writeFile(join(dir, 'userlist.txt'), `"${user}" ""\n`);
  if (as) {
    await chmod(dir, 0o755);
    await chown(dir, as.uid, as.gid);
  }
  const child = spawn(binary, [join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'], ...(as ? { uid: as.uid, gid: as.gid } : {}) });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const log = async () => `${stderr}${await readFile(logFile, 'utf8').catch(() => '')}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const destroy = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, log);
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    port,
    url(serverUrl: string) {
      const url = new URL(serverUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    log,
    destroy,
  };
}
