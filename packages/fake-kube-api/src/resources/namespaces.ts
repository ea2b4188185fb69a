import { readPath } from '../objects/readPath.js';
import { ageColumn, nameColumn } from './nameColumn.js';
import type { ResourceDefinition } from './ResourceDefinition.js';

/** `namespaces` (cluster-scoped): NAME, STATUS, AGE; `Active` on create. */
export const namespaces: ResourceDefinition = {
  name: 'namespaces',
  singularName: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  hasStatus: true,
  returnsDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      description: 'The status of the namespace',
      priority: 0,
      cell: (namespace) => {
        const phase = readPath(namespace, 'status.phase');
        return typeof phase === 'string' ? phase : 'Active';
      },
    },
    ageColumn,
  ],
  defaultsOnCreate: (namespace) => ({
    ...namespace,
    spec: namespace.spec ?? { finalizers: ['kubernetes'] },
    status: namespace.status ?? { phase: 'Active' },
  }),
  validate: () => [],
};
