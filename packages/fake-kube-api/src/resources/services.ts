import { readPath, readRecord, readRecords } from '../objects/readPath.js';
import { ageColumn, nameColumn } from './nameColumn.js';
import type { FieldCause, ResourceDefinition } from './ResourceDefinition.js';

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

/**
 * `services`: the columns of `kubectl get svc` and the defaults the real server fills in on create
 * (type `ClusterIP`, protocol `TCP`, targetPort = port, ...). The fake has no networking: no cluster IP
 * or node port is allocated, an object keeps those it was given.
 */
export const services: ResourceDefinition = {
  name: 'services',
  singularName: 'service',
  kind: 'Service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  hasStatus: true,
  returnsDeletedObject: true,
  columns: [
    nameColumn,
    {
      name: 'Type',
      type: 'string',
      description: 'type determines how the Service is exposed.',
      priority: 0,
      cell: (service) => String(readPath(service, 'spec.type') ?? 'ClusterIP'),
    },
    {
      name: 'Cluster-IP',
      type: 'string',
      description: 'clusterIP is the IP address of the service.',
      priority: 0,
      cell: (service) => clusterIps(readRecord(service, 'spec') ?? {})[0] ?? '<none>',
    },
    {
      name: 'External-IP',
      type: 'string',
      description:
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic.',
      priority: 0,
      cell: externalIp,
    },
    {
      name: 'Port(s)',
      type: 'string',
      description: 'The list of ports that are exposed by this service.',
      priority: 0,
      cell: (service) =>
        readRecords(service, 'spec.ports')
          .map(({ port, nodePort, protocol }) =>
            typeof nodePort === 'number' && nodePort > 0
              ? `${port}:${nodePort}/${protocol}`
              : `${port}/${protocol}`,
          )
          .join(',') || '<none>',
    },
    ageColumn,
    {
      name: 'Selector',
      type: 'string',
      description: 'Route service traffic to pods with label keys and values matching this selector.',
      priority: 1,
      cell: (service) =>
        Object.entries(readRecord(service, 'spec.selector') ?? {})
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([key, value]) => `${key}=${value}`)
          .join(',') || '<none>',
    },
  ],
  defaultsOnCreate: (service) => ({
    ...service,
    spec: defaultSpec(readRecord(service, 'spec') ?? {}),
    status: service.status ?? { loadBalancer: {} },
  }),
  validate: (service) => {
    const spec = readRecord(service, 'spec') ?? {};
    const type = spec.type ?? 'ClusterIP';
    if (typeof type !== 'string' || !SERVICE_TYPES.includes(type)) {
      return [
        {
          field: 'spec.type',
          reason: 'FieldValueInvalid',
          message: `Unsupported value: ${JSON.stringify(type)}: supported values: ${SERVICE_TYPES.map((t) => `"${t}"`).join(', ')}`,
        },
      ];
    }
    const ports = readRecords(spec, 'ports');
    if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') {
      return [{ field: 'spec.ports', reason: 'FieldValueRequired', message: 'Required value' }];
    }
    return ports.flatMap(({ port }, index): FieldCause[] =>
      Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535
        ? []
        : [
            {
              field: `spec.ports[${index}].port`,
              reason: 'FieldValueInvalid',
              message: `Invalid value: ${JSON.stringify(port ?? 0)}: must be between 1 and 65535, inclusive`,
            },
          ],
    );
  },
};

function defaultSpec(spec: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const type = spec.type ?? 'ClusterIP';
  const ips = clusterIps(spec);
  return {
    ...spec,
    type,
    sessionAffinity: spec.sessionAffinity ?? 'None',
    ...(ips.length > 0 ? { clusterIP: ips[0], clusterIPs: ips } : {}),
    ...(type === 'ExternalName' ? {} : { internalTrafficPolicy: spec.internalTrafficPolicy ?? 'Cluster' }),
    ...(Array.isArray(spec.ports)
      ? {
          ports: readRecords(spec, 'ports').map((port) => ({
            ...port,
            protocol: port.protocol ?? 'TCP',
            targetPort: port.targetPort ?? port.port,
          })),
        }
      : {}),
  };
}

function clusterIps(spec: Readonly<Record<string, unknown>>): string[] {
  const ips = spec.clusterIPs;
  if (Array.isArray(ips) && ips.length > 0) return ips.map(String);
  return typeof spec.clusterIP === 'string' && spec.clusterIP !== '' ? [spec.clusterIP] : [];
}

/** EXTERNAL-IP as kubectl's printer words it for each service type. */
function externalIp(service: Readonly<Record<string, unknown>>): string {
  const externalIps = (readPath(service, 'spec.externalIPs') as unknown[] | undefined) ?? [];
  switch (readPath(service, 'spec.type') ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIps.length > 0 ? externalIps.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = readRecords(service, 'status.loadBalancer.ingress').map((entry) =>
        String(entry.ip ?? entry.hostname ?? ''),
      );
      const all = [...ingress, ...externalIps.map(String)].filter((ip) => ip !== '');
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return String(readPath(service, 'spec.externalName') ?? '');
    default:
      return '<unknown>';
  }
}
