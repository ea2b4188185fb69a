import { once } from 'node:events';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Metadata, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { describeListenFailure, formatHostPort, listenFailureFix } from '@kas/config';
import { cutReasonOf, type LifecycleContext, ListenerConnections, peerOf, RateLimitedLog } from '@kas/core';
import type { ReplicaIdentity } from '@kas/module-tunnel-tracker';
import type { TunnelRegistry } from '@kas/tunnel-protocol';
import {
  ConnectionPings,
  createForwardMethod,
  FORWARD_METADATA,
  FORWARD_V1_PATH,
  HEARTBEAT_METADATA,
  MAX_FORWARD_MESSAGE_BYTES,
  type PingOutcome,
  widenServerFlowControlWindow,
} from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { ResolvedPrivateApiConfig } from '../config/resolvePrivateApiConfig.js';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { drainCutWords } from '../http/drainCutWords.js';
import { loadTlsOptions, type PemOwner } from '../http/loadTlsOptions.js';
import type { InboundEnding, InboundExchange } from './InboundExchange.js';
import { type ForwardServerCall, InboundStream, type InboundStreamOwner } from './InboundStream.js';
import { SharedSecret } from './SharedSecret.js';

const PRIVATE_API_PEM: PemOwner = { module: 'private-api', code: 'KAS_PRIVATE_API_LISTEN_FAILED' };

/** What the running private API tells the app and tests. */
export interface PrivateApiInfo {
  /** The bound `host:port` (the real port when 0 was configured). Throws before the module started. */
  readonly address: string;
  /** Forwarded requests being served right now. */
  activeForwards(): number;
  /** Forward calls open right now (idle and busy). */
  openCalls(): number;
  /**
   * Since start: how forwarded requests ended; Forward calls accepted (`calls`: each carries many
   * requests), refused for a missing or wrong secret (`unauthenticated`) or ended for breaking the
   * protocol (`invalid`).
   */
  counters(): Readonly<PrivateApiCounters>;
}

/** What the private API counts (see `PrivateApiInfo.counters`). */
export type PrivateApiCounters = Record<InboundEnding | 'calls' | 'unauthenticated' | 'invalid', number>;

type PrivateApiState = 'idle' | 'starting' | 'serving' | 'stopping' | 'stopped';

/**
 * The private API's gRPC server: authenticates each `Forward` call by the shared secret, then serves the
 * requests it carries, one at a time, through local tunnels. Stops with GOAWAY (no new calls), ends idle
 * calls at once and busy ones after their request, and cuts what is left when the drain budget ends.
 */
