// Lint: type-aware basics everywhere, plus the purity rule that keeps engine/ and pricing/ deterministic:
// no clocks, no randomness, no timers, no process, no Node built-ins, no I/O packages.
import tseslint from 'typescript-eslint';

const IMPURE_GLOBALS = ['Date', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'process', 'performance', 'fetch', 'require', 'Buffer', 'crypto'].map((name) => ({
  name,
  message: 'engine/ and pricing/ are deterministic: time, randomness and I/O come in as data.',
}));

const IMPURE_MODULES = {
  patterns: [
    { group: ['node:*'], message: 'No Node built-ins in engine/ or pricing/.' },
    { group: ['fs', 'fs/*', 'os', 'path', 'net', 'http', 'https', 'crypto', 'child_process', 'worker_threads', 'perf_hooks', 'timers', 'timers/*'], message: 'No Node built-ins in engine/ or pricing/.' },
    { group: ['ioredis', 'bullmq', 'pino', 'uWebSockets.js', 'autocannon'], message: 'No I/O packages in engine/ or pricing/.' },
    { group: ['**/runtime/**', '**/gateway/**', '**/console/**', '**/server/**', '**/persistence/**', '**/effects/**', '**/simulations/**', '**/bench/**', '**/test/**'], message: 'The core may not depend on its shells.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'reports/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='it'][callee.property.name='only']", message: 'No focused tests.' },
        { selector: "CallExpression[callee.object.name='describe'][callee.property.name='only']", message: 'No focused tests.' },
        { selector: "CallExpression[callee.object.name='it'][callee.property.name='skip']", message: 'No skipped tests.' },
      ],
    },
  },
  {
    files: ['engine/**/*.ts', 'pricing/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...IMPURE_GLOBALS],
      'no-restricted-imports': ['error', IMPURE_MODULES],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Randomness comes from a seed kept in state.' },
        { object: 'globalThis', message: 'No reaching around the purity rule through globalThis.' },
      ],
    },
  },
);
