import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type { CommandIo } from './CommandIo.js';
import type { PodSandbox } from './PodSandbox.js';

/**
 * `tar` as far as `kubectl cp` needs it: `tar cf - <path>` writes the files under a path to stdout
 * (names without the leading `/`, as GNU tar writes them), and `tar [-]xmf - [-C <dir>]` (with or without
 * `--no-same-permissions --no-same-owner`) reads an archive from stdin into the sandbox. Anything else
 * is refused with a message on stderr.
 */
export async function tarCommand(
  args: readonly string[],
  io: CommandIo,
  sandbox: PodSandbox,
): Promise<number> {
  const flags = args.filter((arg) => !arg.startsWith('--no-same-'));
  const mode = (flags[0] ?? '').replace(/^-/, '');
  if (/^c[v]?f$/.test(mode) && flags[1] === '-' && flags.length >= 3) {
    return create(flags.slice(2), io, sandbox);
  }
  if (/^x[mv]*f$|^xmf$/.test(mode) && flags[1] === '-') {
    const directory = flags[2] === '-C' ? (flags[3] ?? '/') : '/';
    return extractInto(directory, io, sandbox);
  }
  io.writeStderr(
    `tar: the sandbox serves "tar cf - <path>" and "tar xmf - [-C dir]" only, not ${args.join(' ')}\n`,
  );
  return 2;
}

async function create(paths: readonly string[], io: CommandIo, sandbox: PodSandbox): Promise<number> {
  const archive = pack();
  const done = (async () => {
    for await (const chunk of archive) io.writeStdout(chunk as Buffer);
  })();
  let status = 0;
  for (const path of paths) {
    const files = sandbox.filesUnder(path);
    if (files.length === 0) {
      io.writeStderr(`tar: ${path}: Cannot stat: No such file or directory\n`);
      status = 2;
      continue;
    }
    for (const file of files) {
      const content = sandbox.readFile(file) as Buffer;
      archive.entry(
        { name: file.replace(/^\/+/, ''), size: content.length, mode: 0o644, mtime: new Date() },
        content,
      );
    }
  }
  archive.finalize();
  await done;
  return status;
}

async function extractInto(directory: string, io: CommandIo, sandbox: PodSandbox): Promise<number> {
  const input = new Readable({ read() {} });
  const parser = extract();
  const finished = new Promise<number>((resolve) => {
    parser.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (part: unknown) => {
        parts.push(part as Buffer);
      });
      stream.on('end', () => {
        if (header.type === 'file')
          sandbox.writeFile(sandbox.resolve(header.name, sandbox.resolve(directory)), Buffer.concat(parts));
        next();
      });
    });
    parser.on('finish', () => resolve(0));
    parser.on('error', (error) => {
      io.writeStderr(`tar: ${error.message}\n`);
      resolve(2);
    });
  });
  input.pipe(parser);
  for (;;) {
    const chunk = await io.readStdin();
    if (chunk === null) break;
    input.push(chunk);
  }
  input.push(null);
  return finished;
}
