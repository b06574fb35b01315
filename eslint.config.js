// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports each part must not make; the split tsconfigs enforce the same. */
const nodeBuiltins = {
  group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto'],
  message: 'common/ and the renderer are pure: no Node built-ins.',
};
const electron = { group: ['electron'], message: 'Only src-main and src-preload may import Electron.' };

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'out/**', '.fleetterm/**', 'test-results/**', 'bench/.build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            nodeBuiltins,
            electron,
            { group: ['../../*/**', 'react'], message: 'common/ imports nothing outside itself.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, electron] }] },
  },
  {
    files: ['agent/**/*.ts', 'cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/broker/**'], message: 'The agent and the client never import broker code.' }] },
      ],
    },
  },
  {
    files: ['broker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/agent/**', '**/cli/**'], message: 'The broker never imports agent or client code.' },
          ],
        },
      ],
    },
  },
);
