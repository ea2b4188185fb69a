import { ageOf } from './humanDuration.js';
import type { TableColumn } from './ResourceDefinition.js';

/** The `NAME` column every table starts with. */
export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (object) => object.metadata.name,
};

/** The `AGE` column: time since `metadata.creationTimestamp`. */
export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (object, nowMs) => ageOf(object.metadata.creationTimestamp, nowMs),
};
