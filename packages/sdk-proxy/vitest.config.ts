import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real child processes on a shared two-core machine: generous, never relied on for timing.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
