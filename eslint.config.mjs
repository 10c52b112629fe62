import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The pieces of the lifecycle beside its coordinator: each owns one area and never calls another. */
const lifecyclePieces = ['AgentInput', 'ExitCollector', 'Interruptions', 'OrphanSessions', 'RecordRepair', 'SessionLaunch', 'SessionRestore', 'SessionListing', 'WorkspaceArchive', 'WorkspaceDeletion', 'WorkspaceQueries', 'WorkspaceSetup'];

const childProcess = [
  { name: 'child_process', message: 'Use execa with an argv array.' },
  { name: 'node:child_process', message: 'Use execa with an argv array.' },
];

const coreForbidden = [{ name: 'vscode', message: 'src/core is editor-free; UI code lives in src/ui.' }, ...childProcess];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.vscode-test/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: childProcess }] },
  },
  {
    // The core runs in plain Node: it never reaches for the editor API.
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: coreForbidden }] },
  },
  {
    // A piece gets what it needs of another as a function from the coordinator, so the order of steps stays in one place.
    files: lifecyclePieces.map((piece) => `src/core/lifecycle/${piece}.ts`),
    rules: {
      'no-restricted-imports': ['error', {
        paths: coreForbidden,
        patterns: [{
          group: [...lifecyclePieces, 'RuntimeLifecycle'].map((name) => `**/lifecycle/${name}`).concat([...lifecyclePieces, 'RuntimeLifecycle'].map((name) => `./${name}`)),
          message: 'Lifecycle pieces never import each other or the coordinator; take what you need as a constructor argument (types.ts, context.ts and adapters are fine).',
        }],
      }],
    },
  },
);
