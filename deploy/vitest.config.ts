import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.ts';

// These tests run kubectl, kas-graph and npm as child processes: slow on a loaded machine.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 180_000 } }));
