import type { RunParts } from '../../src/resolvers/isolation/sandbox.js';

/** The base context of a plain `Query.f` run (API key, no headers), with the given args, identity and source. */
export function plainRunParts(context: { arguments?: unknown; identity?: unknown; source?: unknown } = {}): RunParts {
  return {
    argumentsJson: JSON.stringify(context.arguments ?? {}),
    identityJson: JSON.stringify(context.identity ?? null),
    sourceJson: JSON.stringify(context.source ?? null),
    headersJson: '{}',
    fieldName: 'f',
    parentTypeName: 'Query',
    variablesJson: '{}',
    selectionSetListJson: '[]',
    selectionSetGraphQL: '',
    envJson: '{}',
    authMode: 'API_KEY',
    operation: 'query',
  };
}
