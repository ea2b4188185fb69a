import type { Readable } from 'node:stream';
import { formatDuration } from '@kas/core';
import { type ReplicaInfo, TunnelTrackerError } from '@kas/module-tunnel-tracker';
import type { Tunnel, TunnelRegistry, TunnelRequest, TunnelResponse } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import type { ForwardError } from '../forward/OutboundExchange.js';
import type { ReplicaForwarder } from '../forward/ReplicaForwarder.js';
import type { AgentArrivals } from './AgentArrivals.js';
import type { CachedDirectory } from './CachedDirectory.js';
import { UnreachableReplicas } from './UnreachableReplicas.js';

/**
 * What to do when an agent is connected but none of its tunnels came free: every tunnel carries a long
 * request (watches, exec sessions), or the agent is stopping (it opens no new tunnels while it drains).
 */
const BUSY_TUNNELS_FIX =
  'retry (kubectl does, after Retry-After); if it persists, every tunnel of the agent is busy with long requests (watches, exec) or the agent is stopping and opens no new ones (its log says): let it keep more tunnels (agentk --max-tunnels), lower kubeProxy.maxLongRunningPerUser so that the watches of one user cannot take them all, or raise kubeProxy.tunnelWait in kas.yaml';

/** Where a request went: a tunnel of this replica, or another replica's through the private API. */
export type RouteKind = 'local' | 'remote';

/** The agent's answer and the route that carried it. */
export interface RoutedResponse {
  readonly response: TunnelResponse;
  readonly route: RouteKind;
}

interface Route {
  readonly kind: RouteKind;
  readonly tunnel: Tunnel;
  readonly replica?: ReplicaInfo;
  /** Ends this request's try of a replica that is passed over (see `UnreachableReplicas.probe`). */
  readonly endProbe?: () => void;
}

/** What one request learnt while looking for a tunnel, for the error it may end with. */
interface Search {
  /**
   * Replicas that turned the request down, with when; made on first use (most requests never need it).
   */
  refused: Map<string, number> | undefined;
  /**
   * Refused replicas a directory answer has since stopped naming: the agent left them. One that is named
   * again registered the agent anew (e.g. it restarted under the same id) and is tried again.
   */
  leftRefused: Set<string> | undefined;
  /**
   * Replicas this request could not reach after trying for a second or more (a silent address, a lost
   * node): not tried again by it, as each try would cost as long again. One refused at once (a replica
   * restarting on the same address) is tried again after `REFUSED_REPLICA_RETRY_MS`.
   */
  unreached: Set<string> | undefined;
  isAgentHere: boolean;
  directoryError: unknown;
  /** The last route that failed for a reason other than "the agent is not here" (e.g. a wrong secret). */
  routeError: unknown;
  /** The replica of `routeError`: once the directory no longer names it, the agent left it, and its error says nothing. */
  routeErrorReplicaId: string | undefined;
  /** A replica that holds the agent refused because none of its tunnels became free in time. */
  busyRefusal: ForwardError | undefined;
}

/**
 * A replica that turned a request down is tried again by that request only after this long, while the
 * directory still names it (a replica restarting under the same id and address is back within a second or
 * two, and its channel reconnects within a second: see the forwarder's backoff). A route that keeps
 * failing fails the request with its error at the end of the tunnel wait.
 */
const REFUSED_REPLICA_RETRY_MS = 1_000;

/**
 * A refused replica that a directory answer stopped naming and a later one names again registered the
 * agent anew (e.g. it restarted under the same id): the request may try it at once.
 */
function reconsiderRefused(search: Search, replicas: readonly ReplicaInfo[]): void {
  if (search.refused === undefined) return;
  for (const id of search.refused.keys()) {
    const isNamed = replicas.some((replica) => replica.id === id);
    if (!isNamed) {
      search.leftRefused ??= new Set();
      search.leftRefused.add(id);
    } else if (search.leftRefused?.has(id) === true) {
      search.leftRefused.delete(id);
      search.refused.delete(id);
      search.unreached?.delete(id);
    }
  }
}

// Methods that change nothing upstream: sent again when a tunnel broke before the answer came.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Finds a tunnel for each request and sends the request through it: an idle tunnel of this replica if it
 * has one; otherwise a replica the tunnel directory names, through the private API; otherwise it waits (up
 * to the tunnel wait, shared with the other requests for the agent) for the agent to reconnect anywhere.
 * A route that fails before anything reached the agent (the replica no longer has it, or is stopping) is
 * replaced by the next one within the same wait.
 */
export class TunnelRouter {
  #isLocalStopping = false;

  constructor(
    private readonly registry: TunnelRegistry,
    private readonly directory: CachedDirectory,
    private readonly arrivals: AgentArrivals,
    private readonly forwarder: ReplicaForwarder,
    private readonly tunnelWaitMs: number,
    private readonly log: Logger,
    private readonly unreachable = new UnreachableReplicas(log),
  ) {}

