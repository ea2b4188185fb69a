import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describeListenFailure, formatHostPort, listenFailureFix, timeoutCheckIntervalMs } from '@kas/config';
import { cutReasonOf, formatDuration, type LifecycleContext, ListenerConnections } from '@kas/core';
import type { Logger } from 'pino';
import { RefusedRequestLog } from '../auth/RefusedRequestLog.js';
import type { UserAuthenticator } from '../auth/UserAuthenticator.js';
import type { ResolvedKubeProxyConfig } from '../config/resolveKubeProxyConfig.js';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import type { ProxyCounters } from '../metrics/KubeProxyMetrics.js';
import type { TunnelRouter } from '../routing/TunnelRouter.js';
import { drainCutWords } from './drainCutWords.js';
import type { InFlightRequests } from './InFlightRequests.js';
import { KubeApiProxy } from './KubeApiProxy.js';
import { loadTlsOptions } from './loadTlsOptions.js';
import { statusForClientError } from './statusForClientError.js';
import type { UpgradeLimits } from './UpgradeLimits.js';
import { UpgradeProxy } from './UpgradeProxy.js';
import { writeRawStatus } from './writeRawResponse.js';

/** How long a cut stop waits for its cut requests' responses to close (they close within milliseconds). */
const CUT_CLOSE_WAIT_MS = 500;

/** What the running kube proxy tells the app (readiness probe, address) and tests. */
export interface KubeProxyInfo {
  /** The bound `host:port` (the real port when 0 was configured). Throws before the module started. */
  readonly address: string;
  /** `https://<address>`, or `http://` with `plainHttp`. */
  readonly url: string;
  /** True while serving; false from the moment the stop begins (the readiness probe of this listener). */
  isReady(): boolean;
  /** Where the stop is: serving, accepting during the listen grace, draining, stopped. */
  readonly state: KubeProxyState;
}

/** The life of the listener. */
export type KubeProxyState = 'idle' | 'starting' | 'serving' | 'listenGrace' | 'draining' | 'stopped';

/**
 * The kube proxy's HTTPS listener and its stop: readiness false at once and idle keep-alive connections
 * closed; new connections still accepted for the listen grace, then refused; in-flight requests drain
 * until done or until the drain budget, when they are cut.
 */
export class KubeProxyServer implements KubeProxyInfo {
  readonly #proxy: KubeApiProxy;
  readonly #upgrades: UpgradeProxy;
  readonly #refusals: RefusedRequestLog;
  #state: KubeProxyState = 'idle';
  #server: Server | undefined;
  /** Raw connections from before the TLS handshake: `closeAllConnections` does not reach those mid-handshake. */
  #connections: ListenerConnections | undefined;
  #address: string | undefined;

