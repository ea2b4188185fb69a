import type { KubeObject } from '../objects/KubeObject.js';

/** The resources the fake serves, by their plural name (as in URLs: `/api/v1/namespaces/default/pods`). */
export type ResourceName = 'pods' | 'configmaps' | 'events' | 'namespaces' | 'secrets' | 'services';

/** One column of the `Table` that `kubectl get` asks for, and how to fill its cell from an object. */
export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly format?: 'name';
  readonly description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  readonly priority: 0 | 1;
  readonly cell: (object: KubeObject, nowMs: number) => string | number;
}

/** One field problem of an invalid object, as `Status.details.causes` words it. */
export interface FieldCause {
  readonly field: string;
  readonly reason: 'FieldValueRequired' | 'FieldValueInvalid';
  readonly message: string;
}

/** How the fake serves one core/v1 resource: its discovery entry, its table, its defaults and checks. */
export interface ResourceDefinition {
  readonly name: ResourceName;
  readonly singularName: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Has a `status` subresource: writes to the main resource keep the stored status, and the reverse. */
  readonly hasStatus: boolean;
  /** A delete answers the deleted object (pods) rather than a success `Status` (most others). */
  readonly returnsDeletedObject: boolean;
  readonly columns: readonly TableColumn[];
  /** Fields the real server sets on create when they are missing (e.g. a pod's `status.phase`). */
  readonly defaultsOnCreate: (object: Record<string, unknown>) => Record<string, unknown>;
  readonly validate: (object: Readonly<Record<string, unknown>>) => readonly FieldCause[];
}
