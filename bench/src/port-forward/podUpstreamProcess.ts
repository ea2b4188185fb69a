/**
 * The upstream of the port-forward benchmark, in a process of its own: the fake Kubernetes API server
 * (plain HTTP, no token: agentk and the direct kubeconfig reach it on loopback) with one running pod,
 * `web-0`, whose HTTP service is started at once. Prints one JSON line with the API's URL and the
 * service's port.
 */
import { startFakeKubeApi } from '@kas/fake-kube-api';

const api = await startFakeKubeApi();
api.objects.create('pods', {
  metadata: { name: 'web-0', namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 80 }] }] },
  status: { phase: 'Running' },
});
const servicePort = await api.podServicePort('web-0');
process.stdout.write(`${JSON.stringify({ type: 'ready', url: api.url, servicePort })}\n`);
process.on('SIGTERM', () => {
  void api.stop().then(() => process.exit(0));
});