  constructor(
    private readonly config: ResolvedKubeProxyConfig,
    authenticator: UserAuthenticator,
    router: TunnelRouter,
    private readonly counters: ProxyCounters,
    private readonly inFlight: InFlightRequests,
    upgradeLimits: UpgradeLimits,
    private readonly log: Logger,
  ) {
    this.#refusals = new RefusedRequestLog(log);
    this.#upgrades = new UpgradeProxy(
      authenticator,
      router,
      this.inFlight,
      counters,
      upgradeLimits,
      { idleTimeoutMs: config.upgradeIdleTimeoutMs },
      this.#refusals,
      log,
    );
    this.#proxy = new KubeApiProxy(
      authenticator,
      router,
      this.inFlight,
      counters,
      () => this.isStopping(),
      {
        responseHeaderTimeoutMs: config.responseHeaderTimeoutMs,
        maxLongRunningPerUser: config.maxLongRunningPerUser,
      },
      this.#refusals,
      log,
    );
  }

  get state(): KubeProxyState {
    return this.#state;
  }

  get address(): string {
    if (this.#address === undefined) {
      throw new KubeProxyError(
        'KAS_KUBE_PROXY_LISTEN_FAILED',
        `the kube proxy has no address yet (it is ${this.#state})`,
        'read the address after the app has started',
      );
    }
    return this.#address;
  }

  get url(): string {
    return `${this.config.tls === undefined ? 'http' : 'https'}://${this.address}`;
  }

  isReady(): boolean {
    return this.#state === 'serving';
  }

  /** True once the stop began: answers then close their connections. */
  isStopping(): boolean {
    return this.#state !== 'serving';
  }

  async start(): Promise<void> {
    this.#state = 'starting';
    const timing = {
      connectionsCheckingInterval: timeoutCheckIntervalMs(
        this.config.headersTimeoutMs,
        this.config.requestTimeoutMs,
      ),
    };
    const server =
      this.config.tls === undefined
        ? createHttpServer(timing, this.#proxy.handle)
        : createHttpsServer(
            {
              ...(await loadTlsOptions(this.config.tls)),
              ...timing,
              handshakeTimeout: this.config.handshakeTimeoutMs,
            },
            this.#proxy.handle,
          );
    server.headersTimeout = this.config.headersTimeoutMs;
    server.requestTimeout = this.config.requestTimeoutMs;
    server.keepAliveTimeout = this.config.keepAliveTimeoutMs;
    const connections = new ListenerConnections(server);
    server.on('request', (request: IncomingMessage, response) => {
      response.once('close', connections.busy(request.socket as Socket));
    });
    this.#connections = connections;
    const listenAddress = formatHostPort(this.config.host, this.config.port);
    try {
      server.listen(this.config.port, this.config.host);
      await once(server, 'listening');
    } catch (error) {
      throw new KubeProxyError(
        'KAS_KUBE_PROXY_LISTEN_FAILED',
        `the kube proxy cannot listen on ${listenAddress}: ${describeListenFailure(error)}`,
        listenFailureFix("the kube proxy's listen (kubeProxy.listen in kas.yaml)", listenAddress),
        { cause: error },
      );
    }
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.once('close', connections.busy(socket));
      this.#upgrades.handle(request, socket, head);
    });
    server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
      const answer = statusForClientError(error);
      this.#refusals.clientError(error, socket, answer?.code);
      // Answer only on a connection whose current answer has not begun (Node's own handler does the same).
      const current = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (answer === undefined || !socket.writable || current?.headersSent === true) {
        socket.destroy();
        return;
      }
      writeRawStatus(socket, answer); // ends the connection once written
      this.counters.record({ status: answer.code, durationSeconds: 0, route: 'none', outcome: 'completed' });
      // A client that never reads the answer does not keep the connection.
      const giveUp = setTimeout(() => socket.destroy(), 5_000).unref();
      socket.once('close', () => clearTimeout(giveUp));
    });
    this.#server = server;
    this.#address = formatHostPort(this.config.host, (server.address() as AddressInfo).port);
    this.#state = 'serving';
    this.log.info(
      { event: 'kubeProxy.listening', url: this.url, tls: this.config.tls !== undefined },
      `kube proxy listening on ${this.url}`,
    );
  }

  async stop(ctx: LifecycleContext): Promise<void> {
    const server = this.#server;
    this.#refusals.flush();
    if (server === undefined) {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'listenGrace';
    let cutCount = 0;
    const publishProgress = () =>
      ctx.progress({
        state: this.#state,
        inFlight: this.inFlight.size,
        watches: this.inFlight.watches,
        ...(cutCount > 0 ? { cut: cutCount } : {}),
      });
    this.inFlight.onChange(publishProgress);
    publishProgress();
    // Idle keep-alive connections stay open through the grace: a load balancer that has not yet seen
    // /readiness fail may send on one at any moment, and closing it then loses that request ("socket hang
    // up"). Every answer from now on carries `Connection: close`; what is still idle goes when the grace ends.
    this.log.info(
      { event: 'kubeProxy.notReady', listenGraceMs: this.config.listenGraceMs, inFlight: this.inFlight.size },
      `kube proxy not ready; accepting new connections for ${formatDuration(this.config.listenGraceMs)} more`,
    );
    const cut = new Promise<'cut'>((resolve) => {
      if (ctx.signal.aborted) resolve('cut');
      ctx.signal.addEventListener('abort', () => resolve('cut'), { once: true });
    });
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'graceOver'>((resolve) => {
      graceTimer = setTimeout(() => resolve('graceOver'), this.config.listenGraceMs);
    });
    await Promise.race([graceOver, cut]);
    clearTimeout(graceTimer);

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // What carries no request now (never spoke, mid-TLS-handshake, idle keep-alive) goes at once; the
    // rest as their requests end.
    const idleClosed = this.#connections?.closeIdle({ endRestWhenIdle: true }) ?? 0;
    this.#state = 'draining';
    publishProgress();
    ctx.mark('listener.closed', { inFlight: this.inFlight.size, idleClosed });
    this.log.info(
      { event: 'kubeProxy.listenerClosed', inFlight: this.inFlight.size, idleClosed },
      `kube proxy refuses new connections; ${idleClosed} connection(s) without a request closed; draining ${this.inFlight.size} request(s) in flight`,
    );
    if ((await Promise.race([this.inFlight.whenIdle().then(() => 'drained' as const), cut])) === 'cut') {
      // Marked before the cut: ending each request takes time, and its client may see the end before
      // the last one is ended.
      const reason = cutReasonOf(ctx.signal);
      const words = drainCutWords(reason, 'kubeProxy.drainBudget', this.config.drainBudgetMs);
      ctx.mark('drain.cut', { requests: this.inFlight.size, reason });
      cutCount = this.inFlight.size;
      const count = this.inFlight.cutAll(words);
      // A cut that found nothing (a second signal, or the budget, within the listen grace) loses nothing.
      this.log[count > 0 ? 'warn' : 'info'](
        { event: 'kubeProxy.drainCut', requests: count, reason },
        count > 0
          ? `cut ${count} request(s) still in flight ${words.inLog}`
          : `no request was in flight ${words.inLog}`,
      );
    } else {
      this.log.info({ event: 'kubeProxy.drained' }, 'every request in flight has finished');
    }
    server.closeAllConnections();
    // Cut requests end their own connections (an upgraded one after telling its client why); what is
    // left carries nothing, mid-handshake sockets included.
    this.#connections?.closeIdle();
    await closed;
    // A cut request is recorded (metrics, the activity a loaded module observes) when its response closes,
    // which may come after the server's close: the stop ends after those records, so an observer that
    // stops after the kube proxy hears every request's end (found by a module author's trial).
    await this.inFlight.whenCutClosed(CUT_CLOSE_WAIT_MS);
    this.#state = 'stopped';
    this.inFlight.onChange(undefined); // nothing is in flight now: cut requests were counted out at the cut
    publishProgress();
  }
}
