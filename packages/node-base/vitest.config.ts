import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test starts a container; CI machines are shared and slow.
    testTimeout: 30_000,
  },
});
