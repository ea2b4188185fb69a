import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeFromConfig } from '@kas/kas';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { describe, expect, it } from 'vitest';
import { checkKnownFields } from './support/checkKnownFields.js';
import { type KubeObject, renderKustomization } from './support/renderKustomization.js';
import { validateKubeObject } from './support/validateKubeObject.js';

const kubernetesDir = fileURLToPath(new URL('../kubernetes/', import.meta.url));
const overlays = readdirSync(`${kubernetesDir}overlays`).sort();

/** Rendered objects are walked field by field in these tests. */
// biome-ignore lint/suspicious/noExplicitAny: test data read by path
type Loose = Record<string, any>;

interface Container {
  readonly name: string;
  readonly env?: readonly { name: string; value?: string; valueFrom?: unknown }[];
  readonly readinessProbe?: { httpGet?: { path: string } };
  readonly livenessProbe?: { httpGet?: { path: string } };
  readonly resources?: { requests?: unknown; limits?: unknown };
  readonly ports?: readonly { name: string; containerPort: number }[];
}

const find = (objects: readonly KubeObject[], kind: string, name: string) => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name.startsWith(name));
  if (found === undefined)
    throw new Error(`no ${kind} ${name} among ${objects.map((o) => o.kind).join(', ')}`);
  return found as KubeObject & Loose;
};

/**
 * Asserts what the NetworkPolicy `kas` lets in: it is the only policy, selects exactly the Deployment's
 * pods, names only ports of the kas container (each port by a rule that names its ports: a rule without
 * them admits its sources to every port), admits the ports the Services target from anyone, the private
 * API from kas pods of the namespace alone, and the observability port from pods of every namespace.
 */
function expectNetworkPolicyFitsKas(objects: readonly KubeObject[]): void {
  expect(objects.filter((object) => object.kind === 'NetworkPolicy')).toHaveLength(1);
  const policy = find(objects, 'NetworkPolicy', 'kas') as unknown as INetworkPolicy;
  const deployment = find(objects, 'Deployment', 'kas');
  const kasPods = { matchLabels: deployment.spec.selector.matchLabels };
  expect(policy.spec?.podSelector).toEqual(kasPods);
  expect(deployment.spec.template.metadata.labels).toMatchObject(kasPods.matchLabels);
  expect(policy.spec?.policyTypes).toEqual(['Ingress']); // egress stays open: Redis, DNS, the other replicas
  const kas = deployment.spec.template.spec.containers.find(
    (container: Container) => container.name === 'kas',
  ) as Container;
  const portNames = kas.ports?.map((port) => port.name) ?? [];
  // Who may connect, by port name: a rule without `from` (or with an empty one) admits anyone.
  const sources = new Map<string, (readonly INetworkPolicyPeer[] | 'anyone')[]>();
  for (const rule of policy.spec?.ingress ?? []) {
    expect(rule.ports?.length ?? 0).toBeGreaterThan(0); // a rule without ports admits to every port
    for (const { port, protocol } of rule.ports ?? []) {
      expect(portNames).toContain(port);
      expect(protocol ?? 'TCP').toBe('TCP');
      const name = String(port);
      sources.set(name, [...(sources.get(name) ?? []), rule.from?.length ? rule.from : 'anyone']);
    }
  }
  expect([...sources.keys()].sort()).toEqual([...portNames].sort());
  const servicePorts = (objects.filter((object) => object.kind === 'Service') as Loose[]).flatMap((service) =>
    service.spec.ports.map((port: { targetPort: string }) => port.targetPort),
  );
  expect(servicePorts).toEqual(['agent-grpc', 'kube-proxy']);
  for (const port of servicePorts) expect(sources.get(port), port).toEqual(['anyone']);
  expect(sources.get('private-api')).toEqual([[{ podSelector: kasPods }]]); // no namespaceSelector, no ipBlock
  expect(sources.get('observability')).toEqual([[{ namespaceSelector: {} }]]);
}