  /**
   * Sends the request to `agentId` and resolves with the response head. Rejects with
   * `KAS_AGENT_NOT_CONNECTED` or `KAS_TUNNEL_WAIT_TIMEOUT` when no tunnel was had within the tunnel wait,
   * or with the error of the last route tried.
   */
  async roundTrip(
    agentId: string,
    request: TunnelRequest,
    body: Readable | undefined,
    signal: AbortSignal,
  ): Promise<RoutedResponse> {
    let deadline = Date.now() + this.tunnelWaitMs;
    let isSecondWaitUsed = false;
    const search: Search = {
      refused: undefined,
      leftRefused: undefined,
      unreached: undefined,
      isAgentHere: false,
      directoryError: undefined,
      routeError: undefined,
      routeErrorReplicaId: undefined,
      busyRefusal: undefined,
    };
    for (;;) {
      const route = await this.#route(agentId, deadline, signal, search);
      const replica = route.replica;
      const triedAt = Date.now();
      try {
        const response = await route.tunnel.roundTrip(request, body, signal);
        route.endProbe?.();
        if (replica !== undefined) this.unreachable.answered(replica);
        return { response, route: route.kind };
      } catch (error) {
        route.endProbe?.();
        const code = codeOf(error);
        if (replica !== undefined && !signal.aborted) {
          const remoteCode = (error as Partial<ForwardError>).remoteCode;
          // It answered, if only to refuse: reachable. Not reached, or the connection lost before it
          // answered (a cut at its stop aside): passed over while another replica holds the agent.
          if (remoteCode !== undefined) this.unreachable.answered(replica);
          else if (code === 'KAS_FORWARD_FAILED' && !isCut(error)) {
            this.unreachable.failed(replica, messageOf(error), error);
            if (Date.now() - triedAt >= REFUSED_REPLICA_RETRY_MS) {
              search.unreached ??= new Set();
              search.unreached.add(replica.id);
            }
          }
        }
        if (signal.aborted || !canRetry(error, request, body)) throw error;
        if (replica !== undefined) {
          search.refused ??= new Map();
          search.refused.set(replica.id, Date.now());
          this.directory.forget(agentId); // the kept answer named a replica that did not serve the agent
        }
        if (code === 'KAS_FORWARD_FAILED') {
          search.routeError = error;
          search.routeErrorReplicaId = replica?.id;
        }
        if ((error as Partial<ForwardError>).remoteCode === 'KAS_TUNNEL_WAIT_TIMEOUT') {
          search.busyRefusal = error as ForwardError;
        }
        if (Date.now() >= deadline) {
          // A refusal is the end of the search: the answer is what the search found (the agent busy
          // there, not connected), not the refusal of one route.
          if (code === 'KAS_FORWARD_REFUSED') throw this.#noTunnel(agentId, search);
          // A route that broke before any answer head came, once the tunnel wait was over (a replica that
          // went silent is noticed only at its heartbeat limit): the agent may have moved meanwhile, here
          // or to another replica, so it is looked up again, once, within a tunnel wait of its own.
          if (isSecondWaitUsed) throw error;
          isSecondWaitUsed = true;
          deadline = Date.now() + this.tunnelWaitMs;
        }
        this.log.debug(
          {
            event: 'route.retry',
            agentId,
            route: route.kind,
            replicaId: replica?.id,
            code,
            reason: messageOf(error),
          },
          'route failed before an answer came; trying the next',
        );
      }
    }
  }

