import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import { configMaps } from './configMaps.js';
import { events } from './events.js';
import { namespaces } from './namespaces.js';
import { pods } from './pods.js';
import type { ResourceDefinition, ResourceName } from './ResourceDefinition.js';
import { secrets } from './secrets.js';
import { services } from './services.js';

/** Every resource the fake serves, in discovery order. */
export const RESOURCE_DEFINITIONS: readonly ResourceDefinition[] = [
  configMaps,
  events,
  namespaces,
  pods,
  secrets,
  services,
];

/** The definition of a served resource, or undefined for anything else. */
export function findResource(name: string): ResourceDefinition | undefined {
  return RESOURCE_DEFINITIONS.find((resource) => resource.name === name);
}

/** The definition of a served resource; throws `KAS_FAKE_KUBE_UNKNOWN_RESOURCE` for anything else. */
export function requireResource(name: ResourceName): ResourceDefinition {
  const resource = findResource(name);
  if (resource === undefined) {
    throw new FakeKubeApiError(
      'KAS_FAKE_KUBE_UNKNOWN_RESOURCE',
      `the server could not find the requested resource (${String(name)})`,
      `use one of the served resources: ${RESOURCE_DEFINITIONS.map((r) => r.name).join(', ')}`,
    );
  }
  return resource;
}
