import { parse } from 'yaml';

/** The prefix of environment variables that override config values. */
export const ENV_PREFIX = 'KAS_';

/** One config value taken from the environment. */
export interface EnvOverride {
  readonly variable: string;
  readonly path: readonly string[];
  readonly value: unknown;
}

/**
 * What the kubelet sets in a pod for every Service of its namespace (unless `enableServiceLinks: false`):
 * `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT NAME>]`, `<NAME>_PORT` and
 * `<NAME>_PORT_<n>_<PROTOCOL>[_PROTO|_PORT|_ADDR]`, so a Service named `kas-users` gives `KAS_USERS_PORT`.
 * No kas key has that shape (a section's key has `__` in its variable; a top-level key is no `_PORT`).
 */
const SERVICE_LINK =
  /^KAS_[A-Z0-9_]+?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$/;

/** True for a variable the kubelet set for a Service whose name begins with `kas-`, not a config key. */
export function isServiceLinkVariable(variable: string): boolean {
  return !variable.includes('__') && SERVICE_LINK.test(variable);
}

/**
 * Maps `KAS_<SECTION>__<KEY>` variables to config paths: `KAS_KUBE_PROXY__LISTEN_ADDRESS` sets
 * `kubeProxy.listenAddress` (levels split by `__`, words by `_`, camelCased). Values are read as YAML
 * scalars or flow collections, so `8080` is a number, `true` a boolean, `[a, b]` a list, `10s` a string.
 * Kubernetes' service-link variables (`KAS_USERS_SERVICE_HOST` for a Service `kas-users`) are skipped.
 */
export function readEnvOverrides(
  env: Readonly<Record<string, string | undefined>>,
  ignored: readonly string[],
): EnvOverride[] {
  const overrides: EnvOverride[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(ENV_PREFIX) || raw === undefined || ignored.includes(variable)) continue;
    if (isServiceLinkVariable(variable)) continue;
    const path = variable
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((segment) =>
        segment.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()),
      );
    overrides.push({ variable, path, value: parseValue(raw) });
  }
  return overrides;
}

function parseValue(raw: string): unknown {
  try {
    return parse(raw) ?? raw;
  } catch {
    return raw;
  }
}

/** Sets `value` at `path` inside `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const [index, key] of path.entries()) {
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
}

/** The variable that overrides a key path: `['kubeProxy', 'listenGrace']` is `KAS_KUBE_PROXY__LISTEN_GRACE`. */
export function environmentVariableOf(path: readonly string[]): string {
  return `${ENV_PREFIX}${path.map((key) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('__')}`;
}
