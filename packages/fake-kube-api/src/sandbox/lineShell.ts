import type { CommandIo } from './CommandIo.js';
import type { PodSandbox } from './PodSandbox.js';
import { runShellLine } from './shellCommand.js';

const NO_STDIN = (): Promise<Buffer | null> => Promise.resolve(null);
const INTERRUPTED_STATUS = 130;

/**
 * An interactive line shell for `kubectl exec -it <pod> -- sh`: prints a prompt, reads a line, runs it
 * as `sh -c` would, until `exit` or the end of stdin. With a terminal (`-t`) it does what a pty's line
 * discipline would: echoes what is typed, handles backspace, answers Enter with CRLF; and what an
 * interactive shell does with Ctrl-C (SIGINT): at the prompt it drops the line typed so far, during a
 * command it ends the command (status 130), and prints a new prompt.
 */
export async function lineShell(io: CommandIo, sandbox: PodSandbox): Promise<number> {
  const newline = io.tty ? '\r\n' : '\n';
  const prompt = `${sandbox.podName}:/# `;
  let line = '';
  let lastStatus = 0;
  /** Ends the command running now, if any. */
  let interruptCommand: (() => void) | undefined;
  const stopListening = io.onInterrupt(() => {
    if (interruptCommand !== undefined) {
      interruptCommand();
      return;
    }
    line = '';
    lastStatus = INTERRUPTED_STATUS;
    io.writeStdout(`${newline}${prompt}`);
  });
  const runLine = async (text: string) => {
    const interrupted = new Promise<void>((resolve) => {
      interruptCommand = resolve;
    });
    const commandIo: CommandIo = {
      ...io,
      readStdin: NO_STDIN,
      writeStdout: (bytes) => io.writeStdout(io.tty ? toCrlf(bytes) : bytes),
      writeStderr: (bytes) => io.writeStderr(io.tty ? toCrlf(bytes) : bytes),
      gone: Promise.race([io.gone, interrupted]),
      // Nothing the shell runs catches SIGINT: a Ctrl-C ends it.
      onInterrupt: () => () => undefined,
    };
    try {
      return await Promise.race([
        runShellLine(text, commandIo, sandbox, { positional: ['sh'], lastStatus }),
        interrupted.then(() => {
          io.writeStdout(newline);
          return { status: INTERRUPTED_STATUS, isExit: false };
        }),
      ]);
    } finally {
      interruptCommand = undefined;
    }
  };
  try {
    io.writeStdout(prompt);
    for (;;) {
      const chunk = await io.readStdin();
      if (chunk === null) return lastStatus;
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          if (io.tty) io.writeStdout(newline);
          const outcome = await runLine(line);
          line = '';
          lastStatus = outcome.status;
          if (outcome.isExit) return lastStatus;
          io.writeStdout(prompt);
        } else if (char === '\x7f' || char === '\b') {
          if (line.length > 0 && io.tty) io.writeStdout('\b \b');
          line = line.slice(0, -1);
        } else if (char === '\x04' && line === '') {
          return lastStatus;
        } else {
          line += char;
          if (io.tty) io.writeStdout(char);
        }
      }
    }
  } finally {
    stopListening();
  }
}

function toCrlf(bytes: Buffer | string): string {
  return bytes.toString().replace(/\r?\n/g, '\r\n');
}
