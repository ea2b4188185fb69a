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
    }
  | { readonly type: 'clock' }
  | { readonly type: 'awaitLeftReady'; readonly timeoutMs: number }
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
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };
