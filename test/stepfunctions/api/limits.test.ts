/**
 * Step Functions' size limits as the real `@aws-sdk/client-sfn` sees them: a call past the 1 MB
 * request quota and an execution input past 262,144 bytes (counted in UTF-8, as AWS counts
 * payloads) are the SDK's typed `ValidationException`, not an AppSync-shaped error.
 */
import { DescribeExecutionCommand, SFNServiceException, StartExecutionCommand, StartSyncExecutionCommand, ValidationException } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConfig, smArn, type ServedConfig } from '../services/serve.js';

const CONFIG = {
  name: 'sfn-limits',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-sfnlimits0000000000000000' }],
  stepFunctions: {
    stateMachines: {
      echo: { definition: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } } },
      quick: { type: 'EXPRESS', definition: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } } },
    },
  },
};

describe('Step Functions API size limits', () => {
  let served: ServedConfig;
  beforeAll(async () => {
    served = await serveConfig(CONFIG, 'appsync-sfn-limits-');
  });
  afterAll(() => served?.close());

  const failure = async (send: Promise<unknown>) => {
    const error = await send.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SFNServiceException);
    return error as SFNServiceException;
  };

  it('a call over 1 MB is a typed ValidationException with HTTP 413, and the API keeps answering', async () => {
    const input = JSON.stringify({ blob: 'x'.repeat(1_100_000) });
    const error = await failure(served.sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('echo'), input })));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(413);
    expect(error.message).toMatch(/maximum request size of 1048576 bytes/);

    const ok = await served.sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('echo'), input: '{"small":true}' }));
    const described = await served.sfn.send(new DescribeExecutionCommand({ executionArn: ok.executionArn }));
    expect(described.input).toBe('{"small":true}');
  });

  it('an input over 262,144 bytes of UTF-8 is refused though it has fewer characters', async () => {
    // 100,000 three-byte characters: 300,000 bytes in fewer than 262,144 characters.
    const input = JSON.stringify({ text: '€'.repeat(100_000) });
    expect(input.length).toBeLessThan(262_144);
    for (const command of [
      new StartExecutionCommand({ stateMachineArn: smArn('echo'), input }),
      new StartSyncExecutionCommand({ stateMachineArn: smArn('quick'), input }),
    ]) {
      const error = await failure(served.sfn.send(command as StartExecutionCommand));
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toBe(
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
      );
    }
    // Just under the limit in bytes still starts.
    const fits = JSON.stringify({ text: '€'.repeat(87_000) });
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(262_144);
    const started = await served.sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('echo'), input: fits }));
    expect(started.executionArn).toContain(':execution:echo:');
  });

  it('a GraphQL request over 1 MB still gets AppSync’s 413', async () => {
    const res = await fetch(`${served.endpoint}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-sfnlimits0000000000000000' },
      body: JSON.stringify({ query: `{ ok } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message: 'Request body is too large.' }] });
  });
});
