import { CoreV1Api } from '@kubernetes/client-node';
import { wallNow } from '../cluster/wallClock.js';
import { kubeConfigFor } from './kubeConfigFor.js';
import { startWatch, type WatchHandle, type WatchRecord } from './startWatch.js';

/** One short request and how it ended. */
export interface RequestRecord {
  readonly agent: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly isOk: boolean;
  /** The HTTP status when one came. */
  readonly status?: number;
  /** What went wrong, for a failed request. */
  readonly error?: string;
}

/** Counters for a progress line. */
export interface LoadStats {
  readonly ok: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly watchesOpen: number;
  readonly watchesOpened: number;
  readonly watchEvents: number;
  /** Watches that ended without this client ending them (drain cuts, errors). */
  readonly watchesEndedByServer: number;
}

/** Options of the load generator. */
export interface LoadGeneratorOptions {
  /** Where requests go: the load balancer, as users' kubeconfigs would say. */
  readonly server: string;
  readonly caPem: string;
  readonly agents: readonly string[];
  readonly userToken: (agentId: string) => string;
  /** Short requests sent per second, whatever happens to earlier ones (users do not wait for each other). Default 20. */
  readonly requestsPerSecond?: number;
  /** Long watches kept open (a watch that ends is opened again). Default 4. */
  readonly watches?: number;
  /** Pause before a watch that ended is opened again. Default 500 ms. */
  readonly rewatchDelayMs?: number;
}

/**
 * Load as Kubernetes users make it, with `@kubernetes/client-node`: short requests (list the pods of
 * `default`) at a steady rate, spread round-robin over the agents, and long watches, all through the
 * given server. Nothing is retried: every request's outcome is recorded as the client saw it.
 */
export class LoadGenerator {
  /** Every finished short request, in order of completion. */
  readonly requests: RequestRecord[] = [];
  /** Every watch opened, in order. */
  readonly watches: WatchRecord[] = [];
  readonly #apis = new Map<string, CoreV1Api>();
  readonly #running = new Set<Promise<void>>();
  readonly #openWatches = new Set<WatchHandle>();
  readonly #pending = new Map<number, { readonly agent: string; readonly startedAtMs: number }>();
  #next = 0;
  #requestCount = 0;
  #ok = 0;
  #isRunning = false;
  #ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: LoadGeneratorOptions) {}

  start(): void {
    this.#isRunning = true;
    const periodMs = 1_000 / (this.options.requestsPerSecond ?? 20);
    this.#ticker = setInterval(() => this.#track(this.#request(this.#nextAgent())), periodMs);
    const watches = this.options.watches ?? 4;
    for (let index = 0; index < watches; index += 1) {
      const agents = this.options.agents;
      const agent = agents[Math.floor((index * agents.length) / watches)] as string;
      this.#track(this.#keepWatching(agent));
    }
  }

  /** Stops sending, ends the watches; waits up to `graceMs` for requests in flight. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#isRunning = false;
    clearInterval(this.#ticker);
    for (const watch of this.#openWatches) watch.abort();
    await Promise.race([
      Promise.all(this.#running),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
    for (const [id, { agent, startedAtMs }] of this.#pending) {
      this.#pending.delete(id);
      this.requests.push({
        agent,
        startedAtMs,
        endedAtMs: wallNow(),
        isOk: false,
        error: `no answer ${graceMs}ms after the load stopped`,
      });
    }
  }

  stats(): LoadStats {
    return {
      ok: this.#ok,
      failed: this.requests.length - this.#ok,
      inFlight: this.#pending.size,
      watchesOpen: this.#openWatches.size,
      watchesOpened: this.watches.length,
      watchEvents: this.watches.reduce((sum, watch) => sum + watch.events, 0),
      watchesEndedByServer: this.watches.filter(
        (watch) => watch.endedAtMs !== undefined && !watch.isEndedByClient,
      ).length,
    };
  }

  /** Failed short requests (a request still unanswered counts once `stop` gave up on it). */
  failures(): readonly RequestRecord[] {
    return this.requests.filter((request) => !request.isOk);
  }

  #track(work: Promise<void>): void {
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work));
  }

  #nextAgent(): string {
    const agents = this.options.agents;
    return agents[this.#next++ % agents.length] as string;
  }

  async #request(agent: string): Promise<void> {
    const startedAtMs = wallNow();
    const id = this.#requestCount++;
    this.#pending.set(id, { agent, startedAtMs });
    try {
      await this.#api(agent).listNamespacedPod({ namespace: 'default' });
      if (!this.#pending.delete(id)) return; // given up on by stop()
      this.#ok += 1;
      this.requests.push({ agent, startedAtMs, endedAtMs: wallNow(), isOk: true, status: 200 });
    } catch (error) {
      if (!this.#pending.delete(id)) return;
      const { code } = error as { code?: unknown };
      this.requests.push({
        agent,
        startedAtMs,
        endedAtMs: wallNow(),
        isOk: false,
        ...(typeof code === 'number' ? { status: code } : {}),
        error: describeFailure(error),
      });
    }
  }

  async #keepWatching(agent: string): Promise<void> {
    while (this.#isRunning) {
      const watch = startWatch(
        { server: this.options.server, caPem: this.options.caPem, token: this.options.userToken(agent) },
        agent,
      );
      this.watches.push(watch.record);
      this.#openWatches.add(watch);
      await watch.ended;
      this.#openWatches.delete(watch);
      if (this.#isRunning) {
        await new Promise((resolve) => setTimeout(resolve, this.options.rewatchDelayMs ?? 500));
      }
    }
  }

  #api(agent: string): CoreV1Api {
    let api = this.#apis.get(agent);
    if (api === undefined) {
      api = kubeConfigFor({
        server: this.options.server,
        caPem: this.options.caPem,
        token: this.options.userToken(agent),
      }).makeApiClient(CoreV1Api);
      this.#apis.set(agent, api);
    }
    return api;
  }
}

/** `503 ServiceUnavailable: <message>` from a client-node ApiException with a Status body, else the error's message. */
function describeFailure(error: unknown): string {
  const { code, body, message } = error as { code?: unknown; body?: unknown; message?: string };
  if (typeof code === 'number') {
    try {
      const status = (typeof body === 'string' ? JSON.parse(body) : body) as {
        reason?: string;
        message?: string;
      };
      if (status?.reason !== undefined) return `${code} ${status.reason}: ${status.message ?? ''}`;
    } catch {
      // not a Status body: the status code alone says enough
    }
    return `HTTP ${code}`;
  }
  return message ?? String(error);
}
