import { readPath, readRecord } from '../objects/readPath.js';
import { ageColumn, nameColumn } from './nameColumn.js';
import type { FieldCause, ResourceDefinition } from './ResourceDefinition.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `secrets`: NAME, TYPE, DATA, AGE. As on the real server, `stringData` is folded into `data` (base64) on
 * write and `type` defaults to `Opaque`; `data` values must be base64.
 */
export const secrets: ResourceDefinition = {
  name: 'secrets',
  singularName: 'secret',
  kind: 'Secret',
  namespaced: true,
  shortNames: [],
  categories: [],
  hasStatus: false,
  returnsDeletedObject: false,
  columns: [
    nameColumn,
    {
      name: 'Type',
      type: 'string',
      description: 'Used to facilitate programmatic handling of secret data.',
      priority: 0,
      cell: (secret) => String(readPath(secret, 'type') ?? 'Opaque'),
    },
    {
      name: 'Data',
      type: 'integer',
      description: 'Data contains the secret data.',
      priority: 0,
      cell: (secret) => Object.keys(readRecord(secret, 'data') ?? {}).length,
    },
    ageColumn,
  ],
  defaultsOnCreate: (secret) => foldStringData(secret),
  validate: (secret) => {
    const record = readRecord(secret, 'data') ?? {};
    return Object.entries(record)
      .filter(([, value]) => typeof value !== 'string' || !BASE64.test(value))
      .map(
        ([key]): FieldCause => ({
          field: `data[${key}]`,
          reason: 'FieldValueInvalid',
          message: 'Invalid value: must be base64 data',
        }),
      );
  },
};

function foldStringData(secret: Record<string, unknown>): Record<string, unknown> {
  const { stringData, ...rest } = secret;
  const data: Record<string, unknown> = { ...(readRecord(secret, 'data') ?? {}) };
  for (const [key, value] of Object.entries((stringData as Record<string, unknown> | undefined) ?? {})) {
    data[key] = Buffer.from(String(value)).toString('base64');
  }
  return { ...rest, type: rest.type ?? 'Opaque', ...(Object.keys(data).length > 0 ? { data } : {}) };
}
