import { type OpenStream, openStream } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeKubeApi, startFakeKubeApi } from '../../src/index.js';

const pod = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});
const parse = (lines: readonly string[]) =>
  lines.map((line) => {
    const event = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
    return `${event.type} ${event.object.metadata.name}`;
  });

describe('watch and log streams', () => {
  let api: FakeKubeApi;
  const streams: OpenStream[] = [];
  const watch = async (query: string, accept?: string) => {
    const stream = await openStream(`${api.url}/api/v1/namespaces/default/pods?watch=1&${query}`, {
      headers: accept === undefined ? {} : { accept },
    });
    streams.push(stream);
    return stream;
  };

  beforeEach(async () => {
    api = await startFakeKubeApi();
  });
  afterEach(async () => {
    vi.useRealTimers();
    for (const stream of streams.splice(0)) stream.close();
    await api.stop();
  });

  it('streams chunked JSON events, one per line, as changes happen', async () => {
    const version = api.objects.resourceVersion;
    const stream = await watch(`resourceVersion=${version}`);
    expect(stream.status).toBe(200);
    expect(stream.headers).toMatchObject({
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    api.objects.create('pods', pod('web-0'));
    expect(parse(await stream.waitForLines(1))).toEqual(['ADDED web-0']);
    api.objects.update('pods', {
      ...api.objects.get('pods', 'web-0'),
      metadata: { name: 'web-0', labels: { a: 'b' } },
    });
    api.objects.delete('pods', 'web-0');
    expect(parse(await stream.waitForLines(3))).toEqual(['ADDED web-0', 'MODIFIED web-0', 'DELETED web-0']);
  });

  it('replays what happened after a resourceVersion, and starts with the current objects without one', async () => {
    const before = api.objects.resourceVersion;
    api.objects.create('pods', pod('a'));
    api.objects.create('pods', pod('b'));
    api.objects.delete('pods', 'a');
    const replay = await watch(`resourceVersion=${before}`);
    expect(parse(await replay.waitForLines(3))).toEqual(['ADDED a', 'ADDED b', 'DELETED a']);
    const fresh = await watch('');
    expect(parse(await fresh.waitForLines(1))).toEqual(['ADDED b']);
  });

  it('turns selector matches into ADDED and DELETED, as the real server does', async () => {
    api.objects.create('pods', pod('web-0', { tier: 'back' }));
    const stream = await watch(`labelSelector=tier%3Dfront&resourceVersion=${api.objects.resourceVersion}`);
    const update = (tier: string) =>
      api.objects.update('pods', {
        ...api.objects.get('pods', 'web-0'),
        metadata: { name: 'web-0', labels: { tier } },
      });
    update('front');
    update('back');
    expect(parse(await stream.waitForLines(2))).toEqual(['ADDED web-0', 'DELETED web-0']);
  });

  it('counts open streams and forgets a watch whose client went away', async () => {
    const stream = await watch('');
    expect(api.openStreams).toBe(1);
    stream.close();
    await expect.poll(() => api.openStreams).toBe(0);
  });

  it('ends a watch at timeoutSeconds, and every watch when the server stops', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const timed = await watch('timeoutSeconds=30');
    const open = await watch('');
    vi.advanceTimersByTime(30_000);
    vi.useRealTimers();
    await timed.ended;
    expect(open.lines).toEqual([]);
    await api.stop();
    await open.ended;
  });

  it('sends Table rows when kubectl asks for a Table', async () => {
    const stream = await watch(
      `resourceVersion=${api.objects.resourceVersion}`,
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    );
    api.objects.create('pods', pod('web-0'));
    const [line = ''] = await stream.waitForLines(1);
    expect(JSON.parse(line)).toMatchObject({
      type: 'ADDED',
      object: {
        kind: 'Table',
        apiVersion: 'meta.k8s.io/v1',
        columnDefinitions: expect.arrayContaining([expect.objectContaining({ name: 'Name' })]),
        rows: [
          { cells: ['web-0', '0/1', 'Pending', '0', expect.stringMatching(/^\ds$/), '<none>', '<none>'] },
        ],
      },
    });
  });

  it('answers a resourceVersion older than the kept history with one ERROR event (410 Expired)', async () => {
    for (let index = 0; index < 2_600; index += 1) {
      api.objects.create('configmaps', { metadata: { name: `cm-${index}` } });
      api.objects.delete('configmaps', `cm-${index}`);
    }
    const stream = await watch('resourceVersion=2');
    const [line = ''] = await stream.waitForLines(1);
    expect(JSON.parse(line)).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
    await stream.ended;
  });

  it('follows a pod log: the lines so far, then each new one', async () => {
    api.objects.create('pods', pod('web-0'));
    api.objects.appendLog('web-0', 'one');
    const log = await openStream(
      `${api.url}/api/v1/namespaces/default/pods/web-0/log?follow=true&timestamps=true`,
    );
    streams.push(log);
    expect(log.headers['content-type']).toBe('text/plain');
    api.objects.appendLog('web-0', 'two');
    const lines = await log.waitForLines(2);
    expect(lines.map((line) => line.replace(/^\S+Z /, ''))).toEqual(['one', 'two']);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z one$/);
  });
});
