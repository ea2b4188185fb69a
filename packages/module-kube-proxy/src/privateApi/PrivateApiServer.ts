import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { LifecycleContext } from '@kas/core';
import type { ReplicaIdentity } from '@kas/module-tunnel-tracker';
import type { TunnelRegistry } from '@kas/tunnel-protocol';
import { createForwardMethod, FORWARD_METADATA, MAX_FORWARD_MESSAGE_BYTES } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import { formatHostPort } from '../config/configChecks.js';
import type { ResolvedPrivateApiConfig } from '../config/PrivateApiConfig.js';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { loadTlsOptions, type PemOwner } from '../http/loadTlsOptions.js';
import { type InboundCall, type InboundEnding, InboundForward } from './InboundForward.js';
import { SharedSecret } from './SharedSecret.js';

const PRIVATE_API_PEM: PemOwner = { module: 'private-api', code: 'KAS_PRIVATE_API_LISTEN_FAILED' };

/** What the running private API tells the app and tests. */
export interface PrivateApiInfo {
  /** The bound `host:port` (the real port when 0 was configured). Throws before the module started. */
  readonly address: string;
  /** Forwarded requests being served right now. */
  activeForwards(): number;
  /** How forwarded requests ended since start, and calls refused for a missing or wrong secret. */
  counters(): Readonly<Record<InboundEnding | 'unauthenticated', number>>;
}

type PrivateApiState = 'idle' | 'starting' | 'serving' | 'stopping' | 'stopped';

/**
 * The private API's gRPC server: authenticates each `Forward` call by the shared secret and serves it
 * through a local tunnel. Stops with GOAWAY (no new calls; forwarded requests in flight finish) and cuts
 * what is left when the drain budget ends.
 */
