import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeFromConfig } from '@kas/kas';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readDocsBlock } from './support/readDocsBlock.js';
import { type KubeObject, renderKustomization } from './support/renderKustomization.js';
import { repositoryRoot, runKasGraph } from './support/runKasGraph.js';
import { validateKubeObject } from './support/validateKubeObject.js';

const runOnKubernetes = fileURLToPath(new URL('../../docs/run-on-kubernetes.md', import.meta.url));
const installAgentk = fileURLToPath(new URL('../../docs/install-agentk.md', import.meta.url));

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { fieldRef?: { fieldPath: string } };
}

/** A rendered Deployment's first container, as far as these tests read it. */
const containerOf = (objects: readonly KubeObject[], name: string) => {
  const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === name);
  return (
    deployment as unknown as {
      spec: { template: { spec: { containers: [{ image: string; env: EnvVar[] }] } } };
    }
  ).spec.template.spec.containers[0];
};

/**
 * The container's environment as the kubelet sets it: `$(NAME)` expands to a variable defined earlier in
 * the list (else it stays as written), `fieldRef` takes the pod's field.
 */
function expandEnv(env: readonly EnvVar[], fields: Readonly<Record<string, string>>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const variable of env) {
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    const value =
      variable.value?.replace(/\$\((\w+)\)/g, (written, name: string) => values[name] ?? written) ??
      (fieldPath === undefined ? undefined : fields[fieldPath]);
    if (value !== undefined) values[variable.name] = value;
  }
  return values;
}

/** kas's config loader on a rendered overlay, for a pod with this IP: what the pod would start with. */
async function composeForPod(objects: readonly KubeObject[], podIp: string) {
  const configMap = objects.find((object) => object.kind === 'ConfigMap') as unknown as {
    data: Record<string, string>;
  };
  const env = expandEnv(containerOf(objects, 'kas').env, {
    'metadata.name': 'kas-7d9f-abcde',
    'status.podIP': podIp,
  });
  return composeFromConfig({ text: configMap.data['kas.yaml'] as string, file: 'kas.yaml', env });
}

