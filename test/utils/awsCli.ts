/**
 * The real AWS CLI (`aws`, Debian's awscli package) for end-to-end tests: whether it is installed
 * (with CI=true a missing `aws` is a failing test, else the tests skip and say why), and a runner
 * that calls it against a gateway with `--endpoint-url`, dummy credentials and JSON output.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';

const run = promisify(execFile);

async function haveAws(): Promise<boolean> {
  try {
    await run('aws', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** True when `aws` runs; with CI=true and no `aws`, a failing test says how to install it. */
export async function awsCliPresent(): Promise<boolean> {
  const present = await haveAws();
  if (!present && process.env.CI === 'true') {
    describe('the AWS CLI', () => {
      it('needs `aws` on the PATH', () => {
        throw new Error('aws is missing: install Debian’s awscli package (apt-get install -y awscli); .ci/run does');
      });
    });
  }
  return present;
}

/** Runs `aws <args>` against `origin`; answers the parsed JSON output ({} for none). A failure rejects with the exit `code` and `stderr`. */
export type AwsCli = (...args: string[]) => Promise<any>;

/** An {@link AwsCli} for `origin`, with dummy credentials, region us-east-1, no pager and no profile read from this machine. */
export function awsCli(origin: string): AwsCli {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return async (...args: string[]) => {
    const { stdout } = await run('aws', [...args, '--endpoint-url', origin, '--region', 'us-east-1', '--output', 'json'], { env, timeout: 60_000 });
    return stdout.trim() === '' ? {} : JSON.parse(stdout);
  };
}
