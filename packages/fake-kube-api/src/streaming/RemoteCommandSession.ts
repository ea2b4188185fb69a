import type { CommandIo, TerminalSize } from '../sandbox/CommandIo.js';
import type { PodSandbox } from '../sandbox/PodSandbox.js';
import { runCommand } from '../sandbox/runCommand.js';
import { StdinQueue } from '../sandbox/StdinQueue.js';
import type { PodProcess } from './PodProcess.js';
import { remoteCommandStatus } from './remoteCommandStatus.js';
import type { StreamingRequest } from './StreamingRequest.js';
import { TerminalLineDiscipline, terminalOutput } from './TerminalLineDiscipline.js';

/** Where a session's output goes: the protocol's stdout, stderr and error channel or streams. */
export interface RemoteCommandOutput {
  stdout(bytes: Buffer): void;
  stderr(bytes: Buffer): void;
  /** The final `Status`; the protocol then closes. */
  finish(status: Record<string, unknown>): void;
}

const INTERRUPTED_EXIT_CODE = 130;

/**
 * One exec or attach, independent of the protocol that carries it: feeds stdin and terminal sizes in,
 * runs the sandbox command (exec) or follows the pod's process (attach), and ends with a `Status`.
 * With a terminal (`-t`) the keys typed pass through a pty's line discipline
 * ({@link TerminalLineDiscipline}: echo, whole lines, Backspace, Ctrl-D) and output gets CRLF; Ctrl-C
 * is a SIGINT for the command (see `CommandIo.onInterrupt`), echoed as `^C`; an attach (`kubectl run
 * -it`, `attach -it`) ends with 130, as the pod's main process would die of it.
 */
export class RemoteCommandSession {
  readonly #stdin = new StdinQueue();
  /** What the protocol feeds: stdin chunks, and their end. */
  readonly stdin = {
    push: (chunk: Buffer) => this.#pushStdin(chunk),
    end: () => {
      this.#pending = this.#pending.then(() => this.#stdin.end());
    },
  };
  #size: TerminalSize | undefined;
  #leave!: () => void;
  readonly #gone = new Promise<void>((resolve) => {
    this.#leave = resolve;
  });
  readonly #interruptListeners = new Set<() => void>();
  #interruptCommand!: () => void;
  readonly #interrupted = new Promise<void>((resolve) => {
    this.#interruptCommand = resolve;
  });
  #isFinished = false;
  #markRunning!: () => void;
  readonly #running = new Promise<void>((resolve) => {
    this.#markRunning = resolve;
  });
  /** Stdin after a Ctrl-C waits for the interrupt to be handled, so what follows it comes after it. */
  #pending: Promise<void> = Promise.resolve();
  readonly #terminal = new TerminalLineDiscipline({
    echo: (text) => this.output.stdout(Buffer.from(text)),
    deliver: (bytes) => {
      this.#pending = this.#pending.then(() => this.#stdin.push(bytes));
    },
    endOfInput: () => this.stdin.end(),
    interrupt: () => {
      // Once the command runs (a Ctrl-C typed before it started is its SIGINT then, as on a pty, which
      // the command has from its start), and a turn of the event loop later: what was typed before the
      // Ctrl-C has been read by then.
      this.#pending = this.#pending
        .then(() => this.#running)
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => this.#interrupt());
    },
  });

  constructor(
    private readonly request: StreamingRequest,
    private readonly output: RemoteCommandOutput,
  ) {
    if (!request.stdin) this.#stdin.end();
  }

  resize(size: TerminalSize): void {
    this.#size = size;
  }

  /** The client went away: a running command stops. */
  clientGone(): void {
    this.#stdin.end();
    this.#leave();
  }

  #pushStdin(chunk: Buffer): void {
    if (this.request.tty) this.#terminal.input(chunk);
    else this.#stdin.push(chunk);
  }

  #interrupt(): void {
    if (this.#isFinished) return;
    if (this.#interruptListeners.size === 0) this.#interruptCommand();
    for (const listener of [...this.#interruptListeners]) listener();
  }

  /** Runs the command in `sandbox` (exec) or attaches to `process` (attach) and sends the final Status. */
  async run(sandbox: PodSandbox, process: PodProcess): Promise<void> {
    const io: CommandIo = {
      tty: this.request.tty,
      readStdin: () => this.#stdin.read(),
      writeStdout: (bytes) => this.output.stdout(this.#toTerminal(toBuffer(bytes))),
      // A terminal has one output: stderr goes to it too.
      writeStderr: (bytes) =>
        this.request.tty
          ? this.output.stdout(this.#toTerminal(toBuffer(bytes)))
          : this.output.stderr(toBuffer(bytes)),
      terminalSize: () => this.#size,
      gone: Promise.race([this.#gone, this.#interrupted]),
      onInterrupt: (listener) => {
        this.#interruptListeners.add(listener);
        return () => this.#interruptListeners.delete(listener);
      },
    };
    const command =
      this.request.kind === 'attach' ? process.attach(io) : runCommand(this.request.command, io, sandbox);
    this.#markRunning();
    const exitCode = await Promise.race([command, this.#interrupted.then(() => INTERRUPTED_EXIT_CODE)]);
    this.#isFinished = true;
    this.output.finish(remoteCommandStatus(exitCode, this.request.command));
  }

  #toTerminal(bytes: Buffer): Buffer {
    return this.request.tty ? terminalOutput(bytes) : bytes;
  }
}

function toBuffer(bytes: Buffer | string): Buffer {
  return typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
}
