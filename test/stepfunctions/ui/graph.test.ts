/**
 * The page's pure half (src/stepfunctions/ui/graph.ts): ASL definitions → ELK graphs, laid out by
 * the real elkjs. History → status is in progress.test.ts.
 */
import elkModule from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { choiceRuleLabel, definitionToGraph, parseDefinition, type ElkNodeJson } from '../../../src/stepfunctions/ui/graph.js';

/** elkjs' bundle is CommonJS: its default import is the constructor (its typings say otherwise). */
const ELK = elkModule as unknown as new () => { layout(graph: unknown): Promise<unknown> };

const flow = {
  Comment: 'Pass → Choice → Wait → Parallel → Succeed, and a Catch',
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Next: 'Decide' },
    Decide: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.n', NumericGreaterThan: 3, Next: 'Pause' },
        {
          And: [
            { Variable: '$.a', IsPresent: true },
            { Variable: '$.b', IsPresent: true },
          ],
          Next: 'Fan',
        },
      ],
      Default: 'Fan',
    },
    Pause: { Type: 'Wait', Seconds: 2, Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', Next: 'LeftDone' }, LeftDone: { Type: 'Pass', End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops' }],
      Next: 'Done',
    },
    Oops: { Type: 'Fail', Error: 'Bad', Cause: 'went wrong' },
    Done: { Type: 'Succeed' },
  },
};

/** Every ELK node id in the tree, with its parent id. */
function walk(node: ElkNodeJson, parent?: string, out = new Map<string, string | undefined>()) {
  for (const child of node.children ?? []) {
    out.set(child.id, parent);
    walk(child, child.id, out);
  }
  return out;
}

