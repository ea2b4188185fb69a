import type { ReplicaState, StopOrder } from '../../cluster/KasReplica.js';
import type { LoadStats } from '../../load/LoadGenerator.js';

/** One replica as the live view shows it. */
export interface ReplicaView {
  readonly id: string;
  readonly state: ReplicaState;
  /** Whether the load balancer's last probe found it ready. */
  readonly isReady: boolean;
  /** Agents Redis says it advertises (undefined before the first read). */
  readonly advertised: number | undefined;
  /** Agents whose tunnels are live on it (agentk's logs). */
  readonly connected: number;
}

/** The shutdown in progress, as far as it got. */
export interface ShutdownView {
  readonly replica: string;
  readonly sinceSigtermMs: number;
  readonly agents: number;
  readonly agentsMoved: number;
  /** SIGTERM → the last agent live elsewhere, once all moved. */
  readonly movedAfterMs: number | undefined;
  /** SIGTERM → its entries gone from Redis. */
  readonly withdrawnAfterMs: number | undefined;
}

/** Everything the live view draws. */
export interface DemoState {
  readonly stopOrder: StopOrder;
  readonly elapsedMs: number;
  readonly step: string;
  readonly replicas: readonly ReplicaView[];
  readonly load: LoadStats;
  readonly shutdown: ShutdownView | undefined;
}
