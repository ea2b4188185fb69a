import { readPath } from '../objects/readPath.js';
import { ageOf } from './humanDuration.js';
import type { ResourceDefinition } from './ResourceDefinition.js';

/** `events` (core/v1): the columns of `kubectl get events`. */
export const events: ResourceDefinition = {
  name: 'events',
  singularName: 'event',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
  hasStatus: false,
  returnsDeletedObject: false,
  columns: [
    {
      name: 'Last Seen',
      type: 'string',
      description: 'The time at which the most recent occurrence of this event was recorded.',
      priority: 0,
      cell: (event, nowMs) =>
        ageOf(
          readPath(event, 'lastTimestamp') ??
            readPath(event, 'eventTime') ??
            event.metadata.creationTimestamp,
          nowMs,
        ),
    },
    textColumn('Type', 'type', 'Type of this event (Normal, Warning).'),
    textColumn(
      'Reason',
      'reason',
      'A short, machine understandable string that gives the reason for this event.',
    ),
    {
      name: 'Object',
      type: 'string',
      description: 'The object that this event is about.',
      priority: 0,
      cell: (event) => {
        const kind = readPath(event, 'involvedObject.kind');
        const name = readPath(event, 'involvedObject.name');
        return `${typeof kind === 'string' ? kind.toLowerCase() : ''}/${typeof name === 'string' ? name : ''}`;
      },
    },
    textColumn('Message', 'message', 'A human-readable description of the status of this operation.'),
  ],
  defaultsOnCreate: (event) => event,
  validate: () => [],
};

function textColumn(name: string, path: string, description: string) {
  return {
    name,
    type: 'string',
    description,
    priority: 0,
    cell: (event: Readonly<Record<string, unknown>>) => {
      const value = readPath(event, path);
      return typeof value === 'string' ? value : '';
    },
  } as const;
}
