import { describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../src/objects/InMemoryObjectStore.js';

const pod = (name: string, namespace = 'default') => ({
  metadata: { name, namespace },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});

describe('the object store', () => {
  it('starts with the namespaces of a new cluster', () => {
    const store = new InMemoryObjectStore();
    expect(store.list('namespaces').map((namespace) => namespace.metadata.name)).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
  });

  it('increases the resourceVersion with every write, and not for an update that changes nothing', () => {
    const store = new InMemoryObjectStore();
    const created = store.create('pods', pod('web'));
    const updated = store.update('pods', {
      ...created,
      metadata: { ...created.metadata, labels: { a: 'b' } },
    });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    expect(store.update('pods', updated).metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
    const deleted = store.delete('pods', 'web');
    expect(Number(deleted.metadata.resourceVersion)).toBeGreaterThan(
      Number(updated.metadata.resourceVersion),
    );
    expect(store.resourceVersion).toBe(deleted.metadata.resourceVersion);
  });

  it('keeps uid and creation time through updates and refuses a stale resourceVersion', () => {
    const store = new InMemoryObjectStore();
    const created = store.create('pods', pod('web'));
    const updated = store.update('pods', { ...pod('web'), metadata: { name: 'web', uid: 'forged' } });
    expect(updated.metadata).toMatchObject({
      uid: created.metadata.uid,
      creationTimestamp: created.metadata.creationTimestamp,
    });
    expect(() => store.update('pods', created)).toThrow(
      expect.objectContaining({ code: 'KAS_FAKE_KUBE_CONFLICT' }),
    );
  });

  it('makes names from generateName, and checks names', () => {
    const store = new InMemoryObjectStore();
    const created = store.create('pods', { ...pod('x'), metadata: { generateName: 'job-' } });
    expect(created.metadata.name).toMatch(/^job-[a-z0-9]{5}$/);
    expect(() => store.create('pods', pod('Not_Valid'))).toThrow(
      expect.objectContaining({
        code: 'KAS_FAKE_KUBE_INVALID_OBJECT',
        message: expect.stringContaining('metadata.name'),
      }),
    );
  });

  it('empties a namespace that is deleted and ends follows of its pods logs', () => {
    const store = new InMemoryObjectStore();
    store.create('namespaces', { metadata: { name: 'team' } });
    store.create('pods', pod('web', 'team'));
    const seen: string[] = [];
    store.logs.follow('team', 'web', 'app', (line) => seen.push(line === 'ended' ? 'ended' : line.text));
    store.appendLog('web', 'hello', { namespace: 'team' });
    store.delete('namespaces', 'team');
    expect(store.list('pods', 'team')).toEqual([]);
    expect(seen).toEqual(['hello', 'ended']);
    expect(() => store.create('pods', pod('web', 'team'))).toThrow(
      expect.objectContaining({ code: 'KAS_FAKE_KUBE_NOT_FOUND' }),
    );
  });

  it('names an unknown container of a log', () => {
    const store = new InMemoryObjectStore();
    store.create('pods', pod('web'));
    expect(() => store.appendLog('web', 'x', { container: 'nope' })).toThrow(
      'container nope is not valid for pod web',
    );
    expect(() => store.appendLog('gone', 'x')).toThrow('pods "gone" not found');
  });
});
