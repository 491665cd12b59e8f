import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  { ignores: ['dist/', 'dist-console/', 'node_modules/', 'test-output/', 'src/api/openapi.gen.ts', 'src/console/api/schema.d.ts'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Only platform.ts may talk to the desktop shell.
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tauri-apps/*'], message: 'Only src/platform.ts may import @tauri-apps/*.' }] }],
    },
  },
  {
    files: ['src/platform.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
