import { describe, expect, it } from 'vitest';
import { strategicMergePatch } from '../src/patch/strategicMergePatch.js';

const pod = {
  metadata: { name: 'web', labels: { a: '1', b: '2' }, finalizers: ['x'] },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', ports: [{ containerPort: 80 }] },
      { name: 'side', image: 'side:1' },
    ],
    tolerations: [{ key: 'k1' }],
  },
};

describe('strategic merge patch', () => {
  it('deletes a map key with null and replaces lists that have no merge strategy', () => {
    const result = strategicMergePatch('Pod', pod, {
      metadata: { labels: { a: null } },
      spec: { tolerations: [{ key: 'k2' }] },
    });
    expect(result).toMatchObject({
      metadata: { labels: { b: '2' } },
      spec: { tolerations: [{ key: 'k2' }] },
    });
  });

  it('merges containers by name and deletes one with $patch: delete', () => {
    const result = strategicMergePatch('Pod', pod, {
      spec: {
        containers: [
          { name: 'app', ports: [{ containerPort: 443 }] },
          { name: 'side', $patch: 'delete' },
        ],
      },
    });
    expect(result.spec).toMatchObject({
      containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 80 }, { containerPort: 443 }] }],
    });
  });

  it('honours $setElementOrder, $deleteFromPrimitiveList, $retainKeys and $patch: replace', () => {
    const result = strategicMergePatch('Pod', pod, {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }],
        containers: [{ name: 'app', image: 'app:2' }],
      },
    });
    expect(result.metadata).toMatchObject({ finalizers: [] });
    expect((result.spec as { containers: { name: string; image: string }[] }).containers).toEqual([
      { name: 'side', image: 'side:1' },
      { name: 'app', image: 'app:2', ports: [{ containerPort: 80 }] },
    ]);
    const retained = strategicMergePatch('Pod', pod, { metadata: { $retainKeys: ['name'], name: 'web' } });
    expect(retained.metadata).toEqual({ name: 'web' });
    const replaced = strategicMergePatch('Pod', pod, { metadata: { $patch: 'replace', name: 'web' } });
    expect(replaced.metadata).toEqual({ name: 'web' });
  });

  it('treats lists of other kinds as atomic', () => {
    const result = strategicMergePatch(
      'ConfigMap',
      { spec: { containers: [{ name: 'a' }] } },
      { spec: { containers: [{ name: 'b' }] } },
    );
    expect(result).toEqual({ spec: { containers: [{ name: 'b' }] } });
  });

  it('refuses a patch that is not an object', () => {
    expect(() => strategicMergePatch('Pod', pod, [1])).toThrow(
      expect.objectContaining({ code: 'KAS_FAKE_KUBE_BAD_REQUEST' }),
    );
  });
});
