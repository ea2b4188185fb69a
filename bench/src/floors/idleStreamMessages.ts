/** What the parent tells the idle-stream clients process. */
export type IdleClientsCommand =
  | {
      readonly type: 'open';
      readonly address: string;
      readonly path: string;
      /** Connections to add (each its own HTTP/2 connection). */
      readonly connections: number;
      readonly streamsPerConnection: number;
      /** The first message of every stream, base64. */
      readonly firstMessage: string;
      /** Connection `i` (counted over every `open`) sends `authorization: Bearer <tokenPrefix><i>`. */
      readonly tokenPrefix: string;
      /**
       * The bearer token of each connection this `open` adds, in order, instead of `tokenPrefix`: for a
       * server that knows its agents' tokens (a kas replica with an agents file).
       */
      readonly tokens?: readonly string[];
      /**
       * When a connection's channel leaves READY (GOAWAY), cancel its streams and open a replacement
       * connection to this address with as many streams, as an agent moves to another replica.
       */
      readonly reconnectTo?: string;
    }
  | { readonly type: 'clock' }
  | { readonly type: 'awaitLeftReady'; readonly timeoutMs: number }
  /** Waits until every replacement connection has all its streams live (or the timeout). */
  | { readonly type: 'awaitReplaced'; readonly timeoutMs: number }
  | { readonly type: 'closeAll' };

/** What the idle-stream clients process answers. */
export type IdleClientsReply =
  | {
      readonly type: 'opened';
      readonly connections: number;
      readonly streams: number;
      readonly elapsedMs: number;
    }
  | { readonly type: 'clock'; readonly wallMs: number }
  /** Wall-clock times (`performance.timeOrigin + performance.now()`) at which channels left READY. */
  | { readonly type: 'leftReady'; readonly wallMs: readonly number[]; readonly connections: number }
  /** Wall-clock times at which each replacement connection had every stream live. */
  | { readonly type: 'replaced'; readonly wallMs: readonly number[]; readonly connections: number }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };

/** What the parent tells a shutdown server process (`shutdownServerProcess.ts`). */
export type ShutdownServerCommand = { readonly type: 'clock' } | { readonly type: 'tryShutdown' };

/** What a shutdown server process answers. */
export type ShutdownServerReply =
  | { readonly type: 'listening'; readonly address: string }
  | { readonly type: 'clock'; readonly wallMs: number }
  /** The wall-clock time at which it called `tryShutdown`. */
  | { readonly type: 'tryShutdownCalled'; readonly wallMs: number }
  | { readonly type: 'error'; readonly message: string };
