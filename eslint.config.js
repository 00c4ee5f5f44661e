// Lint rules for tsrun's TypeScript. Besides typescript-eslint's
// recommended set, the bans of STYLE.md: each says why it exists.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Imports no file in src/ may make. Each block below that restricts more
// imports must repeat these: a later block replaces the rule's options.
const RESTRICTED_PATHS = [
  { name: 'child_process', importNames: ['fork'], allowTypeImports: true, message: 'never fork Node: it is multithreaded; tsrun-init is its own executable' },
  { name: 'node:child_process', importNames: ['fork'], allowTypeImports: true, message: 'never fork Node: it is multithreaded; tsrun-init is its own executable' },
  { name: 'bindings', message: 'only src/native/addon.ts loads the addon' },
];

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'src/spec/generated/', 'conformance/reports/', '.tap/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', URL: 'readonly', __dirname: 'readonly', __filename: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'return an exit status to main: cleanup (rollback, locks, the --log line) must run' },
      ],
      '@typescript-eslint/no-restricted-imports': ['error', { paths: RESTRICTED_PATHS }],
    },
  },
  {
    // The ground floor: kernel name tables and host facts import no layer
    // above them, so spec/, plan/ and the rest may all use them.
    files: ['src/kernel/**/*.ts', 'src/host/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: RESTRICTED_PATHS,
          patterns: [{ group: ['../*', '!../kernel', '!../host'], message: 'src/kernel/ and src/host/ are the ground floor: they import only each other' }],
        },
      ],
    },
  },
  {
    // spec/ is read by plan/, never the other way round.
    files: ['src/spec/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: RESTRICTED_PATHS,
          patterns: [{ group: ['../plan/*'], message: 'spec/ is below plan/: move what both need to src/kernel/ or src/spec/' }],
        },
      ],
    },
  },
  {
    // Tests and the conformance suite read untyped JSON from the runtime under test.
    files: ['test/**/*.ts', 'conformance/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The one place that may end the process with a status.
    files: ['src/main.ts', 'src/cli/report.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
