import type { Logger } from 'pino';
import type { KubeObject } from '../objects/KubeObject.js';
import type { ObjectStore } from '../objects/ObjectStore.js';
import { readPath, readRecord, readRecords } from '../objects/readPath.js';
import { sandboxMainCommand } from '../streaming/PodMainProcesses.js';
import { containerStartEvents, demoPod, podEvent, runningStatus } from './demoObjects.js';

/** Options of the demo activity. */
export interface DemoActivityOptions {
  /** Time between two changes. Default 3000 ms. */
  readonly intervalMs?: number;
}

/** The running demo activity. */
export interface DemoActivity {
  stop(): void;
}

const MAX_WORKERS = 3;
const MAX_EVENTS = 40;

/**
 * Seeds a small cluster (pods `web-0` and `web-1` running, a ConfigMap) and keeps it alive: at each
 * interval one change — a worker pod is scheduled, starts, or is deleted, the ConfigMap is updated —
 * with the matching events, and every running pod writes a log line. So `kubectl get pods -w`,
 * `kubectl get events -w` and `kubectl logs -f web-0` show something happening. A pod a user creates
 * (`kubectl run`, in any namespace) is scheduled and started at the next interval, as a node would
 * start it within seconds. A change that a user's own edits make impossible (they deleted the pod) is
 * logged and skipped.
 */
export function startDemoActivity(
  store: ObjectStore,
  options: DemoActivityOptions,
  log: Logger,
): DemoActivity {
  const intervalMs = options.intervalMs ?? 3000;
  let tick = 0;
  let sequence = 0;
  /** The events of the demo's workers, oldest first: the churn that is trimmed to `MAX_EVENTS`. */
  const workerEvents: string[] = [];
  const record = (podName: string, reason: string, message: string, namespace = 'default') => {
    const pod = store.get('pods', podName, namespace);
    if (pod === undefined) return;
    sequence += 1;
    const event = store.create('events', podEvent(pod, reason, message, sequence));
    // Only the workers' own events are trimmed: those of a user's pods (the demo's, and a restart's) stay,
    // as events stay on a cluster for an hour.
    if (!isDemoWorker(pod)) return;
    workerEvents.push(event.metadata.name);
    for (const old of workerEvents.splice(0, Math.max(workerEvents.length - MAX_EVENTS, 0))) {
      if (store.get('events', old, 'default') !== undefined) store.delete('events', old, 'default');
    }
  };
  /** Schedules and starts a pending pod on the fake node, with its own containers' statuses and events. */
  const startPod = (pending: KubeObject) => {
    const { name, namespace = 'default' } = pending.metadata;
    // The pod's own containers (a user's pod too): its statuses and event name them, as the kubelet's do.
    const containers = readRecords(pending, 'spec.containers');
    const spec = readRecord(pending, 'spec') ?? {};
    // The demo's workers were scheduled when it created them.
    if (spec.nodeName === undefined && !isDemoWorker(pending))
      record(name, 'Scheduled', `Successfully assigned ${namespace}/${name} to fake-node`, namespace);
    store.update('pods', {
      ...pending,
      spec: { ...spec, nodeName: spec.nodeName ?? 'fake-node' },
      status: runningStatus(containers, (tick % 200) + 20),
    });
    for (const container of containers)
      for (const [reason, message] of containerStartEvents(container))
        record(name, reason, message, namespace);
  };
  /** The demo's own workers, which it schedules, starts and deletes at its pace. */
  const isDemoWorker = (pod: KubeObject) =>
    pod.metadata.namespace === 'default' && pod.metadata.name.startsWith('worker-');

  for (const [index, name] of ['web-0', 'web-1'].entries()) {
    const pod = store.create('pods', demoPod(name, 'Running', index + 10));
    for (const container of readRecords(pod, 'spec.containers'))
      for (const [reason, message] of containerStartEvents(container)) record(name, reason, message);
    store.appendLog(name, `${name} listening on :8080`);
  }
  store.create('configmaps', { metadata: { name: 'demo-settings' }, data: { greeting: 'hello from kas' } });

  const steps = [
    () => {
      const name = `worker-${tick}`;
      store.create('pods', demoPod(name, 'Pending', 0));
      record(name, 'Scheduled', `Successfully assigned default/${name} to fake-node`);
    },
    () => {
      const pending = store
        .list('pods', 'default')
        .find((pod) => isDemoWorker(pod) && readPhase(pod) === 'Pending');
      if (pending !== undefined) startPod(pending);
    },
    () => {
      const settings = store.get('configmaps', 'demo-settings');
      if (settings !== undefined)
        store.update('configmaps', {
          ...settings,
          data: { ...readRecord(settings, 'data'), tick: String(tick) },
        });
    },
    () => {
      const workers = store.list('pods', 'default').filter((pod) => pod.metadata.name.startsWith('worker-'));
      const oldest = workers.sort((a, b) =>
        a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp),
      )[0];
      if (oldest === undefined || workers.length < MAX_WORKERS) return;
      record(oldest.metadata.name, 'Killing', 'Stopping container app');
      store.delete('pods', oldest.metadata.name);
    },
  ];

  const timer = setInterval(() => {
    tick += 1;
    try {
      steps[tick % steps.length]?.();
      for (const pod of store.list('pods')) {
        if (!isDemoWorker(pod) && readPhase(pod) === 'Pending') startPod(pod);
      }
      for (const pod of store.list('pods')) {
        // A pod whose container runs a command of its own (`kubectl run … -- sh`) writes its own log.
        if (readPhase(pod) === 'Running' && !runsOwnCommand(pod))
          store.appendLog(pod.metadata.name, `tick ${tick}: GET /healthz 200`, {
            namespace: pod.metadata.namespace ?? 'default',
          });
      }
    } catch (error) {
      log.warn({ event: 'demo.stepSkipped', err: error, tick }, 'demo activity skipped a change');
    }
  }, intervalMs);
  log.info(
    { event: 'demo.started', intervalMs },
    'demo activity: the fake cluster changes every few seconds',
  );
  return { stop: () => clearInterval(timer) };
}

/** Whether the pod's (first) container runs a command of the sandbox, which writes its own log. */
function runsOwnCommand(pod: KubeObject): boolean {
  return sandboxMainCommand(readRecords(pod, 'spec.containers')[0]) !== undefined;
}

function readPhase(pod: KubeObject): unknown {
  return readPath(pod, 'status.phase');
}
