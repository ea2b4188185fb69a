import { defineConfig } from 'vitest/config';

/** The repository-wide tests in test/ (each package has its own vitest.config.ts). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
