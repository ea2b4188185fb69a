/**
 * The upstream of the proxy-overhead benchmark, in a process of its own: the fake Kubernetes API server
 * with two ConfigMaps, one whose GET answers about 1 KB of JSON and one whose GET answers about 1 MiB.
 * Prints one JSON line with its URL and the two paths. Every variant of the benchmark reaches this same
 * server, so the upstream's work is the same for all of them.
 */
import { startFakeKubeApi } from '@kas/fake-kube-api';
import { UPSTREAM_OBJECTS, type UpstreamReady } from './upstreamObjects.js';

const api = await startFakeKubeApi();
const paths: Record<string, string> = {};
for (const [size, targetBytes] of Object.entries(UPSTREAM_OBJECTS)) {
  const name = `bench-${size}`;
  api.objects.create('configmaps', { metadata: { name, namespace: 'default' }, data: {} });
  // Pad the data until the object's JSON, as a GET answers it, is about the target size.
  const bare = JSON.stringify(api.objects.get('configmaps', name));
  const padding = 'x'.repeat(Math.max(0, targetBytes - bare.length - '"padding":""'.length));
  api.objects.update('configmaps', { metadata: { name, namespace: 'default' }, data: { padding } });
  paths[size] = `/api/v1/namespaces/default/configmaps/${name}`;
}
const ready: UpstreamReady = { type: 'ready', url: api.url, paths: paths as UpstreamReady['paths'] };
process.stdout.write(`${JSON.stringify(ready)}\n`);
process.on('SIGTERM', () => {
  void api.stop().then(() => process.exit(0));
});
