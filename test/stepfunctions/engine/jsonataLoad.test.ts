// Its own file (vitest runs each file in a fresh process): jsonata must not be loaded yet when it starts.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/stepfunctions/engine/validate.js';

const jsonataLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => /[/\\]node_modules[/\\]jsonata[/\\]/.test(path));

describe('the jsonata package', () => {
  it('is not loaded to check a JSONPath definition, and is to check a JSONata one, whose bad expression is still refused', () => {
    const jsonPath = validateDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'x.$': '$.y' }, End: true } } });
    expect(jsonPath.diagnostics).toEqual([]);
    expect(jsonataLoaded()).toBe(false);
    const jsonata = validateDefinition({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $states.input.( %}', End: true } } });
    expect(jsonata.diagnostics).not.toEqual([]);
    expect(jsonataLoaded()).toBe(true);
  });
});
