import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { connect } from 'node:tls';
import { writeKubeconfig } from '@kas/fake-kube-api';
import { eventually, kubectl, shellOutputLine, spawnKubectl, startProcess } from '@kas/testkit';
import { Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userTokenOf } from './support/identities.js';
import { rawUpgrade } from './support/rawUpgrade.js';
import type { TestCluster } from './support/startCluster.js';
import type { KasReplica } from './support/startKasReplica.js';
import { type RoutedPod, startRoutedPod } from './support/startPodReplica.js';

const SPDY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };

/** GET / through a local port (what `kubectl port-forward` opened). */
function getThrough(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

describe.each([
  ['a local tunnel', 'local'],
  ['a forwarding replica', 'remote'],
] as const)('kubectl exec, attach, cp, port-forward and logs -f through kas, over %s', (_title, route) => {
  let setup: RoutedPod;
  let cluster: TestCluster;
  let holder: KasReplica;
  let entry: KasReplica;
  let kubeconfigPath: string;

  beforeAll(async () => {
    setup = await startRoutedPod(route);
    ({ cluster, holder, entry, kubeconfigPath } = setup);
  });
  afterAll(async () => {
    await setup?.stop();
  });

  const replicas = () => [...new Set([entry, holder])];
  /** Where each replica's log is now, for {@link warningsSince}. */
  const logMark = () => new Map(replicas().map((replica) => [replica, replica.logs.lines.length]));
  /** The warnings and errors the replicas logged after `mark`, read once every session through kas has ended. */
  const warningsSince = async (mark: ReadonlyMap<KasReplica, number>) => {
    await eventually(
      () => entry.metrics.snapshot().upgrades.open === 0 && holder.privateApi.activeForwards() === 0,
    );
    return replicas().flatMap((replica) =>
      replica.logs.lines.slice(mark.get(replica)).filter((line) => (line.level as number) >= 40),
    );
  };

  describe.each([
    ['WebSocket', {}],
    ['SPDY/3.1', SPDY],
  ] as const)('with %s', (_protocol, env) => {
    const run = (args: readonly string[], input?: string) =>
      kubectl(cluster.dir, kubeconfigPath, args, { env, ...(input === undefined ? {} : { input }) });

    it('kubectl exec web-0 -- echo hi prints hi, and kas logs no warning as the client ends the session', async () => {
      const before = entry.metrics.snapshot();
      const mark = logMark();
      const result = await run(['exec', 'web-0', '--', 'echo', 'hi']);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('hi\n');
      // Switched, through the route under test, and closed as the session ended.
      await eventually(
        () => entry.metrics.snapshot().upgrades.byEnding.closed > before.upgrades.byEnding.closed,
      );
      expect(entry.metrics.snapshot().requestsByRoute[route]).toBeGreaterThan(before.requestsByRoute[route]);
      // A session its client ends is no broken answer (kas warned "broke off: the client went away").
      expect(await warningsSince(mark)).toEqual([]);
    });

    it('kubectl exec -i passes stdin and the exit code', async () => {
      const result = await run(['exec', '-i', 'web-0', '--', 'cat'], 'first\nsecond\n');
      expect(result.stdout).toBe('first\nsecond\n');
      const failed = await run(['exec', 'web-0', '--', 'cat', '/missing']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('command terminated with exit code 1');
    });

    it('kubectl exec -it gets a terminal: what is typed, and a resize of the terminal', async () => {
      // kubectl -t needs a terminal: util-linux `script` gives it a pty, whose size the test then changes.
      const command = [
        'tty;',
        'exec kubectl',
        `--kubeconfig ${kubeconfigPath}`,
        `--cache-dir ${join(cluster.dir, 'kube-cache')}`,
        'exec -it web-0 -- sh',
      ].join(' ');
      const shell = startProcess('script', ['-qfec', command, '/dev/null'], { stdin: 'pipe', env });
      try {
        const pts = (
          await shell.waitForLine((line) => /^\/dev\/pts\/\d+/.test(line.text), 15_000)
        ).text.trim();
        const type = (text: string) => shell.child.stdin?.write(text);
        type('echo typed-in\r');
        await shell.waitForLine(shellOutputLine('typed-in'), 15_000);
        execFileSync('stty', ['-F', pts, 'rows', '40', 'cols', '100']);
        await eventually(
          async () => {
            type('stty size\r');
            await shell.waitForLine(shellOutputLine('40 100'), 500);
          },
          { timeoutMs: 15_000 },
        );
        type('exit\r');
        expect((await shell.exited).code).toBe(0);
      } finally {
        await shell.stop();
      }
    });

    it('kubectl cp copies a file to the pod and back, and kas logs no warning', async () => {
      const mark = logMark();
      const local = await mkdtemp(join(cluster.dir, 'cp-'));
      await writeFile(join(local, 'notes.txt'), 'through kas\n');
      const up = await run(['cp', join(local, 'notes.txt'), 'web-0:/tmp/notes.txt']);
      expect(up.stderr).toBe('');
      expect((await run(['exec', 'web-0', '--', 'cat', '/tmp/notes.txt'])).stdout).toBe('through kas\n');
      const down = await run(['cp', 'web-0:/tmp/notes.txt', join(local, 'back.txt')]);
      expect(down.stderr).toBe('');
      expect(await readFile(join(local, 'back.txt'), 'utf8')).toBe('through kas\n');
      await rm(local, { recursive: true });
      expect(await warningsSince(mark)).toEqual([]);
    });

    it('kubectl attach streams the pod process output, and kas logs no warning when kubectl is stopped', async () => {
      const mark = logMark();
      const attach = spawnKubectl(cluster.dir, kubeconfigPath, ['attach', 'web-0'], { env });
      try {
        await eventually(
          async () => {
            cluster.api.objects.appendLog('web-0', `attached-${route}`);
            await attach.waitForLine((line) => line.text === `attached-${route}`, 300);
          },
          { timeoutMs: 15_000 },
        );
      } finally {
        await attach.stop();
      }
      expect(await warningsSince(mark)).toEqual([]);
    });

    it('kubectl port-forward pod/web-0 <port>:80 carries an HTTP request, and kas logs no warning when kubectl is stopped', async () => {
      const mark = logMark();
      const notSwitched = entry.metrics.snapshot().upgrades.byEnding.notSwitched;
      const forward = spawnKubectl(cluster.dir, kubeconfigPath, ['port-forward', 'pod/web-0', ':80'], {
        env,
      });
      try {
        const line = await forward.waitForLine(
          (candidate) => candidate.text.startsWith('Forwarding from 127.0.0.1:'),
          15_000,
        );
        const port = Number(/127\.0\.0\.1:(\d+)/.exec(line.text)?.[1]);
        expect(await getThrough(port)).toBe('hello from web-0\n');
        expect(await getThrough(port)).toBe('hello from web-0\n');
      } finally {
        await forward.stop();
      }
      expect(await warningsSince(mark)).toEqual([]);
      // kubectl's first choice switched: the WebSocket default did not fall back to SPDY (it did, after a
      // 400 from the fake API's WebSocket library, until 2026-12-05).
      expect(entry.metrics.snapshot().upgrades.byEnding.notSwitched).toBe(notSwitched);
    });
  });

  it('kubectl logs -f follows the pod log', async () => {
    const logs = spawnKubectl(cluster.dir, kubeconfigPath, ['logs', '-f', 'web-0']);
    try {
      await eventually(
        async () => {
          cluster.api.objects.appendLog('web-0', `followed-${route}`);
          await logs.waitForLine((line) => line.text === `followed-${route}`, 300);
        },
        { timeoutMs: 15_000 },
      );
    } finally {
      await logs.stop();
    }
  });

  it('answers 403 to a user not allowed the agent, before any upgrade', async () => {
    const bobConfig = await writeKubeconfig({
      path: join(cluster.dir, 'bob-kubeconfig'),
      server: entry.proxy.url,
      caPem: cluster.certificates.ca.cert,
      token: userTokenOf('bob', 'agent-1'),
    });
    const refused = await kubectl(cluster.dir, bobConfig, ['exec', 'web-0', '--', 'echo', 'hi']);
    expect(refused.stderr).toContain('user "bob" may not reach agent "agent-1"');
    // kubectl reads the pod before it upgrades; a client that upgrades at once (client-node) gets the same 403.
    const before = entry.metrics.snapshot();
    for (const upgrade of ['websocket', 'SPDY/3.1']) {
      const answer = await rawUpgrade(
        entry.proxy.url,
        cluster.certificates.ca.cert,
        userTokenOf('bob', 'agent-1'),
        upgrade,
      );
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ kind: 'Status', code: 403, reason: 'Forbidden' });
    }
    await eventually(
      () =>
        entry.metrics.snapshot().upgrades.byEnding.notSwitched === before.upgrades.byEnding.notSwitched + 2,
    );
    const after = entry.metrics.snapshot();
    expect(after.requestsByStatus['403']).toBe((before.requestsByStatus['403'] ?? 0) + 2);
    // Nothing went through a tunnel: kas answered both itself.
    expect(after.requestsByRoute[route]).toBe(before.requestsByRoute[route]);
    expect(after.requestsByRoute.none).toBe(before.requestsByRoute.none + 2);
  });

  // Regression: kas answered and ended the connection but never read it again, so a client that had
  // sent bytes after its request (or never closed) kept it open: in flight for a stop to drain (an hour by
  // default), holding an upgrade slot (found by a hostile-client trial).
  it('closes an upgrade it did not switch, when the client sent bytes after its request and never closes: nothing stays in flight, no slot is held', async () => {
    const before = entry.metrics.snapshot();
    const { hostname, port } = new URL(entry.proxy.url);
    const sendAndStay = (path: string, token: string | undefined) =>
      new Promise<{ readonly head: string; readonly closed: Promise<unknown> }>((resolve, reject) => {
        const socket = connect(
          { host: hostname, port: Number(port), ca: cluster.certificates.ca.cert },
          () => {
            socket.write(
              `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n${token === undefined ? '' : `Authorization: Bearer ${token}\r\n`}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`,
            );
            // a client that streams without waiting for the switch
            socket.write(Buffer.alloc(8 << 20, 0x61));
          },
        );
        let received = '';
        const closed = once(socket, 'close');
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          if (received.includes('\r\n\r\n')) resolve({ head: received.split('\r\n')[0] as string, closed });
        });
        socket.on('error', () => {}); // kas may close it while bytes are still on their way
        socket.once('close', () => reject(new Error(`closed before an answer: ${received}`)));
      });
    const answers = await Promise.all([
      sendAndStay('/api/v1/namespaces/default/pods/web-0/exec?command=sh&stdin=true', undefined),
      sendAndStay(
        '/api/v1/namespaces/default/pods/no-such-pod/exec?command=sh&stdin=true',
        userTokenOf('alice', 'agent-1'),
      ),
    ]);
    expect(answers.map((answer) => answer.head)).toEqual([
      'HTTP/1.1 401 Unauthorized',
      'HTTP/1.1 404 Not Found',
    ]);
    // kas closes both (the client never does), so neither stays in flight nor holds a slot.
    await Promise.all(answers.map((answer) => answer.closed));
    await eventually(() => entry.metrics.snapshot().inFlight === before.inFlight);
    expect(entry.metrics.snapshot().upgrades.open).toBe(before.upgrades.open);
  });

  it('serves @kubernetes/client-node 1.4 Exec and PortForward', async () => {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfigPath);
    let output = '';
    const stdout = new PassThrough().on('data', (chunk) => {
      output += chunk;
    });
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(config)
        .exec('default', 'web-0', 'app', ['echo', 'from client-node'], stdout, null, null, false, resolve)
        .catch(reject);
    });
    expect(status.status).toBe('Success');
    expect(output).toBe('from client-node\n');

    const portForward = new PortForward(config);
    const local = createServer((socket) => {
      portForward.portForward('default', 'web-0', [80], socket, null, socket).catch(() => socket.destroy());
    });
    local.listen(0, '127.0.0.1');
    await once(local, 'listening');
    try {
      expect(await getThrough((local.address() as AddressInfo).port)).toBe('hello from web-0\n');
    } finally {
      local.close();
    }
  });
});
