import { readPath, readRecord, readRecords } from '../objects/readPath.js';
import { ageColumn, nameColumn } from './nameColumn.js';
import type { FieldCause, ResourceDefinition } from './ResourceDefinition.js';

/** `pods`: the columns of `kubectl get pods`, a `Pending` status on create, and a container check. */
export const pods: ResourceDefinition = {
  name: 'pods',
  singularName: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  hasStatus: true,
  returnsDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      priority: 0,
      cell: (pod) => {
        const statuses = readRecords(pod, 'status.containerStatuses');
        const ready = statuses.filter((status) => status.ready === true).length;
        return `${ready}/${readRecords(pod, 'spec.containers').length}`;
      },
    },
    {
      name: 'Status',
      type: 'string',
      description: 'The aggregate status of the containers in this pod.',
      priority: 0,
      cell: podStatusReason,
    },
    {
      name: 'Restarts',
      type: 'string',
      description: 'The number of times the containers in this pod have been restarted.',
      priority: 0,
      cell: (pod) =>
        String(
          readRecords(pod, 'status.containerStatuses').reduce(
            (sum, status) => sum + (typeof status.restartCount === 'number' ? status.restartCount : 0),
            0,
          ),
        ),
    },
    ageColumn,
    {
      name: 'IP',
      type: 'string',
      description: 'IP address allocated to the pod.',
      priority: 1,
      cell: (pod) => stringOr(readPath(pod, 'status.podIP'), '<none>'),
    },
    {
      name: 'Node',
      type: 'string',
      description: 'Name of the Node this pod runs on.',
      priority: 1,
      cell: (pod) => stringOr(readPath(pod, 'spec.nodeName'), '<none>'),
    },
  ],
  defaultsOnCreate: (pod) => ({ ...pod, status: pod.status ?? { phase: 'Pending', qosClass: 'BestEffort' } }),
  validate: (pod) => {
    const containers = readPath(pod, 'spec.containers');
    if (!Array.isArray(containers) || containers.length === 0) {
      return [{ field: 'spec.containers', reason: 'FieldValueRequired', message: 'Required value' }];
    }
    return readRecords(pod, 'spec.containers').flatMap((container, index): FieldCause[] =>
      (['name', 'image'] as const)
        .filter((field) => typeof container[field] !== 'string' || container[field] === '')
        .map((field) => ({
          field: `spec.containers[${index}].${field}`,
          reason: 'FieldValueRequired',
          message: 'Required value',
        })),
    );
  },
};

/** What the STATUS column shows: Terminating, a container's waiting or terminated reason, else the phase. */
function podStatusReason(pod: Readonly<Record<string, unknown>>): string {
  if (readPath(pod, 'metadata.deletionTimestamp') !== undefined) return 'Terminating';
  for (const status of readRecords(pod, 'status.containerStatuses')) {
    const state = readRecord(status, 'state');
    const reason = readPath(state, 'waiting.reason') ?? readPath(state, 'terminated.reason');
    if (typeof reason === 'string' && reason !== '') return reason;
  }
  return stringOr(readPath(pod, 'status.reason'), stringOr(readPath(pod, 'status.phase'), 'Unknown'));
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
