// ESLint flat config: typescript-eslint's recommended rules, with `any` forbidden.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // The demo page (compiled by tsconfig.web.json): browser globals, no Node ones.
    files: ['web/**/*.ts'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'history', 'sessionStorage', 'crypto', 'DOMParser', 'WebSocket', 'URLSearchParams', 'Intl', 'setTimeout', 'clearTimeout', 'console', 'HTMLElement', 'HTMLInputElement', 'HTMLSelectElement', 'HTMLButtonElement', 'HTMLFormElement', 'HTMLTableSectionElement', 'HTMLTableRowElement', 'HTMLElementTagNameMap', 'Node', 'Element'].map((g) => [g, 'readonly']),
      ),
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
);
