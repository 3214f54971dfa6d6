/**
 * What the gateway refuses in the config's state machines (docs/stepfunctions.md#declaring-state-machines):
 * what CreateStateMachine refuses, one problem per key, the definition's at the key its diagnostic points to.
 */
import { describe, expect, it } from 'vitest';
import type { StateMachineConfig } from '../../../src/config/types.js';
import { configMachineReport } from '../../../src/stepfunctions/service/applyConfigMachines.js';
import { loadEngine } from '../../../src/stepfunctions/service/engine.js';

const problems = async (stateMachines: Record<string, unknown>) =>
  configMachineReport(stateMachines as Record<string, StateMachineConfig>, await loadEngine()).problems.map((e) => e.message);
const pass = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
const report = async (stateMachines: Record<string, unknown>) => configMachineReport(stateMachines as Record<string, StateMachineConfig>, await loadEngine());

describe('configMachineReport', () => {
  it('a valid machine, as YAML or as JSON text, has none', async () => {
    expect(await problems({ ok: { definition: pass }, text: { type: 'EXPRESS', definition: JSON.stringify(pass) } })).toEqual([]);
  });

  it("each ERROR diagnostic of the ASL validator is one problem at the key of the definition it points to, with the validator's code and message", async () => {
    const definition = {
      StartAt: 'Both',
      States: {
        Both: { Type: 'Parallel', Branches: [{ StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Gone' } } }], End: true },
      },
    };
    expect(await problems({ checkout: { definition } })).toEqual([
      "stepFunctions.stateMachines.checkout.definition.States.Both.Branches.0.States.X.Next: MISSING_TRANSITION_TARGET: Missing 'Next' target: Gone",
    ]);
    expect(await problems({ text: { definition: '{ not json' } })).toEqual([
      expect.stringMatching(/^stepFunctions\.stateMachines\.text\.definition: INVALID_JSON_DESCRIPTION: /),
    ]);
  });

  it('the name, the type and loggingConfig are refused at their keys, and every machine is reported', async () => {
    expect(
      await problems({
        first: { name: 'bad name', type: 'FAST', definition: pass },
        'key with space': { definition: pass, loggingConfig: { level: 'SOME' } },
        third: { definition: { ...pass, StartAt: 'B' } },
      }),
    ).toEqual([
      "stepFunctions.stateMachines.first.name: Invalid Name: 'bad name'",
      'stepFunctions.stateMachines.first.type: expected STANDARD or EXPRESS, got FAST',
      "stepFunctions.stateMachines.key with space: Invalid Name: 'key with space'",
      'stepFunctions.stateMachines.key with space.loggingConfig.level: expected one of ALL, ERROR, FATAL, OFF, got SOME',
      "stepFunctions.stateMachines.third.definition.StartAt: MISSING_TRANSITION_TARGET: Missing 'Next' target: B",
      'stepFunctions.stateMachines.third.definition.States.A: MISSING_TRANSITION_TARGET: State "A" is not reachable.',
    ]);
  });

  it('a Task naming what the loader left unresolved: the machine is skipped with one warning naming each reference at its key, not refused', async () => {
    // As a serverless.yml leaves them: the YAML short forms' long forms, where no function or resource of the file matches.
    const definition = {
      StartAt: 'Charge',
      States: {
        Charge: { Type: 'Task', Resource: { 'Fn::GetAtt': ['ChargeFn', 'Arn'] }, Next: 'Both' },
        Both: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'Ship', States: { Ship: { Type: 'Task', Resource: { 'Fn::ImportValue': 'shipping-Arn' }, End: true } } }],
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Notify',
            States: { Notify: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: { Ref: 'Approvals' } }, End: true } },
          },
          End: true,
        },
      },
    };
    const at = 'stepFunctions.stateMachines.checkout.definition.States';
    const expected = {
      problems: [],
      warnings: [
        [
          'state machine checkout is not created (starting it answers StateMachineDoesNotExist): its Task states name what the gateway cannot resolve ' +
            '(docs/stepfunctions.md#references-the-gateway-cannot-resolve):',
          `  ${at}.Charge.Resource: Fn::GetAtt ChargeFn.Arn cannot be resolved: ChargeFn is not a function the gateway serves`,
          `  ${at}.Both.Branches.0.States.Ship.Resource: Fn::ImportValue shipping-Arn cannot be resolved: no stack the gateway reads exports it`,
          `  ${at}.Each.ItemProcessor.States.Notify.Parameters.FunctionName: Ref Approvals cannot be resolved: Approvals is not a resource the gateway serves, so it has no ARN here`,
        ].join('\n'),
      ],
    };
    expect(await report({ checkout: { type: 'EXPRESS', definition } })).toEqual(expected);
    expect(await report({ checkout: { type: 'EXPRESS', definition: JSON.stringify(definition) } })).toEqual(expected);
    // Another fault of the definition is refused as CreateStateMachine refuses it; the unresolved key is not blamed.
    const broken = { ...definition, States: { ...definition.States, Charge: { ...definition.States.Charge, Next: 'Gone' } } };
    expect(await report({ checkout: { definition: broken } })).toEqual({
      problems: [
        expect.objectContaining({
          message: "stepFunctions.stateMachines.checkout.definition.States.Charge.Next: MISSING_TRANSITION_TARGET: Missing 'Next' target: Gone",
        }),
        expect.objectContaining({
          message: 'stepFunctions.stateMachines.checkout.definition.States.Both: MISSING_TRANSITION_TARGET: State "Both" is not reachable.',
        }),
        expect.objectContaining({
          message: 'stepFunctions.stateMachines.checkout.definition.States.Each: MISSING_TRANSITION_TARGET: State "Each" is not reachable.',
        }),
      ],
      warnings: [],
    });
  });
});
