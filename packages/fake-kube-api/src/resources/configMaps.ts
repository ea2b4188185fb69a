import { readPath, readRecord } from '../objects/readPath.js';
import { ageColumn, nameColumn } from './nameColumn.js';
import type { FieldCause, ResourceDefinition } from './ResourceDefinition.js';

/** `configmaps`: NAME, DATA (number of keys), AGE; `data` values must be strings. */
export const configMaps: ResourceDefinition = {
  name: 'configmaps',
  singularName: 'configmap',
  kind: 'ConfigMap',
  namespaced: true,
  shortNames: ['cm'],
  categories: [],
  hasStatus: false,
  returnsDeletedObject: false,
  columns: [
    nameColumn,
    {
      name: 'Data',
      type: 'integer',
      description: 'Data contains the configuration data.',
      priority: 0,
      cell: (configMap) =>
        Object.keys(readRecord(configMap, 'data') ?? {}).length +
        Object.keys(readRecord(configMap, 'binaryData') ?? {}).length,
    },
    ageColumn,
  ],
  defaultsOnCreate: (configMap) => configMap,
  validate: (configMap) => {
    const data = readPath(configMap, 'data');
    if (data === undefined || data === null) return [];
    const record = readRecord(configMap, 'data');
    if (record === undefined) {
      return [
        { field: 'data', reason: 'FieldValueInvalid', message: 'Invalid value: must be a map of strings' },
      ];
    }
    return Object.entries(record)
      .filter(([, value]) => typeof value !== 'string')
      .map(
        ([key]): FieldCause => ({
          field: `data[${key}]`,
          reason: 'FieldValueInvalid',
          message: 'Invalid value: must be a string',
        }),
      );
  },
};
