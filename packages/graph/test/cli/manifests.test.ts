import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runKasGraph } from './runKasGraph.js';
import { lintReportValidator, sarifValidator } from './schemas.js';

const entry = 'test/fixtures/manifests/configuredApp.ts';
const rendered = 'test/fixtures/manifests/rendered.yaml';

describe('kas-graph lint --manifests, on rendered YAML', () => {
  beforeAll(assertBuilt);

  it("reads Kubernetes' defaults, a preStop exec sleep, a --config= argument and a ConfigMap item's key", async () => {
    const run = await runKasGraph(['lint', entry, '--manifests', rendered, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(lintReportValidator()(report)).toEqual([]);
    expect(report.entry).toBe(`${entry} --manifests ${rendered}`);
    expect(report.findings).toEqual([
      {
        code: 'KAS_GRACE_BELOW_STOP_PLAN',
        severity: 'error',
        message:
          "Deployment edge/kas: spec.template.spec.terminationGracePeriodSeconds is 30s (not set: Kubernetes' default), but the stop plan's worst case is 1h 5s (critical path: agent-grpc-server+tunnel-tracker (1h) -> redis-connection (5s)), after a preStop delay of 3s: the kubelet kills kas before its stop completes",
        fix: expect.stringContaining(
          "set spec.template.spec.terminationGracePeriodSeconds to at least 3623 (preStop delay + kas's shutdown deadline + 5s to exit), or lower the drain budgets in server.yaml of ConfigMap edge/kas-config",
        ),
        modules: expect.arrayContaining(['agent-grpc-server']),
        location: { file: rendered, line: 24, column: 5 }, // not set: where it would go (the pod spec)
      },
      {
        code: 'KAS_READINESS_SLOWER_THAN_LISTEN_GRACE',
        severity: 'error',
        message:
          'Deployment edge/kas: spec.template.spec.containers[kas].readinessProbe needs up to 10s x 3 = 30s to see kas stop, but /readiness answers 503 only from SIGTERM and the kube proxy closes its listener 5s later (the preStop delay of 3s does not count: kas answers 200 through it): load balancers send new connections to a closed port',
        fix: expect.stringContaining(
          'raise kubeProxy.listenGrace in server.yaml of ConfigMap edge/kas-config to at least 30s',
        ),
        modules: ['kube-proxy'],
        location: { file: rendered, line: 36, column: 11 }, // the probe, which sets no periodSeconds
      },
    ]);
  });

  it('flags a probe that fits in the listen grace only with the preStop sleep counted (4s x 2 against 5s + 5s)', async () => {
    const manifest = 'test/fixtures/manifests/probe-within-prestop.yaml';
    const run = await runKasGraph(['lint', entry, '--manifests', manifest, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).findings).toEqual([
      {
        code: 'KAS_READINESS_SLOWER_THAN_LISTEN_GRACE',
        severity: 'error',
        message:
          'Deployment edge/kas: spec.template.spec.containers[kas].readinessProbe needs up to 4s x 2 = 8s to see kas stop, but /readiness answers 503 only from SIGTERM and the kube proxy closes its listener 5s later (the preStop delay of 5s does not count: kas answers 200 through it): load balancers send new connections to a closed port',
        fix: 'make readinessProbe.periodSeconds x failureThreshold at most 5s (e.g. periodSeconds: 1, failureThreshold: 5), or raise kubeProxy.listenGrace in kas.yaml of ConfigMap edge/kas-config to at least 8s; a longer preStop sleep does not help',
        modules: ['kube-proxy'],
        location: { file: manifest, line: 37, column: 13 },
      },
    ]);
  });

  it('warns about KAS_* environment it cannot read (envFrom, a ConfigMap key), not about other variables', async () => {
    const manifest = 'test/fixtures/manifests/environment-unseen.yaml';
    const run = await runKasGraph(['lint', entry, '--manifests', manifest, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0); // warnings only
    expect(JSON.parse(run.stdout).findings).toEqual([
      {
        code: 'KAS_ENVIRONMENT_UNSEEN',
        severity: 'warn',
        message:
          'Deployment edge/kas: the kas container takes environment kas-graph cannot read (envFrom: configMapRef kas-env): any KAS_* setting in it is not in this plan or these checks',
        fix: expect.stringContaining('into kas.yaml or as literal env values'),
        modules: [],
        location: { file: manifest, line: 39, column: 11 }, // the envFrom list
      },
      {
        code: 'KAS_ENVIRONMENT_UNSEEN',
        severity: 'warn',
        message:
          'Deployment edge/kas: the kas container takes environment kas-graph cannot read (env KAS_SHUTDOWN_DEADLINE: configMapKeyRef kas-settings/deadline): any KAS_* setting in it is not in this plan or these checks',
        fix: expect.stringContaining('into kas.yaml or as literal env values'),
        modules: [],
        location: { file: manifest, line: 35, column: 15 },
      },
    ]);
  });

  it('refuses several replicas, or an autoscaler that may add them, with the tunnel directory in memory', async () => {
    const manifest = 'test/fixtures/manifests/replicas-in-memory.yaml';
    const run = await runKasGraph(['lint', entry, '--manifests', manifest, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).findings).toEqual([
      {
        code: 'KAS_REPLICAS_WITHOUT_SHARED_STATE',
        severity: 'error',
        message:
          "Deployment edge/kas may run up to 5 replicas (HorizontalPodAutoscaler edge/kas), but with kas.yaml of ConfigMap edge/kas-config its tunnel directory is in memory (no redis:): about 4 in 5 of a user's requests fail",
        fix: expect.stringContaining('redis: in kas.yaml'),
        modules: [],
        location: { file: manifest, line: 19, column: 3 }, // spec.replicas
      },
    ]);

    const folder = await mkdtemp(join(tmpdir(), 'kas-graph-replicas-'));
    try {
      const text = await readFile(manifest, 'utf8');
      const withoutAutoscaler = join(folder, 'three.yaml');
      await writeFile(withoutAutoscaler, text.slice(0, text.lastIndexOf('---')));
      const three = await runKasGraph(['lint', entry, '--manifests', withoutAutoscaler]);
      expect(three.code).toBe(1);
      expect(three.stdout).toContain('Deployment edge/kas runs 3 replicas, but with kas.yaml');
      expect(three.stdout).toContain('about 2 in 3 of a user');

      const shared = join(folder, 'shared.yaml');
      await writeFile(
        shared,
        text.replace('    kubeProxy:\n', '    redis: { url: redis://redis:6379 }\n    kubeProxy:\n'),
      );
      const withRedis = await runKasGraph(['lint', entry, '--manifests', shared]);
      expect(withRedis.stdout).toContain('no findings');
      expect(withRedis.code).toBe(0);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('puts SARIF results at the manifest lines', async () => {
    const run = await runKasGraph(['lint', entry, '--manifests', rendered, '--format', 'sarif']);
    const log = JSON.parse(run.stdout);
    expect(sarifValidator()(log)).toEqual([]);
    const regions = log.runs[0].results.map(
      (result: {
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[];
      }) => result.locations[0]?.physicalLocation,
    );
    expect(regions).toEqual([
      {
        artifactLocation: { uri: rendered, uriBaseId: 'SRCROOT' },
        region: { startLine: 24, startColumn: 5 },
      },
      {
        artifactLocation: { uri: rendered, uriBaseId: 'SRCROOT' },
        region: { startLine: 36, startColumn: 11 },
      },
    ]);
  });

  it('explains the deployment rules', async () => {
    const run = await runKasGraph(['explain', 'KAS_READINESS_SLOWER_THAN_LISTEN_GRACE']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('readiness probe slower than the listen grace');
  });

  it('reports a YAML alias bomb ("billion laughs") as the file\'s problem, at its document (it said KAS_GRAPH_INTERNAL)', async () => {
    const manifest = 'test/fixtures/manifests/alias-bomb.yaml';
    const run = await runKasGraph(['lint', entry, '--manifests', manifest]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `kas-graph: KAS_GRAPH_MANIFESTS_INVALID: ${manifest}:3:1: the document there cannot be read: Excessive alias count indicates a resource exhaustion attack (its aliases resolve to more than 100 copies of what they name)\n` +
        '  fix: write the values out instead of repeating them through YAML aliases (*name): a document whose aliases multiply like this is refused, as the Kubernetes API server refuses it\n',
    );
  });

  it('reports a repeated key at its line, in whichever document it is (DUPLICATE_KEY, as yaml reports it)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kas-graph-duplicate-'));
    try {
      const manifest = join(folder, 'rendered.yaml');
      const text = await readFile(rendered, 'utf8');
      const edited = text.replace(
        '          image: kas:1\n',
        '          image: kas:1\n          image: kas:2\n',
      );
      expect(edited).not.toBe(text);
      await writeFile(manifest, edited);
      const line = edited.split('\n').indexOf('          image: kas:2') + 1;
      const run = await runKasGraph(['lint', entry, '--manifests', manifest]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `kas-graph: KAS_GRAPH_MANIFESTS_INVALID: ${manifest}:${line}:11: Map keys must be unique\n  fix: fix the YAML at that line\n`,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('reads a mapping of 100,000 keys in time linear in its size (yaml alone compares each key with every earlier one: over a minute)', {
    timeout: 60_000,
  }, async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kas-graph-big-mapping-'));
    try {
      const manifest = join(folder, 'rendered.yaml');
      const keys = Array.from({ length: 100_000 }, (_, index) => `  k${index}: v\n`).join('');
      const big = `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: edge\ndata:\n${keys}`;
      await writeFile(manifest, `${await readFile(rendered, 'utf8')}${big}`);
      // runKasGraph kills the CLI after 30 s
      const run = await runKasGraph(['lint', entry, '--manifests', manifest, '--format', 'json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).findings.map((finding: { code: string }) => finding.code)).toEqual([
        'KAS_GRACE_BELOW_STOP_PLAN',
        'KAS_READINESS_SLOWER_THAN_LISTEN_GRACE',
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it.each([
    [
      'env as a mapping',
      (text: string) =>
        text.replace(/ {10}env:\n(?: {12}[^\n]*\n)+/, '          env: { POD_IP: 192.0.2.10 }\n'),
      'spec.template.spec.containers[kas].env must be a list of objects, not {"POD_IP":"192.0.2.10"}',
    ],
    [
      'a preStop command as one string',
      (text: string) => text.replace('command: [/bin/sh, -c, sleep 3]', 'command: sleep 3'),
      'spec.template.spec.containers[kas].lifecycle.preStop.exec.command must be a list of strings, not "sleep 3"',
    ],
    [
      'volumeMounts as a mapping',
      (text: string) =>
        text.replace(
          '          volumeMounts:\n            - name: config\n              mountPath: /etc/kas/config\n',
          '          volumeMounts: { name: config }\n',
        ),
      'spec.template.spec.containers[kas].volumeMounts must be a list of objects, not {"name":"config"}',
    ],
    [
      'a number as an env value',
      (text: string) => text.replace('value: $(POD_IP):8155', 'value: 8155'),
      'spec.template.spec.containers[kas].env[1].value must be a string, not 8155',
    ],
  ])(
    'names a kas Deployment field of the wrong type (%s), not KAS_GRAPH_INTERNAL (a TypeError)',
    async (_, edit, problem) => {
      const folder = await mkdtemp(join(tmpdir(), 'kas-graph-shape-'));
      try {
        const manifest = join(folder, 'rendered.yaml');
        const text = await readFile(rendered, 'utf8');
        const edited = edit(text);
        expect(edited).not.toBe(text);
        await writeFile(manifest, edited);
        const run = await runKasGraph(['lint', entry, '--manifests', manifest]);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(
          `kas-graph: KAS_GRAPH_MANIFESTS_INVALID: Deployment edge/kas: ${problem}\n  fix: `,
        );
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  );

  it('exits 2 naming what is missing: a path, a kas Deployment, composeFromConfig', async () => {
    const missing = await runKasGraph(['lint', entry, '--manifests', 'no/such/dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('KAS_GRAPH_MANIFESTS_UNREADABLE: no/such/dir does not exist');
    const noKas = await runKasGraph(['lint', entry, '--manifests', 'test/fixtures/lint-configs/strict.json']);
    expect(noKas.code).toBe(2);
    expect(noKas.stderr).toContain('KAS_GRAPH_MANIFESTS_INVALID');
    const noHook = await runKasGraph(['lint', 'test/fixtures/kas-app/kasApp.ts', '--manifests', rendered]);
    expect(noHook.code).toBe(2);
    expect(noHook.stderr).toContain('has no function export "composeFromConfig"');
  });
});
