// Lint: ESLint's and typescript-eslint's recommended rules. No type-aware rules: they would
// type-check the project a second time, and `tsc --noEmit` already does in `npm test`.
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // What runs write (reports/, the default BN_REPORTS_DIR) and scratch space, as in .gitignore.
  { ignores: ['reports/', 'scratch/', '.vitest-cache/'] },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  // Formatting is Prettier's (.prettierrc.json, `npm run format`): ESLint's style rules are off.
  prettier,
  {
    rules: {
      // A leading underscore marks a binding as deliberately unused (`const { a: _a, ...rest } = x`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
