/** What the benchmark asks a server process. */
export type ServerCommand = {
  readonly type: 'measure';
  /** Streams (tunnels) the server must hold before it measures. */
  readonly streams: number;
  /** How long to sample the event-loop delay while idle. */
  readonly idleMs: number;
};

/** The server's memory and event-loop delay while it holds `streams` idle streams. */
export interface IdleServerSample {
  readonly streams: number;
  /** `process.memoryUsage()` after two forced garbage collections, bytes. */
  readonly rssBytes: number;
  /** RSS half a second after the last stream arrived, before the forced collections, bytes. */
  readonly rssBeforeGcBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  /** Event-loop delay beyond the 10 ms sampling interval, ms. */
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
}

/** What a server process says: it listens (once), a measurement, or what went wrong. */
export type ServerReply =
  | { readonly type: 'listening'; readonly address: string }
  | ({ readonly type: 'measured' } & IdleServerSample)
  | { readonly type: 'error'; readonly message: string };
