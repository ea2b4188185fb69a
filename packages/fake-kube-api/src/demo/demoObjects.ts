import type { KubeObject, KubeObjectInput } from '../objects/KubeObject.js';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** A one-container pod as the demo shows it: `Pending`, or `Running` and ready on the fake node. */
export function demoPod(name: string, phase: 'Pending' | 'Running', ipSuffix: number): KubeObjectInput {
  const container = { name: 'app', image: 'registry.example/demo-app:1.0' };
  return {
    metadata: { name, namespace: 'default', labels: { app: name.replace(/-[^-]+$/, '') } },
    spec: { containers: [container], nodeName: 'fake-node', restartPolicy: 'Always' },
    status:
      phase === 'Pending'
        ? { phase, conditions: [{ type: 'PodScheduled', status: 'True' }], qosClass: 'BestEffort' }
        : {
            phase,
            podIP: `10.244.0.${ipSuffix}`,
            startTime: now(),
            conditions: [{ type: 'Ready', status: 'True' }],
            containerStatuses: [
              {
                name: 'app',
                image: container.image,
                ready: true,
                started: true,
                restartCount: 0,
                state: { running: { startedAt: now() } },
              },
            ],
            qosClass: 'BestEffort',
          },
  };
}

/** A `Normal` event about a pod, as the kubelet or the scheduler would record it. */
export function demoEvent(
  pod: KubeObject,
  reason: string,
  message: string,
  sequence: number,
): KubeObjectInput {
  return {
    metadata: {
      name: `${pod.metadata.name}.${sequence.toString(16).padStart(8, '0')}`,
      namespace: 'default',
    },
    involvedObject: { kind: 'Pod', namespace: 'default', name: pod.metadata.name, uid: pod.metadata.uid },
    reason,
    message,
    type: 'Normal',
    source: { component: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet', host: 'fake-node' },
    firstTimestamp: now(),
    lastTimestamp: now(),
    count: 1,
  };
}
