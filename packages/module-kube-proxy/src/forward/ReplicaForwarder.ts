import type { Readable } from 'node:stream';
import { type ChannelCredentials, Client, type ClientOptions, credentials, Metadata } from '@grpc/grpc-js';
import type { ReplicaInfo } from '@kas/module-tunnel-tracker';
import type { PemSource, Tunnel, TunnelRequest, TunnelResponse } from '@kas/tunnel-protocol';
import { createForwardMethod, FORWARD_METADATA, MAX_FORWARD_MESSAGE_BYTES } from '@kas/tunnel-protocol';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { readPem } from '../http/loadTlsOptions.js';
import { type ForwardCall, OutboundForward } from './OutboundForward.js';

const CHANNEL_OPTIONS: ClientOptions = {
  'grpc.max_send_message_length': MAX_FORWARD_MESSAGE_BYTES,
  'grpc.max_receive_message_length': MAX_FORWARD_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.enable_channelz': 0,
};

// Replicas come and go (every rollout brings new pod addresses): a channel nobody used for this long, and
// that carries no call, is closed, and made again should its address come back.
const IDLE_CHANNEL_MS = 10 * 60_000;

/** One replica address's channel, and what it carries. */
interface ReplicaChannel {
  readonly client: Client;
  activeCalls: number;
  lastUsedAt: number;
}

/** A tunnel of an agent on another replica, reached through that replica's private API. */
export interface RemoteTunnel extends Tunnel {
  readonly replica: ReplicaInfo;
}

/**
 * The kube proxy's side of the private API: one gRPC channel per replica address, made on first use and
 * kept for every later request (a channel reconnects by itself), and tunnels that forward one request
 * each over a `Forward` call.
 */
export class ReplicaForwarder {
  readonly #method = createForwardMethod();
  readonly #channels = new Map<string, ReplicaChannel>();
  readonly #authorization: string;
  #isClosed = false;
  #prunedAt = Date.now();
  #credentials: ChannelCredentials = credentials.createInsecure();
  #channelOptions: ClientOptions = CHANNEL_OPTIONS;

  constructor(
    secret: string,
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

  /** Closes every channel, once no forwarded request is left; later requests fail with `KAS_FORWARD_FAILED`. */
  close(): void {
    this.#isClosed = true;
    for (const channel of this.#channels.values()) channel.client.close();
    this.#channels.clear();
  }

  /** How many replica addresses have a channel open. */
  channelCount(): number {
    return this.#channels.size;
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
    const metadata = new Metadata();
    metadata.set(FORWARD_METADATA.authorization, this.#authorization);
    metadata.set(FORWARD_METADATA.agentId, agentId);
    metadata.set(FORWARD_METADATA.tunnelWaitMs, String(Math.max(0, Math.round(tunnelWaitMs))));
    const channel = this.#channel(replica.privateAddress);
    const call = channel.client.makeBidiStreamRequest(
      this.#method.path,
      this.#method.requestSerialize,
      this.#method.responseDeserialize,
      metadata,
    ) as ForwardCall;
    channel.activeCalls += 1;
    call.once('status', () => {
      channel.activeCalls -= 1;
      channel.lastUsedAt = Date.now();
    });
    const where = `replica "${replica.id}" at ${replica.privateAddress}`;
    return new OutboundForward(call, where, request, body, signal).head;
  }

  #channel(address: string): ReplicaChannel {
    const now = Date.now();
    if (now - this.#prunedAt > IDLE_CHANNEL_MS) this.#pruneIdle(now);
    let channel = this.#channels.get(address);
    if (channel === undefined) {
      channel = {
        client: new Client(address, this.#credentials, this.#channelOptions),
        activeCalls: 0,
        lastUsedAt: now,
      };
      this.#channels.set(address, channel);
    }
    channel.lastUsedAt = now;
    return channel;
  }

  #pruneIdle(now: number): void {
    this.#prunedAt = now;
    for (const [address, channel] of this.#channels) {
      if (channel.activeCalls === 0 && now - channel.lastUsedAt > IDLE_CHANNEL_MS) {
        channel.client.close();
        this.#channels.delete(address);
      }
    }
  }
}
