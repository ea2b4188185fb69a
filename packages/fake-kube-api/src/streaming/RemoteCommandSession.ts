import type { CommandIo, TerminalSize } from '../sandbox/CommandIo.js';
import type { PodSandbox } from '../sandbox/PodSandbox.js';
import { runCommand } from '../sandbox/runCommand.js';
import { StdinQueue } from '../sandbox/StdinQueue.js';
import type { PodProcess } from './PodProcess.js';
import { remoteCommandStatus } from './remoteCommandStatus.js';
import type { StreamingRequest } from './StreamingRequest.js';

/** Where a session's output goes: the protocol's stdout, stderr and error channel or streams. */
export interface RemoteCommandOutput {
  stdout(bytes: Buffer): void;
  stderr(bytes: Buffer): void;
  /** The final `Status`; the protocol then closes. */
  finish(status: Record<string, unknown>): void;
}

/**
 * One exec or attach, independent of the protocol that carries it: feeds stdin and terminal sizes in,
 * runs the sandbox command (exec) or follows the pod's process (attach), and ends with a `Status`.
 */
export class RemoteCommandSession {
  readonly stdin = new StdinQueue();
  #size: TerminalSize | undefined;
  #leave!: () => void;
  readonly #gone = new Promise<void>((resolve) => {
    this.#leave = resolve;
  });

  constructor(
    private readonly request: StreamingRequest,
    private readonly output: RemoteCommandOutput,
  ) {
    if (!request.stdin) this.stdin.end();
  }

  resize(size: TerminalSize): void {
    this.#size = size;
  }

  /** The client went away: a running command stops. */
  clientGone(): void {
    this.stdin.end();
    this.#leave();
  }

  /** Runs the command in `sandbox` (exec) or attaches to `process` (attach) and sends the final Status. */
  async run(sandbox: PodSandbox, process: PodProcess): Promise<void> {
    const io: CommandIo = {
      tty: this.request.tty,
      readStdin: () => this.stdin.read(),
      writeStdout: (bytes) => this.output.stdout(toBuffer(bytes)),
      writeStderr: (bytes) =>
        this.request.tty ? this.output.stdout(toBuffer(bytes)) : this.output.stderr(toBuffer(bytes)),
      terminalSize: () => this.#size,
      gone: this.#gone,
    };
    const exitCode =
      this.request.kind === 'attach'
        ? await process.attach(io)
        : await runCommand(this.request.command, io, sandbox);
    this.output.finish(remoteCommandStatus(exitCode, this.request.command));
  }
}

function toBuffer(bytes: Buffer | string): Buffer {
  return typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
}