describe('the overlays of your own that the guides show', () => {
  // The guides' layout: the clone as kas/, the overlay beside it.
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'kas-docs-overlays-'));
    await symlink(repositoryRoot, join(folder, 'kas'));
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  /** Writes the guide's files into `<folder>/<overlay>/`. */
  const writeOverlay = async (overlay: string, files: Readonly<Record<string, string>>) => {
    await mkdir(join(folder, overlay));
    for (const [name, text] of Object.entries(files)) await writeFile(join(folder, overlay, name), text);
    return join(folder, overlay);
  };

  it('run-on-kubernetes.md: my-kas sets the image and Redis, and passes kas-graph lint', async () => {
    const overlay = await writeOverlay('my-kas', {
      'kustomization.yaml': readDocsBlock(runOnKubernetes, 'my-kas/kustomization.yaml'),
    });
    const kas = containerOf(await renderKustomization(overlay), 'kas');
    expect(kas.image).toBe('my.registry/kas:0.1.0');
    expect(kas.env).toContainEqual({ name: 'KAS_REDIS__URL', value: 'redis://redis.mycompany.example:6379' });

    const run = await runKasGraph(['lint', 'apps/kas', '--manifests', overlay]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('no findings');
    expect(run.code).toBe(0);
  });

  it('run-on-kubernetes.md: on an IPv6 pod IP kas refuses the shipped $(POD_IP):8155, and starts with the IPv6 patch', async () => {
    const kustomization = parse(readDocsBlock(runOnKubernetes, 'my-kas/kustomization.yaml')) as {
      patches: unknown[];
    };
    const withoutPatch = await renderKustomization(
      await writeOverlay('my-kas', { 'kustomization.yaml': stringify(kustomization) }),
    );
    await expect(composeForPod(withoutPatch, 'fd00:10:244::7')).rejects.toMatchObject({
      code: 'KAS_CONFIG_INVALID',
      message: expect.stringContaining('privateApi.advertiseAddress: expected host:port'),
    });

    kustomization.patches.push({ path: 'ipv6.yaml' }); // as the guide says to list it
    const overlay = await writeOverlay('my-kas-ipv6', {
      'kustomization.yaml': stringify(kustomization),
      'ipv6.yaml': readDocsBlock(runOnKubernetes, 'my-kas/ipv6.yaml'),
    });
    const ipv6 = await composeForPod(await renderKustomization(overlay), 'fd00:10:244::7');
    expect(ipv6.composition.modules.map((module) => module.name)).toContain('private-api');
    const lint = await runKasGraph(['lint', 'apps/kas', '--manifests', overlay]);
    expect(lint.stdout).toContain('no findings');
    expect(lint.code).toBe(0);
  });

  it('run-on-kubernetes.md: the NetworkPolicy patch lets only the monitoring namespace reach the observability port, and changes no other rule', async () => {
    const kustomization = parse(readDocsBlock(runOnKubernetes, 'my-kas/kustomization.yaml')) as {
      patches: unknown[];
    };
    const patch = readDocsBlock(runOnKubernetes, 'my-kas/observability-from-monitoring.yaml');
    // The entry the block's comment says to add to patches: (its lines indented under the first).
    const entries = parse(
      patch
        .split('\n')
        .filter((line) => line.startsWith('#   '))
        .map((line) => line.slice(2))
        .join('\n'),
    ) as unknown[];
    expect(entries).toHaveLength(1);
    kustomization.patches.push(...entries);
    const objects = await renderKustomization(
      await writeOverlay('my-kas', {
        'kustomization.yaml': stringify(kustomization),
        'observability-from-monitoring.yaml': patch,
      }),
    );
    expect((await Promise.all(objects.map(validateKubeObject))).flat()).toEqual([]);
    const policyOf = (rendered: readonly KubeObject[]) =>
      rendered.find((object) => object.kind === 'NetworkPolicy') as unknown as INetworkPolicy;
    const base = policyOf(await renderKustomization(join(repositoryRoot, 'deploy/kubernetes/kas')));
    const monitoring = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    };
    expect(policyOf(objects).spec?.ingress).toEqual(
      base.spec?.ingress?.map((rule) =>
        rule.ports?.[0]?.port === 'observability' ? { ...rule, from: [monitoring] } : rule,
      ),
    );
  });

  it('run-on-kubernetes.md: the lifecycle-view patch turns on /debug/lifecycle in the pods, and passes kas-graph lint', async () => {
    const kustomization = parse(readDocsBlock(runOnKubernetes, 'my-kas/kustomization.yaml')) as {
      patches: unknown[];
    };
    const withoutPatch = await composeForPod(
      await renderKustomization(
        await writeOverlay('my-kas', { 'kustomization.yaml': stringify(kustomization) }),
      ),
      '10.244.0.7',
    );
    expect(withoutPatch.config.observability.debug).toBe(false);

    const patch = readDocsBlock(runOnKubernetes, 'my-kas/lifecycle-view.yaml');
    // The entry the block's comment says to add to patches: (its lines indented under the first).
    kustomization.patches.push(
      ...(parse(
        patch
          .split('\n')
          .filter((line) => line.startsWith('#   '))
          .map((line) => line.slice(2))
          .join('\n'),
      ) as unknown[]),
    );
    const overlay = await writeOverlay('my-kas-lifecycle-view', {
      'kustomization.yaml': stringify(kustomization),
      'lifecycle-view.yaml': patch,
    });
    const objects = await renderKustomization(overlay);
    expect((await Promise.all(objects.map(validateKubeObject))).flat()).toEqual([]);
    const kas = containerOf(objects, 'kas');
    // Added to the overlay's variables, not in place of them.
    expect(kas.env).toContainEqual({ name: 'KAS_REDIS__URL', value: 'redis://redis.mycompany.example:6379' });
    expect((await composeForPod(objects, '10.244.0.7')).config.observability.debug).toBe(true);
    const lint = await runKasGraph(['lint', 'apps/kas', '--manifests', overlay]);
    expect(lint.stdout).toContain('no findings');
    expect(lint.code).toBe(0);
  });

  it('install-agentk.md: my-agentk sets the image, the kas address and the token, and every object validates', async () => {
    const overlay = await writeOverlay('my-agentk', {
      'kustomization.yaml': readDocsBlock(installAgentk, 'my-agentk/kustomization.yaml'),
      'agent.token': 'a-token-of-the-agent',
    });
    const objects = await renderKustomization(overlay);
    const problems = await Promise.all(objects.map(validateKubeObject));
    expect(problems.flat()).toEqual([]);
    const agentk = containerOf(objects, 'agentk');
    expect(agentk.image).toBe('my.registry/agentk:0.1.0');
    expect(agentk.env).toContainEqual({ name: 'AGENTK_KAS', value: 'kas.mycompany.example:8150' });
    const secret = objects.find((object) => object.kind === 'Secret') as unknown as {
      metadata: { name: string };
      data: { token: string };
    };
    expect(secret.metadata.name).toBe('agentk-token'); // the name the Deployment mounts
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe('a-token-of-the-agent');
  });
});
