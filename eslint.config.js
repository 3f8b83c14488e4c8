// ESLint flat config: type-aware rules for the whole tree, and a fence around workflows/ (deterministic sandbox).
const tseslint = require('typescript-eslint');
const reactHooks = require('eslint-plugin-react-hooks');
const { builtinModules } = require('node:module');

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.data/**', 'logs/**', 'coverage/**', '**/*.js', 'infra/db/migrations/Migration*.ts', 'web/dist/**', 'web/src/api/schema.d.ts'] },
  {
    files: ['**/*.ts', 'web/**/*.tsx', 'web/**/*.mts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name=/^(skip|only|todo)$/][callee.object.name=/^(it|test|describe)$/]", message: 'no skipped or focused tests' }],
    },
  },
  {
    // The web app (web/, its own tsconfig with the DOM): the rules of hooks, and the effects' dependency lists.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node builtins, no ORM, no HTTP framework, no drivers.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Node builtins are not available in the workflow sandbox' })),
          patterns: [
            { group: ['@mikro-orm/*', 'pg', 'express', 'express/*'], message: 'workflows stay free of the ORM, the database driver and Express' },
            { group: ['**/activities', '**/activities/*'], allowTypeImports: true, message: 'import only `type` of activities in workflows' },
            { group: ['**/infra/*', '**/infra/**', '**/api/*', '**/api/**'], message: 'workflows do not import infrastructure or API code' },
          ],
        },
      ],
    },
  },
);
