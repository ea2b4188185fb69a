import type { CommandIo } from './CommandIo.js';
import type { PodSandbox } from './PodSandbox.js';
import { runShellLine } from './shellCommand.js';

const NO_STDIN = (): Promise<Buffer | null> => Promise.resolve(null);
const INTERRUPTED_STATUS = 130;

/**
 * An interactive line shell for `kubectl exec -it <pod> -- sh`: prints a prompt, reads a line, runs it
 * as `sh -c` would, until `exit` or the end of stdin. With a terminal (`-t`) the session's line
 * discipline echoes, edits and delivers whole lines; the shell does what an interactive shell does with
 * Ctrl-C (SIGINT): at the prompt it starts a new line, during a command it ends the command (status
 * 130), and prints a new prompt.
 */
export async function lineShell(io: CommandIo, sandbox: PodSandbox): Promise<number> {
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
    io.writeStdout(`\n${prompt}`);
  });
  const runLine = async (text: string) => {
    const interrupted = new Promise<void>((resolve) => {
      interruptCommand = resolve;
    });
    const commandIo: CommandIo = {
      ...io,
      readStdin: NO_STDIN,
      gone: Promise.race([io.gone, interrupted]),
      // Nothing the shell runs catches SIGINT: a Ctrl-C ends it.
      onInterrupt: () => () => undefined,
    };
    try {
      return await Promise.race([
        runShellLine(text, commandIo, sandbox, { positional: ['sh'], lastStatus }),
        interrupted.then(() => {
          io.writeStdout('\n');
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
          const outcome = await runLine(line);
          line = '';
          lastStatus = outcome.status;
          if (outcome.isExit) return lastStatus;
          io.writeStdout(prompt);
        } else {
          line += char;
        }
      }
    }
  } finally {
    stopListening();
  }
}
