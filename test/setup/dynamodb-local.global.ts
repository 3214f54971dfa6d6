/**
 * Global setup: AWS's DynamoDB Local (the jar in the npm package amplify-dynamodb-simulator, run
 * with the machine's Java) on a random port, once per run. Tests read `inject('dynamodbLocalUrl')`;
 * an empty string means it could not start (reason in `dynamodbLocalSkipReason`). With CI=true a
 * failure fails the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbLocalUrl: string;
    dynamodbLocalSkipReason: string;
  }
}

let child: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function start(): Promise<string> {
  const emulator = join(dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const port = await freePort();
  child = spawn(
    'java',
    [`-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`, '-jar', join(emulator, 'DynamoDBLocal.jar'), '-inMemory', '-port', String(port)],
    {
      cwd: emulator,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<never>((_, reject) =>
    child!.once('error', reject).once('exit', (code) => reject(new Error(`java exited with ${code}: ${output.slice(-500)}`))),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  const ready = (async () => {
    while (Date.now() < deadline) {
      try {
        // Any HTTP answer means the server listens.
        await fetch(url, { method: 'POST', signal: AbortSignal.timeout(1000) });
        return url;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new Error(`DynamoDB Local did not answer within 60 s: ${output.slice(-500)}`);
  })();
  return Promise.race([ready, exited]);
}

export async function setup(project: TestProject): Promise<void> {
  try {
    project.provide('dynamodbLocalUrl', await start());
    project.provide('dynamodbLocalSkipReason', '');
  } catch (error) {
    child?.kill();
    const reason = `DynamoDB Local could not start: ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(reason, { cause: error });
    project.provide('dynamodbLocalUrl', '');
    project.provide('dynamodbLocalSkipReason', reason);
  }
}

export async function teardown(): Promise<void> {
  child?.kill();
  child = undefined;
}
