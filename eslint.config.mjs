// ESLint for the TypeScript sources (`npm run lint`, and the first step of `npm test`), in the spirit
// of cdk8s-plus's config: lines of at most 150 characters of code, imports in order, class members
// in order, and no `!` non-null assertion without a reason (`// eslint-disable-next-line
// @typescript-eslint/no-non-null-assertion -- <why it cannot be null>`). The generated CRD classes
// in imports/ are not linted.
import stylistic from '@stylistic/eslint-plugin';
import importPlugin from 'eslint-plugin-import';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['imports/**', 'build/**', 'dist/**', 'node_modules/**', '.tools/**', '**/*.d.ts'],
  },
  {
    files: ['lib/**/*.ts', 'main.ts', 'scripts/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    plugins: {
      '@stylistic': stylistic,
      '@typescript-eslint': tseslint.plugin,
      'import': importPlugin,
    },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
    },
    rules: {
      '@stylistic/max-len': ['error', {
        code: 150,
        ignoreUrls: true,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreComments: true,
        ignoreRegExpLiterals: true,
      }],
      'import/order': ['error', {
        groups: ['builtin', 'external', 'parent', ['sibling', 'index']],
        alphabetize: { order: 'asc', caseInsensitive: true },
      }],
      '@typescript-eslint/member-ordering': ['error', {
        default: [
          'public-static-field',
          'public-static-method',
          'protected-static-field',
          'protected-static-method',
          'private-static-field',
          'private-static-method',
          'field',
          'constructor',
          'method',
        ],
      }],
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    // In tests a wrong assumption fails the test either way; `!` there is not a hidden null in shipped code.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
