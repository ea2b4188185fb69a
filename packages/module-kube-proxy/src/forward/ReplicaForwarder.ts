import type { Readable } from 'node:stream';
import { type ChannelCredentials, Client, type ClientOptions, credentials } from '@grpc/grpc-js';
import type { ReplicaInfo } from '@kas/module-tunnel-tracker';
import type { PemSource, Tunnel, TunnelRequest, TunnelResponse } from '@kas/tunnel-protocol';
import { createForwardMethod, FLOW_CONTROL_WINDOW, MAX_FORWARD_MESSAGE_BYTES } from '@kas/tunnel-protocol';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { readPem } from '../http/loadTlsOptions.js';
import type { StreamLoss } from './ForwardStream.js';
import { ForwardStreamPool, type ForwardStreamPoolCounts } from './ForwardStreamPool.js';

const CHANNEL_OPTIONS: ClientOptions = {
  'grpc.max_send_message_length': MAX_FORWARD_MESSAGE_BYTES,
  'grpc.max_receive_message_length': MAX_FORWARD_MESSAGE_BYTES,
  // No HTTP/2 keepalive pings: Node cancels them once the callee sent GOAWAY, and grpc-js then drops every
  // call on the connection, forwarded watches included. The callee's heartbeats on each call check it.
  'grpc.enable_channelz': 0,
  // The kube proxy retries routes itself; grpc-js's retry layer would only buffer every call's first
  // messages until the callee's first reply.
  'grpc.enable_retries': 0,
  // Answers flow from the callee to here: each call may have this much on its way before the callee waits
  // for a window update (HTTP/2's default of 64 KiB makes a 1 MiB body wait 16 times). Backpressure still
  // holds per call: a call whose reader is slow stops taking data once this much is buffered.
  'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW.streamBytes,
  // A peer that restarts on the same address (a rolling restart) is back within a second or two; with
  // grpc-js's default backoff (up to 120 s) the channel would keep failing fast with the old connection
  // error long after it is back. Connecting to a replica is cheap, so try again after at most a second.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1_000,
};

// Replicas come and go (every rollout brings new pod addresses): a channel nobody used for this long, and
// that carries no exchange, is closed with its idle calls, and made again should its address come back.
const IDLE_CHANNEL_MS = 10 * 60_000;
// An idle Forward call costs both replicas a few KiB; one kept per replica keeps the path warm.
const IDLE_STREAM_MS = 60_000;
const KEPT_IDLE_STREAMS = 1;
const TRIM_EVERY_MS = 15_000;

/** One replica address's channel and its pool of Forward calls. */
interface ReplicaChannel {
  readonly client: Client;
  readonly pool: ForwardStreamPool;
  lastUsedAt: number;
}

/** A tunnel of an agent on another replica, reached through that replica's private API. */
export interface RemoteTunnel extends Tunnel {
  readonly replica: ReplicaInfo;
}

/** How the forwarder's calls were used, for tests and metrics. */
export interface ForwarderCounts {
  /** Forward calls opened since start. */
  readonly opened: number;
  /** Exchanges sent on a call that had carried one before. */
  readonly reused: number;
}

/**
 * The kube proxy's side of the private API: one gRPC channel per replica address, made on first use and
 * kept (a channel reconnects by itself), and on it a pool of long-lived Forward calls that carry one
 * request at a time, reused after each clean exchange (a new call costs about ten times a message round
 * trip on an open one).
 */
export class ReplicaForwarder {
  readonly #method = createForwardMethod();
  readonly #channels = new Map<string, ReplicaChannel>();
  readonly #counts: ForwardStreamPoolCounts = { opened: 0, reused: 0 };
  readonly #authorization: string;
  #isClosed = false;
  #prunedAt = Date.now();
  #trimmedAt = performance.now();
  #credentials: ChannelCredentials = credentials.createInsecure();
  #channelOptions: ClientOptions = CHANNEL_OPTIONS;

  constructor(
    secret: string,
    /**
     * How long a replica may take to answer a new Forward call (the connection made, the call's response
     * metadata sent) before the connection to it counts as lost (`privateApiConnectTimeout`).
     */
    private readonly connectTimeoutMs: number,
    private readonly tls?: { readonly ca: PemSource; readonly serverName?: string },
  ) {
    this.#authorization = `Bearer ${secret}`;
  }

