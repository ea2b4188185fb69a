import { describe, expect, it } from 'vitest';
import type { LintGraph } from '../../src/lint/LintGraph.js';
import type { KasDeployment } from '../../src/manifests/KasDeployment.js';
import { readinessSlowerThanListenGrace } from '../../src/manifests/rules/readinessSlowerThanListenGrace.js';

/** A kas Deployment with this probe and preStop sleep, as `readKasDeployment` would read it. */
const deployment = (readiness: KasDeployment['readiness'], preStopDelaySeconds: number): KasDeployment => ({
  label: 'Deployment kas/kas',
  containerName: 'kas',
  terminationGraceSeconds: 3700,
  isTerminationGraceDefault: false,
  replicas: 3,
  preStopDelaySeconds,
  ...(readiness === undefined ? {} : { readiness }),
  config: { text: '', label: 'kas.yaml of ConfigMap kas/kas-5fh2k', env: {} },
  locate: () => undefined,
});

/** The rule's findings for this Deployment and listen grace (the rule reads no graph). */
const findings = (kas: KasDeployment, listenGraceMs: number) => [
  ...readinessSlowerThanListenGrace({ deployment: kas, listenGraceMs }).check({} as LintGraph),
];

describe('KAS_READINESS_SLOWER_THAN_LISTEN_GRACE', () => {
  it.each([0, 5, 60])(
    'flags a 4s x 2 probe against a 5s listen grace with a preStop sleep of %ss: kas answers 200 through it',
    (preStopSeconds) => {
      const [finding, ...rest] = findings(
        deployment({ periodSeconds: 4, failureThreshold: 2 }, preStopSeconds),
        5_000,
      );
      expect(rest).toEqual([]);
      expect(finding?.message).toContain(
        'needs up to 4s x 2 = 8s to see kas stop, but /readiness answers 503 only from SIGTERM and the kube proxy closes its listener 5s later',
      );
      expect(finding?.fix).toBe(
        'make readinessProbe.periodSeconds x failureThreshold at most 5s (e.g. periodSeconds: 1, failureThreshold: 5), or raise kubeProxy.listenGrace in kas.yaml of ConfigMap kas/kas-5fh2k to at least 8s; a longer preStop sleep does not help',
      );
    },
  );

  it.each([
    [2, 2],
    [5, 1],
    [1, 5],
  ])(
    'passes a %ss x %s probe within a 5s listen grace, with or without a preStop sleep',
    (period, failures) => {
      for (const preStopSeconds of [0, 5]) {
        const probe = { periodSeconds: period, failureThreshold: failures };
        expect(findings(deployment(probe, preStopSeconds), 5_000)).toEqual([]);
      }
    },
  );

  it('a container without a readiness probe gets one that fits the listen grace', () => {
    const [finding] = findings(deployment(undefined, 5), 3_000);
    expect(finding?.message).toBe(
      'Deployment kas/kas: container "kas" has no readiness probe, so load balancers cannot see kas stop before the kube proxy closes its listener 3s after SIGTERM',
    );
    expect(finding?.fix).toBe(
      'add readinessProbe: { httpGet: { path: /readiness, port: <observability port> }, periodSeconds: 1, failureThreshold: 3 } to container "kas"',
    );
  });

  it('with no listen grace, a preStop sleep does not make up for it: the fix raises the grace, suggesting no probe that cannot fit', () => {
    const [finding] = findings(deployment({ periodSeconds: 1, failureThreshold: 1 }, 10), 0);
    expect(finding?.fix).toBe(
      'raise kubeProxy.listenGrace in kas.yaml of ConfigMap kas/kas-5fh2k to at least 1s; a longer preStop sleep does not help',
    );
    const [withoutProbe] = findings(deployment(undefined, 10), 0);
    expect(withoutProbe?.fix).toBe(
      'add readinessProbe: { httpGet: { path: /readiness, port: <observability port> }, periodSeconds: 1, failureThreshold: 1 } to container "kas", and raise kubeProxy.listenGrace in kas.yaml of ConfigMap kas/kas-5fh2k to at least 1s',
    );
  });
});
