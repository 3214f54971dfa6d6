/**
 * VTL mapping templates through the real sandbox (src/resolvers/guest/vtl/): every case of the
 * table in cases.ts is registered as a VTL resolver and rendered by a sandbox process, as a
 * request template (or as a response template when the case gives `$ctx.result`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../../src/resolvers/isolation/sandbox.js';
import { templateSyntaxError } from '../../../src/resolvers/guest/vtl/parseTemplate.js';
import { VTL_CASES, type VtlCase } from './cases.js';
import { plainRunParts } from '../plainRunParts.js';
import { silentLogger } from '../../utils/logger.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.create({ logger: silentLogger, processes: 1 });
});
afterAll(() => sandbox.close());

async function render(c: VtlCase) {
  const asResponse = c.context !== undefined && 'result' in c.context;
  const { id } = await sandbox.registerVtl(asResponse ? { request: '{}', response: c.template } : { request: c.template, response: null }, `${c.name}.vtl`);
  const run = sandbox.openRunParts(plainRunParts(c.context));
  const step = asResponse ? { prev: null, hasResult: true, result: c.context!.result } : { prev: null };
  const outcome = await sandbox.invoke(
    run,
    id,
    asResponse ? 'response' : 'request',
    asResponse ? 'query:response' : 'query:request',
    JSON.stringify(step),
    c.name,
  );
  await sandbox.closeRun(run);
  return outcome;
}

describe('VTL case table', () => {
  for (const c of VTL_CASES) {
    it(`${c.name} (${c.source})`, async () => {
      const outcome = await render(c);
      if (c.error) {
        expect(outcome).toMatchObject({ k: 'error', e: { errorType: c.error.errorType } });
        const message = (outcome as { e: { message: string } }).e.message;
        if (typeof c.error.message === 'string') expect(message).toBe(c.error.message);
        else expect(message).toMatch(c.error.message);
      } else if (c.early !== undefined) {
        expect(outcome).toEqual({ k: 'early', v: c.early, skipTo: null });
      } else {
        expect(outcome).toEqual({ k: 'ok', v: c.expected });
      }
    });
  }
});

describe('VTL limits', () => {
  it('a template producing more than 5 MB fails with a MappingTemplate error', async () => {
    // A 100 KB string (doubled ten times) printed in nested loops: past 5 MB after ~50 prints, so a
    // loaded machine reaches the size limit long before the time limit.
    const big =
      '#set($s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")#foreach($i in [1..10])#set($s = "$s$s")#end#foreach($a in [1..1000])#foreach($b in [1..1000])$s#end#end';
    const outcome = await render({ name: 'huge', source: 'AppSync 5 MB evaluated template', template: big });
    expect(outcome).toMatchObject({ k: 'error', e: { errorType: 'MappingTemplate', message: expect.stringContaining("AppSync's limit is 5 MB") } });
  });

  it('nested loops past the time limit stop at the limit; the sandbox answers the next call', async () => {
    const spin = '#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#set($x = 1)#end#end#end';
    const outcome = await render({ name: 'spin', source: 'time limit', template: spin });
    expect(outcome).toMatchObject({ k: 'timeout' });
    expect(await render(VTL_CASES[0]!)).toEqual({ k: 'ok', v: { version: '2018-05-29', payload: { id: 'postId1' } } });
  }, 20_000);
});

describe('template syntax errors', () => {
  it('name the line and column', () => {
    expect(templateSyntaxError('{\n  "a": #if($x\n}')).toMatchObject({ line: expect.any(Number), column: expect.any(Number), reason: expect.any(String) });
    expect(templateSyntaxError('{ "a": 1 }')).toBeNull();
  });
});
