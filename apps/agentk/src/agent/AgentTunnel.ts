import {
  type ClientDuplexStream,
  status as grpcStatus,
  type Metadata,
  type StatusObject,
} from '@grpc/grpc-js';
import { formatDuration } from '@kas/core';
import {
  AGENT_HEARTBEAT,
  type AgentMessage,
  EMPTY_BODY,
  FrameOrder,
  HEARTBEAT_METADATA,
  type KasMessage,
  parseHeartbeatMetadata,
  type ReverseTunnelMethod,
  UndecodableMessage,
} from '@kas/tunnel-protocol';
import type { KubeApiUpstream } from '../upstream/KubeApiUpstream.js';
import { UpgradeExchange } from '../upstream/UpgradeExchange.js';
import { type ExchangeOutcome, UpstreamExchange } from '../upstream/UpstreamExchange.js';
import { AGENTK_VERSION } from '../version.js';
import type { KasConnection } from './KasConnection.js';

/** Where a tunnel is: opened, registered by kas and idle, carrying its one request, or closed. */
export type AgentTunnelState = 'opening' | 'idle' | 'busy' | 'closed';

/** What a tunnel tells the agent that owns it. */
export interface TunnelHost {
  /** kas registered the tunnel (sent response metadata). */
  onLive(tunnel: AgentTunnel): void;
  /** A request arrived: the tunnel is no longer idle. */
  onBusy(tunnel: AgentTunnel): void;
  /** The exchange ended cleanly on both sides: the tunnel is idle again (kas may send the next request). */
  onIdleAgain(tunnel: AgentTunnel): void;
  /** The request ended (served or failed upstream). */
  onExchangeDone(tunnel: AgentTunnel, outcome: ExchangeOutcome): void;
  /** kas sent frames that break the protocol; the tunnel cancelled itself. */
  onProtocolError(tunnel: AgentTunnel, code: string, message: string): void;
  /** kas sent nothing, heartbeats included, for its heartbeat time plus timeout: the connection is lost. */
  onLost(tunnel: AgentTunnel, message: string): void;
  /** The call ended with this status. Called once. */
  onClosed(tunnel: AgentTunnel, status: StatusObject, wasLive: boolean): void;
}

/** What every agent advertises in its descriptor. */
export const AGENT_SERVICES: readonly string[] = ['kubernetes-api'];

type TunnelCall = ClientDuplexStream<AgentMessage, KasMessage | UndecodableMessage>;

/**
 * One reverse tunnel from the agent's side: a `Connect` call that carries one request at a time. After a
 * clean exchange (request received whole, response sent whole) it is idle again; kas ends it otherwise.
 */
export class AgentTunnel {
  #state: AgentTunnelState = 'opening';
  #wasLive = false;
  #order: FrameOrder | undefined;
  #exchange: UpstreamExchange | UpgradeExchange | undefined;
  /** How the current exchange ended upstream; undefined while it runs. */
  #outcome: ExchangeOutcome | undefined;
  readonly #call: TunnelCall;
  /** kas's heartbeat time plus timeout, once its metadata said it sends heartbeats. */
  #silenceLimitMs: number | undefined;
  #heardAt = 0;
  #silenceTimer: NodeJS.Timeout | undefined;
  #registerTimer: NodeJS.Timeout | undefined;
  /** Set when the tunnel was cancelled because kas did not register it in time: why it ended. */
  #unregisteredFor: string | undefined;
  /** The agent closed its half of the idle tunnel (it is stopping): nothing kas sends is taken any more. */
  #isHalfClosed = false;

  constructor(
    readonly connection: KasConnection,
    /** The connection's generation when the tunnel was opened. */
    readonly generation: number,
    method: ReverseTunnelMethod,
    metadata: Metadata,
    private readonly upstream: KubeApiUpstream,
    private readonly host: TunnelHost,
    /** Idle tunnels the agent keeps: told to kas, which ends idle ones beyond that after a while. */
    idleTunnels: number,
    /** How long kas may take to register the tunnel (send response metadata) before it is cancelled. */
    registerTimeoutMs: number,
  ) {
    const call = connection.client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize as (bytes: Buffer) => KasMessage | UndecodableMessage,
      metadata.clone(),
    );
    this.#call = call;
    call.on('metadata', (received: Metadata) => this.#onLive(received));
    call.on('data', (frame: KasMessage | UndecodableMessage) => this.#onFrame(frame));
    call.on('status', (status: StatusObject) => this.#onStatus(status));
    call.on('error', () => {}); // 'status' reports every ending
    // A kas that accepts the call but never answers would otherwise hold the tunnel, silently, for ever.
    this.#registerTimer = setTimeout(() => {
      this.#unregisteredFor = `kas accepted the tunnel but did not register it (send response metadata) within ${formatDuration(registerTimeoutMs)}`;
      call.cancel();
    }, registerTimeoutMs).unref();
    call.write({
      // upgrades: this agent carries exec, attach, cp and port-forward (tunnel protocol 1.1); heartbeats:
      // it answers kas's heartbeats (1.2), which replace HTTP/2 keepalive pings (see #onLive).
      descriptor: {
        services: AGENT_SERVICES as string[],
        agentVersion: AGENTK_VERSION,
        idleTunnels,
        upgrades: true,
        heartbeats: true,
      },
      body: EMPTY_BODY,
      end: false,
      heartbeat: false,
    });
  }

