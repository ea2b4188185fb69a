import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, kubectl, scaledMs } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureFakeKubeApi, startSecureFakeKubeApi } from '../support/startSecureFakeKubeApi.js';

/** `ls -l`'s line for one entry: mode, links, owner, group, size, date, name. */
const longLine = (mode: string, size: string, name: string) =>
  new RegExp(
    `^${mode} +\\d+ root root +${size} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d ${name.replaceAll('.', '\\.')}$`,
  );

describe('the exec sandbox behaves like a shell and its tools, or says what it does not serve', () => {
  let fake: SecureFakeKubeApi;
  const exec = (args: readonly string[], input?: string) =>
    kubectl(
      fake.dir,
      fake.kubeconfigPath,
      ['exec', ...(input === undefined ? [] : ['-i']), 'web-0', '--', ...args],
      {
        ...(input === undefined ? {} : { input }),
      },
    );

  beforeAll(async () => {
    fake = await startSecureFakeKubeApi();
    fake.api.objects.create('pods', {
      metadata: { name: 'web-0' },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
      status: { phase: 'Running' },
    });
    const local = await mkdtemp(join(fake.dir, 'data-'));
    await mkdir(join(local, 'sub'));
    await writeFile(join(local, 'notes.txt'), 'copied with kubectl\n');
    await writeFile(join(local, '.hidden'), 'secret\n');
    await writeFile(join(local, 'sub', 'more.txt'), 'more\n');
    const copy = await kubectl(fake.dir, fake.kubeconfigPath, ['cp', local, 'web-0:/data']);
    expect(copy).toMatchObject({ code: 0, stderr: '' });
  });
  afterAll(async () => {
    await fake.stop();
  });

  it("forgets the files of a deleted pod: a new pod of the same name starts from its image (was: it found the old one's files)", async () => {
    const pod = {
      metadata: { name: 'again' },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
      status: { phase: 'Running' },
    };
    fake.api.objects.create('pods', pod);
    const local = await mkdtemp(join(fake.dir, 'again-'));
    await writeFile(join(local, 'left.txt'), 'from the first pod\n');
    expect(
      await kubectl(fake.dir, fake.kubeconfigPath, ['cp', join(local, 'left.txt'), 'again:/tmp/left.txt']),
    ).toMatchObject({ code: 0 });
    const cat = () => kubectl(fake.dir, fake.kubeconfigPath, ['exec', 'again', '--', 'cat', '/tmp/left.txt']);
    expect(await cat()).toMatchObject({ code: 0, stdout: 'from the first pod\n' });
    fake.api.objects.delete('pods', 'again');
    fake.api.objects.create('pods', pod);
    expect(await cat()).toMatchObject({ code: 1, stdout: '' });
  });

  it("starts a restarted container's sandbox afresh: what kubectl cp put there is gone after the restart, as a container starts from its image", {
    timeout: scaledMs(40_000),
  }, async () => {
    // Its main process sleeps long enough for a cp on a loaded machine, then exits and restarts at once.
    fake.api.objects.create('pods', {
      metadata: { name: 'naps' },
      spec: { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '12'] }] },
      status: { phase: 'Running' },
    });
    const local = await mkdtemp(join(fake.dir, 'naps-'));
    await writeFile(join(local, 'left.txt'), 'from the first run\n');
    expect(
      await kubectl(fake.dir, fake.kubeconfigPath, ['cp', join(local, 'left.txt'), 'naps:/tmp/left.txt']),
    ).toMatchObject({ code: 0 });
    const cat = () => kubectl(fake.dir, fake.kubeconfigPath, ['exec', 'naps', '--', 'cat', '/tmp/left.txt']);
    expect(await cat()).toMatchObject({ code: 0, stdout: 'from the first run\n' });
    const restarts = () =>
      (fake.api.objects.get('pods', 'naps')?.status as { containerStatuses?: { restartCount?: number }[] })
        ?.containerStatuses?.[0]?.restartCount;
    await eventually(() => restarts() === 1, { timeoutMs: 30_000 });
    expect(await cat()).toMatchObject({ code: 1, stdout: '' });
  });

  it('expands $VAR and $NAME in braces from the pod environment in `sh -c`, not inside single quotes', async () => {
    expect(await exec(['sh', '-c', 'echo $HOSTNAME'])).toEqual({ code: 0, stdout: 'web-0\n', stderr: '' });
    expect(
      await exec(['sh', '-c', `echo "home=$HOME" '$HOME' \${POD_NAMESPACE} [$UNSET] $0 $1`, 'me', 'first']),
    ).toEqual({ code: 0, stdout: 'home=/root $HOME default [] me first\n', stderr: '' });
    expect(await exec(['bash', '-lc', 'echo $HOSTNAME'])).toEqual({ code: 0, stdout: 'web-0\n', stderr: '' });
  });

  it('runs `exit <n>` in `sh -c`, and expands $? in the line shell', async () => {
    const exited = await exec(['sh', '-c', 'exit 3']);
    expect(exited.code).toBe(3);
    expect(exited.stderr).toBe('command terminated with exit code 3\n');
    const shell = await exec(['sh'], 'false\necho status=$?\n');
    expect(shell.stdout).toBe('web-0:/# web-0:/# status=1\nweb-0:/# ');
  });

  it('refuses pipes, redirections and globs in `sh -c` with a message, instead of passing them on', async () => {
    const piped = await exec(['sh', '-c', 'ls /data | wc -l']);
    expect(piped.stdout).toBe('');
    expect(piped.stderr).toContain("sh: '|' is not supported by this sandbox");
    expect(piped.code).toBe(2);
    const globbed = await exec(['sh', '-c', 'cat /data/*']);
    expect(globbed.stderr).toContain("sh: '*' is not supported by this sandbox");
    expect(globbed.code).toBe(2);
  });

  it('lists several paths with `ls`: files first, then each directory under its name', async () => {
    expect(await exec(['ls', '/data', '/data/sub'])).toEqual({
      code: 0,
      stdout: '/data:\nnotes.txt\nsub\n\n/data/sub:\nmore.txt\n',
      stderr: '',
    });
    expect(await exec(['ls', '/data/sub', '/app/index.html'])).toEqual({
      code: 0,
      stdout: '/app/index.html\n\n/data/sub:\nmore.txt\n',
      stderr: '',
    });
    const missing = await exec(['ls', '/nope', '/data/sub']);
    expect(missing.stdout).toBe('/data/sub:\nmore.txt\n');
    expect(missing.stderr).toContain("ls: cannot access '/nope': No such file or directory\n");
    expect(missing.code).toBe(2);
  });

  it('hides dot files unless `ls -a`, and prints the long format with `ls -l`', async () => {
    expect((await exec(['ls', '-a', '/data'])).stdout).toBe('.\n..\n.hidden\nnotes.txt\nsub\n');
    const long = await exec(['ls', '-la', '/data']);
    expect(long).toMatchObject({ code: 0, stderr: '' });
    const [total, ...lines] = long.stdout.trimEnd().split('\n');
    expect(total).toBe('total 20');
    expect(lines).toHaveLength(5);
    const expected = [
      longLine('drwxr-xr-x', '4096', '.'),
      longLine('drwxr-xr-x', '4096', '..'),
      longLine('-rw-r--r--', '7', '.hidden'),
      longLine('-rw-r--r--', '20', 'notes.txt'),
      longLine('drwxr-xr-x', '4096', 'sub'),
    ];
    lines.forEach((line, index) => {
      expect(line).toMatch(expected[index] as RegExp);
    });
    expect((await exec(['ls', '-l', '/app/index.html'])).stdout.trimEnd()).toMatch(
      longLine('-rw-r--r--', '26', '/app/index.html'),
    );
  });

  it('refuses an option it does not serve, naming it, with a non-zero exit code', async () => {
    const ls = await exec(['ls', '-R', '/data']);
    expect(ls.stdout).toBe('');
    expect(ls.stderr).toContain('ls: option -R is not supported by this sandbox (it serves -1, -a, -l)\n');
    expect(ls.code).toBe(2);
    const cat = await exec(['cat', '-n', '/app/index.html']);
    expect(cat.stderr).toContain('cat: option -n is not supported by this sandbox\n');
    expect(cat.code).toBe(1);
  });
});
