import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { scaledMs } from './timeoutScale.js';
import { trackChild } from './trackChild.js';

/** One line a child printed: its parsed JSON when it is a JSON object (pino's format), and the raw text. */
export interface ProcessLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** The parsed line when it is a JSON object, else undefined. */
  readonly json?: Readonly<Record<string, unknown>>;
  /** `performance.now()` of the test process when the line arrived. */
  readonly at: number;
}

/** How a child ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running child process and what it has printed. */
export interface RunningProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every line so far, in order of arrival. */
  readonly lines: readonly ProcessLine[];
  /** JSON lines only (structured logs). */
  readonly logs: () => readonly Readonly<Record<string, unknown>>[];
  /**
   * Resolves with the first line (past or future) that matches; rejects after `timeoutMs` (default 10 s,
   * times `TIMEOUT_SCALE`) or if the child exits first.
   */
  waitForLine(match: (line: ProcessLine) => boolean, timeoutMs?: number): Promise<ProcessLine>;
  /** Resolves with the first JSON log line whose fields include `fields`. */
  waitForLog(
    fields: Readonly<Record<string, unknown>>,
    timeoutMs?: number,
  ): Promise<Readonly<Record<string, unknown>>>;
  /** Sends a signal. */
  signal(signal: NodeJS.Signals): void;
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs` (times `TIMEOUT_SCALE`); resolves when it has exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** Options of `startProcess`. */
export interface StartProcessOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** `pipe` to write to the child's stdin (`child.stdin`); default `ignore`. */
  readonly stdin?: 'pipe' | 'ignore';
}

/**
 * Spawns a child process and collects its output line by line, parsing JSON log lines. The caller
 * stops it (`stop()`); a child left running when the test process exits is killed.
 */
export function startProcess(
  command: string,
  args: readonly string[],
  options: StartProcessOptions = {},
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const lines: ProcessLine[] = [];
  const waiters = new Set<(line: ProcessLine) => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = child[stream];
    if (source === null) continue;
    createInterface({ input: source }).on('line', (text) => {
      const line: ProcessLine = { stream, text, at: performance.now(), ...parseJson(text) };
      lines.push(line);
      for (const waiter of waiters) waiter(line);
    });
  }
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const waitForLine = (match: (line: ProcessLine) => boolean, unscaledMs = 10_000) => {
    const timeoutMs = scaledMs(unscaledMs);
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<ProcessLine>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(onLine);
      };
      const onLine = (line: ProcessLine) => {
        if (!match(line)) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `no matching line from "${command} ${args.join(' ')}" within ${timeoutMs}ms; last lines:\n${tail(lines)}`,
          ),
        );
      }, timeoutMs);
      waiters.add(onLine);
      void exited.then((exit) => {
        if (!waiters.has(onLine)) return;
        done();
        reject(
          new Error(
            `"${command} ${args.join(' ')}" exited (${exit.code ?? exit.signal}) before a matching line; last lines:\n${tail(lines)}`,
          ),
        );
      });
    });
  };

  return {
    child,
    pid: child.pid ?? -1,
    lines,
    logs: () => lines.flatMap((line) => (line.json === undefined ? [] : [line.json])),
    waitForLine,
    async waitForLog(fields, timeoutMs) {
      const line = await waitForLine(
        (candidate) =>
          candidate.json !== undefined &&
          Object.entries(fields).every(([key, value]) => candidate.json?.[key] === value),
        timeoutMs,
      );
      return line.json ?? {};
    },
    signal(signal) {
      if (!hasExited) child.kill(signal);
    },
    exited,
    async stop(graceMs = 5_000) {
      if (hasExited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), scaledMs(graceMs));
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

function parseJson(text: string): { json?: Record<string, unknown> } {
  if (!text.startsWith('{')) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? { json: value as Record<string, unknown> }
      : {};
  } catch {
    return {};
  }
}

function tail(lines: readonly ProcessLine[]): string {
  return lines
    .slice(-15)
    .map((line) => `  ${line.stream}: ${line.text}`)
    .join('\n');
}
