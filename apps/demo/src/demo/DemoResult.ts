import type { StopOrder } from '../cluster/KasReplica.js';
import type { ReplicaBudgets } from '../cluster/writeClusterFiles.js';
import type { LoadStats, RequestRecord } from '../load/LoadGenerator.js';
import type { ShutdownNumbers, ShutdownReport } from '../shutdown/ShutdownReport.js';

/** One restart of the demo. */
export interface DemoShutdown {
  readonly report: ShutdownReport;
  readonly numbers: ShutdownNumbers;
  /** Short requests that failed from this SIGTERM until the next one (or the end). */
  readonly failedRequests: number;
  /** The timeline picture of this shutdown. */
  readonly timeline: string;
}

/** What one demo run measured. */
export interface DemoResult {
  readonly stopOrder: StopOrder;
  readonly replicas: number;
  readonly agents: number;
  readonly budgets: ReplicaBudgets;
  readonly shutdowns: readonly DemoShutdown[];
  readonly load: LoadStats;
  /** Every failed short request. */
  readonly failures: readonly RequestRecord[];
  readonly durationMs: number;
  /** Where the pictures, traces and summary went. */
  readonly resultsDirectory: string;
}
