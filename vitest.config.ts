import { defineConfig } from 'vitest/config';
import { scaledMs } from './packages/testkit/src/timeoutScale.ts';

/** The repository-wide tests in test/ (each package has its own vitest.config.ts). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: scaledMs(60_000),
  },
});
