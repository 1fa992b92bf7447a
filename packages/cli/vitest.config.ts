import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Containers and Go builds start in seconds here, but CI machines are shared.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The suites share one Docker engine and two cores: one file at a time keeps timings sane.
    fileParallelism: false,
  },
});