  /** Reads the CA of the replicas' private API certificates, when they serve TLS. */
  async start(): Promise<void> {
    if (this.tls === undefined) return;
    const ca = await readPem(this.tls.ca, 'privateApiTls.ca');
    try {
      this.#credentials = credentials.createSsl(ca);
    } catch (error) {
      throw new KubeProxyError(
        'KAS_KUBE_PROXY_CONFIG_INVALID',
        `kube-proxy config: privateApiTls.ca is not a usable PEM certificate: ${(error as Error).message}`,
        "give the PEM certificate of the CA that signed the replicas' private API certificates",
        { cause: error },
      );
    }
    const serverName = this.tls.serverName;
    if (serverName !== undefined) {
      this.#channelOptions = {
        ...CHANNEL_OPTIONS,
        'grpc.ssl_target_name_override': serverName,
        'grpc.default_authority': serverName,
      };
    }
  }

  /** A tunnel to `agentId` through `replica`; the callee may wait up to `tunnelWaitMs` for an idle tunnel. */
  tunnelTo(replica: ReplicaInfo, agentId: string, tunnelWaitMs: number): RemoteTunnel {
    return {
      agentId,
      replica,
      roundTrip: (request, body, signal) =>
        this.#roundTrip(replica, agentId, tunnelWaitMs, request, body, signal),
    };
  }

  /**
   * Ends every idle call and closes every channel, once no forwarded request is left; later requests
   * fail with `KAS_FORWARD_FAILED`.
   */
  close(): void {
    this.#isClosed = true;
    for (const channel of this.#channels.values()) {
      channel.pool.cancelAll();
      channel.client.close();
    }
    this.#channels.clear();
  }

  /** How many replica addresses have a channel open. */
  channelCount(): number {
    return this.#channels.size;
  }

  /** Forward calls open to `address` (idle and busy). */
  streamCount(address: string): number {
    return this.#channels.get(address)?.pool.size ?? 0;
  }

  /** Calls opened and reused since start. */
  counts(): ForwarderCounts {
    return { ...this.#counts };
  }

  #roundTrip(
    replica: ReplicaInfo,
    agentId: string,
    tunnelWaitMs: number,
    request: TunnelRequest,
    body: Readable | undefined,
    signal: AbortSignal,
  ): Promise<TunnelResponse> {
    if (this.#isClosed) {
      return Promise.reject(
        new KubeProxyError(
          'KAS_FORWARD_FAILED',
          `cannot forward to replica "${replica.id}": the kube proxy has stopped`,
          'none: the request came after the stop',
        ),
      );
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    const stream = this.#channel(replica).pool.take();
    const target = { agentId, tunnelWaitMs: Math.max(0, Math.round(tunnelWaitMs)) };
    return stream.exchange(target, request, body, signal);
  }

  #channel(replica: ReplicaInfo): ReplicaChannel {
    const now = Date.now();
    if (now - this.#prunedAt > IDLE_CHANNEL_MS) this.#pruneIdle(now);
    const nowMs = performance.now();
    if (nowMs - this.#trimmedAt > TRIM_EVERY_MS) {
      this.#trimmedAt = nowMs;
      for (const channel of this.#channels.values()) channel.pool.trimIdle(nowMs);
    }
    const address = replica.privateAddress;
    let channel = this.#channels.get(address);
    if (channel === undefined) {
      const client = new Client(address, this.#credentials, this.#channelOptions);
      const where = `replica "${replica.id}" at ${address}`;
      const pool = new ForwardStreamPool(
        client,
        this.#method,
        this.#authorization,
        where,
        this.#counts,
        IDLE_STREAM_MS,
        KEPT_IDLE_STREAMS,
        (loss) => this.#dropChannel(address, client, loss),
        this.connectTimeoutMs,
      );
      channel = { client, pool, lastUsedAt: now };
      this.#channels.set(address, channel);
    }
    channel.lastUsedAt = now;
    return channel;
  }

  /** The connection to `address` is lost: its calls are cancelled, and the next request makes a new one. */
  #dropChannel(address: string, client: Client, loss: StreamLoss): void {
    const channel = this.#channels.get(address);
    if (channel?.client !== client) return;
    this.#channels.delete(address);
    channel.pool.cancelAll(loss); // every request on it learns why, not "Cancelled on client"
    client.close();
  }

  #pruneIdle(now: number): void {
    this.#prunedAt = now;
    for (const [address, channel] of this.#channels) {
      if (channel.pool.busyCount === 0 && now - channel.lastUsedAt > IDLE_CHANNEL_MS) {
        channel.pool.cancelAll();
        channel.client.close();
        this.#channels.delete(address);
      }
    }
  }
}
