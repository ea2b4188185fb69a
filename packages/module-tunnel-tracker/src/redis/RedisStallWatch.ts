import { createToken, formatDuration } from '@kas/core';
import type { Logger } from 'pino';
import type { RedisClient } from './RedisClient.js';

/** How often a ready connection is checked with a PING: a paused or stalled Redis keeps its TCP connection open. */
export const STALL_CHECK_INTERVAL_MS = 1_000;

/** Whether Redis answers, as `redis-connection` sees it. */
export interface RedisHealth {
  /**
   * True while the connection is ready and the last PING was answered within the command timeout;
   * false while it is down (ioredis reconnects) or stalled (open, but Redis does not answer).
   */
  isAnswering(): boolean;
}

/** The Redis connection's health, provided by `redis-connection` beside `RedisToken`. */
export const RedisHealthToken = createToken<RedisHealth>('redis-connection.health');

/**
 * Notices a Redis that keeps its connection open but stops answering (paused by SIGSTOP, swapping, a
 * network stall), which ioredis reports nowhere: each command then fails at its timeout alone. While the
 * connection is ready it sends a PING every second (one at a time); one that is not answered within the
 * command timeout logs one `redis.stalled` warning, and the first answer after it one `redis.answering`
 * line with how long Redis was silent.
 */
export class RedisStallWatch implements RedisHealth {
  #timer: NodeJS.Timeout | undefined;
  #stalledSince: number | undefined;
  #isStopped = false;

  constructor(
    private readonly client: RedisClient,
    private readonly address: string,
    private readonly commandTimeoutMs: number,
    private readonly log: Logger,
  ) {
    client.on('ready', () => this.#schedule());
    // A connection that closes is reported by redis.lost; a stall before it is over.
    client.on('close', () => {
      this.#stalledSince = undefined;
    });
  }

  isAnswering(): boolean {
    return this.client.status === 'ready' && this.#stalledSince === undefined;
  }

  /** Stops checking (the module's stop). */
  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#isStopped) return;
    this.#timer = setTimeout(() => void this.#check(), STALL_CHECK_INTERVAL_MS).unref();
  }

  async #check(): Promise<void> {
    if (this.#isStopped || this.client.status !== 'ready') return; // 'ready' schedules again
    const sentAt = performance.now();
    try {
      await this.client.ping();
      if (this.#stalledSince !== undefined) {
        const silentMs = performance.now() - this.#stalledSince;
        this.#stalledSince = undefined;
        this.log.info(
          { event: 'redis.answering', address: this.address, silentMs: Math.round(silentMs) },
          `Redis at ${this.address} answers again (it was silent for ${formatDuration(silentMs)})`,
        );
      }
    } catch (error) {
      if (this.#stalledSince === undefined && this.client.status === 'ready' && !this.#isStopped) {
        this.#stalledSince = sentAt;
        this.log.warn(
          {
            event: 'redis.stalled',
            address: this.address,
            commandTimeoutMs: this.commandTimeoutMs,
            reason: error instanceof Error ? error.message : String(error),
          },
          `Redis at ${this.address} did not answer a PING within ${formatDuration(this.commandTimeoutMs)} though its connection is open (paused, overloaded, or a stalled network); until it answers, look-ups of agents held by other replicas fail (503) and this replica's entries are not refreshed`,
        );
      }
    }
    this.#schedule();
  }
}