describe('definitionToGraph', () => {
  it('has a node per state, Start/End markers, and Parallel branches as nested nodes', () => {
    const graph = definitionToGraph(flow);
    const names = [...graph.nodes.values()].filter((n) => n.kind === 'state').map((n) => n.name);
    expect(names.sort()).toEqual(['Decide', 'Done', 'Fan', 'Left', 'LeftDone', 'Oops', 'Pause', 'Prepare', 'Right']);
    expect([...graph.nodes.values()].filter((n) => n.kind !== 'state').map((n) => n.name)).toEqual(['Start', 'Branch 1', 'Branch 2', 'End']);

    const parents = walk(graph.elk);
    const fan = graph.idOfState.get('Fan')!;
    const left = graph.idOfState.get('Left')!;
    const branch1 = parents.get(left)!;
    expect(graph.nodes.get(branch1)).toMatchObject({ kind: 'branch', name: 'Branch 1', compound: true });
    expect(parents.get(branch1)).toBe(fan);
    expect(parents.get(graph.idOfState.get('Right')!)).toBe(`${fan}/branch2`);
    expect(graph.nodes.get(fan)).toMatchObject({ type: 'Parallel', compound: true });
    expect(parents.get(graph.idOfState.get('Prepare')!)).toBeUndefined();
  });

  it('draws Next, Choice rules with a label, Default, Catch and End as typed edges', () => {
    const graph = definitionToGraph(flow);
    const name = (id: string) => graph.nodes.get(id)!.name;
    const described = graph.edges.map((e) => `${name(e.source)} -${e.kind}${e.label ? `(${e.label})` : ''}-> ${name(e.target)}`);
    expect(described.sort()).toEqual(
      [
        'Start -start-> Prepare',
        'Prepare -next-> Decide',
        'Decide -choice($.n NumericGreaterThan 3)-> Pause',
        'Decide -choice(And (2 rules))-> Fan',
        'Decide -default(Default)-> Fan',
        'Pause -next-> Fan',
        'Fan -next-> Done',
        'Fan -catch(Catch States.ALL)-> Oops',
        'Left -next-> LeftDone',
        'Oops -end-> End',
        'Done -end-> End',
      ].sort(),
    );
  });

  it('puts each edge in the nearest node holding both ends (ELK hierarchy rule)', () => {
    const graph = definitionToGraph(flow);
    const branch1 = graph.elk.children!.find((c) => c.id === graph.idOfState.get('Fan'))!.children![0];
    expect(branch1.edges!.map((e) => [e.sources[0], e.targets[0]])).toEqual([[graph.idOfState.get('Left'), graph.idOfState.get('LeftDone')]]);
    expect(graph.elk.edges!.length).toBe(graph.edges.length - 1);
  });

  it('nests a Map state’s ItemProcessor, and the legacy Iterator', () => {
    for (const key of ['ItemProcessor', 'Iterator']) {
      const graph = definitionToGraph({
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            [key]: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:w', End: true } } },
            End: true,
          },
        },
      });
      const parents = walk(graph.elk);
      expect(parents.get(graph.idOfState.get('Work')!)).toBe(graph.idOfState.get('Each'));
      expect(graph.nodes.get(graph.idOfState.get('Work')!)).toMatchObject({ type: 'Task', compound: false });
      // The iteration has no End marker of its own: only the machine's terminal state goes to End.
      expect(graph.edges.filter((e) => e.kind === 'end').map((e) => e.source)).toEqual([graph.idOfState.get('Each')]);
    }
  });

  it('accepts the definition text DescribeStateMachine returns and uses the given text measure', () => {
    const graph = definitionToGraph(JSON.stringify(flow), { measureText: (text) => text.length * 100 });
    const prepare = graph.elk.children!.find((c) => c.id === graph.idOfState.get('Prepare'))!;
    expect(prepare.width).toBe('Prepare'.length * 100 + 36);
  });

  it('skips transitions to states that do not exist instead of failing', () => {
    const graph = definitionToGraph({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    expect(graph.edges.map((e) => e.kind)).toEqual(['start']);
  });

  it('is laid out by elkjs top-down, children inside their compound parents, edges routed', async () => {
    const graph = definitionToGraph(flow);
    const laid = (await new ELK().layout(graph.elk)) as unknown as ElkNodeJson;
    const absolute = new Map<string, { x: number; y: number; width: number; height: number }>();
    const place = (node: ElkNodeJson, ox: number, oy: number) => {
      for (const child of node.children ?? []) {
        const box = { x: ox + child.x!, y: oy + child.y!, width: child.width!, height: child.height! };
        absolute.set(child.id, box);
        place(child, box.x, box.y);
      }
    };
    place(laid, 0, 0);
    expect(absolute.size).toBe(graph.nodes.size);
    const box = (name: string) => absolute.get(graph.idOfState.get(name)!)!;
    // Top-down: each step of the main path is lower than the one before.
    expect(absolute.get('__start__')!.y).toBeLessThan(box('Prepare').y);
    expect(box('Prepare').y).toBeLessThan(box('Decide').y);
    expect(box('Decide').y).toBeLessThan(box('Fan').y);
    expect(box('Fan').y).toBeLessThan(box('Done').y);
    // Branch states sit inside the Parallel's box.
    for (const inner of ['Left', 'LeftDone', 'Right']) {
      const b = box(inner);
      const fan = box('Fan');
      expect(b.x).toBeGreaterThanOrEqual(fan.x);
      expect(b.y).toBeGreaterThan(fan.y);
      expect(b.x + b.width).toBeLessThanOrEqual(fan.x + fan.width);
      expect(b.y + b.height).toBeLessThanOrEqual(fan.y + fan.height);
    }
    const allEdges: NonNullable<ElkNodeJson['edges']> = [];
    const collect = (node: ElkNodeJson) => {
      allEdges.push(...(node.edges ?? []));
      for (const child of node.children ?? []) collect(child);
    };
    collect(laid);
    expect(allEdges).toHaveLength(graph.edges.length);
    for (const edge of allEdges) expect(edge.sections?.[0]?.startPoint).toBeDefined();
  });

  it('lays out loops and self-transitions (a polling Choice) without failing', async () => {
    const graph = definitionToGraph({
      StartAt: 'Check',
      States: {
        Check: { Type: 'Pass', Next: 'Ready?' },
        'Ready?': { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Finish' }], Default: 'Sleep' },
        Sleep: { Type: 'Wait', Seconds: 1, Next: 'Check' },
        Again: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Again' }], End: true },
        Finish: { Type: 'Succeed' },
      },
    });
    const laid = (await new ELK().layout(graph.elk)) as ElkNodeJson;
    expect(laid.children!.every((child) => typeof child.x === 'number' && typeof child.y === 'number')).toBe(true);
    expect(graph.edges.filter((e) => e.source === e.target).map((e) => e.kind)).toEqual(['catch']);
  });
});

describe('parseDefinition / choiceRuleLabel', () => {
  it('says what is wrong with a definition', () => {
    expect(() => parseDefinition('{')).toThrow(/not JSON/);
    expect(() => parseDefinition('{"States":{}}')).toThrow('the definition has no StartAt and States');
    expect(parseDefinition(JSON.stringify(flow)).StartAt).toBe('Prepare');
  });

  it('labels JSONPath rules, combinators, Not and JSONata conditions', () => {
    expect(choiceRuleLabel({ Variable: '$.kind', StringEquals: 'a', Next: 'X' })).toBe('$.kind StringEquals "a"');
    expect(choiceRuleLabel({ Or: [{}, {}, {}], Next: 'X' })).toBe('Or (3 rules)');
    expect(choiceRuleLabel({ Not: { Variable: '$.x', IsNull: true }, Next: 'X' })).toBe('Not $.x IsNull true');
    expect(choiceRuleLabel({ Condition: '{% $states.input.n > 1 %}', Next: 'X' })).toBe('$states.input.n > 1');
    expect(choiceRuleLabel({ Variable: '$.a_long_variable_name.that.goes.on', StringEquals: 'and on', Next: 'X' })).toHaveLength(28);
  });
});
