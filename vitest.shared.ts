import { defineConfig } from 'vitest/config';
// From the source: the config loads before any package is built. The one time-out setting of the suite.
import { scaledMs } from './packages/testkit/src/timeoutScale.ts';

/** Shared by every package's vitest.config.ts. Time-outs grow with the machine's load (see @kas/testkit). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: scaledMs(20_000),
    hookTimeout: scaledMs(30_000),
  },
});
