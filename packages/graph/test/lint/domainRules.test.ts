import { type AppComposition, createToken } from '@kas/core';
import { describe, expect, it } from 'vitest';
import { type LintOptions, lintComposition } from '../../src/index.js';
import { declare } from './declare.js';

const findings = (composition: AppComposition, code: string, options?: LintOptions) =>
  lintComposition(composition, options).findings.filter((finding) => finding.code === code);

const acceptor = (extra: Partial<Parameters<typeof declare>[0]> = {}) =>
  declare({ name: 'edge', accepts: ['conns'], drainBudget: '10s', ...extra });

describe('KAS_ADVERTISE_ACCEPT_SPLIT', () => {
  it('passes when the advertiser stops with the acceptor', () => {
    const modules = [
      acceptor(),
      declare({ name: 'directory', startAfter: ['edge'], advertises: ['conns'], stop: { with: ['edge'] } }),
    ];
    expect(findings({ modules }, 'KAS_ADVERTISE_ACCEPT_SPLIT')).toEqual([]);
  });

  it('fails when the advertiser keeps the default and so withdraws before the acceptor stops', () => {
    const modules = [acceptor(), declare({ name: 'directory', startAfter: ['edge'], advertises: ['conns'] })];
    const [finding, ...rest] = findings({ modules }, 'KAS_ADVERTISE_ACCEPT_SPLIT');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', modules: ['directory', 'edge'] });
    expect(finding?.message).toContain(
      'the advertisement is withdrawn up to 30s before "edge" stops accepting',
    );
    expect(finding?.fix).toContain(`stop: { with: ['edge'] } on "directory"`);
  });

  it('fails when the acceptor stops first', () => {
    const modules = [
      acceptor({ startAfter: ['directory'] }),
      declare({ name: 'directory', advertises: ['conns'] }),
    ];
    const [finding] = findings({ modules }, 'KAS_ADVERTISE_ACCEPT_SPLIT');
    expect(finding?.message).toContain(
      '"edge" stops accepting up to 10s before the advertisement is withdrawn',
    );
  });
});

describe('KAS_ACCEPTOR_BEHIND_DRAIN', () => {
  const proxy = (stop?: { alongside: string[] }) =>
    declare({
      name: 'proxy',
      startAfter: ['edge'],
      drainBudget: '1h',
      uses: ['conns'],
      ...(stop && { stop }),
    });

  it('passes when the draining module stops alongside the acceptor', () => {
    expect(
      findings({ modules: [acceptor(), proxy({ alongside: ['edge'] })] }, 'KAS_ACCEPTOR_BEHIND_DRAIN'),
    ).toEqual([]);
  });

  it('fails when the acceptor waits for a 1h drain by the start-order default, naming the drain', () => {
    const [finding] = findings({ modules: [acceptor(), proxy()] }, 'KAS_ACCEPTOR_BEHIND_DRAIN');
    expect(finding?.modules).toEqual(['edge', 'proxy']);
    expect(finding?.message).toBe(
      '"edge" accepts conns but cannot begin stopping until stage "proxy" (drain budget 1h) has completed, up to 1h after the stop begins: it keeps accepting while its process is going away',
    );
    expect(finding?.fix).toContain(`declare stop: { alongside: ['edge'] } on "proxy"`);
  });

  it('fails when the acceptor declares after a drain, and tells to drop that after', () => {
    const modules = [
      declare({ name: 'proxy', drainBudget: '1h' }),
      acceptor({ startAfter: ['proxy'], stop: { after: ['proxy'] } }),
    ];
    const [finding] = findings({ modules }, 'KAS_ACCEPTOR_BEHIND_DRAIN');
    expect(finding?.fix).toBe('drop "proxy" from the stop.after of "edge"');
  });

  it('fails when the acceptor declares last behind drains, and tells to drop last (not each after it implies)', () => {
    const modules = [
      declare({ name: 'proxy', drainBudget: '1h' }),
      declare({ name: 'metrics', drainBudget: '2h' }),
      acceptor({ stop: { last: true } }),
    ];
    const [finding] = findings({ modules }, 'KAS_ACCEPTOR_BEHIND_DRAIN');
    expect(finding?.fix).toBe(
      'drop stop: { last: true } from "edge": an acceptor must begin its stop at once',
    );
  });

  it('tells a module that accepts and observes, declared last behind a drain, to become two modules (each rule alone sent the author back and forth)', () => {
    const modules = [
      declare({ name: 'proxy', drainBudget: '1h', uses: ['tunnels'] }),
      acceptor({ observes: ['tunnels'], stop: { last: true } }),
    ];
    const [finding] = findings({ modules }, 'KAS_ACCEPTOR_BEHIND_DRAIN');
    expect(finding?.fix).toBe(
      'drop stop: { last: true } from "edge": an acceptor must begin its stop at once (it also observes tunnels, which wants it to stop last, KAS_OBSERVER_STOPS_EARLY: make it two modules, one that accepts and one that observes with stop: { last: true })',
    );
    // Without last, the observer rule fires, and says the same.
    const [early] = findings(
      { modules: [modules[0] as (typeof modules)[0], acceptor({ observes: ['tunnels'] })] },
      'KAS_OBSERVER_STOPS_EARLY',
    );
    expect(early?.fix).toBe(
      'declare stop: { last: true } on "edge", or add "proxy" to its stop.after; "edge" also accepts conns, and an acceptor must begin its stop at once (KAS_ACCEPTOR_BEHIND_DRAIN): if waiting puts it behind a long drain, make it two modules, one that accepts and one that observes with stop: { last: true }',
    );
  });

  it('tolerates a wait up to the accept delay limit, and the limit is configurable', () => {
    const modules = [acceptor(), declare({ name: 'metrics', startAfter: ['edge'], drainBudget: '30s' })];
    expect(findings({ modules }, 'KAS_ACCEPTOR_BEHIND_DRAIN')).toEqual([]);
    expect(
      findings({ modules }, 'KAS_ACCEPTOR_BEHIND_DRAIN', { limits: { acceptDelayLimitMs: 5_000 } }),
    ).toHaveLength(1);
  });
});

