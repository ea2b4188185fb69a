import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, packageDirectory, runKasGraph } from './runKasGraph.js';
import { lintReportValidator, sarifValidator } from './schemas.js';

const kas = 'test/fixtures/kas-app/kasApp.ts';

describe('kas-graph lint, run as a process', () => {
  beforeAll(assertBuilt);

  it('exits 0 on the kas graph', async () => {
    const run = await runKasGraph(['lint', kas]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`${kas}: no findings (16 rules checked)\n`);
  });

  it('exits 1 on the pre-fix ordering, naming tunnel-tracker and agent-grpc-server in the advertise/accept finding', async () => {
    const run = await runKasGraph(['lint', `${kas}#legacy`]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^error KAS_ADVERTISE_ACCEPT_SPLIT \[tunnel-tracker, agent-grpc-server\] .+ -- fix: declare stop: \{ with: \['agent-grpc-server'\] \} on "tunnel-tracker"/,
    );
    expect(lines[1]).toMatch(/^error KAS_ACCEPTOR_BEHIND_DRAIN \[agent-grpc-server, /);
    expect(lines[2]).toBe(`${kas}#legacy: 2 errors, 0 warnings (16 rules checked)`);
  });

  it('fails a JavaScript composition with a misspelt tag: an error, not a warning', async () => {
    const run = await runKasGraph(['lint', 'test/fixtures/misspelt-tag/app.js']);
    expect(run.code).toBe(1);
    // One finding, on the misspelt side: the acceptor of agent-tunnels is not told to write agent-tunnel.
    expect(run.stdout.split('\n').filter((line) => line.includes('KAS_MISSPELT_TAG'))).toEqual([
      'error KAS_MISSPELT_TAG [tracker] "tracker" advertises agent-tunnel, which no other module names: did you mean agent-tunnels? -- fix: write agent-tunnels (or the constant its package exports)',
    ]);
  });

  it('lints an App made by createApp by its plans, and a package directory that is not built by its src/index.ts', async () => {
    expect((await runKasGraph(['lint', `${kas}#app`])).code).toBe(0);
    const legacy = await runKasGraph(['lint', 'test/fixtures/kas-app-package#legacy']);
    expect(legacy.code).toBe(1);
    expect(legacy.stdout).toContain('KAS_ADVERTISE_ACCEPT_SPLIT [tunnel-tracker, agent-grpc-server]');
  });

  it('prints a JSON report that matches the schema the docs publish', async () => {
    const run = await runKasGraph(['lint', `${kas}#legacy`, '--format', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(lintReportValidator()(report)).toEqual([]);
    expect(report).toMatchObject({
      schemaVersion: 1,
      entry: `${kas}#legacy`,
      passed: false,
      summary: { errors: 2, warnings: 0, maxWarnings: null },
    });
    expect(Object.keys(report.findings[0]).sort()).toEqual([
      'code',
      'fix',
      'location',
      'message',
      'modules',
      'severity',
    ]);
    // The finding points at the defineModule call of the first module it names (the fixture's helper).
    expect(report.findings[0].location).toMatchObject({
      file: expect.stringMatching(/kasApp\.ts$/),
      line: 11,
    });
    expect(report.findings[0]).toMatchObject({
      code: 'KAS_ADVERTISE_ACCEPT_SPLIT',
      severity: 'error',
      modules: ['tunnel-tracker', 'agent-grpc-server'],
    });
    expect(report.rules).toHaveLength(16);
  });

  it('prints valid SARIF 2.1.0 with a result per finding at the entry file', async () => {
    const run = await runKasGraph(['lint', `${kas}#legacy`, '--format', 'sarif']);
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout);
    expect(sarifValidator()(log)).toEqual([]);
    expect(sarifValidator()({ ...log, runs: [{ results: log.runs[0].results }] })).not.toEqual([]);
    const [sarifRun] = log.runs;
    expect(sarifRun.tool.driver.rules.map((rule: { id: string }) => rule.id)).toContain(
      'KAS_USE_OUTLIVES_OWNER',
    );
    expect(
      sarifRun.results.map((result: { ruleId: string; level: string }) => [result.ruleId, result.level]),
    ).toEqual([
      ['KAS_ADVERTISE_ACCEPT_SPLIT', 'error'],
      ['KAS_ACCEPTOR_BEHIND_DRAIN', 'error'],
    ]);
    expect(sarifRun.results[0].locations[0]).toMatchObject({
      physicalLocation: { artifactLocation: { uri: kas, uriBaseId: 'SRCROOT' } },
      logicalLocations: [
        { name: 'tunnel-tracker', kind: 'module' },
        { name: 'agent-grpc-server', kind: 'module' },
      ],
    });
  });

  it('tunes severities with --rule, and fails on warnings over --max-warnings', async () => {
    const args = [
      'lint',
      `${kas}#legacy`,
      '--rule',
      'KAS_ADVERTISE_ACCEPT_SPLIT=warn',
      '--rule',
      'KAS_ACCEPTOR_BEHIND_DRAIN=off',
    ];
    const relaxed = await runKasGraph(args);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toMatch(/^warn {2}KAS_ADVERTISE_ACCEPT_SPLIT /);
    expect(relaxed.stdout).toContain('0 errors, 1 warning (15 rules checked)');
    const strict = await runKasGraph([...args, '--max-warnings', '0']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('1 warning exceeds --max-warnings 0');
  });

  it('checks the worst case against --termination-grace', async () => {
    const over = await runKasGraph(['lint', kas, '--termination-grace', '3600s']);
    expect(over.code).toBe(1);
    expect(over.stdout).toContain(
      'error KAS_BUDGET_OVER_LIMIT [agent-grpc-server, redis-connection] the stop plan may take up to 1h 5s',
    );
    expect((await runKasGraph(['lint', kas, '--termination-grace', '3605s'])).code).toBe(0);
  });

  it('reads severities and limits from a config file, and the command line wins', async () => {
    const config = 'test/fixtures/lint-configs/strict.json';
    const run = await runKasGraph(['lint', kas, '--config', config]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('KAS_BUDGET_OVER_LIMIT');
    expect(
      (await runKasGraph(['lint', kas, '--config', config, '--rule', 'KAS_BUDGET_OVER_LIMIT=off'])).code,
    ).toBe(0);
  });
});

describe('kas-graph with an entry that leaves a timer running at import', () => {
  it('prints its report and exits, instead of waiting for the timer forever', async () => {
    const run = await runKasGraph(['lint', 'test/fixtures/failures/handleAtImport.mjs']);
    expect(run.stdout).toBe('test/fixtures/failures/handleAtImport.mjs: no findings (16 rules checked)\n');
    expect(run.code).toBe(0); // not null: runKasGraph kills a run after 30 s
  });
});

describe('kas-graph usage and load errors exit 2 with the code and a fix', () => {
  beforeAll(assertBuilt);

  it.each([
    [['lint', 'nope.ts'], 'KAS_GRAPH_ENTRY_NOT_FOUND: nope.ts does not exist'],
    [
      ['lint', `${kas}#nope`],
      `KAS_GRAPH_EXPORT_NOT_FOUND: ${kas} has no export "nope" (exports that are graphs: default, app, legacy)`,
    ],
    [['lint', `${kas}#kasModules`], 'KAS_GRAPH_NOT_AN_APP: export "kasModules"'],
    [
      ['lint', 'test/fixtures/lint-configs/module-factory.ts'],
      'a kas module package (its default export a module factory) is linted as kas runs it: kas-graph lint --config kas.yaml',
    ],
    [
      ['lint', 'test/fixtures/lint-configs/broken-entry.ts'],
      'KAS_GRAPH_ENTRY_LOAD_FAILED: importing test/fixtures/lint-configs/broken-entry.ts failed',
    ],
    [['lint', kas, '--rule', 'KAS_NOPE=off'], 'KAS_GRAPH_UNKNOWN_RULE: --rule names KAS_NOPE'],
    [['lint', kas, '--rule', 'KAS_START_CYCLE=off'], 'KAS_GRAPH_USAGE: --rule sets KAS_START_CYCLE to off'],
    [['lint', kas, '--config', 'test/fixtures/lint-configs/typo.json'], 'KAS_GRAPH_CONFIG_INVALID: '],
    [['lint', kas, '--rule', 'nonsense'], `argument 'nonsense' is invalid`],
    [['lint', kas, '--termination-grace', 'soon'], '"soon" is not a duration'],
    [['lint', kas, '--format', 'xml'], `argument 'xml' is invalid`],
    [['frobnicate'], `unknown command 'frobnicate'`],
    [['explain', 'KAS_NOPE'], 'KAS_GRAPH_UNKNOWN_RULE: KAS_NOPE is not a rule'],
  ])('kas-graph %j', async (args, message) => {
    const run = await runKasGraph(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    if (run.stderr.startsWith('kas-graph: KAS_GRAPH_')) expect(run.stderr).toMatch(/\n {2}fix: .+\n$/);
  });

  it('echoes an absolute entry as given when its export is missing, and suggests the default export (the bare path) first', async () => {
    const absolute = join(packageDirectory, kas);
    const run = await runKasGraph(['lint', `${absolute}#nope`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `kas-graph: KAS_GRAPH_EXPORT_NOT_FOUND: ${absolute} has no export "nope" (exports that are graphs: default, app, legacy)\n` +
        `  fix: write ${absolute} (its default export), or ${absolute}#<name>, <name> one of app, legacy\n`,
    );
  });

  it("quotes a kas.yaml's failed load of @kas/kas without Node's require stacks", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'kas-graph-no-kas-'));
    try {
      copyFileSync(join(packageDirectory, 'test/fixtures/kas-config/kas.yaml'), join(directory, 'kas.yaml'));
      const run = await runKasGraph(['lint', '--config', 'kas.yaml'], directory);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^kas-graph: KAS_GRAPH_ENTRY_LOAD_FAILED: @kas\/kas cannot be loaded \(from kas\.yaml: Cannot find module '@kas\/kas'; from the current directory: Cannot find module '@kas\/kas'\)\n {2}fix: give the kas app as the entry/,
      );
      expect(run.stderr).not.toContain('Require stack');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('lints an entry without loading what only other commands and options use: the YAML reader of --manifests, the timeline chart and its fonts, the live view and its stream parser, Graphviz (was: every command loaded them, a third of a lint run)', async () => {
    const run = await runKasGraph(['lint', kas], packageDirectory, [
      '--import',
      join(packageDirectory, 'test/fixtures/loaded-modules/recordLoadedModules.mjs'),
    ]);
    expect(run.code).toBe(0);
    const loaded = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('loaded: '))
      .map((line) => line.slice('loaded: '.length));
    expect(loaded.some((url) => url.includes('/packages/core/dist/'))).toBe(true); // the hook saw the imports
    const unneeded = loaded.filter((url) =>
      /\/node_modules\/(yaml|log-update|eventsource-parser|@pdf-lib|vega[^/]*|@viz-js)\//.test(url),
    );
    expect(unneeded).toEqual([]);
  });

  it('exits 0 for --help and --version', async () => {
    expect(await runKasGraph(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await runKasGraph(['lint', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--max-warnings <count>');
  });
});
