import type { StopEdge } from './AppPlan.js';

/** A stop order between two modules, by their indices: `to` begins its stop after `from` has stopped. */
export interface ModuleEdge {
  readonly from: number;
  readonly to: number;
  readonly reason: StopEdge['reason'];
}