describe('KAS_USE_OUTLIVES_OWNER', () => {
  const user = (drainBudget: '1h' | '5s', stop: object = { alongside: ['edge'] }) =>
    declare({ name: 'proxy', startAfter: ['edge'], drainBudget, uses: ['conns'], stop });

  it('passes when the owner drains at least as long as the user, both beginning at once', () => {
    expect(
      findings({ modules: [acceptor({ drainBudget: '1h' }), user('1h')] }, 'KAS_USE_OUTLIVES_OWNER'),
    ).toEqual([]);
  });

  it('passes when the owner stops after the user, whatever its budget (the start-order default)', () => {
    expect(findings({ modules: [acceptor(), user('1h', {})] }, 'KAS_USE_OUTLIVES_OWNER')).toEqual([]);
  });

  it('fails when the owner is cut at 10s while the user drains for 1h', () => {
    const [finding] = findings({ modules: [acceptor(), user('1h')] }, 'KAS_USE_OUTLIVES_OWNER');
    expect(finding).toMatchObject({ severity: 'error', modules: ['proxy', 'edge'] });
    expect(finding?.message).toBe(
      '"proxy" uses conns of "edge" and may drain until 1h after "edge" begins stopping, but "edge" is cut at its drain budget of 10s: in-flight work loses conns',
    );
    expect(finding?.fix).toContain('give "edge" a drainBudget of at least 1h');
  });

  it('counts the stages the user waits for and the owner does not', () => {
    const modules = [
      acceptor({ drainBudget: '1h' }),
      declare({ name: 'jobs', startAfter: ['edge'], drainBudget: '10m', stop: { alongside: ['edge'] } }),
      declare({
        name: 'proxy',
        startAfter: ['edge'],
        drainBudget: '1h',
        uses: ['conns'],
        stop: { alongside: ['edge'], after: ['jobs'] },
      }),
    ];
    const [finding] = findings({ modules }, 'KAS_USE_OUTLIVES_OWNER');
    expect(finding?.message).toContain('may drain until 1h 10m after "edge" begins stopping');
  });

  it('fails when the user begins stopping only after the owner has stopped', () => {
    const modules = [acceptor({ drainBudget: '1h' }), user('5s', { after: ['edge'] })];
    const [finding] = findings({ modules }, 'KAS_USE_OUTLIVES_OWNER');
    expect(finding?.message).toContain('begins stopping only after "edge" has stopped');
  });

  it('takes the advertiser as the owner when no module accepts the resource', () => {
    const modules = [
      declare({ name: 'directory', advertises: ['entries'], drainBudget: '1s' }),
      declare({
        name: 'reader',
        startAfter: ['directory'],
        uses: ['entries'],
        stop: { alongside: ['directory'] },
      }),
    ];
    expect(findings({ modules }, 'KAS_USE_OUTLIVES_OWNER')[0]?.modules).toEqual(['reader', 'directory']);
  });
});

