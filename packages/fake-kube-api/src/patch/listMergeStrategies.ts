/**
 * How a strategic merge patch merges the lists of core/v1 objects (Kubernetes' `patchStrategy:"merge"`
 * and `patchMergeKey` struct tags), by field path with list items skipped: a merge key for lists of
 * objects, `primitive` for lists of strings merged as sets. Lists not named here are replaced whole, as
 * the real server does for lists without a merge strategy.
 */
export type ListMergeStrategy = { readonly mergeKey: string } | 'primitive';

const CONTAINER_LISTS: Readonly<Record<string, string>> = {
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  resizePolicy: 'resourceName',
};

const POD_LISTS: Readonly<Record<string, string>> = {
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.ephemeralContainers': 'name',
  'spec.volumes': 'name',
  'spec.imagePullSecrets': 'name',
  'spec.hostAliases': 'ip',
  'spec.resourceClaims': 'name',
  'spec.schedulingGates': 'name',
  'spec.topologySpreadConstraints': 'topologyKey',
  'status.conditions': 'type',
};

const SERVICE_LISTS: Readonly<Record<string, string>> = {
  'spec.ports': 'port',
  'status.conditions': 'type',
};

/** The merge strategy of the list at `path` (e.g. `spec.containers.env`) of an object of `kind`. */
export function listMergeStrategy(kind: string, path: string): ListMergeStrategy | undefined {
  if (path === 'metadata.ownerReferences') return { mergeKey: 'uid' };
  if (path === 'metadata.finalizers') return 'primitive';
  if (kind === 'Service') {
    const serviceList = SERVICE_LISTS[path];
    return serviceList === undefined ? undefined : { mergeKey: serviceList };
  }
  if (kind !== 'Pod') return undefined;
  const podList = POD_LISTS[path];
  if (podList !== undefined) return { mergeKey: podList };
  const containerField = /^spec\.(?:containers|initContainers|ephemeralContainers)\.(\w+)$/.exec(path)?.[1];
  const containerList = containerField === undefined ? undefined : CONTAINER_LISTS[containerField];
  return containerList === undefined ? undefined : { mergeKey: containerList };
}
