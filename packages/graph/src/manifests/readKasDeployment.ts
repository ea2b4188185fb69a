import { posix } from 'node:path';
import { CliError } from '../cli/CliError.js';
import { checkKasPod } from './checkKasPod.js';
import type { KasDeployment, UnseenEnvironment } from './KasDeployment.js';
import { locateField } from './locateField.js';
import { manifestObjects } from './manifestObjects.js';
import type { RenderedManifests } from './renderManifests.js';

/** Kubernetes' defaults for fields a manifest may leave out. */
const DEFAULTS = { terminationGraceSeconds: 30, periodSeconds: 10, failureThreshold: 3 } as const;
/** Stand-ins for environment values only known in a running pod (they do not change a stop plan). */
const POD_IP_PLACEHOLDER = '192.0.2.10';

type Json = Record<string, unknown>;
interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath?: string };
    readonly secretKeyRef?: { readonly name?: string; readonly key?: string };
    readonly configMapKeyRef?: { readonly name?: string; readonly key?: string };
    readonly resourceFieldRef?: { readonly resource?: string };
  };
}
interface EnvFromSource {
  readonly prefix?: string;
  readonly configMapRef?: { readonly name?: string };
  readonly secretRef?: { readonly name?: string };
}
interface Container {
  readonly name: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly EnvFromSource[];
  readonly volumeMounts?: readonly { name: string; mountPath: string; subPath?: string }[];
  readonly readinessProbe?: { periodSeconds?: number; failureThreshold?: number };
  readonly lifecycle?: {
    preStop?: { sleep?: { seconds?: number }; exec?: { command?: readonly string[] } };
  };
}

const invalid = (message: string, fix: string): never => {
  throw new CliError('KAS_GRAPH_MANIFESTS_INVALID', message, fix);
};

/**
 * Finds the kas Deployment (the one whose pod runs a container named `kas`) and reads what its stop
 * depends on: the grace period, the preStop delay, the readiness probe, and the kas.yaml of the
 * ConfigMap mounted where its `--config` points, with the container's environment (`KAS_*` overrides).
 */
export function readKasDeployment(manifests: RenderedManifests): KasDeployment {
  const objects = manifestObjects(manifests.rendered) as (Json | null)[];
  const deployments = objects.filter(
    (object): object is Json => object !== null && object.kind === 'Deployment',
  );
  const kasDeployments = deployments.filter((deployment) => kasContainerOf(deployment) !== undefined);
  if (kasDeployments.length !== 1) {
    invalid(
      kasDeployments.length === 0
        ? `${manifests.rendered.file} has no kas Deployment (a Deployment with a container named "kas"); Deployments: ${deployments.map(nameOf).join(', ') || 'none'}`
        : `${manifests.rendered.file} has ${kasDeployments.length} kas Deployments (${kasDeployments.map(nameOf).join(', ')})`,
      'give the manifests of one kas installation (the overlay that deploys kas)',
    );
  }
  const deployment = kasDeployments[0] as Json;
  const container = kasContainerOf(deployment) as Container;
  const namespace = metadataOf(deployment).namespace;
  const name = nameOf(deployment);
  const label = `Deployment ${namespace === undefined ? '' : `${namespace}/`}${name}`;
  const pod = ((deployment.spec as Json)?.template as Json)?.spec as Json;
  checkKasPod(pod, container as unknown as Json, label);
  const grace = pod.terminationGracePeriodSeconds;
  const replicas = (deployment.spec as Json).replicas;
  const probe = container.readinessProbe;
  return {
    label,
    containerName: container.name,
    terminationGraceSeconds: typeof grace === 'number' ? grace : DEFAULTS.terminationGraceSeconds,
    isTerminationGraceDefault: typeof grace !== 'number',
    replicas: typeof replicas === 'number' ? replicas : 1,
    ...autoscalerOf(objects, name, namespace),
    preStopDelaySeconds: preStopDelayOf(container),
    ...(probe === undefined
      ? {}
      : {
          readiness: {
            periodSeconds: probe.periodSeconds ?? DEFAULTS.periodSeconds,
            failureThreshold: probe.failureThreshold ?? DEFAULTS.failureThreshold,
          },
        }),
    config: readConfig(objects, container, pod, label, name, namespace),
    unseenEnvironment: unseenEnvironmentOf(container),
    locate: (path) => locateField(manifests.sources, { kind: 'Deployment', name }, path),
  };
}

