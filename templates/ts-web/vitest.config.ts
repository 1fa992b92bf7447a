import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Containers start in well under a second here, but CI machines are shared.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
