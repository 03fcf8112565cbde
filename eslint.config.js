// ESLint for the whole tree (`npm run lint` runs it with the layer check and `prettier --check`).
// Type-aware: the rules that matter here need types (a promise nobody awaits, a promise where a callback's
// result is ignored), so every file is linted against tsconfig.json through typescript-eslint's project service.
// Formatting is Prettier's alone (.prettierrc.json); eslint-config-prettier turns off every rule it owns.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'coverage/',
    'artifacts/',
    '.temporal/',
    'test/consumer/app/',
    'bench/results/',
    '**/.venv/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: globals.node,
      parserOptions: {
        // Files outside tsconfig.json's include (this file, bin/) get a default project.
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Without these the cycle rule reads no TypeScript file and passes silently: which files it follows, parsed how,
      // and `./x.js` resolved to `x.ts` as tsc does.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits or handles loses its failure, and in a workflow its ordering: the reason for ESLint here.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a callback's result is ignored (an event handler, forEach) floats the same way.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: true, attributes: false } }],
      // Modules that import each other load in an order that depends on who imported first.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests, benchmarks and drills read the simulators' and Temporal's JSON answers field by field; typing each
    // answer would restate the simulators' contract in every test. lbflow's own code (src/) has no `any`.
    files: ['test/**', 'bench/**', 'drills/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
