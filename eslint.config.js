// ESLint flat config: typescript-eslint's recommended rules, plus the project's conventions.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'release/',
      'coverage/',
      'types/',
      'test-artifacts/',
      '.gpu-bundle/',
      '.exp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Named exports only (docs/architecture.md, principle 9).
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The engine runs under plain Node: never Electron, never Svelte.
    files: ['src-main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'svelte', 'svelte/*'], message: 'The engine imports neither Electron nor Svelte.' },
          ],
        },
      ],
    },
  },
  {
    // The engine is a package to its adapters: they import engine/index.ts, never a file inside
    // it; the renderer and the contract take values from its browser-safe entry, engine/browser.ts.
    files: ['src-main/**/*.ts', 'src-renderer/**/*.ts'],
    ignores: ['src-main/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/*/**'],
              message: "Import the engine through engine/index.ts (it is the engine's public surface).",
            },
          ],
        },
      ],
    },
  },
  {
    // Tool configs must default-export by convention.
    files: ['*.config.js', '*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