export class PrivateApiServer implements PrivateApiInfo {
  /** This replica's identity, for the tunnel tracker: the advertise address, or the bound one once listening. */
  readonly identity: ReplicaIdentity;
  readonly #secret: SharedSecret;
  readonly #forwards = new Set<InboundForward>();
  readonly #counters: Record<InboundEnding | 'unauthenticated', number> = {
    answered: 0,
    refused: 0,
    failed: 0,
    cancelled: 0,
    cut: 0,
    unauthenticated: 0,
  };
  #state: PrivateApiState = 'idle';
  #server: Server | undefined;
  #address: string | undefined;

  constructor(
    private readonly config: ResolvedPrivateApiConfig,
    private readonly registry: TunnelRegistry,
    private readonly log: Logger,
  ) {
    this.#secret = new SharedSecret(config.secret);
    const server = this;
    this.identity = {
      id: config.replicaId,
      get privateAddress() {
        return config.advertiseAddress ?? server.address;
      },
    };
  }

  get address(): string {
    if (this.#address === undefined) {
      throw new KubeProxyError(
        'KAS_PRIVATE_ADDRESS_UNKNOWN',
        `the private API has no address yet (it is ${this.#state}) and no advertiseAddress is configured`,
        'read it after private-api has started, or configure private-api advertiseAddress',
      );
    }
    return this.#address;
  }

  activeForwards(): number {
    return this.#forwards.size;
  }

  counters() {
    return { ...this.#counters };
  }

  async #credentials(): Promise<ServerCredentials> {
    if (this.config.tls === undefined) return ServerCredentials.createInsecure();
    const { cert, key } = await loadTlsOptions(this.config.tls, PRIVATE_API_PEM);
    try {
      return ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
    } catch (error) {
      throw new KubeProxyError(
        'KAS_PRIVATE_API_LISTEN_FAILED',
        `private-api config: tls.cert and tls.key are not a usable PEM certificate and key: ${(error as Error).message}`,
        'give a PEM certificate chain and its matching PEM private key',
        { cause: error },
      );
    }
  }

  async start(): Promise<void> {
    this.#state = 'starting';
    const server = new Server({
      'grpc.max_send_message_length': MAX_FORWARD_MESSAGE_BYTES,
      'grpc.max_receive_message_length': MAX_FORWARD_MESSAGE_BYTES * 2,
      'grpc.enable_channelz': 0,
    });
    server.addService(
      { forward: createForwardMethod() },
      { forward: (call: InboundCall) => this.#accept(call) },
    );
    const target = formatHostPort(this.config.host, this.config.port);
    const credentials = await this.#credentials();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(target, credentials, (error, bound) => {
        if (error === null) return resolve(bound);
        reject(
          new KubeProxyError(
            'KAS_PRIVATE_API_LISTEN_FAILED',
            `the private API cannot listen on ${target}: ${error.message}`,
            'free the port or change private-api listen (port 0 picks a free one)',
            { cause: error },
          ),
        );
      });
    });
    this.#server = server;
    this.#address = formatHostPort(this.config.host, port);
    this.#state = 'serving';
    this.log.info(
      {
        event: 'privateApi.listening',
        address: this.#address,
        replicaId: this.config.replicaId,
        privateAddress: this.identity.privateAddress,
        tls: this.config.tls !== undefined,
      },
      `private API of replica "${this.config.replicaId}" listening on ${this.#address}${this.config.tls === undefined ? '' : ' (TLS)'}`,
    );
  }

  /** GOAWAY: no new calls, forwarded requests in flight finish; at `ctx.signal` the rest are cut. */
  async stop(ctx: LifecycleContext): Promise<void> {
    const server = this.#server;
    this.#state = 'stopping';
    if (server === undefined) {
      this.#state = 'stopped';
      return;
    }
    const drained = new Promise<'drained'>((resolve) => server.tryShutdown(() => resolve('drained')));
    ctx.mark('privateApi.goaway', { forwards: this.#forwards.size });
    this.log.info(
      { event: 'privateApi.stopping', forwards: this.#forwards.size },
      `private API refuses new calls; ${this.#forwards.size} forwarded request(s) in flight`,
    );
    const cut = new Promise<'cut'>((resolve) => {
      if (ctx.signal.aborted) resolve('cut');
      ctx.signal.addEventListener('abort', () => resolve('cut'), { once: true });
    });
    if ((await Promise.race([drained, cut])) === 'cut') {
      const count = this.#forwards.size;
      for (const forward of [...this.#forwards]) forward.cut('the private API reached its drain budget');
      server.forceShutdown();
      ctx.mark('privateApi.drainCut', { forwards: count });
      this.log.warn(
        { event: 'privateApi.drainCut', forwards: count },
        `cut ${count} forwarded request(s) still in flight at the drain budget`,
      );
    }
    this.#state = 'stopped';
  }

  #accept(call: InboundCall): void {
    const metadata = call.metadata;
    if (!this.#secret.matches(metadata.get(FORWARD_METADATA.authorization)[0])) {
      this.#counters.unauthenticated += 1;
      this.log.warn(
        { event: 'privateApi.unauthenticated', peer: call.getPeer() },
        'refused a Forward call without the shared secret of the private API',
      );
      call.emit('error', {
        code: status.UNAUTHENTICATED,
        details: 'KAS_PRIVATE_API_UNAUTHENTICATED: send "authorization: Bearer <the private API secret>"',
      });
      return;
    }
    const agentId = metadata.get(FORWARD_METADATA.agentId)[0];
    if (typeof agentId !== 'string' || agentId === '') {
      call.emit('error', {
        code: status.INVALID_ARGUMENT,
        details: `no ${FORWARD_METADATA.agentId} metadata`,
      });
      return;
    }
    const askedWaitMs = Number(metadata.get(FORWARD_METADATA.tunnelWaitMs)[0]);
    const tunnelWaitMs = Number.isFinite(askedWaitMs)
      ? Math.min(Math.max(askedWaitMs, 0), this.config.maxTunnelWaitMs)
      : this.config.maxTunnelWaitMs;
    const forward = new InboundForward(
      call,
      agentId,
      this.registry,
      tunnelWaitMs,
      (ended, ending, detail) => {
        this.#forwards.delete(ended);
        this.#counters[ending] += 1;
        this.log.debug(
          { event: 'privateApi.forwardEnded', agentId: ended.agentId, ending, detail },
          'forwarded request ended',
        );
      },
    );
    this.#forwards.add(forward);
  }
}