describe('KAS_BUDGET_OVER_LIMIT', () => {
  const modules = [
    declare({ name: 'store', drainBudget: '30s' }),
    declare({ name: 'proxy', startAfter: ['store'], drainBudget: '1h' }),
  ];

  it('passes when the worst case fits in the termination grace, and checks nothing without one', () => {
    expect(
      findings({ modules }, 'KAS_BUDGET_OVER_LIMIT', { limits: { terminationGraceMs: 3_630_000 } }),
    ).toEqual([]);
    expect(findings({ modules }, 'KAS_BUDGET_OVER_LIMIT')).toEqual([]);
  });

  it('fails when the critical path exceeds the termination grace, naming it', () => {
    const [finding] = findings({ modules }, 'KAS_BUDGET_OVER_LIMIT', {
      limits: { terminationGraceMs: 3_600_000 },
    });
    expect(finding?.message).toBe(
      'the stop plan may take up to 1h 30s (critical path: proxy (1h) -> store (30s)), more than the termination grace of 1h: the platform kills the process before the stop completes',
    );
    expect(finding?.modules).toEqual(['proxy', 'store']);
    expect(finding?.fix).toContain('raise the grace period to at least 3630s');
  });
});

describe('KAS_MISSPELT_TAG', () => {
  it('is an error for a plain-string tag (JavaScript) one edit from a tag other modules name', () => {
    const modules = [
      acceptor(),
      declare({ name: 'proxy', startAfter: ['edge'], uses: ['conns'] }),
      declare({ name: 'directory', startAfter: ['edge'], advertises: ['conn'], stop: { with: ['edge'] } }),
    ];
    expect(findings({ modules }, 'KAS_MISSPELT_TAG')).toEqual([
      {
        code: 'KAS_MISSPELT_TAG',
        severity: 'error',
        message: '"directory" advertises conn, which no other module names: did you mean conns?',
        fix: 'write conns (or the constant its package exports)',
        modules: ['directory'],
        location: expect.objectContaining({ file: expect.stringMatching(/declare\.ts$/) }),
      },
    ]);
  });

  it("reports a typo of kas's own tag once, on the module that misspelt it (it also told the acceptor to misspell agent-tunnels)", () => {
    const modules = [
      declare({ name: 'srv', accepts: ['agent-tunnels'] }),
      declare({ name: 'user', startAfter: ['srv'], uses: ['agent-tunnel'] }),
    ];
    expect(findings({ modules }, 'KAS_MISSPELT_TAG')).toEqual([
      expect.objectContaining({
        message: '"user" uses agent-tunnel, which no other module names: did you mean agent-tunnels?',
        fix: 'write agent-tunnels (or the constant its package exports)',
        modules: ['user'],
      }),
    ]);
  });

  it("names the modules that misspell kas's own tag even when they pair with each other", () => {
    const modules = [
      declare({ name: 'edge', accepts: ['agent-tunnels'] }),
      declare({ name: 'gateway', accepts: ['agent-tunnel'] }),
      declare({ name: 'proxy', startAfter: ['gateway'], uses: ['agent-tunnel'] }),
    ];
    expect(findings({ modules }, 'KAS_MISSPELT_TAG').map((finding) => finding.message)).toEqual([
      '"gateway" accepts agent-tunnel, which kas\'s own modules write agent-tunnels: did you mean agent-tunnels?',
      '"proxy" uses agent-tunnel, which kas\'s own modules write agent-tunnels: did you mean agent-tunnels?',
    ]);
  });

  it('takes the spelling more modules agree on as the right one', () => {
    const modules = [
      declare({ name: 'edge', accepts: ['conn'] }),
      declare({ name: 'proxy', startAfter: ['edge'], uses: ['conns'] }),
      declare({ name: 'audit', startAfter: ['edge'], observes: ['conns'] }),
    ];
    expect(findings({ modules }, 'KAS_MISSPELT_TAG').map((finding) => finding.message)).toEqual([
      '"edge" accepts conn, which no other module names: did you mean conns?',
    ]);
  });

  it('reports two spellings nothing tells apart once, on the module that uses the resource, naming both', () => {
    const modules = [
      declare({ name: 'srv', accepts: ['conns'] }),
      declare({ name: 'user', startAfter: ['srv'], uses: ['conn'] }),
    ];
    expect(findings({ modules }, 'KAS_MISSPELT_TAG')).toEqual([
      expect.objectContaining({
        message:
          '"user" uses conn and "srv" accepts conns: one of the two tags is misspelt, so neither pairs with the other',
        fix: 'write one spelling in all of them, conn or conns (or the constant the owning package exports)',
        modules: ['user', 'srv'],
      }),
    ]);
  });

  it('passes when every tag has a counterpart, however close two tags are', () => {
    const modules = [
      acceptor(),
      declare({ name: 'proxy', startAfter: ['edge'], uses: ['conns'] }),
      declare({ name: 'other', accepts: ['conn'] }),
      declare({ name: 'user', startAfter: ['other'], uses: ['conn'] }),
    ];
    expect(findings({ modules }, 'KAS_MISSPELT_TAG')).toEqual([]);
  });
});