export class PrivateApiServer implements PrivateApiInfo, InboundStreamOwner {
  /** This replica's identity, for the tunnel tracker: the advertise address, or the bound one once listening. */
  readonly identity: ReplicaIdentity;
  readonly #secret: SharedSecret;
  readonly #forwards = new Set<InboundExchange>();
  readonly #calls = new Set<InboundStream>();
  /** Each call's mark on its connection: a connection with no call does not hold the stop. */
  readonly #connectionMarks = new Map<InboundStream, () => void>();
  readonly #counters: PrivateApiCounters = {
    answered: 0,
    refused: 0,
    failed: 0,
    cancelled: 0,
    cut: 0,
    calls: 0,
    unauthenticated: 0,
    invalid: 0,
  };
  #state: PrivateApiState = 'idle';
  /** While stopping: tells the stop's progress (forwarded requests still in flight). */
  #onForwardEnded: (() => void) | undefined;
  #server: Server | undefined;
  /** The TCP listener: kas owns the sockets (grpc-js gets them injected), so a stop can end idle ones. */
  #listener: NetServer | undefined;
  #connections: ListenerConnections | undefined;
  /** Peers (`host:port`) whose connection carried a Forward call: never reset for being silent. */
  readonly #calledPeers = new Set<string>();
  #address: string | undefined;

  /** Refused calls: anyone on the pod network can cause them, so they are logged rate-limited. */
  readonly #refusals: RateLimitedLog;
  /** Asks a connection whose busy call went silent whether the calling replica is still there. */
  readonly #pings: ConnectionPings;

  constructor(
    private readonly config: ResolvedPrivateApiConfig,
    private readonly registry: TunnelRegistry,
    private readonly log: Logger,
  ) {
    this.#secret = new SharedSecret(config.secret);
    this.#pings = new ConnectionPings(config.heartbeat.timeoutMs);
    this.#refusals = new RateLimitedLog(log, {
      level: 'warn',
      summaryEvent: 'privateApi.refusedSummary',
      what: 'refused Forward calls',
    });
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
        'read it after private-api has started, or configure privateApi.advertiseAddress in kas.yaml',
      );
    }
    return this.#address;
  }

  activeForwards(): number {
    return this.#forwards.size;
  }

  openCalls(): number {
    return this.#calls.size;
  }

  get maxTunnelWaitMs(): number {
    return this.config.maxTunnelWaitMs;
  }

  isStopping(): boolean {
    return this.#state === 'stopping' || this.#state === 'stopped';
  }

  onExchangeStarted(exchange: InboundExchange): void {
    this.#forwards.add(exchange);
  }

  onResponseEnded(exchange: InboundExchange, ending: InboundEnding, detail?: string): void {
    this.#forwards.delete(exchange);
    this.#counters[ending] += 1;
    this.#onForwardEnded?.();
    this.log.debug(
      { event: 'privateApi.forwardEnded', agentId: exchange.agentId, ending, detail },
      'forwarded request ended',
    );
  }

  onRefused(_stream: InboundStream, code: string, details: string): void {
    this.#counters.invalid += 1;
    this.#refusals.write(
      code,
      { event: 'privateApi.callRefused', code, details },
      `ended a Forward call: ${details}`,
    );
  }

  onLost(stream: InboundStream, message: string): void {
    this.log.warn(
      { event: 'privateApi.callLost', peer: stream.peer, reason: message },
      `ended a Forward call: ${message}`,
    );
  }

  pingPeer(stream: InboundStream): Promise<PingOutcome> {
    return this.#pings.ping(stream.peer);
  }

  onClosed(stream: InboundStream): void {
    this.#calls.delete(stream);
    this.#connectionMarks.get(stream)?.();
    this.#connectionMarks.delete(stream);
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
      { forward: (call: ForwardServerCall) => this.#accept(call) },
    );
    server.addService(
      { forwardV1: { ...createForwardMethod(), path: FORWARD_V1_PATH } },
      { forwardV1: (call: ForwardServerCall) => this.#refuseV1(call) },
    );
    const target = formatHostPort(this.config.host, this.config.port);
    const injector = server.createConnectionInjector(await this.#credentials());
    if (!this.#pings.attach(server)) {
      this.log.warn(
        { event: 'privateApi.pingsUnavailable' },
        'this grpc-js version hides its HTTP/2 servers: a calling replica that freezes while this one sends it an answer is not found until the answer moves again or its client gives up',
      );
    }
    if (!widenServerFlowControlWindow(server)) {
      this.log.warn(
        { event: 'privateApi.flowControlDefault' },
        "this grpc-js version hides its HTTP/2 servers: Forward calls keep HTTP/2's 64 KiB flow-control window (large request bodies are slower)",
      );
    }
    const listener = createServer((socket: Socket) => {
      this.#closeIfSilent(socket);
      injector.injectConnection(socket);
    });
    this.#connections = new ListenerConnections(listener);
    try {
      listener.listen(this.config.port, this.config.host);
      await once(listener, 'listening');
    } catch (error) {
      throw new KubeProxyError(
        'KAS_PRIVATE_API_LISTEN_FAILED',
        `the private API cannot listen on ${target}: ${describeListenFailure(error)}`,
        listenFailureFix("the private API's listen (privateApi.listen in kas.yaml)", target),
        { cause: error },
      );
    }
    this.#listener = listener;
    const bound = listener.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : this.config.port;
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
    this.#refusals.flush();
    if (server === undefined) {
      this.#state = 'stopped';
      return;
    }
    const drained = new Promise<'drained'>((resolve) => server.tryShutdown(() => resolve('drained')));
    this.#listener?.close();
    let cutCount = 0;
    const publishProgress = () =>
      ctx.progress({
        state: this.#state,
        forwards: this.#forwards.size,
        ...(cutCount > 0 ? { cut: cutCount } : {}),
      });
    this.#onForwardEnded = publishProgress;
    publishProgress();
    // Connections with no call (a TCP check, a TLS handshake that never ends) are closed at once; before
    // idle calls end, so a connection whose calls end with OK closes only once those statuses left.
    const quietClosed = this.#connections?.closeIdle() ?? 0;
    let idleCalls = 0;
    for (const call of [...this.#calls]) if (call.endIfIdle()) idleCalls += 1;
    ctx.mark('privateApi.goaway', { forwards: this.#forwards.size, idleCalls, quietClosed });
    this.log.info(
      { event: 'privateApi.stopping', forwards: this.#forwards.size, idleCalls, quietClosed },
      `private API refuses new calls and ended ${idleCalls} idle call(s); ${this.#forwards.size} forwarded request(s) in flight; ${quietClosed} connection(s) without calls closed`,
    );
    const cut = new Promise<'cut'>((resolve) => {
      if (ctx.signal.aborted) resolve('cut');
      ctx.signal.addEventListener('abort', () => resolve('cut'), { once: true });
    });
    if ((await Promise.race([drained, cut])) === 'cut') {
      const count = this.#forwards.size;
      const reason = cutReasonOf(ctx.signal);
      const words = drainCutWords(reason, 'privateApi.drainBudget', this.config.drainBudgetMs);
      // The calling replica tells its client this reason (a close frame of an exec, the log of a watch).
      for (const call of [...this.#calls]) call.cut(words.toClient);
      // Counted once they are out of `#forwards`: no progress record counts a forward as cut and in flight.
      cutCount = count;
      server.forceShutdown(); // the cut calls' statuses still leave: each session closes after its last call
      ctx.mark('privateApi.drainCut', { forwards: count, reason });
      // A cut that found nothing loses nothing.
      this.log[count > 0 ? 'warn' : 'info'](
        { event: 'privateApi.drainCut', forwards: count, reason },
        count > 0
          ? `cut ${count} forwarded request(s) still in flight ${words.inLog}`
          : `no forwarded request was in flight ${words.inLog}`,
      );
    }
    this.#state = 'stopped';
    publishProgress(); // still told as forwards end: a cut call's last end can come after this
  }

  #accept(call: ForwardServerCall): void {
    if (!this.#secret.matches(call.metadata.get(FORWARD_METADATA.authorization)[0])) {
      this.#counters.unauthenticated += 1;
      this.#refusals.write(
        'KAS_PRIVATE_API_UNAUTHENTICATED',
        {
          event: 'privateApi.unauthenticated',
          code: 'KAS_PRIVATE_API_UNAUTHENTICATED',
          peer: call.getPeer(),
        },
        'refused a Forward call without the shared secret of the private API',
      );
      call.emit('error', {
        code: status.UNAUTHENTICATED,
        details: 'KAS_PRIVATE_API_UNAUTHENTICATED: send "authorization: Bearer <the private API secret>"',
      });
      return;
    }
    if (this.isStopping()) {
      call.end();
      return;
    }
    this.#counters.calls += 1;
    this.#calledPeers.add(call.getPeer());
    // A caller that answers heartbeats says so; it learns their timing from this call's metadata.
    const heartbeat = call.metadata.get(HEARTBEAT_METADATA)[0] === '1' ? this.config.heartbeat : undefined;
    if (heartbeat !== undefined) {
      const metadata = new Metadata();
      metadata.set(HEARTBEAT_METADATA, `${heartbeat.timeMs},${heartbeat.timeoutMs}`);
      call.sendMetadata(metadata);
    }
    const stream = new InboundStream(call, this.registry, this, heartbeat);
    this.#calls.add(stream);
    if (this.#connections !== undefined)
      this.#connectionMarks.set(stream, this.#connections.busy(call.getPeer()));
  }

  /**
   * Resets a connection that has carried no Forward call `handshakeTimeout` after it was accepted (a load
   * balancer's TCP check, a TLS hello that never comes). A one-shot timer, not the socket's inactivity
   * timer: once grpc-js's HTTP/2 session holds the socket, its bytes no longer reach that timer. A reset,
   * because destroy() alone leaves such a socket open.
   */
  #closeIfSilent(socket: Socket): void {
    const peer = peerOf(socket);
    const timer = setTimeout(() => {
      if (!this.#calledPeers.has(peer)) socket.resetAndDestroy();
    }, this.config.handshakeTimeoutMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      this.#calledPeers.delete(peer);
    });
  }

  /** A replica of the previous version calls v1: say which version this one serves. */
  #refuseV1(call: ForwardServerCall): void {
    call.emit('error', {
      code: status.UNIMPLEMENTED,
      details:
        'this replica serves kas.privateapi.v2.ForwardService only (a newer kas version): run the same kas version on every replica',
    });
  }
}
