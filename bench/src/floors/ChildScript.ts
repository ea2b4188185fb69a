import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What every child script sends: one JSON object with a `type`. */
export interface ChildMessage {
  readonly type: string;
}

const jitiRegister = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('jiti/package.json')), 'lib', 'jiti-register.mjs'),
).href;

/**
 * A TypeScript script of the benchmarks running as its own Node process (loaded with jiti, `--expose-gc`),
 * talking to this process over Node's IPC channel. Its open-file limit is raised to the hard limit first:
 * a process holding 5,000 agent connections needs more than the usual soft limit of 1,024.
 */
export class ChildScript<Command extends ChildMessage, Reply extends ChildMessage> {
  readonly #process: ChildProcess;
  readonly #queue: Reply[] = [];
  #waiter: ((message: Reply | Error) => void) | undefined;
  readonly #exited: Promise<void>;
  /** Why no more messages will come, once the child has exited. */
  #exit: Error | undefined;

  constructor(script: URL, args: readonly string[] = []) {
    this.#process = spawn(
      '/bin/sh',
      [
        '-c',
        'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"',
        'sh',
        process.execPath,
        '--expose-gc',
        '--import',
        jitiRegister,
        fileURLToPath(script),
        ...args,
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    this.#process.on('message', (message: Reply) => this.#deliver(message));
    this.#exited = new Promise((resolve) => this.#process.once('exit', () => resolve()));
    this.#process.once('exit', (code, signal) => {
      this.#exit = new Error(`${script.pathname} exited (code ${code}, signal ${signal})`);
      this.#waiter?.(this.#exit);
    });
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** Sends a message to the child. */
  send(message: Command): void {
    this.#process.send(message);
  }

  /** The next message from the child; it must be of `type` (an `error` message rejects). */
  async next<T extends Reply['type']>(type: T, timeoutMs: number): Promise<Extract<Reply, { type: T }>> {
    const message =
      this.#queue.shift() ??
      this.#exit ??
      (await new Promise<Reply | Error>((resolve) => {
        const timer = setTimeout(
          () => resolve(new Error(`no "${type}" message from the child within ${timeoutMs}ms`)),
          timeoutMs,
        );
        this.#waiter = (received) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          resolve(received);
        };
      }));
    if (message instanceof Error) throw message;
    if (message.type !== type) {
      const detail = 'message' in message ? `: ${String(message.message)}` : '';
      throw new Error(`expected "${type}" from the child, got "${message.type}"${detail}`);
    }
    return message as Extract<Reply, { type: T }>;
  }

  /** Sends `message` and waits for the answer of `type`. */
  async request<T extends Reply['type']>(
    message: Command,
    type: T,
    timeoutMs: number,
  ): Promise<Extract<Reply, { type: T }>> {
    this.send(message);
    return this.next(type, timeoutMs);
  }

  /** Ends the child (SIGKILL: it holds nothing that needs a clean end) and waits for its exit. */
  async stop(): Promise<void> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGKILL');
    await this.#exited;
  }

  #deliver(message: Reply): void {
    if (this.#waiter !== undefined) this.#waiter(message);
    else this.#queue.push(message);
  }
}
