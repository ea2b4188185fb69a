import { join } from 'node:path';
import { eventually, kubectl, type RunningProcess, shellOutputLine, startProcess } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeKubeApiOptions } from '../src/index.js';
import { type SecureFakeKubeApi, startSecureFakeKubeApi } from './support/startSecureFakeKubeApi.js';

// Commands a kubectl user runs on day one, each answered as a real cluster answers it.

const pod = (name: string, container = 'app', image = 'registry.example/app:1') => ({
  metadata: { name },
  spec: { containers: [{ name: container, image }] },
});

/** A line as a terminal shows it: a backspace moves the cursor back, a carriage return to the start. */
function onScreen(text: string): string {
  const cells: string[] = [];
  let cursor = 0;
  for (const char of text) {
    if (char === '\b') cursor = Math.max(0, cursor - 1);
    else if (char === '\r') cursor = 0;
    else cells[cursor++] = char;
  }
  return cells.join('').trimEnd();
}

/** Resolves at the start of the next wall-clock second (log times are compared by the second). */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));

describe('kubectl commands of every day against the fake', () => {
  let fake: SecureFakeKubeApi;
  let child: RunningProcess | undefined;
  /** kubectl with a terminal (`-t` needs one): util-linux `script` gives it a pty; we type into its stdin. */
  const kubectlInTerminal = (args: string) =>
    startProcess(
      'script',
      [
        '-qfec',
        `kubectl --kubeconfig ${fake.kubeconfigPath} --cache-dir ${join(fake.dir, 'kube-cache')} ${args}`,
        '/dev/null',
      ],
      { stdin: 'pipe' },
    );
  const start = async (options: FakeKubeApiOptions = {}) => {
    fake = await startSecureFakeKubeApi(options);
  };
  const run = (...args: string[]) => kubectl(fake.dir, fake.kubeconfigPath, args);

  beforeEach(() => {
    child = undefined;
  });
  afterEach(async () => {
    await child?.stop();
    await fake.stop();
  });

  it('kubectl logs --since, --since-time and --limit-bytes print only what they ask for', async () => {
    await start();
    fake.api.objects.create('pods', pod('web-0'));
    fake.api.objects.appendLog('web-0', 'old line');
    // 5 s between the lines: --since=5s leaves the old one out, and takes the new one for as long as
    // kubectl needs up to 5 s to ask (a loaded machine; it took more than 1 s beside a busy CI run).
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await nextSecond();
    const sinceTime = new Date(Date.now() - 500).toISOString().replace(/\.\d+Z$/, 'Z');
    fake.api.objects.appendLog('web-0', 'new line');

    expect(await run('logs', 'web-0', '--since=5s')).toMatchObject({ code: 0, stdout: 'new line\n' });
    expect(await run('logs', 'web-0', `--since-time=${sinceTime}`)).toMatchObject({
      code: 0,
      stdout: 'new line\n',
    });
    expect(await run('logs', 'web-0', '--since=1h')).toMatchObject({
      code: 0,
      stdout: 'old line\nnew line\n',
    });
    expect(await run('logs', 'web-0', '--limit-bytes=5')).toMatchObject({ code: 0, stdout: 'old l' });
  });

  it('kubectl logs --previous says there is no previous container, as the real server does', async () => {
    await start();
    fake.api.objects.create('pods', pod('web-0'));
    fake.api.objects.appendLog('web-0', 'current line');
    expect(await run('logs', 'web-0', '--previous')).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'Error from server (BadRequest): previous terminated container "app" in pod "web-0" not found\n',
    });
  });

  it("the demo starts a user's pod, in any namespace, with its own containers' statuses, and `kubectl events --for` finds its events", async () => {
    await start({ demoActivity: { intervalMs: 50 } });
    expect(await run('run', 'mine', '--image=nginx:1.27')).toMatchObject({ code: 0 });
    expect(await run('wait', '--for=condition=Ready', 'pod/mine', '--timeout=15s')).toMatchObject({
      code: 0,
    });
    const started = fake.api.objects.get('pods', 'mine');
    expect(started?.status).toMatchObject({
      phase: 'Running',
      containerStatuses: [{ name: 'mine', image: 'nginx:1.27', ready: true }],
    });
    expect(started?.spec).toMatchObject({ nodeName: 'fake-node' });
    const events = await run('events', '--for', 'pod/mine');
    expect(events.code).toBe(0);
    // As the kubelet records a start: the image (the fake node has every one), the container, its start.
    expect(events.stdout).toMatch(
      /Pulled\s+Pod\/mine\s+Container image "nginx:1.27" already present on machine\n.*Created\s+Pod\/mine\s+Created container: mine\n.*Started\s+Pod\/mine\s+Started container mine/,
    );
    // In any namespace (only default's pods were started: a pod elsewhere stayed Pending).
    expect(await run('create', 'namespace', 'team')).toMatchObject({ code: 0 });
    expect(await run('run', 'theirs', '-n', 'team', '--image=busybox')).toMatchObject({ code: 0 });
    expect(
      await run('wait', '-n', 'team', '--for=condition=Ready', 'pod/theirs', '--timeout=15s'),
    ).toMatchObject({ code: 0 });
    const theirs = await run('events', '-n', 'team', '--for', 'pod/theirs');
    expect(theirs.stdout).toMatch(
      /Scheduled\s+Pod\/theirs\s+Successfully assigned team\/theirs to fake-node/,
    );
    expect(theirs.stdout).toMatch(/Started\s+Pod\/theirs\s+Started container theirs/);
    await eventually(
      async () => (await run('logs', '-n', 'team', 'theirs')).stdout.includes('GET /healthz'),
      {
        timeoutMs: 15_000,
      },
    );
  });

  it("the demo trims only its workers' events: a user's pod keeps its own however long the demo runs (was: its BackOff went after 40 of the workers')", async () => {
    await start({ demoActivity: { intervalMs: 5 } });
    expect(await run('run', 'mine', '--image=nginx')).toMatchObject({ code: 0 });
    const eventsOf = (name: string) =>
      fake.api.objects
        .list('events', 'default')
        .filter((event) => (event.involvedObject as { name?: string }).name === name);
    await eventually(() => eventsOf('mine').length === 4, { timeoutMs: 15_000 });
    const workerEvents = () =>
      fake.api.objects
        .list('events', 'default')
        .filter((event) => String((event.involvedObject as { name?: string }).name).startsWith('worker-'));
    // Well past 40 of the workers' events, trimmed to their latest 40.
    const first = workerEvents()[0]?.metadata.name;
    await eventually(() => workerEvents()[0]?.metadata.name !== first && workerEvents().length === 40, {
      timeoutMs: 15_000,
    });
    expect(eventsOf('mine').map((event) => event.reason)).toEqual([
      'Scheduled',
      'Pulled',
      'Created',
      'Started',
    ]);
  });

  it('Ctrl-C in `kubectl exec -it` interrupts the command, at the line shell prompt and in a command', async () => {
    await start();
    fake.api.objects.create('pods', pod('web-0'));
    // kubectl puts its terminal in raw mode, so Ctrl-C reaches the fake as a byte, as it reaches a real pod's pty.
    child = kubectlInTerminal('exec -it web-0 -- sh');
    const shell = child;
    const type = (text: string) => shell.child.stdin?.write(text);
    // kubectl's terminal is raw once its exec stream is open.
    await eventually(() => fake.api.openStreams > 0, { timeoutMs: 15_000 });
    // The shell runs once it answers (keys typed earlier are echoed at once, before it prompts).
    type('echo ready\r');
    await shell.waitForLine(shellOutputLine('ready'), 15_000);
    type('sleep 100\r');
    await shell.waitForLine((line) => line.text.includes('sleep 100'), 15_000);
    type('\x03');
    type('echo status $?\r');
    // What is typed ahead is echoed at once, as a pty does, so the output follows the next prompt.
    await shell.waitForLine(shellOutputLine('status 130'), 15_000);
    // What is typed before a Ctrl-C is dropped; what comes after it is a new line.
    type('half typed\x03echo next\r');
    await shell.waitForLine(shellOutputLine('next'), 15_000);
    type('exit\r');
    expect((await shell.exited).code).toBe(0);
    expect(shell.lines.some((line) => line.text.includes('not found'))).toBe(false);
  });

  it('Ctrl-C ends `kubectl exec -it <pod> -- sleep` with exit code 130', async () => {
    await start();
    fake.api.objects.create('pods', pod('web-0'));
    child = kubectlInTerminal('exec -it web-0 -- sleep 100');
    const shell = child;
    // kubectl's terminal is raw once its exec stream is open.
    await eventually(() => fake.api.openStreams > 0, { timeoutMs: 15_000 });
    shell.child.stdin?.write('\x03');
    await shell.waitForLine((line) => line.text.includes('command terminated with exit code 130'), 15_000);
    expect((await shell.exited).code).toBe(130);
  });

  it('`kubectl exec -it <pod> -- cat` echoes what is typed, reads whole lines, erases with Backspace and ends at Ctrl-D (no echo, and Ctrl-D was a byte)', async () => {
    await start();
    fake.api.objects.create('pods', pod('web-0'));
    child = kubectlInTerminal('exec -it web-0 -- cat');
    const shell = child;
    await eventually(() => fake.api.openStreams > 0, { timeoutMs: 15_000 });
    shell.child.stdin?.write('helo\x7flo there\r');
    // The terminal's echo of the line, then cat's copy of it (it reads the line once Enter ends it).
    await eventually(() => shell.lines.filter((line) => onScreen(line.text) === 'hello there').length === 2, {
      timeoutMs: 15_000,
    });
    shell.child.stdin?.write('\x04');
    expect((await shell.exited).code).toBe(0);
  });

  it('`kubectl run -it` runs the command of the pod: `-- echo hi` prints hi and the pod completes (the command was never run)', async () => {
    await start({ demoActivity: { intervalMs: 50 } });
    child = kubectlInTerminal('run mine --image=busybox --restart=Never -it -- echo hi');
    expect((await child.exited).code).toBe(0);
    const shown = child.lines.map((line) => line.text.replace(/\r$/, ''));
    expect(shown, JSON.stringify(shown)).toContain('hi');
    expect(fake.api.objects.get('pods', 'mine')?.status).toMatchObject({
      phase: 'Succeeded',
      containerStatuses: [{ name: 'mine', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    expect((await run('logs', 'mine')).stdout).toBe('hi\n');
  });

  it("a command the sandbox does not have (a real image's nginx) is taken as running: the pod stays Running", async () => {
    await start({ demoActivity: { intervalMs: 50 } });
    expect(
      await run('run', 'web', '--image=nginx', '--command', '--', 'nginx', '-g', 'daemon off;'),
    ).toMatchObject({
      code: 0,
    });
    expect(await run('run', 'nap', '--image=busybox', '--restart=Never', '--', 'sleep', '1')).toMatchObject({
      code: 0,
    });
    // The sandbox's own sleep runs and ends, completing its pod; nginx's pod stays as it was started.
    await eventually(
      () => (fake.api.objects.get('pods', 'nap')?.status as { phase?: string })?.phase === 'Succeeded',
      {
        timeoutMs: 15_000,
      },
    );
    expect(fake.api.objects.get('pods', 'web')?.status).toMatchObject({ phase: 'Running' });
    expect((await run('logs', 'web')).stdout).toMatch(/GET \/healthz 200/);
  });

  it("a container whose command exits restarts as its pod's restartPolicy says: CrashLoopBackOff with RESTARTS, `logs --previous` prints the run before, `logs -f` ends with the run (was: every pod completed)", async () => {
    await start({ demoActivity: { intervalMs: 50 } });
    // kubectl run's pods restart Always; a command that fails restarts under OnFailure, one that succeeds does not.
    expect(await run('run', 'loop', '--image=busybox', '--', 'sh', '-c', 'echo run $HOSTNAME')).toMatchObject(
      {
        code: 0,
      },
    );
    expect(
      await run('run', 'once', '--image=busybox', '--restart=OnFailure', '--', 'echo', 'done'),
    ).toMatchObject({ code: 0 });
    expect(
      await run('run', 'fails', '--image=busybox', '--restart=OnFailure', '--', 'cat', '/nothing'),
    ).toMatchObject({ code: 0 });
    const restarts = (name: string) =>
      Number(
        (
          fake.api.objects.get('pods', name)?.status as
            | { containerStatuses?: { restartCount?: number }[] }
            | undefined
        )?.containerStatuses?.[0]?.restartCount ?? 0,
      );
    // Restarted at once after the first exit, then after a 10 s back-off: seen waiting in between.
    await eventually(
      async () => /loop\s+0\/1\s+CrashLoopBackOff\s+1\s/.test((await run('get', 'pods')).stdout),
      { timeoutMs: 15_000 },
    );
    await eventually(() => restarts('fails') === 1, { timeoutMs: 15_000 });
    expect(fake.api.objects.get('pods', 'loop')?.status).toMatchObject({
      phase: 'Running',
      containerStatuses: [
        {
          restartCount: 1,
          lastState: { terminated: { exitCode: 0, reason: 'Completed' } },
          state: { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    });
    expect(fake.api.objects.get('pods', 'fails')?.status).toMatchObject({
      phase: 'Running',
      containerStatuses: [{ lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
    });
    expect(fake.api.objects.get('pods', 'once')?.status).toMatchObject({ phase: 'Succeeded' });
    expect(restarts('once')).toBe(0);
    expect(await run('logs', 'loop', '--previous')).toMatchObject({ code: 0, stdout: 'run loop\n' });
    // The run that is waiting out its back-off has ended: its log is shown, and a follow of it ends at once.
    expect(await run('logs', '-f', 'loop')).toMatchObject({ code: 0, stdout: 'run loop\n' });
    // The kubelet's events of it: a Warning BackOff, and the restart's Pulled, Created and Started.
    const events = await run('events', '--for', 'pod/loop');
    expect(events.stdout).toMatch(
      /Warning\s+BackOff\s+Pod\/loop\s+Back-off restarting failed container loop in pod loop_default\(/,
    );
    expect(events.stdout).toMatch(
      /Normal\s+Pulled\s+Pod\/loop\s+Container image "busybox" already present on machine/,
    );
    expect(events.stdout).toMatch(/Normal\s+Created\s+Pod\/loop\s+Created container: loop/);
    expect(events.stdout).toMatch(/Normal\s+Started\s+Pod\/loop\s+Started container loop/);
    // One line per reason: the restart counted up the first start's event, as the kubelet's correlator does.
    const startedLines = events.stdout.split('\n').filter((line) => /\sStarted\s+Pod\/loop\s/.test(line));
    expect(startedLines).toHaveLength(1);
    expect(startedLines[0]).toMatch(/\(x\d+ over /);
    expect((await run('logs', 'once', '--previous')).stderr).toContain(
      'previous terminated container "once" in pod "once" not found',
    );
  });

  it('`kubectl run -it --rm -- sh` is a shell in the pod: what is typed runs there, exit ends it and kubectl deletes the pod', async () => {
    await start({ demoActivity: { intervalMs: 50 } });
    child = kubectlInTerminal('run debug --image=busybox --restart=Never -it --rm -- sh');
    const shell = child;
    await shell.waitForLine((line) => line.text.includes("If you don't see a command prompt"), 15_000);
    const type = (text: string) => shell.child.stdin?.write(text);
    // The prompt was written before kubectl attached: Enter asks for a new one, as the hint says.
    type('\r');
    type('hostname\r');
    await shell.waitForLine(shellOutputLine('debug'), 15_000);
    type('exit 3\r');
    await shell.waitForLine((line) => line.text.includes('pod "debug" deleted'), 15_000);
    await shell.exited;
    expect(fake.api.objects.get('pods', 'debug')).toBeUndefined();
  });

  it('Ctrl-C ends the attach of `kubectl run -it -- sleep` (a terminal): the main process dies of it', async () => {
    await start({ demoActivity: { intervalMs: 50 } });
    child = kubectlInTerminal('run nap --image=busybox --restart=Never -it -- sleep 100');
    const shell = child;
    await shell.waitForLine((line) => line.text.includes("If you don't see a command prompt"), 15_000);
    shell.child.stdin?.write('\x03');
    expect((await shell.exited).code).toBe(130); // kubectl run exits with the container's code
    expect(shell.lines.some((line) => line.text.includes('pod default/nap terminated (Error)'))).toBe(true);
    await eventually(
      () =>
        (fake.api.objects.get('pods', 'nap')?.status as { phase?: string } | undefined)?.phase === 'Failed',
      {
        timeoutMs: 15_000,
      },
    );
    expect(fake.api.objects.get('pods', 'nap')?.status).toMatchObject({
      containerStatuses: [{ state: { terminated: { exitCode: 130, reason: 'Error' } } }],
    });
  });
});
