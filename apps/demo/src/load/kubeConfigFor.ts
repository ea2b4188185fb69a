import { KubeConfig } from '@kubernetes/client-node';

/** Where a Kubernetes client connects and as whom. */
export interface KubeTarget {
  /** `https://host:port`: the load balancer, or one replica's kube proxy. */
  readonly server: string;
  /** PEM of the CA that signed the kube proxies' certificate. */
  readonly caPem: string;
  /** The user's bearer token, `user:<agent-id>:<secret>`. */
  readonly token: string;
}

/** A client-node `KubeConfig` with one cluster, user and context: what a kubeconfig file would give. */
export function kubeConfigFor(target: KubeTarget): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'kas', server: target.server, caData: Buffer.from(target.caPem).toString('base64') }],
    users: [{ name: 'demo-user', token: target.token }],
    contexts: [{ name: 'kas', cluster: 'kas', user: 'demo-user', namespace: 'default' }],
    currentContext: 'kas',
  });
  return config;
}
