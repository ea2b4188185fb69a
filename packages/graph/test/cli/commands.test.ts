import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runKasGraph } from './runKasGraph.js';

const kas = 'test/fixtures/kas-app/kasApp.ts';

describe('kas-graph plan, draw and explain, run as a process', () => {
  beforeAll(assertBuilt);
  let directory: string | undefined;
  afterEach(() => {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    directory = undefined;
  });

  it('prints the start stages, the stop DAG with waits-for and budgets, and the critical path', async () => {
    const run = await runKasGraph(['plan', kas]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  stage 4\n    kube-proxy  after agent-grpc-server, tunnel-tracker\n');
    expect(run.stdout).toContain(
      '  stage agent-grpc-server+tunnel-tracker  begins by 0s, completes by 1h (drain budget 1h)\n    waits for: nothing (begins at SIGTERM)\n',
    );
    expect(run.stdout).toContain(
      '    redis-connection  drain 5s; stops after tunnel-tracker (started after it),\n        kube-proxy (started after it)\n',
    );
    expect(run.stdout).toContain(
      'Critical path: agent-grpc-server+tunnel-tracker (1h) -> redis-connection (5s); worst case 1h 5s\n',
    );
  });

  it('prints the plan as JSON with worst-case stage timings', async () => {
    const run = await runKasGraph(['plan', `${kas}#legacy`, '--format', 'json']);
    expect(run.code).toBe(0);
    const { plan, stopTimings } = JSON.parse(run.stdout);
    expect(plan.stop.criticalPath.worstCaseMs).toBe(2 * 3_600_000 + 5_000);
    expect(stopTimings['agent-grpc-server']).toEqual({
      latestBeginMs: 3_600_000,
      latestCompleteMs: 7_200_000,
      waitsLongestFor: 'private-api+kube-proxy',
    });
  });

  it('exits 1 and lists the problems when the graph has a cycle', async () => {
    const run = await runKasGraph(['plan', 'test/fixtures/lint-configs/cyclic-app.ts']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no plan, the graph has structural problems\nerror KAS_START_CYCLE [');
  });

  it('draws Mermaid with a subgraph per stage and labelled edges', async () => {
    const run = await runKasGraph(['draw', kas]);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('flowchart TB\n')).toBe(true);
    expect(run.stdout).toContain(
      'subgraph stop_0["stop stage agent-grpc-server+tunnel-tracker (drain ≤ 1h)"]',
    );
    expect(run.stdout).toContain('t3 ===|"with"| t2');
    expect(run.stdout).toContain('s2 -->|"start"| s3');
    expect(run.stdout).toContain('t5 -->|"stop"| t1');
  });

  it('draws DOT, and renders SVG and a self-contained HTML page without Graphviz or network', async () => {
    const dot = await runKasGraph(['draw', kas, '--format', 'dot']);
    expect(dot.stdout).toContain('subgraph cluster_stop_1 {');
    expect(dot.stdout).toContain('"stop:tunnel-tracker" -> "stop:redis-connection" [label="stop"];');

    const svg = await runKasGraph(['draw', kas, '--format', 'svg']);
    expect(svg.code).toBe(0);
    expect(svg.stdout).toMatch(/<svg [^>]*>/);
    expect(svg.stdout).toContain('>kube&#45;proxy</text>');
    expect(svg.stdout).toContain('>stop stage agent&#45;grpc&#45;server+tunnel&#45;tracker</text>');

    directory = mkdtempSync(join(tmpdir(), 'kas-graph-draw-'));
    const page = join(directory, 'kas.html');
    const html = await runKasGraph(['draw', kas, '--format', 'html', '-o', page]);
    expect(html).toMatchObject({ code: 0, stdout: '' });
    const text = readFileSync(page, 'utf8');
    expect(text).toMatch(/^<!doctype html>/);
    expect(text).toContain('<svg');
    expect(text).toContain('Critical path: agent-grpc-server+tunnel-tracker (1h)');
    expect(text).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('says which module needs a token from which, in the plan and in both drawings (it read as if the provider needed its own token)', async () => {
    const entry = 'test/fixtures/token-needs/replicaIdentity.ts';
    const need = 'needs tunnel-tracker.replica-identity from private-api';
    const plan = await runKasGraph(['plan', entry]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`\n    tunnel-tracker  ${need}\n`);
    expect(plan.stdout).not.toContain('private-api (needs');
    const mermaid = await runKasGraph(['draw', entry]);
    expect(mermaid.stdout).toContain(`s0 -->|"start (${need})"| s1`);
    const dot = await runKasGraph(['draw', entry, '--format', 'dot']);
    expect(dot.stdout).toContain(`"start:private-api" -> "start:tunnel-tracker" [label="start (${need})"];`);
  });

  it('explains a rule: what it protects against, an example, and the fix', async () => {
    const run = await runKasGraph(['explain', 'KAS_ADVERTISE_ACCEPT_SPLIT']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^KAS_ADVERTISE_ACCEPT_SPLIT: advertise\/accept split \(default severity: error\)\n/,
    );
    expect(run.stdout).toContain('\nExample:\n  agentGrpcServer = defineModule(');
    expect(run.stdout).toContain('\nFix: declare stop: { with: [<acceptor>] } on the advertiser');
  });
});
