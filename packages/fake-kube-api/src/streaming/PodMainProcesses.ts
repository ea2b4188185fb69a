import { containerStartEvents, podEvent } from '../demo/demoObjects.js';
import type { InMemoryObjectStore } from '../objects/InMemoryObjectStore.js';
import type { KubeObject } from '../objects/KubeObject.js';
import { kubeTimeNow } from '../objects/kubeTime.js';
import { readRecord, readRecords } from '../objects/readPath.js';
import type { CommandIo, TerminalSize } from '../sandbox/CommandIo.js';
import { isSandboxCommand, runCommand } from '../sandbox/runCommand.js';
import { StdinQueue } from '../sandbox/StdinQueue.js';
import type { PodSandboxes } from './PodSandboxes.js';

/**
 * The command a pod's container runs (`kubectl run <name> --image=… -- sh`: `command` and `args` of its
 * spec), started in the container's sandbox when the pod runs; its stdin (the container's `stdin: true`)
 * is what an attached client types, its output goes to the container's log and to every attached client.
 * When it exits the container is terminated with its exit code, as the kubelet reports it.
 */
export class MainProcess {
  readonly #stdin = new StdinQueue();
  readonly #outputs = new Set<(bytes: Buffer) => void>();
  readonly #interruptListeners = new Set<() => void>();
  #size: TerminalSize | undefined;
  #partialLine = '';
  #hasBeenAttached = false;
  #exitCode: number | undefined;
  readonly exited: Promise<number>;
  #kill!: () => void;
  readonly #killed = new Promise<void>((resolve) => {
    this.#kill = resolve;
  });
  #interrupt!: () => void;
  readonly #interrupted = new Promise<void>((resolve) => {
    this.#interrupt = resolve;
  });

  constructor(
    argv: readonly string[],
    container: Record<string, unknown>,
    sandbox: ReturnType<PodSandboxes['of']>,
    private readonly log: (line: string) => void,
  ) {
    if (container.stdin !== true) this.#stdin.end();
    const write = (bytes: Buffer | string) =>
      this.#write(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    const io: CommandIo = {
      tty: container.tty === true,
      readStdin: () => this.#stdin.read(),
      writeStdout: write,
      writeStderr: write,
      terminalSize: () => this.#size,
      gone: Promise.race([this.#killed, this.#interrupted]),
      onInterrupt: (listener) => {
        this.#interruptListeners.add(listener);
        return () => this.#interruptListeners.delete(listener);
      },
    };
    this.exited = Promise.race([
      runCommand(argv, io, sandbox),
      this.#interrupted.then(() => 130),
      this.#killed.then(() => 137),
    ]).then((code) => {
      this.#exitCode = code;
      if (this.#partialLine !== '') this.log(this.#partialLine);
      return code;
    });
  }

  /** The exit code, once the process has exited. */
  get exitCode(): number | undefined {
    return this.#exitCode;
  }

  /**
   * Connects an attached client (`kubectl attach`, `run -it`): what it types goes to the process, what
   * the process writes from now on goes to it, a Ctrl-C it types is the process's SIGINT. Resolves with the
   * exit code when the process exits, or `undefined` when the client leaves first; with `stdinOnce`
   * (kubectl run's default) the process's stdin ends when the first client leaves.
   */
  async attach(io: CommandIo, stdinOnce: boolean): Promise<number | undefined> {
    if (this.#exitCode !== undefined) return this.#exitCode;
    const isFirst = !this.#hasBeenAttached;
    this.#hasBeenAttached = true;
    const output = (bytes: Buffer) => io.writeStdout(bytes);
    this.#outputs.add(output);
    this.#size = io.terminalSize() ?? this.#size;
    const stopInterrupts = io.onInterrupt(() => {
      if (this.#interruptListeners.size === 0) this.#interrupt();
      for (const listener of [...this.#interruptListeners]) listener();
    });
    let isAttached = true;
    void (async () => {
      for (;;) {
        const chunk = await io.readStdin();
        if (!isAttached) return;
        this.#size = io.terminalSize() ?? this.#size;
        if (chunk === null) return;
        this.#stdin.push(chunk);
      }
    })();
    try {
      return await Promise.race([this.exited, io.gone.then(() => undefined)]);
    } finally {
      isAttached = false;
      this.#outputs.delete(output);
      stopInterrupts();
      if (stdinOnce && isFirst) this.#stdin.end();
    }
  }

  /** The pod was deleted: the process is killed. */
  kill(): void {
    this.#kill();
  }

  #write(bytes: Buffer): void {
    for (const output of this.#outputs) output(bytes);
    const lines = (this.#partialLine + bytes.toString('utf8')).split('\n');
    this.#partialLine = lines.pop() ?? '';
    for (const line of lines) this.log(line);
  }
}

/** The kubelet's back-off before it restarts a container again: none at the first exit, then 10 s doubling, at most 5 min. */
function restartBackOffMs(restartCount: number): number {
  return restartCount === 0 ? 0 : Math.min(10_000 * 2 ** (restartCount - 1), 300_000);
}

/**
 * The main processes of the fake's pods: each container whose spec names a command of the sandbox
 * (`command`, `args`: `sh`, `echo hi`, `sleep 10`) runs it from the moment its pod is `Running`; deleting
 * the pod kills it. When it exits, the pod's `restartPolicy` (`Always` when unset, `OnFailure`, `Never`)
 * decides as the kubelet's does: the container restarts after a back-off (`CrashLoopBackOff` meanwhile,
 * `restartCount` and `lastState` in its status, its log so far kept for `logs --previous`), or it stays
 * terminated and the pod ends once all its containers have. Containers without a command, or with one
 * the sandbox does not have, have none (the demo's pods: their log is written by the demo, and attach
 * follows it).
 */
export class PodMainProcesses {
  readonly #processes = new Map<string, MainProcess>();
  /** Containers waiting out their back-off, by key: the timer that restarts each. */
  readonly #backOffs = new Map<string, NodeJS.Timeout>();
  readonly #stopWatching: () => void;

  constructor(
    private readonly store: InMemoryObjectStore,
    private readonly sandboxes: PodSandboxes,
  ) {
    this.#stopWatching = store.watch({ resource: 'pods', matches: () => true }, (event) => {
      if (event.type === 'DELETED') this.#deleted(event.object);
      else if (readRecord(event.object, 'status')?.phase === 'Running') this.#start(event.object);
    });
  }

  /** The main process of a container (its latest run), if its spec names a command and its pod has run. */
  of(namespace: string, pod: string, container: string): MainProcess | undefined {
    return this.#processes.get(`${namespace}/${pod}/${container}`);
  }

  /** Kills every process, cancels every restart and stops following the pods. */
  stop(): void {
    this.#stopWatching();
    for (const process of this.#processes.values()) process.kill();
    this.#processes.clear();
    for (const timer of this.#backOffs.values()) clearTimeout(timer);
    this.#backOffs.clear();
  }

  #start(pod: KubeObject): void {
    const { name, namespace = 'default' } = pod.metadata;
    for (const container of readRecords(pod, 'spec.containers')) {
      const key = `${namespace}/${name}/${String(container.name)}`;
      if (!this.#processes.has(key)) this.#run(pod, container);
    }
  }

  #run(pod: KubeObject, container: Record<string, unknown>): void {
    const { name, namespace = 'default', uid } = pod.metadata;
    const argv = sandboxMainCommand(container);
    if (argv === undefined) return;
    const containerName = String(container.name);
    const process = new MainProcess(
      argv,
      container,
      this.sandboxes.of(namespace, name, containerName),
      (line) => this.#appendLog(namespace, name, containerName, line),
    );
    this.#processes.set(`${namespace}/${name}/${containerName}`, process);
    void process.exited.then((code) => this.#terminated(namespace, name, uid, containerName, code));
  }

  #deleted(pod: KubeObject): void {
    const { name, namespace = 'default' } = pod.metadata;
    const prefix = `${namespace}/${name}/`;
    for (const [key, process] of this.#processes) {
      if (!key.startsWith(prefix)) continue;
      process.kill();
      this.#processes.delete(key);
    }
    for (const [key, timer] of this.#backOffs) {
      if (!key.startsWith(prefix)) continue;
      clearTimeout(timer);
      this.#backOffs.delete(key);
    }
    this.sandboxes.forget(namespace, name);
  }

  #appendLog(namespace: string, pod: string, container: string, line: string): void {
    if (this.store.get('pods', pod, namespace) === undefined) return;
    this.store.appendLog(pod, line, { namespace, container });
  }

  /**
   * The kubelet's report of an exited container: terminated with its code, and then, as the pod's restart
   * policy says, restarted after its back-off (`CrashLoopBackOff` while it waits), or left terminated: the
   * pod ends once all its containers are.
   */
  #terminated(
    namespace: string,
    name: string,
    uid: string | undefined,
    container: string,
    exitCode: number,
  ): void {
    const pod = this.store.get('pods', name, namespace);
    if (pod === undefined || pod.metadata.uid !== uid) return;
    this.store.logs.end(namespace, name, container);
    const status = readRecord(pod, 'status') ?? {};
    const now = kubeTimeNow();
    const policy = String(readRecord(pod, 'spec')?.restartPolicy ?? 'Always');
    const restarts = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    const entry = readRecords(pod, 'status.containerStatuses').find((each) => each.name === container);
    const restartCount = Number(entry?.restartCount ?? 0);
    const terminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: readRecord(entry ?? {}, 'state.running')?.startedAt ?? now,
      finishedAt: now,
    };
    const backOffMs = restartBackOffMs(restartCount);
    const statuses = withContainerStatus(pod, container, (each) =>
      restarts
        ? {
            ...each,
            ready: false,
            started: false,
            lastState: { terminated },
            // Restarted at once after its first exit, the container is seen terminated until then.
            state:
              backOffMs === 0
                ? { terminated }
                : {
                    waiting: {
                      reason: 'CrashLoopBackOff',
                      message: `back-off ${backOffMs / 1000}s restarting failed container=${container} pod=${name}_${namespace}(${uid ?? ''})`,
                    },
                  },
          }
        : { ...each, ready: false, started: false, state: { terminated } },
    );
    const isDone = !restarts && statuses.every((each) => readRecord(each, 'state.terminated') !== undefined);
    const hasFailed = statuses.some(
      (each) => Number(readRecord(each, 'state.terminated')?.exitCode ?? 0) !== 0,
    );
    this.store.update('pods', {
      ...pod,
      status: {
        ...status,
        ...(isDone
          ? { phase: hasFailed ? 'Failed' : 'Succeeded', conditions: [{ type: 'Ready', status: 'False' }] }
          : {}),
        containerStatuses: statuses,
      },
    });
    if (!restarts) return;
    if (backOffMs > 0) {
      this.#recordEvent(
        pod,
        container,
        'BackOff',
        `Back-off restarting failed container ${container} in pod ${name}_${namespace}(${uid ?? ''})`,
      );
    }
    const key = `${namespace}/${name}/${container}`;
    this.#backOffs.set(
      key,
      setTimeout(() => {
        this.#backOffs.delete(key);
        this.#restart(namespace, name, uid, container, restartCount + 1);
      }, backOffMs).unref(),
    );
  }

  /** The back-off is over: the container runs again, its log starts anew (the old one is `--previous`). */
  #restart(
    namespace: string,
    name: string,
    uid: string | undefined,
    container: string,
    restartCount: number,
  ): void {
    const pod = this.store.get('pods', name, namespace);
    if (pod === undefined || pod.metadata.uid !== uid) return;
    const spec = readRecords(pod, 'spec.containers').find((each) => each.name === container);
    if (spec === undefined) return;
    this.store.logs.restart(namespace, name, container);
    this.sandboxes.reset(namespace, name, container);
    const now = kubeTimeNow();
    this.store.update('pods', {
      ...pod,
      status: {
        ...(readRecord(pod, 'status') ?? {}),
        containerStatuses: withContainerStatus(pod, container, (each) => ({
          ...each,
          ready: true,
          started: true,
          restartCount,
          state: { running: { startedAt: now } },
        })),
      },
    });
    this.#run(pod, spec);
    for (const [reason, message] of containerStartEvents(spec))
      this.#recordEvent(pod, container, reason, message);
  }

  /**
   * An event of the container's restarts, as the kubelet records it: its correlator counts an event up
   * when one with the same reason and message about the pod was recorded before (the first start's
   * `Started` too), raising its `count` and `lastTimestamp` (`kubectl events` shows `(x3 over 2m)`).
   */
  #recordEvent(
    pod: KubeObject,
    container: string,
    reason: 'BackOff' | 'Pulled' | 'Created' | 'Started',
    message: string,
  ): void {
    const namespace = pod.metadata.namespace ?? 'default';
    const now = kubeTimeNow();
    const existing = this.store
      .list('events', namespace)
      .find(
        (event) =>
          readRecord(event, 'involvedObject')?.uid === pod.metadata.uid &&
          event.reason === reason &&
          event.message === message,
      );
    if (existing !== undefined) {
      this.store.update('events', {
        ...existing,
        count: Number(existing.count ?? 1) + 1,
        lastTimestamp: now,
      });
      return;
    }
    const eventName = `${pod.metadata.name}.${container}.${reason.toLowerCase()}`;
    if (this.store.get('events', eventName, namespace) !== undefined)
      this.store.delete('events', eventName, namespace); // an earlier pod's, or one of an older message (image)
    this.store.create('events', {
      ...podEvent(pod, reason, message, 0, reason === 'BackOff' ? 'Warning' : 'Normal'),
      metadata: { name: eventName, namespace },
    });
  }
}

/**
 * The pod's container statuses with `container`'s changed by `change`; made from its spec when the pod
 * has none for it yet (a pod written with only `phase: Running`).
 */
function withContainerStatus(
  pod: KubeObject,
  container: string,
  change: (entry: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown>[] {
  const statuses = [...readRecords(pod, 'status.containerStatuses')];
  if (!statuses.some((each) => each.name === container)) {
    const spec = readRecords(pod, 'spec.containers').find((each) => each.name === container);
    statuses.push({ name: container, image: spec?.image, restartCount: 0 });
  }
  return statuses.map((each) => (each.name === container ? change(each) : each));
}

/**
 * The command a container runs as its main process (its spec's `command` then `args`), when the sandbox
 * has it; `undefined` otherwise (no command, or one the sandbox does not have: `nginx`, a real image's
 * entrypoint), which is taken as running, as a container without one is.
 */
export function sandboxMainCommand(
  container: Readonly<Record<string, unknown>> | undefined,
): string[] | undefined {
  const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  const argv = [...strings(container?.command), ...strings(container?.args)];
  return argv[0] !== undefined && isSandboxCommand(argv[0]) ? argv : undefined;
}
