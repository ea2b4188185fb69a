import { join } from 'node:path';
import { type ProcessExit, type RunningProcess, startProcess } from '@kas/testkit';
import { DemoError } from '../errors/DemoError.js';
import { wallNow } from './wallClock.js';
import type { ReplicaPorts } from './writeClusterFiles.js';

/** Which stop order a replica runs: kas's own, or the pre-fix one (`--legacy-stop-order`). */
export type StopOrder = 'current' | 'legacy';

/** Where a replica is in its life, as the harness drives it. */
export type ReplicaState = 'stopped' | 'starting' | 'running' | 'stopping';

/** How a replica is run. */
export interface KasReplicaOptions {
  readonly kasMain: string;
  readonly configPath: string;
  /** Each run writes its lifecycle trace here as `<id>.run-<n>.jsonl`. */
  readonly traceDirectory: string;
  readonly stopOrder: StopOrder;
  /** How long a start may take before it counts as failed. Default 30 s. */
  readonly startTimeoutMs?: number;
  /**
   * Called once, after the first run started, with the ports it was given by the OS (its config said
   * port 0, so no other process can take them in between): write them into the config, so that every
   * later run listens where agents, peers and the load balancer expect it.
   */
  readonly keepPorts?: (ports: ReplicaPorts) => Promise<void>;
}

/** One SIGTERM sent to a replica. */
export interface Termination {
  /** Wall-clock ms when the signal was sent. */
  readonly sigtermAtMs: number;
  /** The run that was signalled (its log lines stay readable after it exited). */
  readonly run: RunningProcess;
  readonly traceFile: string;
  readonly exited: Promise<ProcessExit>;
}

/**
 * One kas replica as a real process (`kas --config <file> --trace-file <file>`), on ports fixed for its
 * whole life so agents' address lists and the load balancer keep working across restarts: the first run
 * listens on ports the OS picks (port 0 in its config: a port picked by the harness and bound later could
 * be taken meanwhile by a busy machine's other processes), later runs on the same ones.
 */
export class KasReplica {
  #state: ReplicaState = 'stopped';
  #ports: ReplicaPorts;
  #current: RunningProcess | undefined;
  #traceFile: string | undefined;
  #isKilled = false;
  readonly #runs: RunningProcess[] = [];

  constructor(
    readonly id: string,
    ports: ReplicaPorts,
    private readonly options: KasReplicaOptions,
  ) {
    this.#ports = ports;
  }

  /** The ports it listens on (all 0 until its first run has started, when those are `keepPorts`). */
  get ports(): ReplicaPorts {
    return this.#ports;
  }

  get state(): ReplicaState {
    return this.#state;
  }

  get stopOrder(): StopOrder {
    return this.options.stopOrder;
  }

  /** `host:port` agents dial. */
  get agentAddress(): string {
    return `127.0.0.1:${this.ports.agentGrpc}`;
  }

  /** The kube proxy's own URL (users normally go through the load balancer). */
  get kubeProxyUrl(): string {
    return `https://127.0.0.1:${this.ports.kubeProxy}`;
  }

  get readinessUrl(): string {
    return `http://127.0.0.1:${this.ports.observability}/readiness`;
  }

  /** The process of the current run, if one runs. */
  get process(): RunningProcess | undefined {
    return this.#current;
  }

  /** Every run so far, oldest first. */
  get runs(): readonly RunningProcess[] {
    return this.#runs;
  }

  /** The trace file of the current (or last) run. */
  get traceFile(): string | undefined {
    return this.#traceFile;
  }

