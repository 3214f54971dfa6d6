/**
 * The data folder (src/server/dataFolder.ts): which folder is in force, and its lock. The CLI-level
 * behaviour (a second gateway exits naming the first) is in test/e2e/persistence.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isInside, lockDataFolder, resolveDataFolder } from '../../src/server/dataFolder.js';
import { normalizeConfig } from '../../src/config/index.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'appsync-datafolder-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('resolveDataFolder', () => {
  const cases: Array<{
    name: string;
    configured?: string;
    options: { dataDir?: string; inMemory?: boolean };
    env?: Record<string, string>;
    expected: unknown;
  }> = [
    { name: 'default: .data beside the config', options: {}, expected: { dir: '/p/.data', inMemory: false } },
    { name: 'server.dataDir, relative to the config folder', configured: 'state', options: {}, expected: { dir: '/p/state', inMemory: false } },
    { name: 'server.dataDir absolute', configured: '/var/lib/gw', options: {}, expected: { dir: '/var/lib/gw', inMemory: false } },
    {
      name: 'APPSYNC_GATEWAY_DATA_DIR over server.dataDir',
      configured: 'state',
      env: { APPSYNC_GATEWAY_DATA_DIR: '/env/data' },
      options: {},
      expected: { dir: '/env/data', inMemory: false },
    },
    {
      name: 'an empty variable counts as unset',
      configured: 'state',
      env: { APPSYNC_GATEWAY_DATA_DIR: '' },
      options: {},
      expected: { dir: '/p/state', inMemory: false },
    },
    {
      name: '--data-dir over the variable',
      env: { APPSYNC_GATEWAY_DATA_DIR: '/env/data' },
      options: { dataDir: 'cli' },
      expected: { dir: '/p/cli', inMemory: false },
    },
    {
      name: '--in-memory over everything',
      configured: 'state',
      env: { APPSYNC_GATEWAY_DATA_DIR: '/env/data' },
      options: { dataDir: 'cli', inMemory: true },
      expected: { dir: undefined, inMemory: true },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(resolveDataFolder('/p', c.configured, c.options, c.env ?? {})).toEqual(c.expected);
    });
  }

  it('server.dataDir in the config resolves from its folder; a bad value is named', () => {
    const base = { schemaSdl: 'type Query { a: String }', authentication: { type: 'API_KEY' as const } };
    expect(normalizeConfig({ ...base, server: { dataDir: 'state' } }, { configDir: '/p' }).server.dataDir).toBe('/p/state');
    expect(normalizeConfig(base, { configDir: '/p' }).server.dataDir).toBeUndefined();
    expect(() => normalizeConfig({ ...base, server: { dataDir: 42 as never } }, { configDir: '/p' })).toThrow(
      'server.dataDir: expected a folder path, got number',
    );
  });
});

describe('isInside', () => {
  it.each([
    ['/a/b', '/a/b', true],
    ['/a/b/c', '/a/b', true],
    ['/a/bc', '/a/b', false],
    ['/a', '/a/b', false],
    ['/a/b/../c', '/a/b', false],
  ])('%s in %s: %s', (path, dir, expected) => {
    expect(isInside(path, dir)).toBe(expected);
  });
});

describe('lockDataFolder', () => {
  it('writes pid and host, refuses a second lock in the same process, and removes the file when released', () => {
    const dir = join(fresh(), 'data');
    const release = lockDataFolder(dir);
    expect(readFileSync(join(dir, 'gateway.lock'), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    expect(() => lockDataFolder(dir)).toThrow(`server.dataDir: the data folder ${dir} is in use by another gateway of this process (${process.pid})`);
    release();
    expect(existsSync(join(dir, 'gateway.lock'))).toBe(false);
    lockDataFolder(dir)();
  });

  it('refuses a folder whose lock a running process holds, naming it', async () => {
    const dir = fresh();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      writeFileSync(join(dir, 'gateway.lock'), `${other.pid} ${hostname()}\n`);
      expect(() => lockDataFolder(dir)).toThrow(`server.dataDir: the data folder ${dir} is in use by another running gateway (process ${other.pid}); stop it`);
      expect(readFileSync(join(dir, 'gateway.lock'), 'utf8')).toBe(`${other.pid} ${hostname()}\n`);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process that is gone', async () => {
    const dir = fresh();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(dir, 'gateway.lock'), `${gone.pid} ${hostname()}\n`);
    const release = lockDataFolder(dir);
    expect(readFileSync(join(dir, 'gateway.lock'), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    release();
  });

  it('refuses a lock written on another host, naming the file to delete', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'gateway.lock'), '4242 elsewhere\n');
    expect(() => lockDataFolder(dir)).toThrow(`the data folder ${dir} is in use by process 4242 on host elsewhere;`);
    expect(() => lockDataFolder(dir)).toThrow(`or delete ${join(dir, 'gateway.lock')} if that gateway is gone`);
  });

  it('a data folder that is a file is named', () => {
    const file = join(fresh(), 'not-a-folder');
    writeFileSync(file, 'x');
    expect(() => lockDataFolder(file)).toThrow(`server.dataDir: cannot use the data folder ${file}:`);
  });
});
