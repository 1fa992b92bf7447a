import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real processes and containers start in well under these, but CI machines are shared.
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
