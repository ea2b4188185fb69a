import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Options of `writeKubeconfig`. */
export interface KubeconfigOptions {
  /** File to write (its folder is created). Written with mode 0600: it holds a token. */
  readonly path: string;
  /** The API server URL, e.g. `https://127.0.0.1:6443`. */
  readonly server: string;
  /** PEM of the CA that signed the server's certificate (`certificate-authority-data`). */
  readonly caPem?: string;
  /** Bearer token sent with every request (kubectl sends it only over HTTPS). */
  readonly token?: string;
  /** Name of the cluster, user and context. Default `kas`. */
  readonly contextName?: string;
}

/**
 * Writes a kubeconfig with one cluster, one user and one current context (namespace `default`), which
 * kubectl (`KUBECONFIG=<path>` or `--kubeconfig`) and `@kubernetes/client-node` (`loadFromFile`) read.
 * Resolves with the path.
 */
export async function writeKubeconfig(options: KubeconfigOptions): Promise<string> {
  const name = JSON.stringify(options.contextName ?? 'kas');
  // Every value is written as a JSON string, which is a valid YAML double-quoted scalar.
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `  - name: ${name}`,
    '    cluster:',
    `      server: ${JSON.stringify(options.server)}`,
    ...(options.caPem === undefined
      ? []
      : [
          `      certificate-authority-data: ${JSON.stringify(Buffer.from(options.caPem).toString('base64'))}`,
        ]),
    'users:',
    `  - name: ${name}`,
    ...(options.token === undefined
      ? ['    user: {}']
      : ['    user:', `      token: ${JSON.stringify(options.token)}`]),
    'contexts:',
    `  - name: ${name}`,
    '    context:',
    `      cluster: ${name}`,
    `      user: ${name}`,
    '      namespace: "default"',
    `current-context: ${name}`,
    '',
  ];
  await mkdir(dirname(options.path), { recursive: true });
  await writeFile(options.path, lines.join('\n'), { mode: 0o600 });
  await chmod(options.path, 0o600); // an existing file keeps its mode through writeFile
  return options.path;
}