/** The HorizontalPodAutoscaler of the manifests whose scale target is the Deployment `name`. */
function autoscalerOf(
  objects: readonly (Json | null)[],
  name: string,
  namespace: string | undefined,
): Pick<KasDeployment, 'autoscaler'> {
  const autoscaler = objects.find((object): object is Json => {
    if (object === null || object.kind !== 'HorizontalPodAutoscaler') return false;
    const target = (object.spec as Json | undefined)?.scaleTargetRef as Json | undefined;
    return (
      target?.kind === 'Deployment' && target.name === name && metadataOf(object).namespace === namespace
    );
  });
  if (autoscaler === undefined) return {};
  const maxReplicas = (autoscaler.spec as Json | undefined)?.maxReplicas;
  const at = metadataOf(autoscaler).namespace;
  return {
    autoscaler: {
      label: `HorizontalPodAutoscaler ${at === undefined ? '' : `${at}/`}${nameOf(autoscaler)}`,
      maxReplicas: typeof maxReplicas === 'number' ? maxReplicas : 1,
    },
  };
}

function metadataOf(object: Json): { name?: string; namespace?: string } {
  return (object.metadata ?? {}) as { name?: string; namespace?: string };
}

function nameOf(object: Json): string {
  return metadataOf(object).name ?? '(unnamed)';
}

function kasContainerOf(deployment: Json): Container | undefined {
  const pod = ((deployment.spec as Json)?.template as Json)?.spec as Json | undefined;
  const containers = pod?.containers;
  if (!Array.isArray(containers)) return undefined;
  return (containers as (Container | null)[]).find(
    (container) => typeof container === 'object' && container?.name === 'kas',
  ) as Container | undefined;
}

/** The kubelet runs preStop before SIGTERM, inside the grace period: a sleep there delays the stop. */
function preStopDelayOf(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep?.seconds !== undefined) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  const line = command.join(' ');
  const sleep = /(?:^|[\s;&])(?:\/(?:usr\/)?bin\/)?sleep\s+(\d+)(?:s)?(?:$|[\s;&])/.exec(line);
  return sleep === null ? 0 : Number(sleep[1]);
}

function readConfig(
  objects: readonly (Json | null)[],
  container: Container,
  pod: Json,
  label: string,
  podName: string,
  namespace: string | undefined,
) {
  const env = environmentOf(container, podName, namespace);
  const configPath =
    configArgument([...(container.command ?? []), ...(container.args ?? [])]) ?? env.KAS_CONFIG;
  if (configPath === undefined) {
    return invalid(
      `${label}: the kas container has no --config argument and no KAS_CONFIG variable`,
      'run kas with --config /etc/kas/config/kas.yaml and mount the ConfigMap holding kas.yaml there',
    );
  }
  const mount = (container.volumeMounts ?? [])
    .filter(
      (candidate) => configPath === candidate.mountPath || configPath.startsWith(`${candidate.mountPath}/`),
    )
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  const volume = (
    (pod.volumes ?? []) as {
      name: string;
      configMap?: { name: string; items?: { key: string; path: string }[] };
    }[]
  ).find((candidate) => candidate.name === mount?.name);
  if (mount === undefined || volume?.configMap === undefined) {
    return invalid(
      `${label}: kas reads ${configPath}, but no ConfigMap volume is mounted there`,
      'mount the ConfigMap holding kas.yaml at the directory of --config',
    );
  }
  const inVolume = mount.subPath ?? posix.relative(mount.mountPath, configPath);
  const key = volume.configMap.items?.find((item) => item.path === inVolume)?.key ?? inVolume;
  const configMap = objects.find(
    (object): object is Json =>
      object !== null && object.kind === 'ConfigMap' && nameOf(object) === volume.configMap?.name,
  );
  const text = (configMap?.data as Record<string, unknown> | undefined)?.[key];
  if (typeof text !== 'string') {
    return invalid(
      `${label}: kas reads ${configPath} from ConfigMap ${volume.configMap.name}, key ${key}, which ${configMap === undefined ? 'is not among the manifests' : 'has no such key'}`,
      'include the ConfigMap with kas.yaml in the manifests (a configMapGenerator in the kustomization)',
    );
  }
  return {
    text,
    label: `${key} of ConfigMap ${namespace === undefined ? '' : `${namespace}/`}${volume.configMap.name}`,
    env,
  };
}

