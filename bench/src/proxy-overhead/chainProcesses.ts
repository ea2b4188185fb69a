import type { Variant } from './variants.js';

/**
 * The processes each variant's requests pass through (the shared upstream left out), by the names
 * `startProxyChains` gives them: their CPU time per request is compared across variants.
 */
export const CHAIN_PROCESSES: Readonly<Partial<Record<Variant, readonly string[]>>> = {
  b: ['kas-a', 'agentk'],
  c: ['kas-b', 'kas-a', 'agentk'],
  d: ['hop-1', 'hop-2'],
  e: ['hop3-1', 'hop3-2', 'hop3-3'],
  b0: ['kas-a0', 'agentk-0'],
  c0: ['kas-b0', 'kas-a0', 'agentk-0'],
};
