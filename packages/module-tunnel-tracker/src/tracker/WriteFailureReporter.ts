import { formatDuration } from '@kas/core';
import type { Logger } from 'pino';
import { errorKind } from '../errors/errorKind.js';
import type { TunnelStore } from './TunnelStore.js';

/** The writes whose failures are reported: every round trip that changes the store while running. */
export type StoreWrite = 'register' | 'unregister' | 'sync' | 'cleanUp';

/** A refusal that lasts: since when, of what kind, and how many writes it refused. */
interface Refusal {
  readonly since: number;
  readonly kind: string;
  failedWrites: number;
}

/**
 * Logs failed writes to the store once per refusal, not once per retry: a store that refuses every write
 * (Redis at `maxmemory` with `noeviction`, a read-only replica after a failover) is retried at every sync,
 * entry check (2 s), clean-up and agent change, for as long as it lasts. The first failure is one warning,
 * `tunnels.writeFailing`, with the store's reason in a few words (an ioredis reply error carries the whole
 * command, the script's arguments included); the next ones are debug lines, unless the reason changes; the
 * first write that succeeds after them is one info line, `tunnels.writeRecovered`. Each failure is still
 * counted in `failedRoundTrips`.
 */
export class WriteFailureReporter {
  #refusal: Refusal | undefined;

  constructor(
    private readonly store: TunnelStore,
    private readonly log: Logger,
  ) {}

  /** A write failed; `fields` say what it was (`agentId`, `reason` of a sync, ...). */
  failed(operation: StoreWrite, error: unknown, fields: Readonly<Record<string, unknown>> = {}): void {
    const reason = error instanceof Error ? error.message : String(error);
    const kind = errorKind(error);
    const store = this.store.location;
    const refusal = this.#refusal;
    if (refusal !== undefined && refusal.kind === kind) {
      refusal.failedWrites += 1;
      this.log.debug({ ...fields, operation, store, reason }, 'tunnel directory write failed again');
      return;
    }
    this.#refusal = {
      since: refusal?.since ?? performance.now(),
      kind,
      failedWrites: (refusal?.failedWrites ?? 0) + 1,
    };
    this.log.warn(
      { ...fields, event: 'tunnels.writeFailing', operation, store, reason },
      `cannot write this replica's tunnel directory entries in ${store} (${reason.replace(/\.$/, '')}): other replicas may not find its agents until a write succeeds; retried at every refresh, entry check and agent change, and logged again when writes succeed`,
    );
  }

  /** A write succeeded: ends a refusal, saying how long it lasted. */
  succeeded(operation: StoreWrite): void {
    const refusal = this.#refusal;
    if (refusal === undefined) return;
    this.#refusal = undefined;
    const store = this.store.location;
    const failingForMs = Math.round(performance.now() - refusal.since);
    this.log.info(
      { event: 'tunnels.writeRecovered', operation, store, failedWrites: refusal.failedWrites, failingForMs },
      `tunnel directory writes to ${store} succeed again, after ${refusal.failedWrites} failed in ${formatDuration(failingForMs)}`,
    );
  }
}
