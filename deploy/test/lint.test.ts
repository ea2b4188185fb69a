import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repositoryRoot, runKasGraph } from './support/runKasGraph.js';

const kubernetesDir = fileURLToPath(new URL('../kubernetes/', import.meta.url));

interface SarifLog {
  runs: {
    results: {
      ruleId: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
  }[];
}

describe('kas-graph lint apps/kas --manifests', () => {
  let copy: string;
  beforeEach(async () => {
    copy = await mkdtemp(join(tmpdir(), 'kas-manifests-'));
    await cp(kubernetesDir, copy, { recursive: true });
  });
  afterEach(() => rm(copy, { recursive: true, force: true }));

  /** Edits the temporary copy's kas Deployment; fails when the text to replace is not there. */
  const editDeployment = async (from: string, to: string) => {
    const file = join(copy, 'kas/deployment.yaml');
    const text = await readFile(file, 'utf8');
    expect(text).toContain(from);
    await writeFile(file, text.replace(from, to));
    return text.split('\n').findIndex((line) => line.includes(from.trim())) + 1;
  };

  it.each(['redis', 'sentinel'])('exits 0 for the shipped overlay %s', async (overlay) => {
    const run = await runKasGraph([
      'lint',
      'apps/kas',
      '--manifests',
      `deploy/kubernetes/overlays/${overlay}`,
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`--manifests deploy/kubernetes/overlays/${overlay}: no findings`);
    expect(run.code).toBe(0);
  });

  it('exits 1 for the base alone: three replicas without the shared tunnel directory an overlay adds', async () => {
    const run = await runKasGraph(['lint', 'apps/kas', '--manifests', 'deploy/kubernetes/kas']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^error KAS_REPLICAS_WITHOUT_SHARED_STATE Deployment kas\/kas runs 3 replicas, but with kas\.yaml of ConfigMap kas\/kas-\w+ its tunnel directory is in memory \(no redis:\), so each replica knows only the agents connected to it: about 2 in 3 of a user's requests fail/m,
    );
    expect(run.stdout).toContain('1 error, 0 warnings');
  });

  it('exits 1 naming the Deployment, the field and the worst case when the grace period is cut to 30 s', async () => {
    const line = await editDeployment(
      'terminationGracePeriodSeconds: 3700',
      'terminationGracePeriodSeconds: 30',
    );
    const overlay = join(copy, 'overlays/redis');
    const run = await runKasGraph(['lint', 'apps/kas', '--manifests', overlay]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "error KAS_GRACE_BELOW_STOP_PLAN [agent-grpc-server, redis-connection] Deployment kas/kas: spec.template.spec.terminationGracePeriodSeconds is 30s, but the stop plan's worst case is 1h 15s (critical path: agent-grpc-server+tunnel-tracker (1h 10s) -> redis-connection (5s)), after a preStop delay of 5s",
    );
    expect(run.stdout).toContain('set spec.template.spec.terminationGracePeriodSeconds to at least 3670');

    const sarif = JSON.parse(
      (await runKasGraph(['lint', 'apps/kas', '--manifests', overlay, '--format', 'sarif'])).stdout,
    ) as SarifLog;
    const [result] = sarif.runs[0]?.results ?? [];
    expect(result?.ruleId).toBe('KAS_GRACE_BELOW_STOP_PLAN');
    expect(result?.locations[0]?.physicalLocation).toMatchObject({
      // the copy is outside the working directory: an absolute file:// URI (a ../ path is not valid SARIF)
      artifactLocation: { uri: pathToFileURL(join(copy, 'kas/deployment.yaml')).href },
      region: { startLine: line },
    });
  });

  it("points a finding set by an overlay's inline patch at that patch, in the overlay's kustomization.yaml", async () => {
    const overlay = join(copy, 'my-kas');
    await mkdir(overlay);
    const kustomization = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: [../overlays/redis]',
      'patches:',
      '  - patch: |-',
      '      apiVersion: apps/v1',
      '      kind: Deployment',
      '      metadata:',
      '        name: kas',
      '      spec:',
      '        template:',
      '          spec:',
      '            terminationGracePeriodSeconds: 30',
      '',
    ].join('\n');
    await writeFile(join(overlay, 'kustomization.yaml'), kustomization);
    const run = await runKasGraph(['lint', 'apps/kas', '--manifests', overlay, '--format', 'json']);
    expect(run.code).toBe(1);
    const [finding] = (JSON.parse(run.stdout) as { findings: { code: string; location: unknown }[] })
      .findings;
    expect(finding).toMatchObject({
      code: 'KAS_GRACE_BELOW_STOP_PLAN',
      location: { file: relative(repositoryRoot, join(overlay, 'kustomization.yaml')), line: 13, column: 13 },
    });
  });

  it('exits 1 when the readiness probe is slowed past the listen grace, even within the listen grace plus the preStop sleep', async () => {
    // 3 s x 2 = 6 s: more than the 5 s listen grace, less than 5 s + the 5 s preStop sleep, through which
    // kas still answers /readiness 200.
    const line = await editDeployment('            periodSeconds: 2\n', '            periodSeconds: 3\n');
    const run = await runKasGraph([
      'lint',
      'apps/kas',
      '--manifests',
      join(copy, 'overlays/sentinel'),
      '--format',
      'json',
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      findings: { code: string; message: string; location: unknown }[];
    };
    expect(report.findings).toEqual([
      {
        code: 'KAS_READINESS_SLOWER_THAN_LISTEN_GRACE',
        severity: 'error',
        message: expect.stringContaining(
          'Deployment kas/kas: spec.template.spec.containers[kas].readinessProbe needs up to 3s x 2 = 6s to see kas stop, but /readiness answers 503 only from SIGTERM and the kube proxy closes its listener 5s later (the preStop delay of 5s does not count: kas answers 200 through it)',
        ),
        fix: expect.stringContaining('raise kubeProxy.listenGrace'),
        modules: ['kube-proxy'],
        location: { file: relative(repositoryRoot, join(copy, 'kas/deployment.yaml')), line, column: 13 },
      },
    ]);
  });

  it('without the preStop sleep, the shipped probe still fits; the grace check uses the config the overlay sets', async () => {
    await editDeployment(
      '              sleep:\n                seconds: 5\n',
      '              sleep:\n                seconds: 0\n',
    );
    const kasYaml = join(copy, 'kas/kas.yaml');
    await writeFile(
      kasYaml,
      (await readFile(kasYaml, 'utf8')).replace(
        'drainBudget: 1h\n\nprivateApi',
        'drainBudget: 2h\n\nprivateApi',
      ),
    );
    const run = await runKasGraph(['lint', 'apps/kas', '--manifests', join(copy, 'overlays/redis')]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('KAS_READINESS_SLOWER_THAN_LISTEN_GRACE'); // 2 s x 2 within 5 s
    expect(run.stdout).toContain("the stop plan's worst case is 2h 15s"); // the kube proxy's 2 h drain + 10 s, then 5 s (Redis and observability together)
    expect(run.stdout).toContain('KAS_SHUTDOWN_DEADLINE_CUTS_STOP_PLAN');
  });

  it('with 10-minute drains: a grace of 700 s fits once the shutdown deadline comes down too, as docs/run-on-kubernetes.md says', async () => {
    const kasYaml = join(copy, 'kas/kas.yaml');
    const config = await readFile(kasYaml, 'utf8');
    expect(config.match(/drainBudget: 1h\n/g)).toHaveLength(2);
    await writeFile(kasYaml, config.replaceAll('drainBudget: 1h\n', 'drainBudget: 10m\n'));
    await editDeployment('terminationGracePeriodSeconds: 3700', 'terminationGracePeriodSeconds: 700');
    const overlay = join(copy, 'overlays/redis');
    const deadlineKept = await runKasGraph(['lint', 'apps/kas', '--manifests', overlay]);
    expect(deadlineKept.code).toBe(1);
    // A finding about the Deployment and kas.yaml's deadline, not about modules: no empty module list.
    expect(deadlineKept.stdout).toMatch(/^error KAS_GRACE_BELOW_SHUTDOWN_DEADLINE Deployment kas\/kas: /m);
    await writeFile(
      kasYaml,
      (await readFile(kasYaml, 'utf8')).replace('shutdownDeadline: 61m', 'shutdownDeadline: 11m'),
    );
    const fits = await runKasGraph(['lint', 'apps/kas', '--manifests', overlay]);
    expect(fits.stdout).toContain('no findings');
    expect(fits.code).toBe(0);
  });

  it('exits 2 with a clear error for manifests without a kas Deployment', async () => {
    const run = await runKasGraph(['lint', 'apps/kas', '--manifests', 'deploy/kubernetes/agentk']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KAS_GRAPH_MANIFESTS_INVALID');
    expect(run.stderr).toContain('has no kas Deployment');
  });
});
