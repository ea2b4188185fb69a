import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runKasGraph } from './runKasGraph.js';

const app = 'test/fixtures/third-party-app/app.ts';
const appDirectory = fileURLToPath(new URL('../fixtures/third-party-app', import.meta.url));

describe('a third-party module package outside the workspaces, composed with the kas modules', () => {
  beforeAll(assertBuilt);

  it('lints clean with its own rule loaded from the config next to the app', async () => {
    const run = await runKasGraph(['lint', app, '--format', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.rules.at(-1)).toEqual({
      code: 'ACME_AUDIT_LOG_STOPS_EARLY',
      title: 'audit log stops early',
      setting: 'error',
      source: '../third-party-module',
    });
    expect(report.summary).toEqual({ errors: 0, warnings: 0, maxWarnings: 0 });
  });

  it("fails by the plugin's rule when the app composes the module without ordering its stop", async () => {
    const run = await runKasGraph(['lint', `${app}#withoutOverride`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'error ACME_AUDIT_LOG_STOPS_EARLY [audit-log, kube-proxy] "audit-log" may stop before "kube-proxy", whose in-flight requests it records',
    );
    expect(run.stdout).toContain(`${app}#withoutOverride: 3 errors, 0 warnings (17 rules checked)`);
  });

  it("explains the plugin's rule when run next to the config", async () => {
    const run = await runKasGraph(['explain', 'ACME_AUDIT_LOG_STOPS_EARLY'], appDirectory);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ACME_AUDIT_LOG_STOPS_EARLY: audit log stops early \(default severity: error; from plugin \.\.\/third-party-module\)/,
    );
  });

  it('refuses a plugin that is missing or whose rules take the core prefix', async () => {
    const missing = await runKasGraph([
      'lint',
      app,
      '--config',
      'test/fixtures/lint-configs/missing-plugin.json',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('KAS_GRAPH_PLUGIN_INVALID: plugin "@acme/not-installed"');
    expect(missing.stderr).toContain("cannot be loaded: Cannot find module '@acme/not-installed'\n  fix: ");
    expect(missing.stderr).not.toContain('Require stack');
    const reserved = await runKasGraph([
      'lint',
      app,
      '--config',
      'test/fixtures/lint-configs/reserved-prefix.json',
    ]);
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toContain("rule KAS_MINE uses the core's KAS_ prefix");
  });
});
