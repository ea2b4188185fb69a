import type { Readable } from 'node:stream';
import { Client, type ClientOptions, credentials, Metadata } from '@grpc/grpc-js';
import type { Tunnel, TunnelRequest, TunnelResponse } from '@kas/module-agent-grpc';
import type { ReplicaInfo } from '@kas/module-tunnel-tracker';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { createForwardMethod, FORWARD_METADATA, MAX_FORWARD_MESSAGE_BYTES } from '../proto/forwardMethod.js';
import { type ForwardCall, OutboundForward } from './OutboundForward.js';

const CHANNEL_OPTIONS: ClientOptions = {
  'grpc.max_send_message_length': MAX_FORWARD_MESSAGE_BYTES,
  'grpc.max_receive_message_length': MAX_FORWARD_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.enable_channelz': 0,
};

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
  readonly #clients = new Map<string, Client>();
  readonly #authorization: string;
  #isClosed = false;

  constructor(secret: string) {
    this.#authorization = `Bearer ${secret}`;
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
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
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
    const call = this.#client(replica.privateAddress).makeBidiStreamRequest(
      this.#method.path,
      this.#method.requestSerialize,
      this.#method.responseDeserialize,
      metadata,
    ) as ForwardCall;
    const where = `replica "${replica.id}" at ${replica.privateAddress}`;
    return new OutboundForward(call, where, request, body, signal).head;
  }

  #client(address: string): Client {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new Client(address, credentials.createInsecure(), CHANNEL_OPTIONS);
      this.#clients.set(address, client);
    }
    return client;
  }
}
