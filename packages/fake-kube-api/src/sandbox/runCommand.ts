import type { CommandIo } from './CommandIo.js';
import { lineShell } from './lineShell.js';
import type { PodSandbox } from './PodSandbox.js';
import { splitCommandLine } from './splitCommandLine.js';
import { tarCommand } from './tarCommand.js';

/** The commands a fake pod's sandbox knows, for `kubectl exec` and the line shell's help. */
export const SANDBOX_COMMANDS = [
  'cat',
  'echo',
  'env',
  'exit',
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

/**
 * Runs one command of the sandbox's built-in set and resolves with its exit code (127 for a command it
 * does not know). Never starts a host process: every command is a function over the sandbox.
 */
export async function runCommand(
  argv: readonly string[],
  io: CommandIo,
  sandbox: PodSandbox,
): Promise<number> {
  const [name = '', ...args] = argv;
  switch (name.replace(/^\/(usr\/)?bin\//, '')) {
    case 'echo': {
      const noNewline = args[0] === '-n';
      io.writeStdout(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
      return 0;
    }
    case 'cat':
      return cat(args, io, sandbox);
    case 'env':
      io.writeStdout(
        Object.entries(sandbox.env)
          .map(([key, value]) => `${key}=${value}\n`)
          .join(''),
      );
      return 0;
    case 'hostname':
      io.writeStdout(`${sandbox.podName}\n`);
      return 0;
    case 'pwd':
      io.writeStdout('/\n');
      return 0;
    case 'ls':
      return ls(args, io, sandbox);
    case 'true':
      return 0;
    case 'false':
      return 1;
    case 'test':
      return test(args, sandbox);
    case 'sleep':
      return sleep(args, io);
    case 'stty':
      return stty(args, io);
    case 'tar':
      return tarCommand(args, io, sandbox);
    case 'sh':
    case 'bash':
    case 'ash':
      if (args[0] === '-c' && args[1] !== undefined)
        return runCommand(splitCommandLine(args[1]), io, sandbox);
      return lineShell(io, sandbox);
    default:
      io.writeStderr(
        `${name}: command not found (the fake pod's sandbox knows: ${SANDBOX_COMMANDS.join(', ')})\n`,
      );
      return 127;
  }
}

async function cat(args: readonly string[], io: CommandIo, sandbox: PodSandbox): Promise<number> {
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

function ls(args: readonly string[], io: CommandIo, sandbox: PodSandbox): number {
  const path = args.find((arg) => !arg.startsWith('-')) ?? '/';
  if (sandbox.readFile(path) !== undefined) {
    io.writeStdout(`${path}\n`);
    return 0;
  }
  if (!sandbox.isDirectory(path)) {
    io.writeStderr(`ls: ${path}: No such file or directory\n`);
    return 2;
  }
  const names = sandbox.list(path);
  io.writeStdout(names.length === 0 ? '' : `${names.join('\n')}\n`);
  return 0;
}

function test(args: readonly string[], sandbox: PodSandbox): number {
  const [flag, path] = args;
  if (path === undefined) return 2;
  const isFile = sandbox.readFile(path) !== undefined;
  const isDirectory = sandbox.isDirectory(path);
  if (flag === '-d') return isDirectory ? 0 : 1;
  if (flag === '-f') return isFile ? 0 : 1;
  if (flag === '-e') return isFile || isDirectory ? 0 : 1;
  return 2;
}

async function sleep(args: readonly string[], io: CommandIo): Promise<number> {
  const seconds = Number(args[0]);
  if (!Number.isFinite(seconds) || seconds < 0) {
    io.writeStderr(`sleep: invalid time interval '${args[0] ?? ''}'\n`);
    return 1;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise((resolve) => {
      timer = setTimeout(resolve, seconds * 1000);
    }),
    io.gone,
  ]);
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
