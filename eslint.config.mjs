import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const childProcess = [
  { name: 'child_process', message: 'Use execa with an argv array.' },
  { name: 'node:child_process', message: 'Use execa with an argv array.' },
];

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
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core is editor-free; UI code lives in src/ui.' }, ...childProcess],
      }],
    },
  },
);
