/**
 * What `appsync-gateway validate` checks in state machines (docs/stepfunctions.md#task-resources):
 * each Task state naming a Lambda function names one the config declares, and an in-process one
 * finds its file and export; a fault is reported at the key of the state that names the function,
 * with the data source's message.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedConfig } from '../../../src/config/types.js';
import { ConfigError } from '../../../src/errors.js';
import { checkLambdaTasks } from '../../../src/stepfunctions/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const EXPORTS = '(its exports: echo, fail, nothing, price, remember)';
const MISSING = `fixtures/functions.ts has no export named handlr ${EXPORTS}`;
const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

function config(definition: unknown): NormalizedConfig {
  return {
    name: 'check',
    configDir: here,
    dataSources: {
      echoFn: { name: 'echoFn', type: 'AWS_LAMBDA', config: { handler: 'fixtures/functions.ts#echo' } },
      remoteFn: { name: 'remoteFn', type: 'AWS_LAMBDA', config: { functionName: 'remoteFn', endpoint: 'http://127.0.0.1:9' } },
    },
    serverlessFunctions: {
      misnamed: { handler: 'fixtures/functions.handlr' },
      gone: { handler: 'fixtures/nowhere.handler' },
    },
    stepFunctions: { stateMachines: { orders: { definition } } },
  } as unknown as NormalizedConfig;
}

/** The messages of the checks' ConfigErrors, in state order; a check that passes gives `ok`. */
async function check(definition: unknown): Promise<string[]> {
  const outcomes = await Promise.allSettled(checkLambdaTasks(config(definition)));
  return outcomes.map((outcome) => {
    if (outcome.status === 'fulfilled') return 'ok';
    expect(outcome.reason).toBeInstanceOf(ConfigError);
    return (outcome.reason as ConfigError).message;
  });
}

const task = (fields: Record<string, unknown>) => ({ Type: 'Task', End: true, ...fields });
const machine = (states: Record<string, unknown>) => ({ StartAt: Object.keys(states)[0], States: states });
const at = (state: string) => `stepFunctions.stateMachines.orders.definition.States.${state}`;

describe('checkLambdaTasks', () => {
  it.each([
    ['a function ARN as Resource', { Resource: ARN('misnamed') }, `${at('T')}.Resource: ${MISSING}`],
    ['a name:qualifier as Resource', { Resource: `${ARN('misnamed')}:live` }, `${at('T')}.Resource: ${MISSING}`],
    [
      'lambda:invoke with Parameters.FunctionName',
      { Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'misnamed' } },
      `${at('T')}.Parameters.FunctionName: ${MISSING}`,
    ],
    [
      'lambda:invoke.waitForTaskToken with a function ARN',
      { Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: ARN('misnamed'), 'Payload.$': '$' } },
      `${at('T')}.Parameters.FunctionName: ${MISSING}`,
    ],
    [
      'aws-sdk:lambda:invoke',
      { Resource: 'arn:aws:states:::aws-sdk:lambda:invoke', Parameters: { FunctionName: 'misnamed' } },
      `${at('T')}.Parameters.FunctionName: ${MISSING}`,
    ],
    [
      'a JSONata state’s Arguments.FunctionName',
      { QueryLanguage: 'JSONata', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'misnamed', Payload: '{% $states.input %}' } },
      `${at('T')}.Arguments.FunctionName: ${MISSING}`,
    ],
    ['a file that is not there', { Resource: ARN('gone') }, `${at('T')}.Resource: handler file not found: ${here}fixtures/nowhere`],
  ])('%s: refused at the key that names the function', async (_name, fields, message) => {
    expect(await check(machine({ T: task(fields) }))).toEqual([message]);
  });

  it('states inside Parallel branches and Map processors (ItemProcessor, Iterator) are checked, in a definition given as JSON text too', async () => {
    const inner = (name: string) => machine({ [name]: task({ Resource: ARN('misnamed') }) });
    const definition = machine({
      Both: { Type: 'Parallel', Branches: [inner('Left'), inner('Right')], Next: 'Each' },
      Each: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...inner('Item') }, Next: 'Old' },
      Old: { Type: 'Map', Iterator: inner('Legacy'), End: true },
    });
    const expected = [
      `${at('Both')}.Branches.0.States.Left.Resource: ${MISSING}`,
      `${at('Both')}.Branches.1.States.Right.Resource: ${MISSING}`,
      `${at('Each')}.ItemProcessor.States.Item.Resource: ${MISSING}`,
      `${at('Old')}.Iterator.States.Legacy.Resource: ${MISSING}`,
    ];
    expect(await check(definition)).toEqual(expected);
    expect(await check(JSON.stringify(definition))).toEqual(expected);
  });

  it('a function the config does not declare: refused at the key that names it, with the functions the config declares', async () => {
    const undeclared = (name: string) =>
      `no Lambda function named "${name}" in the config (its functions: echoFn, remoteFn, misnamed, gone); ` +
      'every run of this state fails with Lambda.ResourceNotFoundException';
    const definition = machine({
      ByArn: task({ Resource: `${ARN('nobody')}:live`, Next: 'ByName' }),
      ByName: task({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'nobody' } }),
    });
    expect(await check(definition)).toEqual([
      `${at('ByArn')}.Resource: ${undeclared('nobody')}`,
      `${at('ByName')}.Parameters.FunctionName: ${undeclared('nobody')}`,
    ]);
    const none = { ...config(definition), dataSources: {}, serverlessFunctions: undefined } as NormalizedConfig;
    const outcomes = await Promise.allSettled(checkLambdaTasks(none));
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))).toEqual([
      `${at('ByArn')}.Resource: no Lambda function named "nobody" in the config (it declares none); every run of this state fails with Lambda.ResourceNotFoundException`,
      `${at('ByName')}.Parameters.FunctionName: no Lambda function named "nobody" in the config (it declares none); every run of this state fails with Lambda.ResourceNotFoundException`,
    ]);
  });

  it('leaves to run time what it cannot know or what is not in-process; a function with its export passes', async () => {
    const definition = machine({
      Found: task({ Resource: ARN('echoFn') }),
      ByPath: task({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName.$': '$.fn' } }),
      ByExpression: task({ QueryLanguage: 'JSONata', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: '{% $states.input.fn %}' } }),
      Remote: task({ Resource: ARN('remoteFn') }),
      NotLambda: task({ Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { FunctionName: 'misnamed' } }),
      // Calls no function: the task runner fails it with States.Runtime.
      Sync: task({ Resource: 'arn:aws:states:::lambda:invoke.sync', Parameters: { FunctionName: 'nobody' } }),
    });
    expect(await check(definition)).toEqual(['ok']);
    expect(await check('{ not json')).toEqual([]);
  });
});