describe('KAS_ORPHAN_TAG', () => {
  it('passes when every tag has a counterpart', () => {
    const modules = [acceptor(), declare({ name: 'proxy', startAfter: ['edge'], uses: ['conns'] })];
    expect(findings({ modules }, 'KAS_ORPHAN_TAG')).toEqual([]);
  });

  it('leaves a misspelt tag to KAS_MISSPELT_TAG', () => {
    const modules = [
      acceptor(),
      declare({ name: 'proxy', startAfter: ['edge'], uses: ['conns'] }),
      declare({ name: 'directory', startAfter: ['edge'], advertises: ['conn'], stop: { with: ['edge'] } }),
    ];
    expect(findings({ modules }, 'KAS_ORPHAN_TAG')).toEqual([]);
  });

  it('warns about a use nobody owns, not about an accept nobody else names (a listener of its own)', () => {
    const modules = [acceptor(), declare({ name: 'proxy', uses: ['tunnels'] })];
    expect(findings({ modules }, 'KAS_ORPHAN_TAG').map((finding) => finding.message)).toEqual([
      '"proxy" uses tunnels, which no module accepts or advertises',
    ]);
  });
});

describe('KAS_OUTLIVES_DEPENDENCY', () => {
  const ClientToken = createToken<object>('connection.client');
  const connection = (extra: Partial<Parameters<typeof declare>[0]> = {}) =>
    declare({ name: 'connection', provides: { client: ClientToken }, ...extra });

  it('passes when a module that needs a token stops before its provider (the default)', () => {
    const modules = [connection(), declare({ name: 'reporter', needs: { client: ClientToken } })];
    expect(findings({ modules }, 'KAS_OUTLIVES_DEPENDENCY')).toEqual([]);
  });

  it('flags a module declared last that needs a provider that is not last', () => {
    const modules = [
      connection(),
      declare({ name: 'reporter', needs: { client: ClientToken }, stop: { last: true }, drainBudget: '2h' }),
    ];
    expect(findings({ modules }, 'KAS_OUTLIVES_DEPENDENCY')).toEqual([
      {
        code: 'KAS_OUTLIVES_DEPENDENCY',
        severity: 'error',
        message:
          '"reporter" needs connection.client of "connection" but begins its stop only after "connection" has stopped: its work uses what is gone',
        fix: 'let "reporter" stop before "connection": declare stop: { last: true } on "connection" too, without naming it in the stop.after of "reporter" (among last modules the default stops "reporter" first); or drop last from the stop of "reporter"',
        modules: ['reporter', 'connection'],
        location: expect.objectContaining({ file: expect.stringMatching(/declare\.ts$/) }),
      },
    ]);
  });

  it('does not suggest last on a provider that already declares it: names the stop.after that orders the module later', () => {
    const reporter = declare({ name: 'reporter', needs: { client: ClientToken } });
    const modules = [connection({ stop: { last: true } }), reporter, declare({ name: 'edge' })];
    const overridden = findings(
      { modules, overrides: { reporter: { stop: { last: true, after: ['connection'] } } } },
      'KAS_OUTLIVES_DEPENDENCY',
    );
    expect(overridden.map((finding) => finding.fix)).toEqual([
      'let "reporter" stop before "connection": remove "connection" from the stop.after of "reporter" (set by the app\'s overrides): both declare last, and among last modules the default stops "reporter" first, since it needs "connection"',
    ]);
    expect(overridden[0]?.fix).not.toContain('declare stop: { last: true } on "connection"');
    const declared = findings(
      {
        modules: [
          connection(),
          declare({ name: 'reporter', needs: { client: ClientToken }, stop: { after: ['connection'] } }),
        ],
      },
      'KAS_OUTLIVES_DEPENDENCY',
    );
    expect(declared.map((finding) => finding.fix)).toEqual([
      'let "reporter" stop before "connection": remove "connection" from the stop.after of "reporter"',
    ]);
  });

  it('passes when both are last: the default orders them among themselves', () => {
    const modules = [
      connection({ stop: { last: true } }),
      declare({ name: 'reporter', needs: { client: ClientToken }, stop: { last: true } }),
      declare({ name: 'edge' }),
    ];
    expect(findings({ modules }, 'KAS_OUTLIVES_DEPENDENCY')).toEqual([]);
  });
});

