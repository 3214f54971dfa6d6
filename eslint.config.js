/**
 * Lint for structure, not style: the layering of docs/ARCHITECTURE.md (arrows point down) and no
 * import cycles. `npm run lint`; `.ci/run` runs it before the tests. Rules that need type
 * information stay off so the whole of src/ lints in seconds on CI's two cores.
 */
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layers of src/, top to bottom; a folder may import its own tier and the tiers below it.
 * cli → server → (management, events) → apis → (auth, resolvers, realtime, stepfunctions, cache)
 * → datasources → embedded. Beneath them all: errors.ts, config/ and schema/, which import
 * none of the tiers.
 */
const TIERS = [
  ['cli', 'index'],
  ['server'],
  ['management', 'events'],
  ['apis'],
  ['auth', 'resolvers', 'realtime', 'stepfunctions', 'cache'],
  ['datasources'],
  ['embedded'],
];
const FOUNDATION = ['config', 'schema', 'errors'];

/** An import specifier that climbs out of the current folder into `src/<name>` (folder or `<name>.js`). */
const into = (names) => `^(\\.\\./)+(${names.join('|')})(/|\\.js$)`;

const layerRules = TIERS.flatMap((tier, i) => {
  const above = TIERS.slice(0, i).flat();
  if (above.length === 0) return [];
  return tier.map((name) => ({
    files: [name === 'cli' || name === 'index' ? `src/${name}.ts` : `src/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: into(above),
              message: `src/${name} sits below ${above.join(', ')} in the layering (docs/ARCHITECTURE.md): pass what it needs down instead of importing upward.`,
            },
          ],
        },
      ],
    },
  }));
});

const foundationRules = {
  files: FOUNDATION.filter((name) => name !== 'errors').map((name) => `src/${name}/**/*.ts`),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: into(TIERS.flat()),
            message: 'errors.ts, config/ and schema/ are the foundation every layer imports; they import none of the layers (docs/ARCHITECTURE.md).',
          },
        ],
      },
    ],
  },
};

/**
 * DESIGN: the server never imports a data source directly; it reaches them through the registry
 * (datasources/index.ts) and their interface (datasources/types.ts). Kept in a block of its own
 * because a file's `no-restricted-imports` comes from the last block that sets it.
 */
const serverRules = {
  files: ['src/server/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: into(TIERS.slice(0, 1).flat()), message: 'src/server sits below cli (docs/ARCHITECTURE.md).' },
          {
            regex: '^(\\.\\./)+datasources/(?!index\\.js$|types\\.js$)',
            message: 'The server reaches data sources only through the registry (datasources/index.ts) and their types (datasources/types.ts).',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/stepfunctions/ui/**/*.js'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    // Registered so the existing `eslint-disable @typescript-eslint/...` comments name a known rule.
    plugins: { 'import-x': importX, '@typescript-eslint': tseslint.plugin },
    settings: {
      // Without these import-x parses only .js dependencies, and a cycle through .ts files goes unseen.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      // Type-only imports are erased at run time, so a cycle through them is not a load-order hazard.
      'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }],
      // Prettier's width (.prettierrc.json): Prettier cannot split strings, template literals or
      // comments, so a long one goes unseen without this (a regular expression literal cannot be
      // split at all). Core ESLint keeps the rule until v11; @stylistic/max-len takes the same
      // options then.
      'max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  ...layerRules.filter((block) => !block.files[0].startsWith('src/server/')),
  serverRules,
  foundationRules,
  {
    files: ['src/errors.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\.?/', message: 'errors.ts is the bottom of the layering: it imports nothing from src/.' }] }],
    },
  },
);
