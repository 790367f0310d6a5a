// ESLint, type-aware (typescript-eslint), over every TypeScript file; formatting is Prettier's.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'bench/results/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Unused names are errors, except the `_`-prefixed ones that destructuring leaves on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // A floating promise is a lost error; `void` marks the deliberate ones.
      '@typescript-eslint/no-floating-promises': 'error',
      'no-console': 'error',
      // Nest's lifecycle hooks and ports are async by contract; a body that happens not to await is fine.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Libraries never import an application: an app depends on libraries, never the reverse
    // (an app registers its own migrations and providers with the platform).
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)apps/', message: 'a library never imports an application' }] }] },
  },
  {
    // Tests reach into answers typed `any` on purpose (HTTP bodies), and Jest's matchers are untyped.
    files: ['**/*.spec.ts', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    // Plain Node scripts (the lock-file fixer, a test's process launcher): Node's globals, and they talk on the console.
    files: ['scripts/**/*.mjs', 'tests/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
  prettier,
);