describe('KAS_OBSERVER_STOPS_EARLY', () => {
  const served = () => [
    acceptor(),
    declare({ name: 'proxy', startAfter: ['edge'], uses: ['conns'], stop: { alongside: ['edge'] } }),
  ];

  it('passes an observer that stops last', () => {
    const modules = [...served(), declare({ name: 'audit', observes: ['conns'], stop: { last: true } })];
    expect(findings({ modules }, 'KAS_OBSERVER_STOPS_EARLY')).toEqual([]);
  });

  it('flags an observer that may stop before the modules serving what it observes', () => {
    const modules = [...served(), declare({ name: 'audit', startAfter: ['proxy'], observes: ['conns'] })];
    expect(
      findings({ modules }, 'KAS_OBSERVER_STOPS_EARLY').map((finding) => [finding.severity, finding.message]),
    ).toEqual([
      [
        'error',
        '"audit" observes conns but may stop before "edge" (accepts conns) has stopped: it misses what happens while "edge" drains',
      ],
      [
        'error',
        '"audit" observes conns but may stop before "proxy" (uses conns) has stopped: it misses what happens while "proxy" drains',
      ],
    ]);
  });
});

describe('KAS_ALONGSIDE_IN_ONE_STAGE', () => {
  /** kas's shape: the edge and its directory in one stage, the proxy and its forwarder in another. */
  const stages = () => [
    declare({ name: 'edge', accepts: ['conns'], drainBudget: '70s' }),
    declare({ name: 'directory', startAfter: ['edge'], advertises: ['conns'], stop: { with: ['edge'] } }),
    declare({
      name: 'proxy',
      startAfter: ['edge'],
      uses: ['conns'],
      drainBudget: '60s',
      stop: { alongside: ['edge', 'directory'] },
    }),
    declare({ name: 'forwarder', startAfter: ['proxy'], stop: { with: ['proxy'], alongside: ['edge'] } }),
  ];

  it('passes the two stages that alongside asks for', () => {
    expect(findings({ modules: stages() }, 'KAS_ALONGSIDE_IN_ONE_STAGE')).toEqual([]);
  });

  it('flags a module whose stop.with names both, naming it and not the modules with their own with', () => {
    const modules = [...stages(), declare({ name: 'flush', stop: { with: ['proxy', 'edge'] } })];
    const [finding, ...rest] = findings({ modules }, 'KAS_ALONGSIDE_IN_ONE_STAGE');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'error',
      modules: ['proxy', 'edge', 'directory', 'forwarder', 'flush'],
    });
    expect(finding?.message).toBe(
      'the stop.with of "flush" joins modules declared alongside into one stop stage (budget 1m 10s): "proxy" and "edge", "proxy" and "directory", "forwarder" and "edge"; "proxy" is cut only at the stage\'s budget, not at its own 1m; "directory" is cut only at the stage\'s budget, not at its own 30s; "forwarder" is cut only at the stage\'s budget, not at its own 30s; what stops after the stage waits for all of them',
    );
    expect(finding?.fix).toContain('let the stop.with of "flush" name modules of only one side');
  });

  it('names both modules when two of them join the same stages (neither alone does)', () => {
    const modules = [
      ...stages(),
      declare({ name: 'flush', stop: { with: ['proxy', 'edge'] } }),
      declare({ name: 'audit', stop: { with: ['forwarder', 'directory'] } }),
    ];
    const [finding] = findings({ modules }, 'KAS_ALONGSIDE_IN_ONE_STAGE');
    expect(finding?.message).toMatch(/^the stop\.with of "flush", "audit" join modules declared alongside/);
  });
});
