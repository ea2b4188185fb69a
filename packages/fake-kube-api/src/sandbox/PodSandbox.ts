import { posix } from 'node:path';

/** What `ls -l` shows of a path: a file's size, a directory's subdirectories, and when it last changed. */
export type PathStat =
  | { readonly kind: 'file'; readonly size: number; readonly modifiedAt: Date }
  | { readonly kind: 'directory'; readonly subdirectories: number; readonly modifiedAt: Date };

/**
 * What a fake pod's container looks like from inside, for `exec`: a small in-memory file system (a few
 * fixed files, and whatever `kubectl cp` puts there), a host name and an environment. Nothing here
 * touches the host: no process is started, no host file is read or written.
 */
export class PodSandbox {
  readonly #files = new Map<string, { readonly content: Buffer; readonly modifiedAt: Date }>();
  readonly env: Readonly<Record<string, string>>;

  constructor(
    readonly podName: string,
    readonly namespace: string,
    readonly container: string,
  ) {
    this.env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOSTNAME: podName,
      HOME: '/root',
      POD_NAMESPACE: namespace,
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
    };
    this.writeFile('/etc/hostname', `${podName}\n`);
    this.writeFile('/etc/os-release', 'NAME="fake-kube-api sandbox"\nID=fake\n');
    this.writeFile('/app/index.html', `<h1>hello from ${podName}</h1>\n`);
    this.writeFile('/app/config.yaml', `pod: ${podName}\nnamespace: ${namespace}\n`);
  }

  /** Resolves `path` against `/` (the working directory). */
  resolve(path: string, cwd = '/'): string {
    return posix.resolve(cwd, path);
  }

  readFile(path: string): Buffer | undefined {
    return this.#files.get(this.resolve(path))?.content;
  }

  writeFile(path: string, content: Buffer | string): void {
    this.#files.set(this.resolve(path), {
      content: typeof content === 'string' ? Buffer.from(content) : content,
      modifiedAt: new Date(),
    });
  }

  /** A file's size, or a directory's (its time is that of the newest file under it); undefined if absent. */
  stat(path: string): PathStat | undefined {
    const resolved = this.resolve(path);
    const file = this.#files.get(resolved);
    if (file !== undefined) return { kind: 'file', size: file.content.length, modifiedAt: file.modifiedAt };
    const under = this.filesUnder(resolved).filter((name) => name !== resolved);
    if (under.length === 0 && resolved !== '/') return undefined;
    const newestMs = Math.max(0, ...under.map((name) => this.#files.get(name)?.modifiedAt.getTime() ?? 0));
    const subdirectories = this.list(resolved).filter((name) =>
      this.isDirectory(posix.join(resolved, name)),
    ).length;
    return { kind: 'directory', subdirectories, modifiedAt: new Date(newestMs) };
  }

  /** True when `path` is a directory: `/`, or a prefix of some file's path. */
  isDirectory(path: string): boolean {
    const resolved = this.resolve(path);
    if (resolved === '/') return true;
    const prefix = `${resolved}/`;
    for (const file of this.#files.keys()) if (file.startsWith(prefix)) return true;
    return false;
  }

  /** Every file at or under `path`, sorted. */
  filesUnder(path: string): string[] {
    const resolved = this.resolve(path);
    const prefix = resolved === '/' ? '/' : `${resolved}/`;
    return [...this.#files.keys()].filter((file) => file === resolved || file.startsWith(prefix)).sort();
  }

  /** The names directly inside a directory. */
  list(path: string): string[] {
    const resolved = this.resolve(path);
    const prefix = resolved === '/' ? '/' : `${resolved}/`;
    const names = new Set<string>();
    for (const file of this.#files.keys()) {
      if (file.startsWith(prefix)) names.add(file.slice(prefix.length).split('/')[0] as string);
    }
    return [...names].sort();
  }
}
