import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'engine/**/*.test.ts', 'pricing/**/*.test.ts', 'gateway/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: keep one worker per core so socket tests and property tests do not starve each other.
    maxWorkers: 2,
  },
});
