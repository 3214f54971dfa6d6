/**
 * EvaluateMappingTemplate on the gateway's port (docs/management-api.md#evaluatemappingtemplate),
 * called by the real `@aws-sdk/client-appsync` pointed at a started gateway. The whole VTL case
 * table (test/resolvers/vtl/cases.ts) runs through it, then the answer's other members (`logs`,
 * `stash`, `outErrors`), parse errors, limits and request checks.
 */
import { AppSyncClient, BadRequestException, EvaluateMappingTemplateCommand, type EvaluateMappingTemplateCommandOutput } from '@aws-sdk/client-appsync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { VTL_CASES, type VtlCase } from '../resolvers/vtl/cases.js';

const TIMEOUT_MS = 600;
const CREDENTIALS = { accessKeyId: 'AKIDEVALTEMPLATE', secretAccessKey: 'eval-template-secret' };

const base: GatewayConfig = {
  name: 'evaluate-template-test',
  schemaSdl: 'type Query { ping: String }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-evaluatetemplatetest00000' }],
};

let gw: TestGateway;
let client: AppSyncClient;
beforeAll(async () => {
  gw = await startTestGateway({ config: base, options: { handlerTimeoutMs: TIMEOUT_MS } });
  client = new AppSyncClient({ endpoint: gw.origin, region: 'us-east-1', credentials: { ...CREDENTIALS }, maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  await gw?.close();
});

/** The answer's members AWS documents, without the SDK's `$metadata`. */
async function evaluate(template: string, context: Record<string, unknown> | string = {}): Promise<Omit<EvaluateMappingTemplateCommandOutput, '$metadata'>> {
  const { $metadata: _metadata, ...rest } = await client.send(
    new EvaluateMappingTemplateCommand({ template, context: typeof context === 'string' ? context : JSON.stringify(context) }),
  );
  return rest;
}

/** The case's context as EvaluateMappingTemplate takes it: the same `Query.f` run the sandbox table uses. */
function contextOf(c: VtlCase): Record<string, unknown> {
  return { ...c.context, info: { fieldName: 'f', parentTypeName: 'Query' } };
}

/** How the gateway reads a rendering (an empty one is null). */
const read = (text: string): unknown => (text.trim() === '' ? null : JSON.parse(text));

describe('the VTL case table through EvaluateMappingTemplate', () => {
  for (const c of VTL_CASES) {
    it(`${c.name} (${c.source})`, async () => {
      const answer = await evaluate(c.template, contextOf(c));
      if (c.invalidJson) {
        // The raw rendering: not JSON, which the resolver runtime would refuse with c.error.
        expect(answer.error).toBeUndefined();
        expect(answer.evaluationResult).toBe(c.template);
        expect(() => JSON.parse(answer.evaluationResult!)).toThrow();
      } else if (c.error) {
        expect(answer.evaluationResult).toBeUndefined();
        if (typeof c.error.message === 'string') expect(answer.error?.message).toBe(c.error.message);
        else expect(answer.error?.message).toMatch(c.error.message);
      } else {
        expect(answer.error).toBeUndefined();
        expect(read(answer.evaluationResult!)).toEqual(c.early !== undefined ? c.early : c.expected);
      }
    });
  }
});

describe('EvaluateMappingTemplate answers', () => {
  it('the evaluated text as rendered, $util.log lines, the stash and appended errors', async () => {
    const template = [
      '$util.log.info("seen", $ctx.args.id)',
      '$util.qr($ctx.stash.put("seen", true))',
      '$util.appendError("careful", "Warning")',
      '{ "version": "2018-05-29", "payload": $util.toJson($ctx.args) }',
    ].join('\n');
    expect(await evaluate(template, { arguments: { id: 'a1' }, stash: { before: 1 } })).toEqual({
      evaluationResult: '\n\n\n{ "version": "2018-05-29", "payload": {"id":"a1"} }',
      logs: ['INFO - seen a1'],
      stash: JSON.stringify({ before: 1, seen: true }),
      outErrors: JSON.stringify([{ message: 'careful', errorType: 'Warning', data: null, errorInfo: null }]),
    });
  });

  it('a template that does not parse: its line, column and reason', async () => {
    const answer = await evaluate('{\n  "a": #if($x\n}');
    expect(answer.evaluationResult).toBeUndefined();
    expect(answer.error?.message).toMatch(/^template\.vtl:\d+:\d+: .+/);
  });

  it('$util.error: its message, no result', async () => {
    expect(await evaluate('$util.error("Nope", "Custom")')).toEqual({ error: { message: 'Nope' }, logs: [], stash: '{}', outErrors: '[]' });
  });

  it('a runaway template stops at the time limit; the next evaluation is answered', async () => {
    const answer = await evaluate('#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#set($x = 1)#end#end#end');
    expect(answer.error?.message).toBe('template.vtl: Execution of the template timed out after 600 ms.');
    expect((await evaluate('$util.toJson($ctx.args)', { arguments: { ok: true } })).evaluationResult).toBe('{"ok":true}');
  }, 20_000);

  it('request checks as the API reference states them: BadRequestException naming the member', async () => {
    const refused = (template: string, context: string) => client.send(new EvaluateMappingTemplateCommand({ template, context })).catch((e: unknown) => e);
    const notJson = await refused('{}', '{nope');
    expect(notJson).toBeInstanceOf(BadRequestException);
    expect((notJson as Error).message).toMatch(/^context is not valid JSON/);
    const tooLong = await refused('{}', JSON.stringify({ arguments: { s: 'x'.repeat(28_000) } }));
    expect((tooLong as Error).message).toMatch(/^context is \d+ characters; at most 28000 are allowed\.$/);
    const bigTemplate = await refused('x'.repeat(65_537), '{}');
    expect((bigTemplate as Error).message).toBe('template is 65537 characters; at most 65536 are allowed.');
  });
});