  /** Starts a run and resolves when kas logged `app.started`; rejects if it exits or takes too long. */
  async start(): Promise<void> {
    if (this.#state !== 'stopped' || this.#isKilled) {
      throw new DemoError(
        'KAS_DEMO_PROCESS_FAILED',
        `replica ${this.id} cannot start: it is ${this.#isKilled ? 'torn down' : this.#state}`,
        this.#isKilled ? 'start a new cluster' : 'stop the replica first (or use restart)',
      );
    }
    this.#state = 'starting';
    const traceFile = join(this.options.traceDirectory, `${this.id}.run-${this.#runs.length + 1}.jsonl`);
    const run = startProcess(process.execPath, [
      this.options.kasMain,
      '--config',
      this.options.configPath,
      '--trace-file',
      traceFile,
      ...(this.options.stopOrder === 'legacy' ? ['--legacy-stop-order'] : []),
    ]);
    this.#current = run;
    this.#traceFile = traceFile;
    this.#runs.push(run);
    void run.exited.then(() => {
      if (this.#current === run) {
        this.#current = undefined;
        this.#state = 'stopped';
      }
    });
    try {
      await run.waitForLog({ event: 'app.started' }, this.options.startTimeoutMs ?? 30_000);
      if (Object.values(this.#ports).includes(0)) {
        this.#ports = boundPorts(run.logs(), this.id);
        await this.options.keepPorts?.(this.#ports);
      }
    } catch (error) {
      await run.stop(1_000);
      throw new DemoError(
        'KAS_DEMO_PROCESS_FAILED',
        `replica ${this.id} did not start: ${(error as Error).message}`,
        `read its config (${this.options.configPath}) and the log lines above; a port may have been taken`,
        { cause: error },
      );
    }
    this.#state = 'running';
  }

  /** Sends SIGTERM to the running replica: its stop plan begins. */
  terminate(): Termination {
    const run = this.#current;
    if (run === undefined || this.#state !== 'running') {
      throw new DemoError(
        'KAS_DEMO_PROCESS_FAILED',
        `replica ${this.id} cannot be stopped: it is ${this.#state}`,
        'start the replica first',
      );
    }
    this.#state = 'stopping';
    const sigtermAtMs = wallNow();
    run.signal('SIGTERM');
    return { sigtermAtMs, run, traceFile: this.#traceFile as string, exited: run.exited };
  }

  /**
   * Stops whatever runs now, quickly: SIGTERM, a second signal after `cutAfterMs` (kas then cuts every
   * drain), SIGKILL if it still runs 5 s later; it cannot start again. For tearing a cluster down, not
   * for measuring.
   */
  async kill(cutAfterMs = 1_000): Promise<void> {
    this.#isKilled = true;
    const run = this.#current;
    if (run === undefined) return;
    run.signal('SIGTERM');
    const cut = setTimeout(() => run.signal('SIGINT'), cutAfterMs);
    const kill = setTimeout(() => run.signal('SIGKILL'), cutAfterMs + 5_000);
    await run.exited;
    clearTimeout(cut);
    clearTimeout(kill);
  }
}

/** The ports a run listens on, from its `...listening` log lines. */
function boundPorts(logs: readonly Record<string, unknown>[], id: string): ReplicaPorts {
  const portOf = (what: string, line: Record<string, unknown> | undefined, field: 'address' | 'url') => {
    const port = Number(/:(\d+)$/.exec(String(line?.[field] ?? ''))?.[1]);
    if (!Number.isInteger(port) || port <= 0) {
      throw new DemoError(
        'KAS_DEMO_PROCESS_FAILED',
        `replica ${id} started, but its log names no ${what} port`,
        'read its log lines: the listening lines of kas have changed',
      );
    }
    return port;
  };
  const find = (test: (line: Record<string, unknown>) => boolean) => logs.find(test);
  return {
    agentGrpc: portOf(
      'agent gRPC',
      find((line) => line.event === 'grpc.listening'),
      'address',
    ),
    kubeProxy: portOf(
      'kube proxy',
      find((line) => line.event === 'kubeProxy.listening'),
      'url',
    ),
    privateApi: portOf(
      'private API',
      find((line) => line.event === 'privateApi.listening'),
      'address',
    ),
    observability: portOf(
      'observability',
      find((line) => line.msg === 'observability listening'),
      'url',
    ),
  };
}
