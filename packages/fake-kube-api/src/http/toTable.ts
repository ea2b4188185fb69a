import type { KubeObject } from '../objects/KubeObject.js';
import type { ResourceDefinition } from '../resources/ResourceDefinition.js';

/** What each row of a Table carries besides its cells (the `includeObject` query parameter). */
export type IncludeObject = 'None' | 'Object' | 'PartialObjectMetadata';

/** Options of `toTable`. */
export interface TableOptions {
  readonly version: 'v1' | 'v1beta1';
  readonly includeObject: IncludeObject;
  readonly listMetadata: Readonly<Record<string, unknown>>;
  readonly nowMs: number;
}

/**
 * The `meta.k8s.io` `Table` of some objects, as the real server answers `kubectl get`: the resource's
 * column definitions, one row of cells per object, and each row's object (partial metadata by default).
 */
export function toTable(
  resource: ResourceDefinition,
  objects: readonly KubeObject[],
  options: TableOptions,
): Record<string, unknown> {
  const apiVersion = `meta.k8s.io/${options.version}`;
  return {
    kind: 'Table',
    apiVersion,
    metadata: options.listMetadata,
    columnDefinitions: resource.columns.map(({ cell: _cell, ...definition }) => ({
      format: '',
      ...definition,
    })),
    rows: objects.map((object) => ({
      cells: resource.columns.map((column) => column.cell(object, options.nowMs)),
      ...rowObject(object, options.includeObject, apiVersion),
    })),
  };
}

function rowObject(object: KubeObject, includeObject: IncludeObject, apiVersion: string) {
  switch (includeObject) {
    case 'None':
      return {};
    case 'Object':
      return { object };
    case 'PartialObjectMetadata':
      return { object: { kind: 'PartialObjectMetadata', apiVersion, metadata: object.metadata } };
    default: {
      const unhandled: never = includeObject;
      return unhandled;
    }
  }
}

/** The `includeObject` query parameter, defaulting as the real server does. */
export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'PartialObjectMetadata';
}
