import { type App, createToken, type LifecycleEvent } from '@kas/core';
import { type FinishedRequest, KUBE_PROXY, KubeProxyMetricsToken } from '@kas/module-kube-proxy';
import { AGENT_GRPC_SERVER, TunnelRegistryToken } from '@kas/tunnel-protocol';

/** What happens in kas that a loaded module may record: agents coming and going, proxied requests. */
export type KasActivityEvent =
  | { readonly type: 'agent.connected'; readonly agentId: string }
  | { readonly type: 'agent.disconnected'; readonly agentId: string }
  | ({ readonly type: 'request.finished' } & FinishedRequest);

/** Receives kas activity events. */
export type KasActivityListener = (event: KasActivityEvent) => void;

/**
 * kas's activity, for loaded modules (an audit sink, a billing exporter) that must not depend on the
 * built-in modules' packages: agent connects and disconnects (from `agent-grpc-server`) and every
 * finished kube proxy request. The app provides it (`KasActivityToken`), so needing it adds no start
 * dependency; a module that records it declares `observes: [AGENT_TUNNELS]` and `stop: { last: true }`,
 * so it keeps recording until every module serving agents has stopped.
 */
export class KasActivity {
  readonly #listeners = new Set<KasActivityListener>();

  /** Calls `listener` for every event from now on; returns the unsubscribe function. */
  subscribe(listener: KasActivityListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Feeds this from the app's modules as each starts (in the tick it reports started, before any agent
   * or request can arrive on it).
   */
  connect(app: App): void {
    app.subscribe((event: LifecycleEvent) => {
      if (event.type !== 'module.started') return;
      if (event.module === AGENT_GRPC_SERVER) {
        const registry = app.get(TunnelRegistryToken);
        registry.on('agentConnected', (agentId) => this.publish({ type: 'agent.connected', agentId }));
        registry.on('agentDisconnected', (agentId) => this.publish({ type: 'agent.disconnected', agentId }));
      } else if (event.module === KUBE_PROXY) {
        app
          .get(KubeProxyMetricsToken)
          .onRequestFinished((request) => this.publish({ type: 'request.finished', ...request }));
      }
    });
  }

  /** Delivers an event to every listener: kas does it from its modules; a module's own tests may too. */
  publish(event: KasActivityEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/** The app's `KasActivity`: `needs: { activity: KasActivityToken }`. */
export const KasActivityToken = createToken<KasActivity>('kas.activity');
