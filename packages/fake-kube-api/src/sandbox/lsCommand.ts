import { posix } from 'node:path';
import type { CommandIo } from './CommandIo.js';
import type { PathStat, PodSandbox } from './PodSandbox.js';

const SERVED_OPTIONS = new Set(['1', 'a', 'l']);
const SIX_MONTHS_MS = 182 * 24 * 60 * 60 * 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface LsOptions {
  readonly isLong: boolean;
  readonly showsAll: boolean;
}

/** One line of a listing: the name shown and what it is. */
interface Entry {
  readonly name: string;
  readonly stat: PathStat;
}

/**
 * `ls` as GNU ls prints to a pipe: one name a line; several operands give the files first, then each
 * directory under a `<path>:` heading, a blank line between. `-a` adds `.`, `..` and dot files, `-l`
 * the long format (mode, links, owner, size, time), `-1` changes nothing. Another option is refused with
 * exit code 2; an operand that does not exist is reported and the others listed, exit code 2.
 */
export function lsCommand(args: readonly string[], io: CommandIo, sandbox: PodSandbox): number {
  const operands: string[] = [];
  let isLong = false;
  let showsAll = false;
  let isOptionsEnd = false;
  for (const arg of args) {
    if (isOptionsEnd || !arg.startsWith('-') || arg === '-') operands.push(arg);
    else if (arg === '--') isOptionsEnd = true;
    else {
      const unserved = arg.startsWith('--')
        ? arg
        : [...arg.slice(1)].find((letter) => !SERVED_OPTIONS.has(letter));
      if (unserved !== undefined) {
        const option = unserved.startsWith('--') ? unserved : `-${unserved}`;
        io.writeStderr(`ls: option ${option} is not supported by this sandbox (it serves -1, -a, -l)\n`);
        return 2;
      }
      isLong ||= arg.includes('l');
      showsAll ||= arg.includes('a');
    }
  }
  const options = { isLong, showsAll };
  const named = operands.length === 0 ? ['.'] : operands;
  let status = 0;
  const files: Entry[] = [];
  const directories: string[] = [];
  for (const operand of [...named].sort()) {
    const stat = sandbox.stat(operand);
    if (stat === undefined) {
      io.writeStderr(`ls: cannot access '${operand}': No such file or directory\n`);
      status = 2;
    } else if (stat.kind === 'file') files.push({ name: operand, stat });
    else directories.push(operand);
  }
  const sections: string[] = [];
  if (files.length > 0) sections.push(formatEntries(files, options, false));
  for (const directory of directories) {
    const listing = formatEntries(directoryEntries(directory, sandbox, showsAll), options, true);
    sections.push(named.length > 1 ? `${directory}:\n${listing}` : listing);
  }
  io.writeStdout(sections.join('\n'));
  return status;
}

function directoryEntries(directory: string, sandbox: PodSandbox, showsAll: boolean): Entry[] {
  const resolved = sandbox.resolve(directory);
  const names = [
    ...(showsAll ? ['.', '..'] : []),
    ...sandbox.list(resolved).filter((name) => showsAll || !name.startsWith('.')),
  ];
  return names.map((name) => ({
    name,
    stat: sandbox.stat(posix.join(resolved, name)) as PathStat,
  }));
}

function formatEntries(entries: readonly Entry[], options: LsOptions, isDirectoryListing: boolean): string {
  if (!options.isLong) return entries.map((entry) => `${entry.name}\n`).join('');
  const links = entries.map(({ stat }) => String(stat.kind === 'file' ? 1 : 2 + stat.subdirectories));
  const sizes = entries.map(({ stat }) => String(stat.kind === 'file' ? stat.size : 4096));
  const linkWidth = Math.max(...links.map((text) => text.length));
  const sizeWidth = Math.max(...sizes.map((text) => text.length));
  const nowMs = Date.now();
  const lines = entries.map(({ name, stat }, index) =>
    [
      stat.kind === 'file' ? '-rw-r--r--' : 'drwxr-xr-x',
      (links[index] as string).padStart(linkWidth),
      'root root',
      (sizes[index] as string).padStart(sizeWidth),
      formatTime(stat.modifiedAt, nowMs),
      name,
    ].join(' '),
  );
  // GNU ls heads a directory's long listing with its size in 1 KiB blocks (4 KiB per block allocated).
  const blocks = entries.reduce(
    (sum, { stat }) => sum + (stat.kind === 'file' ? Math.ceil(stat.size / 4096) * 4 : 4),
    0,
  );
  return `${isDirectoryListing ? `total ${blocks}\n` : ''}${lines.map((line) => `${line}\n`).join('')}`;
}

/** `Dec  4 23:08`, or `Dec  4  2025` for a time over six months away, in UTC as a container shows it. */
function formatTime(time: Date, nowMs: number): string {
  const day = String(time.getUTCDate()).padStart(2);
  const isRecent = Math.abs(nowMs - time.getTime()) < SIX_MONTHS_MS;
  const clock = `${String(time.getUTCHours()).padStart(2, '0')}:${String(time.getUTCMinutes()).padStart(2, '0')}`;
  return `${MONTHS[time.getUTCMonth()]} ${day} ${isRecent ? clock : ` ${time.getUTCFullYear()}`}`;
}
