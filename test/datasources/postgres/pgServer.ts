/**
 * Starts a throw-away PostgreSQL server from Debian's `postgresql` binaries (`initdb`, `pg_ctl`) in a
 * temp folder: random port on 127.0.0.1, unix socket in the folder, trust auth. Used by the global
 * setup (one shared server per run) and by the restart test (its own server, so restarting it
 * disturbs nobody).
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PgServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  dir: string;
  /** pg_ctl stop (fast) — the server can be started again with `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
}

/** Finds the folder holding `initdb` and `pg_ctl`: PATH first, then /usr/lib/postgresql/<newest>/bin. */
export function findPgBin(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root (PgBouncer too): run it (and the server) as the `postgres` system user then. */
export async function runAsUser(): Promise<{ uid: number; gid: number; user: string } | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number((await run('id', ['-u', user])).stdout.trim());
      const gid = Number((await run('id', ['-g', user])).stdout.trim());
      if (Number.isInteger(uid) && uid > 0) return { uid, gid, user };
    } catch {
      // try the next one
    }
  }
  throw new Error('running as root and no non-root user (postgres) to run initdb as');
}

export async function startPgServer(): Promise<PgServer> {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin');
  const as = await runAsUser();
  const dir = await mkdtemp(join(tmpdir(), 'appsync-gw-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  await mkdir(data);
  if (as) {
    await chmod(dir, 0o755);
    await chown(dir, as.uid, as.gid);
    await chown(data, as.uid, as.gid);
  }
  const exec = (file: string, args: string[]) => (as ? run('runuser', ['-u', as.user, '--', join(bin, file), ...args]) : run(join(bin, file), args));

  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = async () => {
    await exec('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start,
    stop,
    async destroy() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
