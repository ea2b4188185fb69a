import type { KubeObject, KubeObjectInput } from '../objects/KubeObject.js';
import { kubeTimeNow } from '../objects/kubeTime.js';

/** A one-container pod as the demo shows it: `Pending`, or `Running` and ready on the fake node. */
export function demoPod(name: string, phase: 'Pending' | 'Running', ipSuffix: number): KubeObjectInput {
  const container = { name: 'app', image: 'registry.example/demo-app:1.0' };
  return {
    metadata: { name, namespace: 'default', labels: { app: name.replace(/-[^-]+$/, '') } },
    spec: { containers: [container], nodeName: 'fake-node', restartPolicy: 'Always' },
    status:
      phase === 'Pending'
        ? { phase, conditions: [{ type: 'PodScheduled', status: 'True' }], qosClass: 'BestEffort' }
        : runningStatus([container], ipSuffix),
  };
}

/**
 * The status the kubelet reports for a pod whose containers (`spec.containers`, each with a name and an
 * image) all run and are ready: one container status per container, by its own name and image.
 */
export function runningStatus(
  containers: readonly { readonly name?: unknown; readonly image?: unknown }[],
  ipSuffix: number,
): Record<string, unknown> {
  return {
    phase: 'Running',
    podIP: `10.244.0.${ipSuffix}`,
    podIPs: [{ ip: `10.244.0.${ipSuffix}` }],
    startTime: kubeTimeNow(),
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: containers.map((container) => ({
      name: container.name,
      image: container.image,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: kubeTimeNow() } },
    })),
    qosClass: 'BestEffort',
  };
}

/**
 * The events the kubelet records as it starts a container whose image the node has (every image, on the
 * fake node): `Pulled`, `Created`, `Started`, as reason and message; for a first start and a restart alike.
 */
export function containerStartEvents(container: {
  readonly name?: unknown;
  readonly image?: unknown;
}): readonly (readonly [reason: 'Pulled' | 'Created' | 'Started', message: string])[] {
  const name = String(container.name);
  return [
    ['Pulled', `Container image "${String(container.image)}" already present on machine`],
    ['Created', `Created container: ${name}`],
    ['Started', `Started container ${name}`],
  ];
}

/**
 * An event about a pod, as the kubelet or the scheduler would record it, named `<pod>.<sequence in hex>`
 * (the demo's, and the main processes' restarts with a name of their own).
 */
export function podEvent(
  pod: KubeObject,
  reason: string,
  message: string,
  sequence: number,
  type: 'Normal' | 'Warning' = 'Normal',
): KubeObjectInput {
  return {
    metadata: {
      name: `${pod.metadata.name}.${sequence.toString(16).padStart(8, '0')}`,
      namespace: pod.metadata.namespace ?? 'default',
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      uid: pod.metadata.uid,
    },
    reason,
    message,
    type,
    source: { component: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet', host: 'fake-node' },
    firstTimestamp: kubeTimeNow(),
    lastTimestamp: kubeTimeNow(),
    count: 1,
  };
}
