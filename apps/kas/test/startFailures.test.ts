import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, type RunningProcess, scaledMs, startProcess } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDevFiles } from '../src/dev/prepareDevFiles.js';

const run = promisify(execFile);
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Lines at level error (50) or fatal (60): what an operator's alerting sees. */
const errorLines = (kas: RunningProcess) => kas.logs().filter((log) => Number(log.level) >= 50);

describe('kas refuses to start, in one line that says what to change', () => {
  let kas: RunningProcess | undefined;
  let dir: string;
  let blocker: Server | undefined;
  afterEach(async () => {
    await kas?.stop();
    kas = undefined;
    blocker?.close();
    blocker = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** A dev setup's files (certificates, agents, users, secret) and its kas.yaml, edited by `edit`. */
  const configWith = async (edit: (yaml: string, files: string) => string) => {
    dir = await mkdtemp(join(tmpdir(), 'kas-start-'));
    const dev = await prepareDevFiles(join(dir, 'dev'));
    const yaml = edit(await readFile(dev.configPath, 'utf8'), dev.directory);
    const path = join(dir, 'kas.yaml');
    await writeFile(path, yaml);
    return path;
  };
  const startKas = (config: string, ...flags: string[]) => {
    kas = startProcess(process.execPath, [main, '--config', config, ...flags]);
    return kas;
  };

  it('a port in use: exit 1 with one error line naming the address, the config key and what to do', async () => {
    blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const address = `127.0.0.1:${(blocker.address() as { port: number }).port}`;
    const config = await configWith((yaml) =>
      yaml.replace('kubeProxy:\n  listen: 127.0.0.1:0', `kubeProxy:\n  listen: ${address}`),
    );
    const child = startKas(config);
    expect(await child.exited).toEqual({ code: 1, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      module: 'kube-proxy',
      event: 'module.failed',
      error: { code: 'KAS_KUBE_PROXY_LISTEN_FAILED' },
    });
    expect(errors[0]?.msg).toContain(
      `the kube proxy cannot listen on ${address}: another process already listens on this port (EADDRINUSE)`,
    );
    expect(errors[0]?.msg).toContain('kubeProxy.listen');
    // The modules started before it were stopped, and the process says how it exits (not as an error).
    expect(child.logs()).toContainEqual(expect.objectContaining({ event: 'app.stopped', status: 'clean' }));
    expect(child.logs().at(-1)).toMatchObject({ event: 'app.exiting', exitCode: 1, level: 30 });
  });

  it(
    'Redis unreachable: exit 1 after the start budget with one error line naming the address and what to do',
    async () => {
      const port = await freePort(); // nothing listens there
      const config = await configWith((yaml) => `${yaml}redis:\n  url: redis://127.0.0.1:${port}\n`);
      const child = startKas(config);
      // The start waits for Redis up to redis-connection's start budget (30 s) before it gives up.
      expect(await child.exited).toEqual({ code: 1, signal: null });
      const errors = errorLines(child);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ module: 'redis-connection', event: 'module.failed' });
      expect(errors[0]?.msg).toContain(
        `could not reach Redis at redis://127.0.0.1:${port} within its start budget`,
      );
      expect(errors[0]?.msg).toContain('check that Redis runs at');
      // The wait is not silent: one warning as soon as the first attempt fails.
      const waiting = child.logs().filter((log) => log.event === 'redis.waiting');
      expect(waiting).toEqual([
        expect.objectContaining({
          level: 40,
          module: 'redis-connection',
          msg: expect.stringMatching(
            new RegExp(
              `^cannot reach Redis at redis://127\\.0\\.0\\.1:${port} yet \\(connect ECONNREFUSED [^)]+\\); ioredis retries until the start budget ends in (29|30)s`,
            ),
          ),
        }),
      ]);
      expect(child.logs().at(-1)).toMatchObject({ event: 'app.exiting', exitCode: 1, level: 30 });
    },
    scaledMs(90_000),
  );

  it('a key that does not belong to its certificate: exit 2 before anything starts, naming the key and both files', async () => {
    let keyFile = '';
    const config = await configWith((yaml, files) => {
      keyFile = join(files, 'other-key.pem');
      return yaml.replace(`keyFile: ${join(files, 'tls-key.pem')}`, `keyFile: ${keyFile}`);
    });
    await run('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      keyFile,
    ]);
    const child = startKas(config);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ event: 'kas.notStarted', code: 'KAS_TLS_INVALID' });
    expect(errors[0]?.msg).toMatch(
      new RegExp(
        `^kas did not start: ${config}:\\d+:\\d+: kubeProxy\\.tls\\.keyFile: the key in ${keyFile} does not belong to the certificate in .*tls\\.pem`,
      ),
    );
    expect(child.logs().some((log) => log.event === 'app.starting')).toBe(false);
    expect(JSON.stringify(child.logs())).not.toContain('PRIVATE KEY');
  });

  it('a missing certificate file: exit 2 before anything starts, naming the key and the file', async () => {
    let missing = '';
    const config = await configWith((yaml, files) => {
      missing = join(files, 'not-there.pem');
      return yaml.replace(`certFile: ${join(files, 'tls.pem')}`, `certFile: ${missing}`);
    });
    const child = startKas(config);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'KAS_CONFIG_UNREADABLE' });
    expect(errors[0]?.msg).toContain(`kubeProxy.tls.certFile: cannot read ${missing}: ENOENT`);
    expect(child.logs().some((log) => log.event === 'app.starting')).toBe(false);
  });

  it('a --trace-file that cannot be written: exit 2 before anything starts, naming the flag (was: a bare "ENOENT: no such file or directory, open ...")', async () => {
    const config = await configWith((yaml) => yaml);
    const traceFile = join(dir, 'no-such-directory', 'trace.jsonl');
    const child = startKas(config, '--trace-file', traceFile);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'KAS_TRACE_FILE_UNWRITABLE' });
    expect(errors[0]?.msg).toContain(`--trace-file ${traceFile}: cannot open it for writing (ENOENT:`);
    expect(String(errors[0]?.fix)).toContain('writable directory');
    expect(child.logs().some((log) => log.event === 'app.starting')).toBe(false);
  });

  it('a users file named relative to the config that is not there: exit 2, naming the path kas looked for (was: only "nope-users.yaml")', async () => {
    const config = await configWith((yaml, files) =>
      yaml.replace(`usersFile: ${join(files, 'users.yaml')}`, 'usersFile: nope-users.yaml'),
    );
    const child = startKas(config);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'KAS_CONFIG_UNREADABLE',
      fix: `create the file or correct kubeProxy.usersFile (a relative path is read from ${dir})`,
    });
    expect(errors[0]?.msg).toMatch(
      new RegExp(
        `${config}:\\d+:\\d+: kubeProxy\\.usersFile: cannot read nope-users\\.yaml \\(looked for ${join(dir, 'nope-users.yaml')}\\): ENOENT$`,
      ),
    );
    expect(child.logs().at(-1)).toMatchObject({ event: 'app.exiting', exitCode: 2 });
  });

  it('an agents file that names the directory a Secret is mounted at, not the file in it: exit 2, the fix names the file there (was: "create the file")', async () => {
    let files = '';
    const config = await configWith((yaml, devFiles) => {
      files = devFiles;
      return yaml.replace(`agentsFile: ${join(files, 'agents.yaml')}`, `agentsFile: ${files}`);
    });
    const child = startKas(config);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'KAS_CONFIG_UNREADABLE' });
    expect(errors[0]?.msg).toMatch(
      new RegExp(
        `${config}:\\d+:\\d+: agentGrpc\\.agentsFile: cannot read ${files}: EISDIR \\(a directory\\)$`,
      ),
    );
    expect(errors[0]?.fix).toMatch(
      /^agentGrpc\.agentsFile names a directory: name a file in it \(it holds [^)]*\bagents\.yaml\b[^)]*\)$/,
    );
  });

  it('a boolean written in words: exit 2, naming the line, what is expected and the value given (was: zod\'s "Invalid input: expected boolean, received string")', async () => {
    const config = await configWith((yaml) =>
      yaml.replace(
        'observability:\n  listen: 127.0.0.1:0\n  debug: true',
        'observability:\n  listen: 127.0.0.1:0\n  debug: yes please',
      ),
    );
    const child = startKas(config);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'KAS_CONFIG_INVALID' });
    expect(errors[0]?.msg).toMatch(
      new RegExp(`${config}:\\d+:10: observability\\.debug: expected true or false \\(got "yes please"\\)$`),
    );
  });

  it("a missing CA file of the replicas' TLS: exit 2 before anything starts, naming the key and the file", async () => {
    let missing = '';
    const config = await configWith((yaml, files) => {
      missing = join(files, 'no-ca.pem');
      const secret = `sharedSecretFile: ${join(files, 'private-api.secret')}`;
      return yaml.replace(
        secret,
        `${secret}\n  tls:\n    certFile: ${join(files, 'tls.pem')}\n    keyFile: ${join(files, 'tls-key.pem')}\n    caFile: ${missing}`,
      );
    });
    const child = startKas(config);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'KAS_CONFIG_UNREADABLE' });
    expect(errors[0]?.msg).toContain(`privateApi.tls.caFile: cannot read ${missing}: ENOENT`);
    expect(child.logs().some((log) => log.event === 'app.starting')).toBe(false);
  });

  it('an empty agents file: kas starts, but says loudly, and in the /readiness body, that no agent can connect', async () => {
    let agentsFile = '';
    const config = await configWith((yaml, files) => {
      agentsFile = join(files, 'no-agents.yaml');
      return yaml.replace(`agentsFile: ${join(files, 'agents.yaml')}`, `agentsFile: ${agentsFile}`);
    });
    await writeFile(agentsFile, '# nobody yet\n');
    const child = startKas(config);
    const warning = await child.waitForLog({ event: 'config.noAgents' });
    expect(warning).toMatchObject({ level: 40, agentsFile });
    expect(warning.msg).toContain(
      `agentGrpc.agentsFile: ${agentsFile} lists no agents: no agent can connect`,
    );
    await child.waitForLog({ event: 'app.started' }, 20_000);
    const { url } = await child.waitForLog({ module: 'observability', msg: 'observability listening' });
    const readiness = await fetch(`${url}/readiness`);
    expect(readiness.status).toBe(200);
    expect(await readiness.text()).toBe(`ready\nwarning: ${warning.msg}\n`);
  });

  it('shutdownDeadline: 0 and an agent drain shorter than the proxy drain: exit 2, each at its line in the file', async () => {
    const config = await configWith(
      (yaml) =>
        `shutdownDeadline: 0\n${yaml.replace('agentGrpc:\n  listen: 127.0.0.1:0\n', 'agentGrpc:\n  listen: 127.0.0.1:0\n  drainBudget: 2s\n')}`,
    );
    const child = startKas(config);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const errors = errorLines(child);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain(`${config}:1:19: shutdownDeadline: must be longer than 0`);
    expect(errors[0]?.msg).toMatch(
      new RegExp(
        `${config}:\\d+:\\d+: agentGrpc\\.drainBudget: 2s is shorter than kubeProxy\\.drainBudget \\(5s\\)`,
      ),
    );
  });

  it('a tunnel wait that the drain budget would cut during a stop: a warning at its line naming the keys, and kas starts', async () => {
    const config = await configWith((yaml) => yaml.replace('tunnelWait: 2s', 'tunnelWait: 5s'));
    const child = startKas(config);
    const warning = await child.waitForLog({ event: 'config.tunnelWaitCut' });
    expect(warning).toMatchObject({ level: 40 });
    expect(warning.msg).toMatch(
      new RegExp(
        `^${config}:\\d+:15: kubeProxy\\.tunnelWait \\(5s\\) after kubeProxy\\.listenGrace \\(1s\\) does not end before kubeProxy\\.drainBudget \\(5s\\): .* Make tunnelWait shorter than 4s, or raise drainBudget$`,
      ),
    );
    await child.waitForLog({ event: 'app.started' }, 20_000);
  });

  it('a user allowed an agent no agents file lists: a warning naming both, and kas starts', async () => {
    let usersFile = '';
    const config = await configWith((yaml, files) => {
      usersFile = join(files, 'users.yaml');
      return yaml;
    });
    const users = await readFile(usersFile, 'utf8');
    await writeFile(
      usersFile,
      users.replace(/agents:\n(\s+)- dev-agent/, 'agents:\n$1- dev-agent\n$1- agent-typo'),
    );
    const child = startKas(config);
    const warning = await child.waitForLog({ event: 'config.unlistedAgent' });
    expect(warning).toMatchObject({ level: 40, agentId: 'agent-typo' });
    expect(warning.msg).toContain('kubeProxy.usersFile');
    expect(warning.msg).toContain('agentGrpc.agentsFile');
    await child.waitForLog({ event: 'app.started' }, 20_000);
  });
});
