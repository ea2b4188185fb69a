import type { CommandIo } from './CommandIo.js';
import { lsCommand } from './lsCommand.js';
import type { PodSandbox } from './PodSandbox.js';
import { shellCommand } from './shellCommand.js';
import { tarCommand } from './tarCommand.js';

/** The commands a fake pod's sandbox knows, for `kubectl exec` and the line shell (which adds `exit`). */
export const SANDBOX_COMMANDS = [
  'cat',
  'echo',
  'env',
  'false',
  'hostname',
  'ls',
  'pwd',
  'sh',
  'sleep',
  'stty',
  'tar',
  'test',
  'true',
] as const;

/** Whether `name` (`sh`, `/bin/sh`) is a command of the sandbox. */
export function isSandboxCommand(name: string): boolean {
  return (SANDBOX_COMMANDS as readonly string[]).includes(name.replace(/^\/(usr\/)?bin\//, ''));
}

/**
 * Runs one command of the sandbox's built-in set and resolves with its exit code (127 for a command it
 * does not know). Never starts a host process: every command is a function over the sandbox. An option
 * or argument a command does not serve is refused on stderr with a non-zero exit code, never ignored.
 */
export async function runCommand(
  argv: readonly string[],
  io: CommandIo,
  sandbox: PodSandbox,
): Promise<number> {
  const [name = '', ...args] = argv;
  const command = name.replace(/^\/(usr\/)?bin\//, '');
  switch (command) {
    case 'echo': {
      const noNewline = args[0] === '-n';
      io.writeStdout(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
      return 0;
    }
    case 'cat':
      return cat(args, io, sandbox);
    case 'env':
      if (args.length > 0) return refuse(io, 'env', 'running a command or setting variables', 125);
      io.writeStdout(
        Object.entries(sandbox.env)
          .map(([key, value]) => `${key}=${value}\n`)
          .join(''),
      );
      return 0;
    case 'hostname':
      if (args.length > 0) return refuse(io, 'hostname', `argument ${args[0]}`, 1);
      io.writeStdout(`${sandbox.podName}\n`);
      return 0;
    case 'pwd': {
      const unserved = args.find((arg) => arg !== '-L' && arg !== '-P');
      if (unserved !== undefined) return refuse(io, 'pwd', `argument ${unserved}`, 1);
      io.writeStdout('/\n');
      return 0;
    }
    case 'ls':
      return lsCommand(args, io, sandbox);
    case 'true':
      return 0;
    case 'false':
      return 1;
    case 'test':
      return test(args, io, sandbox);
    case 'sleep':
      return sleep(args, io);
    case 'stty':
      return stty(args, io);
    case 'tar':
      return tarCommand(args, io, sandbox);
    case 'sh':
    case 'bash':
    case 'ash':
      return shellCommand(command, args, io, sandbox);
    default:
      io.writeStderr(
        `${name}: command not found (the fake pod's sandbox knows: ${SANDBOX_COMMANDS.join(', ')})\n`,
      );
      return 127;
  }
}

async function cat(args: readonly string[], io: CommandIo, sandbox: PodSandbox): Promise<number> {
  const option = args.find((arg) => arg.startsWith('-') && arg !== '-');
  if (option !== undefined) return refuse(io, 'cat', `option ${option}`, 1);
  if (args.length === 0 || (args.length === 1 && args[0] === '-')) {
    for (;;) {
      const chunk = await io.readStdin();
      if (chunk === null) return 0;
      io.writeStdout(chunk);
    }
  }
  let status = 0;
  for (const path of args) {
    const content = sandbox.readFile(path);
    if (content === undefined) {
      io.writeStderr(
        `cat: ${path}: ${sandbox.isDirectory(path) ? 'Is a directory' : 'No such file or directory'}\n`,
      );
      status = 1;
    } else io.writeStdout(content);
  }
  return status;
}

function test(args: readonly string[], io: CommandIo, sandbox: PodSandbox): number {
  const [flag, path] = args;
  if (args.length !== 2 || path === undefined || !['-d', '-e', '-f'].includes(flag ?? '')) {
    return refuse(io, 'test', `expression '${args.join(' ')}'`, 2, '-d, -e, -f <path>');
  }
  const isFile = sandbox.readFile(path) !== undefined;
  const isDirectory = sandbox.isDirectory(path);
  if (flag === '-d') return isDirectory ? 0 : 1;
  if (flag === '-f') return isFile ? 0 : 1;
  return isFile || isDirectory ? 0 : 1;
}

const SLEEP_UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };
/** The longest delay a Node timer takes; a longer sleep (or `infinity`) lasts until the client leaves. */
const MAX_TIMER_MS = 2 ** 31 - 1;

async function sleep(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.length > 1) return refuse(io, 'sleep', 'more than one operand', 1, 'one interval');
  const [interval = ''] = args;
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(interval);
  if (interval !== 'infinity' && match === null) {
    io.writeStderr(`sleep: invalid time interval '${interval}'\n`);
    return 1;
  }
  const delayMs =
    match === null
      ? Number.POSITIVE_INFINITY
      : Number(match[1]) * (SLEEP_UNIT_SECONDS[match[2] ?? ''] ?? 1) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const elapsed =
    delayMs > MAX_TIMER_MS
      ? []
      : [
          new Promise((resolve) => {
            timer = setTimeout(resolve, delayMs);
          }),
        ];
  await Promise.race([...elapsed, io.gone]);
  clearTimeout(timer);
  return 0;
}

function stty(args: readonly string[], io: CommandIo): number {
  if (args[0] !== 'size') {
    io.writeStderr('stty: the sandbox serves "stty size" only\n');
    return 1;
  }
  const size = io.terminalSize();
  if (size === undefined) {
    io.writeStderr("stty: 'standard input': Inappropriate ioctl for device\n");
    return 1;
  }
  io.writeStdout(`${size.height} ${size.width}\n`);
  return 0;
}

/** Says on stderr that the sandbox does not serve something a real tool does, and answers `code`. */
function refuse(io: CommandIo, command: string, what: string, code: number, serves?: string): number {
  io.writeStderr(
    `${command}: ${what} is not supported by this sandbox${serves === undefined ? '' : ` (it serves ${serves})`}\n`,
  );
  return code;
}
