/** One line of a container's log, with the time it was written (RFC 3339, nanosecond digits). */
export interface LogLine {
  readonly timestamp: string;
  readonly text: string;
}

/** What a follower of a log is told: a new line, or that the log has ended (the pod was deleted). */
export type LogFollower = (line: LogLine | 'ended') => void;

interface ContainerLog {
  lines: LogLine[];
  readonly followers: Set<LogFollower>;
  /** The lines of the container's previous run, once it has restarted. */
  previous?: readonly LogLine[];
  /** The container's process has exited: a follow ends at once. */
  isEnded: boolean;
}

const MAX_LINES_PER_CONTAINER = 10_000;

/** The logs of every container of every pod: lines kept in memory, followers told of each new line. */
export class PodLogs {
  readonly #logs = new Map<string, ContainerLog>();

  /** Adds a line (time-stamped now) and hands it to the container's followers. */
  append(namespace: string, pod: string, container: string, text: string): void {
    const log = this.#logFor(namespace, pod, container);
    const line = { timestamp: new Date().toISOString().replace('Z', '000000Z'), text };
    log.lines.push(line);
    if (log.lines.length > MAX_LINES_PER_CONTAINER) log.lines.shift();
    for (const follower of log.followers) follower(line);
  }

  /** The lines kept so far (the last 10,000). */
  lines(namespace: string, pod: string, container: string): readonly LogLine[] {
    return [...(this.#logs.get(key(namespace, pod, container))?.lines ?? [])];
  }

  /** The lines of the container's run before its last restart, or `undefined` if it never restarted. */
  previousLines(namespace: string, pod: string, container: string): readonly LogLine[] | undefined {
    return this.#logs.get(key(namespace, pod, container))?.previous;
  }

  /**
   * The container restarted: its log so far becomes its previous run's (`kubectl logs --previous`), the
   * new run's log starts empty, and every follow of the old run ends, as the kubelet's do.
   */
  restart(namespace: string, pod: string, container: string): void {
    const log = this.#logFor(namespace, pod, container);
    this.end(namespace, pod, container);
    log.previous = log.lines;
    log.lines = [];
    log.isEnded = false;
  }

  /** The container's process exited: every follow of its log ends, and a follow from now on ends at once. */
  end(namespace: string, pod: string, container: string): void {
    const log = this.#logFor(namespace, pod, container);
    log.isEnded = true;
    const followers = [...log.followers];
    log.followers.clear();
    for (const follower of followers) follower('ended');
  }

  /**
   * Calls `follower` for each line appended from now on, and with `'ended'` when the container's process
   * exits (at once, on a later tick, if it has); returns the call that stops following.
   */
  follow(namespace: string, pod: string, container: string, follower: LogFollower): () => void {
    const log = this.#logFor(namespace, pod, container);
    if (log.isEnded) {
      let isFollowing = true;
      queueMicrotask(() => {
        if (isFollowing) follower('ended');
      });
      return () => {
        isFollowing = false;
      };
    }
    log.followers.add(follower);
    return () => log.followers.delete(follower);
  }

  /** Forgets a pod's logs and ends every follow of them. */
  remove(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const [logKey, log] of this.#logs) {
      if (!logKey.startsWith(prefix)) continue;
      this.#logs.delete(logKey);
      for (const follower of log.followers) follower('ended');
    }
  }

  #logFor(namespace: string, pod: string, container: string): ContainerLog {
    const logKey = key(namespace, pod, container);
    let log = this.#logs.get(logKey);
    if (log === undefined) {
      log = { lines: [], followers: new Set(), isEnded: false };
      this.#logs.set(logKey, log);
    }
    return log;
  }
}

function key(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}
