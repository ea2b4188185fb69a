/** One line of a container's log, with the time it was written (RFC 3339, nanosecond digits). */
export interface LogLine {
  readonly timestamp: string;
  readonly text: string;
}

/** What a follower of a log is told: a new line, or that the log has ended (the pod was deleted). */
export type LogFollower = (line: LogLine | 'ended') => void;

interface ContainerLog {
  readonly lines: LogLine[];
  readonly followers: Set<LogFollower>;
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

  /** Calls `follower` for each line appended from now on; returns the call that stops following. */
  follow(namespace: string, pod: string, container: string, follower: LogFollower): () => void {
    const log = this.#logFor(namespace, pod, container);
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
      log = { lines: [], followers: new Set() };
      this.#logs.set(logKey, log);
    }
    return log;
  }
}

function key(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}