/** Fields of a running pod that `environmentOf` gives stand-ins for. */
const KNOWN_FIELDS = new Set(['metadata.name', 'metadata.namespace', 'status.podIP']);

/** The kas container's environment that `environmentOf` cannot read (see `KasDeployment`). */
function unseenEnvironmentOf(container: Container): UnseenEnvironment[] {
  const inContainer = ['spec', 'template', 'spec', 'containers', { name: container.name }] as const;
  const unseen: UnseenEnvironment[] = [];
  for (const source of container.envFrom ?? []) {
    const from =
      source.configMapRef !== undefined
        ? `configMapRef ${source.configMapRef.name ?? '(unnamed)'}`
        : source.secretRef !== undefined
          ? `secretRef ${source.secretRef.name ?? '(unnamed)'}`
          : 'a source';
    unseen.push({
      description: `envFrom: ${from}${source.prefix === undefined ? '' : ` (prefix ${source.prefix})`}`,
      path: [...inContainer, 'envFrom'],
    });
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!variable.name.startsWith('KAS_') || variable.value !== undefined || from === undefined) continue;
    if (KNOWN_FIELDS.has(from.fieldRef?.fieldPath ?? '')) continue;
    const ref = from.secretKeyRef ?? from.configMapKeyRef;
    const what =
      from.secretKeyRef !== undefined
        ? 'secretKeyRef'
        : from.configMapKeyRef !== undefined
          ? 'configMapKeyRef'
          : from.resourceFieldRef !== undefined
            ? `resourceFieldRef ${from.resourceFieldRef.resource ?? ''}`.trim()
            : `fieldRef ${from.fieldRef?.fieldPath ?? ''}`.trim();
    unseen.push({
      description: `env ${variable.name}: ${what}${ref === undefined ? '' : ` ${ref.name ?? '(unnamed)'}/${ref.key ?? '(no key)'}`}`,
      path: [...inContainer, 'env', { name: variable.name }],
    });
  }
  return unseen;
}

/** `--config X`, `--config=X`, `-c X`. */
function configArgument(argv: readonly string[]): string | undefined {
  for (const [index, argument] of argv.entries()) {
    if (argument === '--config' || argument === '-c') return argv[index + 1];
    if (argument.startsWith('--config=')) return argument.slice('--config='.length);
  }
  return undefined;
}

/**
 * The container's environment as kas would see it: literal values with `$(VAR)` references expanded as
 * the kubelet does; values only a running pod knows (its name, IP) get stand-ins; the rest is left out.
 */
function environmentOf(
  container: Container,
  podName: string,
  namespace: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(
        /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (reference, name: string) => env[name] ?? reference,
      );
      continue;
    }
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    if (field === 'metadata.name') env[variable.name] = `${podName}-pod`;
    else if (field === 'metadata.namespace' && namespace !== undefined) env[variable.name] = namespace;
    else if (field === 'status.podIP') env[variable.name] = POD_IP_PLACEHOLDER;
  }
  return env;
}
