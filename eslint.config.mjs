// ESLint 9 flat config. typescript-eslint's recommended rules without type information (fast:
// no TypeScript program is built). Formatting is Prettier's job (`npm run lint` runs both).
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Whatever git ignores (build output such as dist/ and .demo-build/, venvs, caches) is not linted.
// Simple .gitignore lines only: a name without an inner slash matches at any depth, as in git.
const gitignored = readFileSync(new URL('.gitignore', import.meta.url), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('!'))
  .map((line) => (line.replace(/\/$/, '').includes('/') ? line.replace(/^\//, '') : `**/${line}`));

export default defineConfig(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '.venv-mlflow/',
      '.mlflow-runs/',
      '.tools/',
      ...gitignored,
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
      // `ok ? span.endWithResult(v) : span.end();` is an accepted statement form here.
      '@typescript-eslint/no-unused-expressions': [
        'error',
        { allowShortCircuit: true, allowTernary: true, allowTaggedTemplates: true },
      ],
    },
  },
  {
    // Plain CommonJS files (jest config, scripts/*.cjs) may use require().
    files: ['**/*.cjs', '**/*.cts', 'jest.config.js', 'jest.ui.config.js', 'jest.scale.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
  },
);
