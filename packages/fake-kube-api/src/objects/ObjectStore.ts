import type { ResourceName } from '../resources/ResourceDefinition.js';
import type { KubeObject, KubeObjectInput } from './KubeObject.js';

/**
 * The fake cluster's objects, for tests and demos to change programmatically. Every change is seen by
 * HTTP clients exactly as if another client had made it: a new `resourceVersion` and a watch event.
 * Calls are synchronous; objects going in and out are copies. Failures throw `FakeKubeApiError`
 * (`KAS_FAKE_KUBE_NOT_FOUND`, `..._ALREADY_EXISTS`, `..._CONFLICT`, `..._INVALID_OBJECT`).
 */
export interface ObjectStore {
  /**
   * Creates an object (emits `ADDED`). `metadata.namespace` defaults to `default` for namespaced
   * resources; `metadata.generateName` works as on the real server. Unlike a client's POST, a given
   * `status` is kept (a test can create a pod that is already `Running`).
   */
  create(resource: ResourceName, object: KubeObjectInput): KubeObject;
  /** The object, or undefined. `namespace` defaults to `default` and is ignored for `namespaces`. */
  get(resource: ResourceName, name: string, namespace?: string): KubeObject | undefined;
  /** The objects of one namespace, or of all namespaces when `namespace` is undefined; sorted by name. */
  list(resource: ResourceName, namespace?: string): readonly KubeObject[];
  /**
   * Replaces an object, status included (emits `MODIFIED`; nothing when nothing changed). A
   * `metadata.resourceVersion` that is not the stored one fails with `KAS_FAKE_KUBE_CONFLICT`; leave it
   * out for an unconditional update.
   */
  update(resource: ResourceName, object: KubeObjectInput): KubeObject;
  /** Deletes an object (emits `DELETED`) and answers its last state; deleting a namespace empties it. */
  delete(resource: ResourceName, name: string, namespace?: string): KubeObject;
  /**
   * Appends a line to a pod's log (what `kubectl logs` shows; followers see it at once). `container`
   * defaults to the pod's first container.
   */
  appendLog(
    pod: string,
    line: string,
    options?: { readonly namespace?: string; readonly container?: string },
  ): void;
  /** The store's current resourceVersion (the one a list answered now would carry). */
  readonly resourceVersion: string;
}
