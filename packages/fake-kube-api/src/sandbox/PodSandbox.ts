import { posix } from 'node:path';

/**
 * What a fake pod's container looks like from inside, for `exec`: a small in-memory file system (a few
 * fixed files, and whatever `kubectl cp` puts there), a host name and an environment. Nothing here
 * touches the host: no process is started, no host file is read or written.
 */
export class PodSandbox {
  readonly #files = new Map<string, Buffer>();
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
    return this.#files.get(this.resolve(path));
  }

  writeFile(path: string, content: Buffer | string): void {
    this.#files.set(this.resolve(path), typeof content === 'string' ? Buffer.from(content) : content);
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
