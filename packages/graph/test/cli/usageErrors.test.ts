import { describe, expect, it } from 'vitest';
import { runKasGraphInProcess } from './runKasGraph.js';

const kas = 'test/fixtures/kas-app/kasApp.ts';

const run = runKasGraphInProcess;

describe("kas-graph's usage errors from its command line parser (commander)", () => {
  it.each([
    [
      ['lint', kas, '--fromat', 'json'],
      "unknown option '--fromat' (Did you mean --format?)",
      'run kas-graph help lint for its options',
    ],
    [['explain'], "missing required argument 'code'", 'run kas-graph help explain for its options'],
    [['lnt', kas], "unknown command 'lnt' (Did you mean lint?)", 'run kas-graph help for its commands'],
    [
      ['lint', kas, '--max-warnings', 'many'],
      `option '--max-warnings <count>' argument 'many' is invalid. "many" is not a whole number of 0 or more.`,
      'run kas-graph help lint for its options',
    ],
    [
      ['draw', kas, '--format', 'png'],
      "option '--format <format>' argument 'png' is invalid. Allowed choices are mermaid, dot, svg, html.",
      'run kas-graph help draw for its options',
    ],
    [
      ['plan', kas, 'extra'],
      "too many arguments for 'plan'. Expected 1 argument but got 2.",
      'run kas-graph help plan for its options',
    ],
  ])(
    'kas-graph %j prints KAS_GRAPH_USAGE with what commander said, and exits 2 (it printed no code)',
    async (args, said, fix) => {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`kas-graph: KAS_GRAPH_USAGE: ${said}\n  fix: ${fix}\n`);
    },
  );

  it('prints the help and a KAS_GRAPH_USAGE line when no command is given', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage: kas-graph \[options\] \[command\]\n/);
    expect(result.stderr).toMatch(
      /\nkas-graph: KAS_GRAPH_USAGE: no command given\n {2}fix: run one of the commands above, e\.g\. kas-graph lint <entry>\n$/,
    );
  });

  it('says which command kas-graph help does not know, below the help', async () => {
    const result = await run(['help', 'lnt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage: kas-graph /);
    expect(result.stderr).toMatch(
      /\nkas-graph: KAS_GRAPH_USAGE: unknown command 'lnt'\n {2}fix: run kas-graph help for its commands\n$/,
    );
  });

  it('still exits 0 for --help and --version, on stdout', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, stderr: '' });
    const help = await run(['lint', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('--max-warnings <count>');
  });
});