  async #route(agentId: string, deadline: number, signal: AbortSignal, search: Search): Promise<Route> {
    const isUsable = (replica: ReplicaInfo) => {
      if (search.unreached?.has(replica.id) === true) return false;
      // Passed over, and another request is trying it: wait for that try, or for the agent elsewhere.
      if (this.unreachable.isProbed(replica)) return false;
      const refusedAt = search.refused?.get(replica.id);
      return refusedAt === undefined || Date.now() - refusedAt >= REFUSED_REPLICA_RETRY_MS;
    };
    const wants = (replicas: readonly ReplicaInfo[]) => {
      reconsiderRefused(search, replicas);
      return replicas.some(isUsable);
    };
    for (;;) {
      signal.throwIfAborted();
      if (!this.#isLocalStopping && this.registry.hasAgent(agentId)) {
        search.isAgentHere = true;
        try {
          const timeoutMs = Math.max(1, deadline - Date.now());
          return { kind: 'local', tunnel: await this.registry.acquire(agentId, { timeoutMs, signal }) };
        } catch (error) {
          if (signal.aborted) throw error;
          const code = codeOf(error);
          // A stopping registry never hands out a tunnel again: its agents are moving to other replicas.
          if (code === 'KAS_REPLICA_STOPPING') this.#isLocalStopping = true;
          else if (code !== 'KAS_TUNNEL_UNAVAILABLE') throw error;
        }
      }
      let replicas: readonly ReplicaInfo[] = [];
      try {
        replicas = await this.directory.findReplicas(agentId);
        search.directoryError = undefined;
        reconsiderRefused(search, replicas);
        // A replica that failed and is no longer named lost the agent (it stopped, or the answer that
        // named it was kept from before): the request ends as one whose agent is not connected.
        const failedId = search.routeErrorReplicaId;
        if (failedId !== undefined && !replicas.some((replica) => replica.id === failedId)) {
          search.routeError = undefined;
          search.routeErrorReplicaId = undefined;
        }
      } catch (error) {
        if (codeOf(error) !== 'KAS_TUNNEL_DIRECTORY_UNAVAILABLE') throw error;
        search.directoryError = error;
      }
      const candidates = replicas.filter(isUsable);
      if (candidates.length > 0) {
        // A replica that could not be reached lately is tried only when no other one holds the agent.
        const reachable = candidates.filter((replica) => !this.unreachable.has(replica));
        const choices = reachable.length > 0 ? reachable : candidates;
        const replica = choices[Math.floor(Math.random() * choices.length)] as ReplicaInfo;
        const tunnel = this.forwarder.tunnelTo(replica, agentId, deadline - Date.now());
        const endProbe = reachable.length > 0 ? undefined : this.unreachable.probe(replica);
        return { kind: 'remote', tunnel, replica, ...(endProbe === undefined ? {} : { endProbe }) };
      }
      // Every replica named is being tried by another request: if the wait ends first, this request ends
      // as that replica's last try did.
      const probed = replicas.find((replica) => this.unreachable.isProbed(replica));
      if (probed !== undefined && search.routeError === undefined) {
        search.routeError = this.unreachable.lastError(probed);
        search.routeErrorReplicaId = probed.id;
      }
      if (search.directoryError !== undefined && !search.isAgentHere) {
        if (!this.#isLocalStopping && this.registry.hasAgent(agentId)) continue; // it arrived meanwhile
        // Look-ups fail at once while the directory is unavailable: waiting would only delay the same answer.
        throw this.#directoryUnavailable(agentId, search.directoryError);
      }
      if (Date.now() >= deadline) throw this.#noTunnel(agentId, search);
      // The agent may have connected here while the directory was asked: its agentConnected came before
      // waitFor listens. Checked in the same tick as waitFor registers, so no arrival slips between.
      if (!this.#isLocalStopping && this.registry.hasAgent(agentId)) continue;
      if ((await this.arrivals.waitFor(agentId, deadline, signal, wants)) === 'timeout') {
        throw this.#noTunnel(agentId, search);
      }
    }
  }

  #noTunnel(agentId: string, search: Search): unknown {
    const busy = search.busyRefusal;
    if (busy !== undefined) {
      // As the replica holding the agent answers it (504, Retry-After 1), without its address.
      return new KubeProxyError(
        'KAS_TUNNEL_WAIT_TIMEOUT',
        busy.remoteMessage ?? `agent "${agentId}" is connected, but none of its tunnels became free in time`,
        BUSY_TUNNELS_FIX,
        { cause: busy },
      );
    }
    if (search.routeError !== undefined) return search.routeError;
    if (search.isAgentHere) {
      return new KubeProxyError(
        'KAS_TUNNEL_WAIT_TIMEOUT',
        `agent "${agentId}" is connected, but none of its tunnels became free within ${formatDuration(this.tunnelWaitMs)}`,
        BUSY_TUNNELS_FIX,
      );
    }
    if (search.directoryError !== undefined)
      return this.#directoryUnavailable(agentId, search.directoryError);
    return new KubeProxyError(
      'KAS_AGENT_NOT_CONNECTED',
      `agent "${agentId}" is not connected to kas (waited ${formatDuration(this.tunnelWaitMs)} for it to reconnect)`,
      'check that the agent runs and reaches kas (its log says why not); if it does, the replica holding it cannot write the tunnel directory (that replica logs tunnels.writeFailing)',
    );
  }

  /** The agent is not here and the directory cannot say where it is: the tracker's code, with this request's story. */
  #directoryUnavailable(agentId: string, directoryError: unknown): TunnelTrackerError {
    return new TunnelTrackerError(
      'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
      `agent "${agentId}" has no tunnel on this replica, and the tunnel directory could not be asked for other replicas: it is unavailable (kas cannot reach its Redis); retry shortly`,
      `check that Redis runs and that kas reaches it (redis in kas.yaml): ${messageOf(directoryError)}`,
      { cause: directoryError },
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isCut(error: unknown): boolean {
  return (error as { isCut?: boolean } | undefined)?.isCut === true;
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

/** True when sending the request again cannot repeat anything the agent already did, or cannot hurt. */
function canRetry(error: unknown, request: TunnelRequest, body: Readable | undefined): boolean {
  const code = codeOf(error);
  const isBodyUntouched = body === undefined || !body.readableDidRead;
  if (!isBodyUntouched) return false;
  if (code === 'KAS_FORWARD_REFUSED') return true;
  const isSafe = body === undefined && SAFE_METHODS.has(request.method);
  // The agent answered, with what kas refuses: sent again, the request would get the same answer (an
  // agent answering a GET so made kas send it about fifty times within the tunnel wait, then time out).
  if ((error as Partial<ForwardError>).remoteCode === 'KAS_AGENT_ANSWER_INVALID') return false;
  if (code === 'KAS_FORWARD_FAILED') return !(error as { isDelivered?: boolean }).isDelivered || isSafe;
  return code === 'KAS_TUNNEL_BROKEN' && isSafe;
}
