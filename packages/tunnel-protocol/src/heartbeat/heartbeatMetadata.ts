/** How often heartbeats come and how long an answer may take, in milliseconds. */
export interface HeartbeatTiming {
  readonly timeMs: number;
  readonly timeoutMs: number;
}

/**
 * The metadata key of heartbeats on tunnels and Forward calls: the server's response metadata says
 * `<time ms>,<timeout ms>`; on a Forward call the caller's metadata says `1` (it answers heartbeats).
 */
export const HEARTBEAT_METADATA = 'kas-heartbeat';

/** Reads the server's `kas-heartbeat` value; undefined when absent or not two positive numbers. */
export function parseHeartbeatMetadata(value: unknown): HeartbeatTiming | undefined {
  if (typeof value !== 'string') return undefined;
  const [time, timeout] = value.split(',').map(Number);
  if (time === undefined || timeout === undefined || !(time > 0) || !(timeout > 0)) return undefined;
  return { timeMs: time, timeoutMs: timeout };
}
