import { CliError } from '../cli/CliError.js';

type Json = Record<string, unknown>;

/** What a field must be, as the Kubernetes API's schema says. */
type Shape = 'string' | 'number' | 'object' | 'list of strings' | 'list of objects';

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function hasShape(value: unknown, shape: Shape): boolean {
  switch (shape) {
    case 'string':
    case 'number':
      return typeof value === shape;
    case 'object':
      return isObject(value);
    case 'list of strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'list of objects':
      return Array.isArray(value) && value.every(isObject);
    default: {
      const unhandled: never = shape;
      throw new Error(`unhandled shape ${String(unhandled)}`);
    }
  }
}

/**
 * Checks the fields of the kas Deployment's pod that `readKasDeployment` reads, so a field of the wrong
 * type (`env` written as a mapping, a `command` as one string, a port number as a `value`) is the
 * manifests' problem, named with its path, and not a TypeError of kas-graph. The API server would refuse
 * the same; a rendered file given to `--manifests` is not checked by it.
 */
export function checkKasPod(pod: Json, container: Json, label: string): void {
  const inPod = 'spec.template.spec';
  const inContainer = `${inPod}.containers[${String(container.name)}]`;
  const check = (value: unknown, shape: Shape, path: string) => {
    if (value === undefined || hasShape(value, shape)) return;
    throw new CliError(
      'KAS_GRAPH_MANIFESTS_INVALID',
      `${label}: ${path} must be a ${shape}, not ${JSON.stringify(value)?.slice(0, 80) ?? String(value)}`,
      `write ${path} as the Kubernetes API expects (kubectl explain deployment.${path.replace(/\[[^\]]*\]/g, '')})`,
    );
  };
  check(container.command, 'list of strings', `${inContainer}.command`);
  check(container.args, 'list of strings', `${inContainer}.args`);
  check(container.env, 'list of objects', `${inContainer}.env`);
  for (const [index, variable] of ((container.env ?? []) as Json[]).entries()) {
    check(variable.name, 'string', `${inContainer}.env[${index}].name`);
    check(variable.value, 'string', `${inContainer}.env[${index}].value`);
    check(variable.valueFrom, 'object', `${inContainer}.env[${index}].valueFrom`);
  }
  check(container.envFrom, 'list of objects', `${inContainer}.envFrom`);
  check(container.volumeMounts, 'list of objects', `${inContainer}.volumeMounts`);
  for (const [index, mount] of ((container.volumeMounts ?? []) as Json[]).entries()) {
    check(mount.name, 'string', `${inContainer}.volumeMounts[${index}].name`);
    check(mount.mountPath, 'string', `${inContainer}.volumeMounts[${index}].mountPath`);
    check(mount.subPath, 'string', `${inContainer}.volumeMounts[${index}].subPath`);
  }
  const probe = container.readinessProbe;
  check(probe, 'object', `${inContainer}.readinessProbe`);
  if (isObject(probe)) {
    check(probe.periodSeconds, 'number', `${inContainer}.readinessProbe.periodSeconds`);
    check(probe.failureThreshold, 'number', `${inContainer}.readinessProbe.failureThreshold`);
  }
  check(container.lifecycle, 'object', `${inContainer}.lifecycle`);
  const preStop = (container.lifecycle as Json | undefined)?.preStop;
  check(preStop, 'object', `${inContainer}.lifecycle.preStop`);
  if (isObject(preStop)) {
    check(preStop.sleep, 'object', `${inContainer}.lifecycle.preStop.sleep`);
    check(
      (preStop.sleep as Json | undefined)?.seconds,
      'number',
      `${inContainer}.lifecycle.preStop.sleep.seconds`,
    );
    check(preStop.exec, 'object', `${inContainer}.lifecycle.preStop.exec`);
    check(
      (preStop.exec as Json | undefined)?.command,
      'list of strings',
      `${inContainer}.lifecycle.preStop.exec.command`,
    );
  }
  check(pod.volumes, 'list of objects', `${inPod}.volumes`);
  for (const [index, volume] of ((pod.volumes ?? []) as Json[]).entries()) {
    check(volume.name, 'string', `${inPod}.volumes[${index}].name`);
    check(volume.configMap, 'object', `${inPod}.volumes[${index}].configMap`);
    const items = (volume.configMap as Json | undefined)?.items;
    check(items, 'list of objects', `${inPod}.volumes[${index}].configMap.items`);
    for (const [at, item] of ((items ?? []) as Json[]).entries()) {
      check(item.key, 'string', `${inPod}.volumes[${index}].configMap.items[${at}].key`);
      check(item.path, 'string', `${inPod}.volumes[${index}].configMap.items[${at}].path`);
    }
  }
}
