/**
 * What the gateway refuses in the config's state machines (docs/stepfunctions.md#declaring-state-machines):
 * what CreateStateMachine refuses, one problem per key, the definition's at the key its diagnostic points to.
 */
import { describe, expect, it } from 'vitest';
import type { StateMachineConfig } from '../../../src/config/types.js';
import { configMachineProblems } from '../../../src/stepfunctions/service/applyConfigMachines.js';
import { loadEngine } from '../../../src/stepfunctions/service/engine.js';

const problems = async (stateMachines: Record<string, unknown>) =>
  configMachineProblems(stateMachines as Record<string, StateMachineConfig>, await loadEngine()).map((e) => e.message);
const pass = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };

describe('configMachineProblems', () => {
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
});