describe('the kustomize bases and overlays', () => {
  it('ships the overlays the docs name', () => {
    expect(overlays).toEqual(['redis', 'sentinel']);
  });

  it.each([...overlays.map((name) => `overlays/${name}`), 'kas', 'agentk'])(
    '%s renders with kubectl kustomize, and every object validates against the Kubernetes schemas and has only known fields',
    async (path) => {
      const objects = await renderKustomization(`${kubernetesDir}${path}`);
      expect(objects.length).toBeGreaterThan(3);
      const problems = await Promise.all(
        objects.map(async (object) =>
          (await validateKubeObject(object)).map(
            (problem) => `${object.kind}/${object.metadata.name}: ${problem}`,
          ),
        ),
      );
      expect(problems.flat()).toEqual([]);
      expect(checkKnownFields(objects)).toEqual([]);
    },
  );

  it('the validation rejects a malformed object and a misspelt field (the checks above can fail)', async () => {
    const [deployment] = (await renderKustomization(`${kubernetesDir}overlays/redis`)).filter(
      (object) => object.kind === 'Deployment',
    );
    const misspelt = structuredClone(deployment) as Loose;
    misspelt.spec.template.spec.terminationGracePeriodSecond = 30; // the schemas let unknown fields through
    expect(checkKnownFields([misspelt as KubeObject])).toEqual([
      expect.stringContaining(
        `Deployment/kas: Object literal may only specify known properties, and '"terminationGracePeriodSecond"' does not exist in type 'IPodSpec'.`,
      ),
    ]);
    const broken = structuredClone(deployment) as Loose;
    broken.spec.template.spec.terminationGracePeriodSeconds = '30s';
    delete broken.spec.template.spec.containers[0].name;
    const problems = await validateKubeObject(broken as KubeObject);
    expect(problems).toEqual([
      'data/spec/template/spec/containers/0 must have required property name',
      'data/spec/template/spec/terminationGracePeriodSeconds must be integer',
    ]);
  });

  it.each(overlays)(
    '%s: kas runs 3 replicas with probes, resources, spread and a disruption budget',
    async (name) => {
      const objects = await renderKustomization(`${kubernetesDir}overlays/${name}`);
      const deployment = find(objects, 'Deployment', 'kas');
      const pod = deployment.spec.template.spec;
      const kas = pod.containers.find((container: Container) => container.name === 'kas') as Container;
      expect(deployment.spec.replicas).toBe(3);
      expect(kas.readinessProbe?.httpGet?.path).toBe('/readiness');
      expect(kas.livenessProbe?.httpGet?.path).toBe('/liveness');
      expect(kas.resources?.requests).toBeDefined();
      expect(
        pod.topologySpreadConstraints.map((spread: { topologyKey: string }) => spread.topologyKey),
      ).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      expect(pod.topologySpreadConstraints[1].nodeTaintsPolicy).toBe('Honor'); // a cordoned node is no domain
      expect(find(objects, 'PodDisruptionBudget', 'kas').spec).toMatchObject({
        maxUnavailable: 1,
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
      expect(kas.env).toContainEqual({
        name: 'KAS_REPLICA__ID',
        valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
      });
      // Replicas dial each other at the pod IPs the tunnel directory names: no Service for the private API.
      const services = objects.filter((object) => object.kind === 'Service') as Loose[];
      expect(services.map((service) => [service.metadata.name, service.spec.ports[0].targetPort])).toEqual([
        ['kas-agents', 'agent-grpc'],
        ['kas-users', 'kube-proxy'],
      ]);
      // What a Prometheus scraping pods by annotation reads: the observability port, which serves /metrics.
      expect(deployment.spec.template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(kas.ports?.find((port) => port.name === 'observability')?.containerPort),
        'prometheus.io/path': '/metrics',
      });
      const secrets = pod.volumes
        .filter((volume: { secret?: unknown }) => volume.secret !== undefined)
        .map((volume: { secret: { secretName: string } }) => volume.secret.secretName);
      expect(secrets).toEqual(
        expect.arrayContaining(['kas-tls', 'kas-agents', 'kas-users', 'kas-private-api']),
      );
    },
  );

  it.each([...overlays.map((name) => `overlays/${name}`), 'kas'])(
    "%s: a NetworkPolicy admits the private API from kas pods of the namespace only, the Services' ports from anyone, and names only ports of the kas container",
    async (path) => {
      expectNetworkPolicyFitsKas(await renderKustomization(`${kubernetesDir}${path}`));
    },
  );

  it('the NetworkPolicy checks notice a policy that opens the private API, misses the pods or a port, or closes a Service port (the checks above can fail)', async () => {
    const objects = await renderKustomization(`${kubernetesDir}kas`);
    expectNetworkPolicyFitsKas(objects);
    const breaks: Record<string, (policy: Loose) => void> = {
      'private API from kas pods of every namespace': (policy) => {
        policy.spec.ingress[1].from[0].namespaceSelector = {};
      },
      'private API from an address block': (policy) => {
        policy.spec.ingress[1].from.push({ ipBlock: { cidr: '0.0.0.0/0' } });
      },
      'private API from anyone': (policy) => {
        delete policy.spec.ingress[1].from;
      },
      'a rule without ports (every port for its sources)': (policy) => {
        delete policy.spec.ingress[2].ports;
      },
      'a port name the container lacks': (policy) => {
        policy.spec.ingress[1].ports[0].port = 'privateapi';
      },
      'a port number instead of its name': (policy) => {
        policy.spec.ingress[1].ports[0].port = 8155;
      },
      'other pods selected': (policy) => {
        policy.spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'kas-proxy';
      },
      'the kube proxy closed to clients outside the cluster': (policy) => {
        policy.spec.ingress[0].from = [{ namespaceSelector: {} }];
      },
      'egress restricted too': (policy) => {
        policy.spec.policyTypes.push('Egress');
      },
    };
    const unnoticed = Object.entries(breaks)
      .filter(([, change]) => {
        const broken = objects.map((object) => {
          if (object.kind !== 'NetworkPolicy') return object;
          const copy = structuredClone(object) as Loose;
          change(copy);
          return copy as KubeObject;
        });
        try {
          expectNetworkPolicyFitsKas(broken);
          return true;
        } catch {
          return false;
        }
      })
      .map(([name]) => name);
    expect(unnoticed).toEqual([]);
  });

  it.each(overlays)(
    "%s: kas's own config loader accepts the ConfigMap's kas.yaml with the Deployment's environment",
    async (name) => {
      const objects = await renderKustomization(`${kubernetesDir}overlays/${name}`);
      const deployment = find(objects, 'Deployment', 'kas');
      const configMap = find(objects, 'ConfigMap', 'kas');
      const volume = deployment.spec.template.spec.volumes.find(
        (candidate: { name: string }) => candidate.name === 'config',
      );
      expect(volume.configMap.name).toBe(configMap.metadata.name); // the hash-suffixed name
      const env = Object.fromEntries(
        (deployment.spec.template.spec.containers[0] as Container).env
          ?.filter((variable) => variable.value !== undefined)
          .map((variable) => [variable.name, variable.value?.replace('$(POD_IP)', '10.0.0.7')]) ?? [],
      );
      // What a kubelet adds for each Service of the namespace where service links are on (the default;
      // the Deployment turns them off, and kas skips them anyway): KAS_USERS_SERVICE_HOST, ...
      const serviceLinks = Object.fromEntries(
        (objects.filter((object) => object.kind === 'Service') as Loose[]).flatMap((service) => {
          const name = String(service.metadata.name).toUpperCase().replaceAll('-', '_');
          const port = service.spec.ports[0].port;
          return [
            [`${name}_SERVICE_HOST`, '10.96.0.10'],
            [`${name}_SERVICE_PORT`, String(port)],
            [`${name}_PORT`, `tcp://10.96.0.10:${port}`],
            [`${name}_PORT_${port}_TCP`, `tcp://10.96.0.10:${port}`],
            [`${name}_PORT_${port}_TCP_PROTO`, 'tcp'],
            [`${name}_PORT_${port}_TCP_PORT`, String(port)],
            [`${name}_PORT_${port}_TCP_ADDR`, '10.96.0.10'],
          ];
        }),
      );
      expect(Object.keys(serviceLinks)).toContain('KAS_USERS_SERVICE_HOST');
      expect(deployment.spec.template.spec.enableServiceLinks).toBe(false);
      const kas = await composeFromConfig({
        text: configMap.data['kas.yaml'],
        file: `kas.yaml of ConfigMap ${configMap.metadata.name}`,
        env: { ...serviceLinks, ...env, KAS_REPLICA__ID: 'kas-7d9f-abcde' },
      });
      const names = kas.composition.modules.map((module) => module.name);
      expect(names).toContain('redis-connection'); // every kas overlay has a shared directory
      expect(kas.shutdownDeadlineMs).toBe(61 * 60_000);
      expect(kas.listenGraceMs).toBe(5_000);
    },
  );

  it("sentinel: the password of the Secret kas-redis goes to the Redis servers and to the sentinels (Bitnami's auth.sentinel has them ask for it)", async () => {
    const objects = await renderKustomization(`${kubernetesDir}overlays/sentinel`);
    const pod = find(objects, 'Deployment', 'kas').spec.template.spec;
    const kas = pod.containers.find((container: Container) => container.name === 'kas');
    const volume = pod.volumes.find((candidate: Loose) => candidate.secret?.secretName === 'kas-redis');
    const mount = kas.volumeMounts.find((candidate: Loose) => candidate.name === volume?.name);
    expect(mount).toMatchObject({ mountPath: '/etc/kas/redis', readOnly: true });
    const variable = (name: string) =>
      (kas as Container).env?.find((candidate) => candidate.name === name)?.value;
    expect(variable('KAS_REDIS__PASSWORD_FILE')).toBe('/etc/kas/redis/password');
    expect(variable('KAS_REDIS__SENTINEL__PASSWORD_FILE')).toBe('/etc/kas/redis/password');
  });

  it('agentk: namespace, service account, RBAC, the token Secret, and a Deployment on the in-cluster API', async () => {
    const objects = await renderKustomization(`${kubernetesDir}agentk`);
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual([
      'ClusterRole/agentk',
      'ClusterRoleBinding/agentk',
      'Deployment/agentk',
      'Namespace/agentk',
      'Secret/agentk-token',
      'ServiceAccount/agentk',
    ]);
    const deployment = find(objects, 'Deployment', 'agentk');
    const container = deployment.spec.template.spec.containers[0] as Container;
    const env = container.env?.map((variable) => variable.name) ?? [];
    expect(env).toContain('AGENTK_KAS');
    expect(env).not.toContain('AGENTK_KUBE_API'); // in-cluster
    expect(deployment.spec.template.spec.serviceAccountName).toBe('agentk');
  });

  it('agentk: a rolling update keeps the old pod until the new one has had 10 s to connect (it has no readiness probe)', async () => {
    const deployment = find(await renderKustomization(`${kubernetesDir}agentk`), 'Deployment', 'agentk');
    expect((deployment.spec.template.spec.containers[0] as Container).readinessProbe).toBeUndefined();
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(deployment.spec.minReadySeconds).toBe(10);
  });
});
