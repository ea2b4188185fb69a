import type { CommandIo } from './CommandIo.js';
import { lineShell } from './lineShell.js';
import type { PodSandbox } from './PodSandbox.js';
import { parseShellLine } from './parseShellLine.js';
import { runCommand } from './runCommand.js';

/** Options of `sh` that change nothing for one simple command: `-e`, `-i`, `-l` / `--login` (bash). */
const NEUTRAL_OPTIONS = new Set(['e', 'i', 'l']);

/**
 * `sh`, `bash` or `ash`: `sh -c '<line>' [name [args…]]` runs the line (`$0` is name, `$1`… the args),
 * `sh` alone the interactive line shell. An option it does not serve (`-x`, …) or a script file is
 * refused with exit code 2, as a shell refuses what it does not know.
 */
export async function shellCommand(
  name: string,
  args: readonly string[],
  io: CommandIo,
  sandbox: PodSandbox,
): Promise<number> {
  let isCommand = false;
  let index = 0;
  for (; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '--') {
      index += 1;
      break;
    }
    if (arg === '--login') continue;
    if (!/^-[a-z]+$/i.test(arg)) break;
    for (const letter of arg.slice(1)) {
      if (letter === 'c') isCommand = true;
      else if (!NEUTRAL_OPTIONS.has(letter)) {
        io.writeStderr(
          `${name}: option -${letter} is not supported by this sandbox (it serves -c, -e, -i, -l)\n`,
        );
        return 2;
      }
    }
  }
  const operands = args.slice(index);
  if (!isCommand && operands.length === 0) return lineShell(io, sandbox);
  if (!isCommand) {
    io.writeStderr(`${name}: script files are not supported by this sandbox (use ${name} -c '<command>')\n`);
    return 2;
  }
  const [line, ...positional] = operands;
  if (line === undefined) {
    io.writeStderr(`${name}: -c: option requires an argument\n`);
    return 2;
  }
  const outcome = await runShellLine(line, io, sandbox, {
    positional: positional.length > 0 ? positional : [name],
  });
  return outcome.status;
}

/** The state a line runs in: `$0`, `$1`… and the last status (`$?`). */
export interface ShellState {
  readonly positional: readonly string[];
  readonly lastStatus?: number;
}

/** How a line ended: its status, and whether it was `exit` (the shell ends). */
export interface LineOutcome {
  readonly status: number;
  readonly isExit: boolean;
}

/** Runs one line of the shell: parses and expands it, then runs `exit` or one sandbox command. */
export async function runShellLine(
  line: string,
  io: CommandIo,
  sandbox: PodSandbox,
  state: ShellState,
): Promise<LineOutcome> {
  const lastStatus = state.lastStatus ?? 0;
  const parsed = parseShellLine(line, (variable) => {
    if (variable === '?') return String(lastStatus);
    if (/^\d$/.test(variable)) return state.positional[Number(variable)];
    return sandbox.env[variable];
  });
  if ('error' in parsed) {
    io.writeStderr(`sh: ${parsed.error}\n`);
    return { status: 2, isExit: false };
  }
  const [command, ...args] = parsed.words;
  if (command === undefined) return { status: lastStatus, isExit: false };
  if (command !== 'exit') return { status: await runCommand(parsed.words, io, sandbox), isExit: false };
  const code = args[0] === undefined ? lastStatus : Number(args[0]);
  if (!Number.isInteger(code) || code < 0) {
    io.writeStderr(`sh: exit: Illegal number: ${args[0]}\n`);
    return { status: 2, isExit: true };
  }
  return { status: code % 256, isExit: true };
}
