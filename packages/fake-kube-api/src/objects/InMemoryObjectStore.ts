import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ResourceDefinition, ResourceName } from '../resources/ResourceDefinition.js';
import { requireResource } from '../resources/resourceDefinitions.js';
import { checkObject, generateName } from './checkObject.js';
import type { KubeObject, KubeObjectInput, ObjectMeta } from './KubeObject.js';
import { kubeTimeNow } from './kubeTime.js';
import type { ObjectStore } from './ObjectStore.js';
import { PodLogs } from './PodLogs.js';
import { readRecords } from './readPath.js';
import { alreadyExists, badRequest, conflict, invalid, notFound } from './storeErrors.js';
import { type StoreEvent, WatchHub, type WatchSubscription } from './WatchHub.js';

const INITIAL_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** The in-memory store behind the fake: objects by resource, one resourceVersion counter, watches, logs. */
export class InMemoryObjectStore implements ObjectStore {
  readonly #objects = new Map<ResourceName, Map<string, KubeObject>>();
  readonly #watches = new WatchHub();
  readonly #logs = new PodLogs();
  #lastResourceVersion = 0;

  constructor() {
    for (const name of INITIAL_NAMESPACES) this.create('namespaces', { metadata: { name } });
  }

  get resourceVersion(): string {
    return String(this.#lastResourceVersion);
  }

  create(resourceName: ResourceName, input: KubeObjectInput): KubeObject {
    const resource = requireResource(resourceName);
    const metadata = input.metadata ?? {};
    const name =
      metadata.name ?? (metadata.generateName === undefined ? '' : generateName(metadata.generateName));
    const namespace = resource.namespaced ? (metadata.namespace ?? 'default') : undefined;
    const [firstCause, ...otherCauses] = checkObject(resource, name, input);
    if (firstCause !== undefined) throw invalid(resource, name, [firstCause, ...otherCauses]);
    if (namespace !== undefined && !this.#table('namespaces').has(key(undefined, namespace))) {
      throw notFound('namespaces', namespace);
    }
    const table = this.#table(resource.name);
    if (table.has(key(namespace, name))) throw alreadyExists(resource, name);
    const { resourceVersion: _ignored, ...givenMetadata } = metadata;
    const object = this.#stamp(resource, resource.defaultsOnCreate(structuredClone({ ...input })), {
      ...structuredClone(givenMetadata),
      name,
      ...(namespace === undefined ? {} : { namespace }),
      uid: randomUUID(),
      creationTimestamp: kubeTimeNow(),
    });
    table.set(key(namespace, name), object);
    this.#watches.publish({ type: 'ADDED', resource: resource.name, object });
    return structuredClone(object);
  }

  get(resourceName: ResourceName, name: string, namespace = 'default'): KubeObject | undefined {
    const resource = requireResource(resourceName);
    const object = this.#table(resource.name).get(key(resource.namespaced ? namespace : undefined, name));
    return object === undefined ? undefined : structuredClone(object);
  }

  list(resourceName: ResourceName, namespace?: string): readonly KubeObject[] {
    const resource = requireResource(resourceName);
    return [...this.#table(resource.name).values()]
      .filter(
        (object) =>
          namespace === undefined || !resource.namespaced || object.metadata.namespace === namespace,
      )
      .sort((a, b) => compareObjects(a, b))
      .map((object) => structuredClone(object));
  }

  update(resourceName: ResourceName, input: KubeObjectInput): KubeObject {
    const resource = requireResource(resourceName);
    const name = input.metadata?.name ?? '';
    const namespace = resource.namespaced ? (input.metadata?.namespace ?? 'default') : undefined;
    const table = this.#table(resource.name);
    const stored = table.get(key(namespace, name));
    if (stored === undefined) throw notFound(resource.name, name);
    const expectedVersion = input.metadata?.resourceVersion;
    if (expectedVersion !== undefined && expectedVersion !== stored.metadata.resourceVersion) {
      throw conflict(resource, name);
    }
    const [firstCause, ...otherCauses] = checkObject(resource, name, input);
    if (firstCause !== undefined) throw invalid(resource, name, [firstCause, ...otherCauses]);
    const { uid, creationTimestamp, resourceVersion } = stored.metadata;
    const metadata = {
      ...structuredClone(input.metadata ?? {}),
      name,
      ...(namespace === undefined ? {} : { namespace }),
      uid,
      creationTimestamp,
    };
    const candidate = { ...structuredClone(input), apiVersion: 'v1', kind: resource.kind };
    if (isDeepStrictEqual({ ...candidate, metadata: { ...metadata, resourceVersion } }, stored)) {
      return structuredClone(stored);
    }
    const object = this.#stamp(resource, candidate, metadata);
    table.set(key(namespace, name), object);
    this.#watches.publish({ type: 'MODIFIED', resource: resource.name, object, previous: stored });
    return structuredClone(object);
  }

  delete(resourceName: ResourceName, name: string, namespace = 'default'): KubeObject {
    const resource = requireResource(resourceName);
    const objectNamespace = resource.namespaced ? namespace : undefined;
    const table = this.#table(resource.name);
    const stored = table.get(key(objectNamespace, name));
    if (stored === undefined) throw notFound(resource.name, name);
    if (resource.name === 'namespaces') this.#emptyNamespace(name);
    table.delete(key(objectNamespace, name));
    if (resource.name === 'pods') this.#logs.remove(namespace, name);
    const object = this.#stamp(resource, stored, stored.metadata);
    this.#watches.publish({ type: 'DELETED', resource: resource.name, object, previous: stored });
    return structuredClone(object);
  }

  appendLog(pod: string, line: string, options: { namespace?: string; container?: string } = {}): void {
    const namespace = options.namespace ?? 'default';
    const container = this.containerOf(pod, namespace, options.container);
    for (const text of line.split('\n')) this.#logs.append(namespace, pod, container, text);
  }

  /**
   * The container a log request means: the one named (it must exist), else the pod's only or first
   * container. Throws NotFound for an unknown pod, BadRequest for an unknown container.
   */
  containerOf(pod: string, namespace: string, container: string | undefined): string {
    const object = this.#table('pods').get(key(namespace, pod));
    if (object === undefined) throw notFound('pods', pod);
    const names = readRecords(object, 'spec.containers').map((entry) => String(entry.name));
    if (container === undefined) return names[0] ?? '';
    if (!names.includes(container)) {
      throw badRequest(
        `container ${container} is not valid for pod ${pod}`,
        `name one of the pod's containers: ${names.join(', ')}`,
      );
    }
    return container;
  }

  /** The pod logs, for the HTTP log endpoint. */
  get logs(): PodLogs {
    return this.#logs;
  }

  /**
   * Starts a watch of one resource: replays what happened after `resourceVersion` (or synthetic
   * `ADDED` events for what exists now, when it is unset or `0`), then calls `onEvent` for each change.
   */
  watch(subscription: WatchSubscription, onEvent: (event: StoreEvent) => void): () => void {
    return this.#watches.subscribe(subscription, () => this.#initialEvents(subscription.resource), onEvent);
  }

  #initialEvents(resourceName: ResourceName): StoreEvent[] {
    return this.list(resourceName).map((object) => ({ type: 'ADDED', resource: resourceName, object }));
  }

  #emptyNamespace(namespace: string): void {
    for (const [resourceName, table] of this.#objects) {
      if (resourceName === 'namespaces') continue;
      for (const object of [...table.values()]) {
        if (object.metadata.namespace === namespace)
          this.delete(resourceName, object.metadata.name, namespace);
      }
    }
  }

  #stamp(resource: ResourceDefinition, body: KubeObjectInput, metadata: ObjectMeta): KubeObject {
    this.#lastResourceVersion += 1;
    return {
      ...body,
      apiVersion: 'v1',
      kind: resource.kind,
      metadata: { ...metadata, resourceVersion: String(this.#lastResourceVersion) },
    } as KubeObject;
  }

  #table(resource: ResourceName): Map<string, KubeObject> {
    let table = this.#objects.get(resource);
    if (table === undefined) {
      table = new Map();
      this.#objects.set(resource, table);
    }
    return table;
  }
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Orders objects by namespace, then name, comparing code units (the order of list pages). */
export function compareObjects(a: KubeObject, b: KubeObject): number {
  const [aKey, bKey] = [
    [a.metadata.namespace ?? '', a.metadata.name],
    [b.metadata.namespace ?? '', b.metadata.name],
  ];
  for (const index of [0, 1]) {
    if (aKey[index] !== bKey[index]) return (aKey[index] ?? '') < (bKey[index] ?? '') ? -1 : 1;
  }
  return 0;
}
