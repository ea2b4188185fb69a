import { type ChannelCredentials, Client, connectivityState } from '@grpc/grpc-js';
import { FLOW_CONTROL_WINDOW } from '@kas/tunnel-protocol';

/** Channel options of every agent connection. */
export interface KasConnectionOptions {
  readonly credentials: ChannelCredentials;
  readonly maxMessageBytes: number;
  /** grpc-js's own reconnect backoff, kept within the agent's (its default grows to 120 s). */
  readonly reconnectBackoff: { readonly initialMs: number; readonly maxMs: number };
}

/**
 * The gRPC channel from one agent to one kas address. Each agent gets its own connection (a local
 * subchannel pool: grpc-js would otherwise share one connection among all channels to the same target).
 * It notices when the connection leaves READY — kas sent GOAWAY, or the connection dropped — and counts
 * those moments as generations: tunnels of an older generation are draining.
 */
export class KasConnection {
  readonly client: Client;
  #generation = 0;
  #isClosed = false;

  constructor(
    readonly address: string,
    options: KasConnectionOptions,
    private readonly onLeftReady: (connection: KasConnection) => void,
  ) {
    this.client = new Client(address, options.credentials, {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_send_message_length': options.maxMessageBytes,
      'grpc.max_receive_message_length': options.maxMessageBytes,
      // No HTTP/2 keepalive pings: Node cancels them once kas sent GOAWAY, and grpc-js then drops every
      // call on the connection, busy tunnels included. kas's heartbeats on each tunnel check it instead.
      'grpc.initial_reconnect_backoff_ms': options.reconnectBackoff.initialMs,
      'grpc.max_reconnect_backoff_ms': options.reconnectBackoff.maxMs,
      'grpc.enable_retries': 0, // tunnels are never retried; retries would buffer their frames
      'grpc.enable_channelz': 0,
      // Request bodies and upgraded streams flow from kas to here: let a tunnel have this much on its way
      // before kas waits for a window update (HTTP/2's 64 KiB halts an upload every 64 KiB).
      'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW.streamBytes,
    });
    this.#watch(connectivityState.IDLE);
  }

  /** Bumped each time the connection leaves READY. */
  get generation(): number {
    return this.#generation;
  }

  close(): void {
    this.#isClosed = true;
    this.client.close();
  }

  #watch(state: connectivityState): void {
    const channel = this.client.getChannel();
    channel.watchConnectivityState(state, Number.POSITIVE_INFINITY, () => {
      if (this.#isClosed) return;
      const next = channel.getConnectivityState(false);
      if (state === connectivityState.READY && next !== connectivityState.READY) {
        this.#generation += 1;
        this.onLeftReady(this);
      }
      if (next !== connectivityState.SHUTDOWN) this.#watch(next);
    });
  }
}