  get state(): AgentTunnelState {
    return this.#state;
  }

  /** Closes the tunnel if it carries no request: half-closes a registered one (kas ends it with OK). */
  endIfIdle(): boolean {
    if (this.#state === 'idle') {
      this.#isHalfClosed = true;
      this.#call.end();
      return true;
    }
    if (this.#state === 'opening') {
      this.#call.cancel();
      return true;
    }
    return false;
  }

  /** Cancels the tunnel whatever it carries; its upstream request is aborted. */
  cancel(): void {
    this.#exchange?.cancel();
    this.#call.cancel();
  }

  #onLive(metadata: Metadata): void {
    if (this.#state !== 'opening') return;
    clearTimeout(this.#registerTimer);
    this.#state = 'idle';
    this.#wasLive = true;
    // kas sends heartbeats on the tunnel itself: HTTP/2 pings would be cancelled once the connection has
    // GOAWAY, and grpc-js would then drop every call on it, busy tunnels included.
    const heartbeat = parseHeartbeatMetadata(metadata.get(HEARTBEAT_METADATA)[0]);
    if (heartbeat !== undefined) {
      this.#silenceLimitMs = heartbeat.timeMs + heartbeat.timeoutMs;
      this.#heardAt = performance.now();
      this.#watchSilence(this.#silenceLimitMs);
    }
    this.host.onLive(this);
  }

  /** Ends the tunnel as lost when kas sent nothing for the silence limit. */
  #watchSilence(inMs: number): void {
    this.#silenceTimer = setTimeout(() => {
      const limitMs = this.#silenceLimitMs as number;
      // agentk itself stopped reading the call (its upstream takes a request body slower than kas sends
      // it): kas's heartbeats wait behind that body, so the silence says nothing about kas.
      if (this.#call.isPaused()) this.#heardAt = performance.now();
      const silentMs = performance.now() - this.#heardAt;
      if (silentMs < limitMs) return this.#watchSilence(limitMs - silentMs);
      this.host.onLost(
        this,
        `kas sent nothing on this tunnel for ${formatDuration(silentMs)} (its heartbeat time plus timeout is ${formatDuration(limitMs)}): the connection is lost`,
      );
    }, inMs).unref();
  }

  #onFrame(frame: KasMessage | UndecodableMessage): void {
    this.#heardAt = performance.now();
    // A request that crossed the agent's close: the agent can no longer answer it, so it must not carry it
    // out either (kas tells its client it was not served, and sends a GET again on another tunnel).
    if (this.#isHalfClosed) return;
    if (frame instanceof UndecodableMessage) {
      this.#refuse(frame.code, frame.message);
      return;
    }
    if (frame.heartbeat) {
      if (frame.head !== undefined || frame.body.length > 0 || frame.end)
        this.#refuse('KAS_FRAME_OUT_OF_ORDER', 'a heartbeat must be alone in its message');
      else this.#call.write(AGENT_HEARTBEAT);
      return;
    }
    if (this.#state === 'idle') {
      this.#state = 'busy';
      this.#order = new FrameOrder('request');
      this.#outcome = undefined;
      this.host.onBusy(this);
    }
    const violation =
      this.#order === undefined
        ? { code: 'KAS_FRAME_OUT_OF_ORDER', message: `a request frame while the tunnel is ${this.#state}` }
        : this.#order.accept(frame);
    if (violation !== undefined) {
      this.#refuse(violation.code, violation.message);
      return;
    }
    if (frame.head !== undefined) {
      const onDone = (outcome: ExchangeOutcome) => {
        this.#outcome = outcome;
        this.host.onExchangeDone(this, outcome);
        this.#maybeIdleAgain();
      };
      this.#exchange =
        frame.head.upgrade === ''
          ? new UpstreamExchange(this.#call, this.upstream, frame.head, onDone)
          : new UpgradeExchange(this.#call, this.upstream, frame.head, onDone);
    }
    this.#exchange?.accept(frame);
    this.#maybeIdleAgain();
  }

  #maybeIdleAgain(): void {
    if (this.#state !== 'busy' || this.#outcome?.kind !== 'served' || this.#order?.isEnded !== true) return;
    this.#state = 'idle';
    this.#exchange = undefined;
    this.#order = undefined;
    this.host.onIdleAgain(this);
  }

  #refuse(code: string, message: string): void {
    this.host.onProtocolError(this, code, message);
    this.cancel();
  }

  #onStatus(status: StatusObject): void {
    if (this.#state === 'closed') return;
    clearTimeout(this.#silenceTimer);
    clearTimeout(this.#registerTimer);
    this.#state = 'closed';
    this.#exchange?.cancel();
    const ending =
      this.#unregisteredFor === undefined
        ? status
        : { ...status, code: grpcStatus.DEADLINE_EXCEEDED, details: this.#unregisteredFor };
    this.host.onClosed(this, ending, this.#wasLive);
  }
}
